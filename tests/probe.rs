//! `mailspect probe` and `mailspect domain --probe` against SMTP servers this test starts on
//! 127.0.0.1, free ports only: aiosmtpd servers (tests/support/smtp_server.py; scripts/setup.sh
//! installs aiosmtpd) with certificates made here by rcgen (a test CA trusted through
//! `--ca-file`, an expired certificate, one for another name), without STARTTLS, offering AUTH
//! PLAIN before TLS, relaying and refusing; and hostile servers written here (silence, a byte
//! at a time, endless continuation lines, a line without end, 421, garbage). DNS comes from
//! zone files written here; nothing leaves loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mailspect::schema::{schemas, strict};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use serde_json::Value;

const HOST: &str = "mail.example.test";

/// The test CA, and the files of what it signed.
struct Certificates {
    dir: PathBuf,
    ca_file: PathBuf,
    /// Hex of the valid certificate's SubjectPublicKeyInfo, for a `3 1 0` TLSA record.
    valid_spki_hex: String,
}

fn certificates() -> &'static Certificates {
    static CERTIFICATES: std::sync::OnceLock<Certificates> = std::sync::OnceLock::new();
    CERTIFICATES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "mailspect probe test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().expect("a CA key");
        let ca = params.self_signed(&ca_key).expect("the CA certificate");
        let issuer = Issuer::new(params, ca_key);
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("ca.pem");
        let mut valid_spki_hex = String::new();
        for (stem, name, expired) in [
            ("valid", HOST, false),
            ("expired", HOST, true),
            ("wrong-name", "other.example.test", false),
        ] {
            let mut params =
                CertificateParams::new(vec![name.to_string()]).expect("server parameters");
            if expired {
                params.not_before = date_time_ymd(2020, 1, 1);
                params.not_after = date_time_ymd(2021, 1, 1);
            }
            let key = KeyPair::generate().expect("a server key");
            let certificate = params.signed_by(&key, &issuer).expect("signed");
            std::fs::write(dir.join(format!("{stem}.pem")), certificate.pem())
                .expect("certificate file");
            std::fs::write(dir.join(format!("{stem}.key")), key.serialize_pem()).expect("key file");
            if stem == "valid" {
                valid_spki_hex = key
                    .subject_public_key_info()
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect();
            }
        }
        Certificates {
            dir,
            ca_file,
            valid_spki_hex,
        }
    })
}

/// An aiosmtpd server; ends when dropped (its standard input closes).
struct SmtpServer {
    child: Child,
    port: u16,
}

impl SmtpServer {
    fn start(flags: &[&str], certificate: Option<&str>) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut command = Command::new("python3");
        command.arg(script).args(flags);
        if let Some(stem) = certificate {
            let dir = &certificates().dir;
            command.arg("--cert").arg(dir.join(format!("{stem}.pem")));
            command.arg("--key").arg(dir.join(format!("{stem}.key")));
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect(
                "python3 runs tests/support/smtp_server.py (scripts/setup.sh installs aiosmtpd)",
            );
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's port line");
        let port = serde_json::from_str::<Value>(&line)
            .ok()
            .and_then(|value| value["port"].as_u64())
            .unwrap_or_else(|| {
                panic!("smtp_server.py did not start (it printed {line:?}): is aiosmtpd installed?")
            });
        SmtpServer {
            child,
            port: port as u16,
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A zone with the test domain's MX host on 127.0.0.1, and `extra` lines.
/// A file of its own for each call: the tests run in parallel threads, and one rewriting a zone
/// another is reading made that probe find no address (a race this test suite once had).
fn zone(name: &str, extra: &str) -> PathBuf {
    static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let count = WRITTEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = certificates().dir.join(format!("{name}-{count}.zone"));
    let text = format!(
        "$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns.example.test. hostmaster.example.test. 1 7200 3600 1209600 300\n\
         @ IN MX 10 mail.example.test.\nmail IN A 127.0.0.1\n@ IN TXT \"v=spf1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n{extra}"
    );
    std::fs::write(&path, text).expect("zone file");
    path
}

fn mailspect(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .output()
        .expect("mailspect runs");
    assert!(
        output.status.success(),
        "mailspect {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    // Every report is checked against its committed schema, strictly (no undeclared field).
    let stem = if args.first() == Some(&"domain") {
        "domain-audit"
    } else {
        "probe"
    };
    let (_, schema) = schemas()
        .into_iter()
        .find(|(name, _)| *name == stem)
        .expect("the schema");
    let validator = jsonschema::validator_for(&strict(&schema)).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .take(5)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "mailspect {args:?} breaks {stem}.schema.json: {errors:#?}"
    );
    report
}

/// `mailspect probe mail.example.test:PORT --json` with the zone and `extra` arguments.
fn probe(port: u16, extra: &[&str]) -> Value {
    let zone = zone("plain", "");
    let target = format!("{HOST}:{port}");
    let dns = format!("zone:{}", zone.display());
    let mut args = vec!["probe", target.as_str(), "--json", "--dns", dns.as_str()];
    args.extend_from_slice(extra);
    mailspect(&args)
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn ca_file() -> &'static str {
    certificates().ca_file.to_str().expect("a UTF-8 path")
}

#[test]
fn a_valid_test_ca_certificate_is_trusted_through_ca_file() {
    let server = SmtpServer::start(&[], Some("valid"));
    let report = probe(server.port, &["--ca-file", ca_file()]);
    let host = &report["hosts"][0];
    assert_eq!(host["outcome"], "completed", "{host:#}");
    assert_eq!(host["capabilities"]["starttls"], true);
    let tls = &host["tls"];
    assert_eq!(tls["certificate"]["chain_valid"], true, "{tls:#}");
    assert_eq!(tls["certificate"]["names"][0]["name"], HOST);
    assert_eq!(tls["certificate"]["names"][0]["valid"], true);
    assert!(
        tls["cipher_suite"]
            .as_str()
            .is_some_and(|suite| suite.starts_with("TLS")),
        "{tls:#}"
    );
    let versions: Vec<(String, Value)> = host["tls_versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|test| {
            (
                test["version"].as_str().unwrap_or("").to_string(),
                test["accepted"].clone(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("TLSv1.0".to_string(), Value::Null),
            ("TLSv1.1".to_string(), Value::Null),
            ("TLSv1.2".to_string(), Value::Bool(true)),
            ("TLSv1.3".to_string(), Value::Bool(true)),
        ]
    );
    // aiosmtpd offers AUTH only after STARTTLS by default.
    assert_eq!(host["capabilities"]["auth"], serde_json::json!([]));
    assert!(host["capabilities_after_tls"]["auth"]
        .as_array()
        .is_some_and(|auth| !auth.is_empty()));
    let found = codes(&report);
    assert!(
        !found
            .iter()
            .any(|code| code.starts_with("probe.certificate")),
        "{found:?}"
    );
    assert!(
        found.contains(&"probe.legacy-tls-not-tested".to_string()),
        "{found:?}"
    );
    assert!(
        host["relay"].is_null(),
        "no relay test without --relay-test"
    );

    // The same server without --ca-file: its CA is no public root.
    let report = probe(server.port, &[]);
    let certificate = &report["hosts"][0]["tls"]["certificate"];
    assert_eq!(certificate["chain_valid"], false);
    assert_eq!(certificate["problem"], "unknown-issuer");
    assert!(codes(&report).contains(&"probe.certificate-untrusted".to_string()));
}

#[test]
fn an_expired_certificate_is_reported_and_the_probe_goes_on() {
    let server = SmtpServer::start(&[], Some("expired"));
    let report = probe(server.port, &["--ca-file", ca_file()]);
    let host = &report["hosts"][0];
    let certificate = &host["tls"]["certificate"];
    assert_eq!(certificate["problem"], "expired", "{certificate:#}");
    assert_eq!(certificate["not_after"], 1_609_459_200, "2021-01-01");
    assert!(codes(&report).contains(&"probe.certificate-expired".to_string()));
    // The handshake completed, so the rest ran: EHLO after TLS.
    assert!(host["capabilities_after_tls"].is_object());
}

#[test]
fn a_certificate_for_another_name_is_reported() {
    let server = SmtpServer::start(&[], Some("wrong-name"));
    let report = probe(server.port, &["--ca-file", ca_file()]);
    let certificate = &report["hosts"][0]["tls"]["certificate"];
    assert_eq!(certificate["chain_valid"], true, "{certificate:#}");
    assert_eq!(certificate["names"][0]["valid"], false);
    assert_eq!(
        report["hosts"][0]["tls"]["chain"][0]["dns_names"],
        serde_json::json!(["other.example.test"])
    );
    assert!(codes(&report).contains(&"probe.certificate-wrong-name".to_string()));
}

#[test]
fn a_server_without_starttls() {
    let server = SmtpServer::start(&[], None);
    let report = probe(server.port, &[]);
    let host = &report["hosts"][0];
    assert_eq!(host["capabilities"]["starttls"], false);
    assert!(host["tls"].is_null());
    let finding = report["findings"]
        .as_array()
        .and_then(|findings| {
            findings
                .iter()
                .find(|finding| finding["code"] == "probe.starttls-missing")
        })
        .expect("probe.starttls-missing");
    // The fix names the standard ways and warns off refusing plaintext.
    let fix = finding["fix"].as_str().unwrap_or("");
    assert!(
        fix.contains("RFC 3207") && fix.contains("MTA-STS") && fix.contains("DANE"),
        "{fix}"
    );
}

#[test]
fn auth_plain_before_tls_is_a_finding() {
    let server = SmtpServer::start(&["--auth-before-tls"], Some("valid"));
    let report = probe(server.port, &["--ca-file", ca_file()]);
    let auth = &report["hosts"][0]["capabilities"]["auth"];
    assert!(
        auth.as_array()
            .is_some_and(|list| list.contains(&Value::from("PLAIN"))),
        "{auth}"
    );
    assert!(codes(&report).contains(&"probe.auth-plaintext".to_string()));
}

#[test]
fn an_open_relay_and_one_that_refuses() {
    let relay = SmtpServer::start(&["--relay"], Some("valid"));
    let report = probe(relay.port, &["--ca-file", ca_file(), "--relay-test"]);
    let test = &report["hosts"][0]["relay"];
    assert_eq!(test["verdict"], "open-relay", "{test:#}");
    assert_eq!(test["over_tls"], true);
    assert_eq!(test["rcpt_to"], "mailspect-relay-test@example.net");
    assert!(codes(&report).contains(&"probe.open-relay".to_string()));
    let transcript: Vec<&str> = report["hosts"][0]["transcript"]
        .as_array()
        .expect("transcript")
        .iter()
        .filter(|line| line["from"] == "client")
        .filter_map(|line| line["text"].as_str())
        .collect();
    assert!(
        !transcript.iter().any(|line| line.starts_with("DATA")),
        "never DATA: {transcript:?}"
    );
    assert!(transcript.contains(&"QUIT"), "always QUIT: {transcript:?}");

    let refusing = SmtpServer::start(&[], None);
    let report = probe(refusing.port, &["--relay-test"]);
    assert_eq!(report["hosts"][0]["relay"]["verdict"], "refused");
    assert_eq!(report["hosts"][0]["relay"]["rcpt_reply"]["code"], 554);
    assert!(codes(&report).contains(&"probe.relay-refused".to_string()));

    let greylisting = SmtpServer::start(&["--greylist"], None);
    let report = probe(greylisting.port, &["--relay-test"]);
    assert_eq!(report["hosts"][0]["relay"]["verdict"], "inconclusive");
    assert!(codes(&report).contains(&"probe.relay-inconclusive".to_string()));
}

#[test]
fn implicit_tls() {
    let server = SmtpServer::start(&["--implicit-tls"], Some("valid"));
    let report = probe(server.port, &["--ca-file", ca_file(), "--tls", "implicit"]);
    let host = &report["hosts"][0];
    assert_eq!(report["options"]["tls_mode"], "implicit");
    assert_eq!(host["outcome"], "completed", "{host:#}");
    assert_eq!(host["tls"]["certificate"]["chain_valid"], true);
    assert_eq!(host["banner"]["code"], 220);
}

#[test]
fn domain_probe_with_dane_and_mta_sts_folds_into_the_grade() {
    let certificates = certificates();
    let server = SmtpServer::start(&["--relay"], Some("valid"));
    let good = format!(
        "_25._tcp.mail IN TLSA 3 1 0 {}\n",
        certificates.valid_spki_hex
    );
    let policy = certificates.dir.join("policy.txt");
    std::fs::write(
        &policy,
        "version: STSv1\nmode: enforce\nmx: *.elsewhere.test\nmax_age: 604800\n",
    )
    .expect("policy");
    let port = server.port.to_string();
    let zone = zone(
        "dane",
        &format!("{good}_mta-sts IN TXT \"v=STSv1; id=1\"\n"),
    );
    let dns = format!("zone:{}", zone.display());
    let common = [
        "--dns",
        dns.as_str(),
        "--port",
        port.as_str(),
        "--ca-file",
        ca_file(),
        "--json",
        "--mta-sts-policy",
        policy.to_str().expect("path"),
        "--relay-test",
    ];
    let mut args = vec!["probe", "example.test"];
    args.extend_from_slice(&common);
    let report = mailspect(&args);
    assert_eq!(report["domain"], "example.test");
    let host = &report["hosts"][0];
    assert_eq!(host["host"], HOST);
    assert_eq!(host["dane"]["matched"], true, "{:#}", host["dane"]);
    assert_eq!(host["mta_sts"]["mode"], "enforce");
    assert!(host["mta_sts"]["matched_by"].is_null());
    let found = codes(&report);
    for code in [
        "probe.dane-match",
        "probe.mta-sts-mx-not-covered",
        "probe.open-relay",
    ] {
        assert!(
            found.contains(&code.to_string()),
            "{code} missing from {found:?}"
        );
    }

    // The same through the domain audit: the probe is in the report and costs points.
    let mut args = vec!["domain", "example.test", "--probe"];
    args.extend_from_slice(&common);
    let audit = mailspect(&args);
    assert_eq!(audit["probe"]["hosts"][0]["host"], HOST);
    let deductions: Vec<&str> = audit["grade"]["deductions"]
        .as_array()
        .expect("deductions")
        .iter()
        .filter_map(|deduction| deduction["code"].as_str())
        .collect();
    assert!(deductions.contains(&"probe.open-relay"), "{deductions:?}");
    // The host outside the policy costs its points once, as the audit's own finding.
    assert!(
        deductions.contains(&"mta-sts-policy.mx-not-covered"),
        "{deductions:?}"
    );
    assert!(
        !deductions.contains(&"probe.mta-sts-mx-not-covered"),
        "{deductions:?}"
    );

    // A TLSA record for another key: DANE senders would not deliver.
    let zone = self::zone(
        "dane-bad",
        &format!("_25._tcp.mail IN TLSA 3 1 1 {}\n", "ab".repeat(32)),
    );
    let dns = format!("zone:{}", zone.display());
    let report = mailspect(&[
        "probe",
        "example.test",
        "--dns",
        &dns,
        "--port",
        &port,
        "--ca-file",
        ca_file(),
        "--json",
        "--no-version-tests",
    ]);
    let dane = &report["hosts"][0]["dane"];
    assert_eq!(dane["matched"], false);
    assert!(dane["suggested_record"]
        .as_str()
        .is_some_and(|record| record.starts_with("3 1 1 ")));
    assert!(codes(&report).contains(&"probe.dane-mismatch".to_string()));
}

/// A raw TCP server that runs `behave` on each connection.
fn raw_server(behave: fn(std::net::TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("bound");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || behave(stream));
        }
    });
    address
}

fn probe_raw(address: SocketAddr, extra: &[&str]) -> Value {
    let target = address.to_string();
    let mut args = vec![
        "probe",
        target.as_str(),
        "--json",
        "--dns",
        "zone:/dev/null",
    ];
    args.extend_from_slice(extra);
    mailspect(&args)
}

fn drain(mut stream: &std::net::TcpStream) {
    let mut sink = [0u8; 1024];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.read(&mut sink);
}

#[test]
fn a_silent_server_times_out_within_the_read_timeout() {
    let address = raw_server(|stream| {
        std::thread::sleep(Duration::from_secs(5));
        drop(stream);
    });
    let started = std::time::Instant::now();
    let report = probe_raw(address, &["--read-timeout", "0.3"]);
    assert_eq!(
        report["hosts"][0]["outcome"], "timeout",
        "{:#}",
        report["hosts"][0]
    );
    assert!(codes(&report).contains(&"probe.timeout".to_string()));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "bounded by the read timeout"
    );
}

#[test]
fn a_tarpit_sending_a_byte_at_a_time_ends_at_the_host_deadline() {
    let address = raw_server(|mut stream| {
        for byte in b"220-tarpit ".iter().cycle().take(200) {
            if stream.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let report = probe_raw(address, &["--read-timeout", "1", "--host-timeout", "0.6"]);
    let host = &report["hosts"][0];
    assert_eq!(host["outcome"], "timeout", "{host:#}");
    assert!(
        host["error"]
            .as_str()
            .is_some_and(|error| error.contains("time allowed for the host")),
        "{host:#}"
    );
}

#[test]
fn endless_continuation_lines_are_cut_off() {
    let address = raw_server(|mut stream| {
        let _ = stream.write_all(b"220 ok\r\n");
        drain(&stream);
        let line = b"250-AN-EXTENSION\r\n";
        for _ in 0..10_000 {
            if stream.write_all(line).is_err() {
                return;
            }
        }
    });
    let report = probe_raw(address, &[]);
    let host = &report["hosts"][0];
    assert_eq!(host["outcome"], "protocol-error", "{host:#}");
    assert!(
        host["error"]
            .as_str()
            .is_some_and(|error| error.contains("more than 100 lines")),
        "{host:#}"
    );
}

#[test]
fn a_line_without_end_is_refused() {
    let address = raw_server(|mut stream| {
        let _ = stream.write_all(b"220 ");
        let _ = stream.write_all(&vec![b'x'; 100_000]);
        std::thread::sleep(Duration::from_secs(2));
    });
    let report = probe_raw(address, &["--read-timeout", "1"]);
    let host = &report["hosts"][0];
    assert_eq!(host["outcome"], "protocol-error", "{host:#}");
    assert!(
        host["error"]
            .as_str()
            .is_some_and(|error| error.contains("longer than 2048")),
        "{host:#}"
    );
}

#[test]
fn a_421_banner_and_garbage_and_a_closed_port() {
    let busy = raw_server(|mut stream| {
        let _ = stream.write_all(b"421 4.3.2 too busy, try later\r\n");
    });
    let report = probe_raw(busy, &[]);
    assert_eq!(report["hosts"][0]["outcome"], "service-unavailable");
    assert!(codes(&report).contains(&"probe.service-unavailable".to_string()));

    let garbage = raw_server(|mut stream| {
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        drain(&stream);
    });
    let report = probe_raw(garbage, &[]);
    assert_eq!(report["hosts"][0]["outcome"], "protocol-error");

    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound")
    };
    let report = probe_raw(closed, &[]);
    assert_eq!(report["hosts"][0]["outcome"], "unreachable");
    assert!(codes(&report).contains(&"probe.unreachable".to_string()));
}
