//! Test material for S/MIME and OpenPGP made at test time with the `openssl` and `gpg` command
//! line tools (installed by scripts/setup.sh): a test CA and signer certificates, CMS signed and
//! enveloped messages, an OpenPGP key, detached and cleartext signatures, an encrypted message.
//! Real implementations make them, so the tests check interoperation, not a round trip through
//! mailspect's own encoder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use mailspect::dns::MemoryResolver;
use mailspect::e2e::{E2eOptions, E2eReport, E2eSignature};
use mailspect::{analyze_message, MessageReport, Options};

/// A fresh directory under the system's temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mailspect-e2e-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Runs a tool in `dir` and returns its standard output; panics with its error output.
pub fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &Path)]) -> Vec<u8> {
    let mut command = Command::new(program);
    command.current_dir(dir).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap_or_else(|error| {
        panic!("{program} cannot run ({error}); scripts/setup.sh installs it")
    });
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    run(dir, "openssl", args, &[])
}

/// A key type `openssl req -newkey` takes, with its options.
#[derive(Clone, Copy)]
pub enum KeyKind {
    Rsa(u32),
    P256,
    P384,
    /// OpenSSL 3.0 makes Ed25519 keys and certificates but cannot sign CMS with them (3.2 can):
    /// tests/e2e.rs signs those itself.
    Ed25519,
}

impl KeyKind {
    fn args(self) -> Vec<String> {
        match self {
            KeyKind::Rsa(bits) => vec!["-newkey".into(), format!("rsa:{bits}")],
            KeyKind::P256 => vec![
                "-newkey".into(),
                "ec".into(),
                "-pkeyopt".into(),
                "ec_paramgen_curve:P-256".into(),
            ],
            KeyKind::P384 => vec![
                "-newkey".into(),
                "ec".into(),
                "-pkeyopt".into(),
                "ec_paramgen_curve:P-384".into(),
            ],
            KeyKind::Ed25519 => vec!["-newkey".into(), "ed25519".into()],
        }
    }
}

/// A test CA: `ca.pem`, `ca.key` in `dir`, named `name`.
pub struct Ca {
    pub dir: PathBuf,
    pub name: String,
}

impl Ca {
    pub fn new(dir: &Path, name: &str) -> Ca {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-subj",
                &format!("/CN={name}"),
                "-days",
                "3650",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        Ca {
            dir: dir.to_path_buf(),
            name: name.to_string(),
        }
    }

    pub fn pem(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.pem", self.name)))
            .expect("the CA certificate")
    }

    /// Issues `file.pem` / `file.key` for `email` with `serial`, valid for `days` from now, with
    /// the extended key usage `eku` (e.g. `emailProtection`).
    pub fn issue(&self, file: &str, kind: KeyKind, email: &str, serial: &str, eku: &str) {
        let dir = &self.dir;
        let mut args: Vec<String> = vec!["req".into()];
        args.extend(kind.args());
        args.extend(
            [
                "-nodes",
                "-keyout",
                &format!("{file}.key"),
                "-out",
                &format!("{file}.csr"),
                "-subj",
                &format!("/CN={file}/emailAddress={email}"),
            ]
            .map(String::from),
        );
        openssl(dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        std::fs::write(
            dir.join(format!("{file}.ext")),
            format!("subjectAltName=email:{email}\nkeyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment\nextendedKeyUsage={eku}\nsubjectKeyIdentifier=hash\n"),
        )
        .expect("the extension file");
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{file}.csr"),
                "-CA",
                &format!("{}.pem", self.name),
                "-CAkey",
                &format!("{}.key", self.name),
                "-set_serial",
                serial,
                "-days",
                "365",
                "-out",
                &format!("{file}.pem"),
                "-extfile",
                &format!("{file}.ext"),
            ],
        );
    }
}

/// `openssl cms -sign` of `content` (a MIME entity) with `signer`, S/MIME output; `extra` adds
/// options (`-md sha1`, `-nodetach`, `-keyopt rsa_padding_mode:pss`).
/// A file name in the shared scratch folder that no other call uses: the tests of one binary run
/// in parallel over one folder, and a fixed name let one test sign another's content.
fn scratch_name(stem: &str, extension: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{stem}-{}-{n}.{extension}", std::process::id())
}

pub fn cms_sign(dir: &Path, signer: &str, content: &str, extra: &[&str]) -> String {
    let input = scratch_name("content", "txt");
    std::fs::write(dir.join(&input), content).expect("the content");
    let signer_pem = format!("{signer}.pem");
    let signer_key = format!("{signer}.key");
    let mut args = vec![
        "cms",
        "-sign",
        "-in",
        &input,
        "-signer",
        &signer_pem,
        "-inkey",
        &signer_key,
    ];
    args.extend_from_slice(extra);
    String::from_utf8(openssl(dir, &args)).expect("S/MIME output is text")
}

/// `openssl cms -encrypt` of `content` for the certificates `recipients`; `extra` adds options
/// (`-keyid`).
pub fn cms_encrypt(dir: &Path, recipients: &[&str], content: &str, extra: &[&str]) -> String {
    let input = scratch_name("content", "txt");
    std::fs::write(dir.join(&input), content).expect("the content");
    let files: Vec<String> = recipients
        .iter()
        .map(|name| format!("{name}.pem"))
        .collect();
    let mut args = vec!["cms", "-encrypt", "-in", &input, "-aes256"];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(String::as_str));
    String::from_utf8(openssl(dir, &args)).expect("S/MIME output is text")
}

/// A GnuPG home with one key for `user_id` (Ed25519 signing, Curve25519 encryption subkey).
pub struct Gpg {
    pub home: PathBuf,
}

impl Gpg {
    pub fn new(dir: &Path, user_id: &str) -> Gpg {
        let home = dir.join("gnupg");
        std::fs::create_dir_all(&home).expect("a GnuPG home");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700))
                .expect("permissions");
        }
        let gpg = Gpg { home };
        gpg.run(
            &[
                "--quick-gen-key",
                user_id,
                "future-default",
                "default",
                "never",
            ],
            dir,
        );
        gpg
    }

    pub fn run(&self, args: &[&str], dir: &Path) -> Vec<u8> {
        let mut all = vec![
            "--batch",
            "--no-tty",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ];
        all.extend_from_slice(args);
        run(dir, "gpg", &all, &[("GNUPGHOME", &self.home)])
    }

    pub fn public_key(&self, dir: &Path) -> String {
        String::from_utf8(self.run(&["--armor", "--export"], dir)).expect("an armored key")
    }

    /// `(key id, fingerprint)` of each key and subkey, primary first (`--with-colons`).
    pub fn key_ids(&self, dir: &Path) -> Vec<(String, String)> {
        let listing =
            String::from_utf8(self.run(&["--with-colons", "--list-keys"], dir)).expect("text");
        let mut ids = Vec::new();
        let mut last_id = String::new();
        for line in listing.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            match fields.first() {
                Some(&"pub") | Some(&"sub") => last_id = fields.get(4).unwrap_or(&"").to_string(),
                Some(&"fpr") if !last_id.is_empty() => {
                    ids.push((last_id.clone(), fields.get(9).unwrap_or(&"").to_string()));
                    last_id.clear();
                }
                _ => {}
            }
        }
        ids
    }

    /// A detached armored signature over `data`.
    pub fn detach_sign(&self, dir: &Path, data: &[u8]) -> String {
        let part = scratch_name("part", "bin");
        std::fs::write(dir.join(&part), data).expect("the part");
        self.run(
            &["--armor", "--digest-algo", "SHA256", "--detach-sign", &part],
            dir,
        );
        std::fs::read_to_string(dir.join(format!("{part}.asc"))).expect("the signature")
    }

    pub fn clearsign(&self, dir: &Path, text: &str) -> String {
        let input = scratch_name("text", "txt");
        std::fs::write(dir.join(&input), text).expect("the text");
        String::from_utf8(self.run(
            &["--digest-algo", "SHA256", "--clearsign", "-o", "-", &input],
            dir,
        ))
        .expect("text")
    }

    pub fn encrypt(&self, dir: &Path, recipient: &str, text: &str) -> String {
        let input = scratch_name("plain", "txt");
        std::fs::write(dir.join(&input), text).expect("the text");
        String::from_utf8(self.run(
            &[
                "--armor",
                "--trust-model",
                "always",
                "-r",
                recipient,
                "--encrypt",
                "-o",
                "-",
                &input,
            ],
            dir,
        ))
        .expect("text")
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The message's report, at the system clock, with `e2e`'s roots and keys.
pub fn analyze_with(message: &str, e2e: E2eOptions) -> MessageReport {
    let options = Options {
        now: now(),
        e2e,
        ..Options::default()
    };
    pollster::block_on(analyze_message(
        message.as_bytes(),
        &options,
        &MemoryResolver::new(),
    ))
    .expect("a message")
}

pub fn analyze(message: &str) -> MessageReport {
    analyze_with(message, E2eOptions::default())
}

pub fn codes(e2e: &E2eReport) -> Vec<&'static str> {
    e2e.findings.iter().map(|finding| finding.code).collect()
}

/// The report's first signature; panics when there is none.
pub fn signature(report: &MessageReport) -> &E2eSignature {
    report.e2e.signature.as_ref().expect("a signature")
}

/// `mailspect ARGS --dns zone:…` (answers from a zone file, never a real resolver).
pub fn mailspect(args: &[&str]) -> std::process::Output {
    let zone = concat!(
        "zone:",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dns/spf.zone"
    );
    Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .args(["--dns", zone])
        .output()
        .expect("mailspect runs")
}
