//! `mailspect mta-sts` against HTTPS servers on loopback, with a test CA made at test time
//! (rcgen) and trusted through `--ca-file`: a valid policy, one whose mx patterns miss the MX
//! hosts, one with bad syntax, a 3xx redirect (which must not be followed), a body over the
//! limit, an HTML answer, a server whose certificate has expired, and the same valid server
//! without `--ca-file` (its CA is no public root). DNS comes from a zone file; nothing here
//! needs the network.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

const VALID: &str = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";
const MISMATCH: &str = "version: STSv1\nmode: enforce\nmx: *.other.example\nmax_age: 604800\n";
const BAD_SYNTAX: &str = "version: STSv2\nmode: maybe\nmax_age: forever\n";

/// The test CA and what it signs.
struct TestCa {
    certificate: rcgen::Certificate,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "mailspect test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a CA key");
        let certificate = params.self_signed(&key).expect("the CA certificate");
        TestCa {
            certificate,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for 127.0.0.1, expired when `expired`.
    fn server(&self, expired: bool) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("server parameters");
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().expect("a server key");
        let certificate = params.signed_by(&key, &self.issuer).expect("signed");
        (
            certificate.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

/// The answer for a request path: status line, content type, body.
fn route(path: &str) -> (&'static str, &'static str, Vec<u8>, Option<&'static str>) {
    match path {
        "/valid/.well-known/mta-sts.txt" => ("200 OK", "text/plain", VALID.into(), None),
        "/mismatch/.well-known/mta-sts.txt" => ("200 OK", "text/plain", MISMATCH.into(), None),
        "/bad/.well-known/mta-sts.txt" => ("200 OK", "text/plain", BAD_SYNTAX.into(), None),
        "/html/.well-known/mta-sts.txt" => ("200 OK", "text/html", VALID.into(), None),
        "/large/.well-known/mta-sts.txt" => ("200 OK", "text/plain", vec![b'#'; 70 * 1024], None),
        "/redirect/.well-known/mta-sts.txt" => (
            "301 Moved Permanently",
            "text/plain",
            Vec::new(),
            Some("/valid/.well-known/mta-sts.txt"),
        ),
        _ => ("404 Not Found", "text/plain", b"not here".to_vec(), None),
    }
}

/// Serves HTTPS on 127.0.0.1, a port of the system's choosing, until the test ends.
fn serve(certificate: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .expect("the server certificate");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("bound");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return; // The handshake failed: the client refused the certificate.
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                    header.clear();
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                let (status, content_type, body, location) = route(path);
                let mut head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                if let Some(location) = location {
                    head.push_str(&format!("Location: {location}\r\n"));
                }
                head.push_str("\r\n");
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(&body);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    address
}

struct Servers {
    valid: SocketAddr,
    expired: SocketAddr,
    ca_file: PathBuf,
}

fn servers() -> &'static Servers {
    static SERVERS: std::sync::OnceLock<Servers> = std::sync::OnceLock::new();
    SERVERS.get_or_init(|| {
        let ca = TestCa::new();
        let (certificate, key) = ca.server(false);
        let valid = serve(certificate, key);
        let (certificate, key) = ca.server(true);
        let expired = serve(certificate, key);
        let ca_file =
            std::env::temp_dir().join(format!("mailspect-mta-sts-ca-{}.pem", std::process::id()));
        std::fs::write(&ca_file, ca.certificate.pem()).expect("the CA file is written");
        Servers {
            valid,
            expired,
            ca_file,
        }
    })
}

/// `mailspect mta-sts example.com` against `url`, with the test CA unless `trust` is false.
fn check(url: &str, trust: bool) -> Value {
    let zone = concat!(
        "zone:",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dns/mta-sts.zone"
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailspect"));
    command.args([
        "mta-sts",
        "example.com",
        "--json",
        "--dns",
        zone,
        "--policy-url",
        url,
    ]);
    if trust {
        command.arg("--ca-file").arg(&servers().ca_file);
    }
    let output = command.output().expect("the CLI runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("the CLI prints JSON")
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|finding| finding["code"].as_str().map(str::to_string))
        .collect()
}

fn url(address: SocketAddr, folder: &str) -> String {
    format!("https://{address}/{folder}/.well-known/mta-sts.txt")
}

#[test]
fn a_valid_policy_covers_the_mx_hosts() {
    let report = check(&url(servers().valid, "valid"), true);
    assert_eq!(report["txt"]["valid"], true);
    assert_eq!(
        report["mx_hosts"],
        serde_json::json!(["mail.example.com", "backup.example.net"])
    );
    let fetch = &report["policy"];
    assert_eq!(fetch["status"], 200);
    assert_eq!(fetch["content_type"], "text/plain");
    assert_eq!(fetch["error"], Value::Null);
    assert_eq!(fetch["policy"]["valid"], true);
    assert_eq!(fetch["policy"]["policy"]["mode"], "enforce");
    assert_eq!(
        fetch["policy"]["mx_checks"][1]["matched_by"],
        "*.example.net"
    );
    assert!(codes(&fetch["policy"]["findings"]).is_empty(), "{fetch}");
    assert!(codes(&fetch["findings"]).is_empty(), "{fetch}");
}

#[test]
fn mx_hosts_the_policy_misses_are_errors() {
    let report = check(&url(servers().valid, "mismatch"), true);
    let policy = &report["policy"]["policy"];
    let findings = policy["findings"].as_array().expect("findings");
    let uncovered: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == "mta-sts-policy.mx-not-covered")
        .collect();
    assert_eq!(uncovered.len(), 2, "{policy}");
    assert!(uncovered.iter().all(|f| f["severity"] == "error"));
    assert_eq!(uncovered[0]["domain"], "mta-sts.example.com");
    let fixed = policy["fixed_policy"].as_str().expect("a fixed policy");
    assert!(
        fixed.contains("mx: mail.example.com\r\n") && fixed.contains("mx: backup.example.net\r\n")
    );
}

#[test]
fn a_policy_with_bad_syntax_is_not_valid() {
    let report = check(&url(servers().valid, "bad"), true);
    let policy = &report["policy"]["policy"];
    assert_eq!(policy["valid"], false);
    let codes = codes(&policy["findings"]);
    assert!(
        codes.contains(&"mta-sts-policy.invalid-value".to_string()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"mta-sts-policy.missing-field".to_string()),
        "{codes:?}"
    );
}

/// RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
#[test]
fn a_redirect_is_reported_not_followed() {
    let report = check(&url(servers().valid, "redirect"), true);
    let fetch = &report["policy"];
    assert_eq!(fetch["error"]["kind"], "redirect", "{fetch}");
    assert!(fetch["error"]["detail"]
        .as_str()
        .is_some_and(|detail| detail.contains("301") && detail.contains("/valid/")));
    assert_eq!(fetch["policy"], Value::Null);
    assert_eq!(codes(&fetch["findings"]), ["mta-sts-policy.redirect"]);
}

#[test]
fn an_expired_certificate_is_a_certificate_error() {
    let report = check(&url(servers().expired, "valid"), true);
    let fetch = &report["policy"];
    assert_eq!(fetch["error"]["kind"], "certificate", "{fetch}");
    assert_eq!(codes(&fetch["findings"]), ["mta-sts-policy.certificate"]);
}

/// Without --ca-file the test CA is not trusted: the public roots alone decide.
#[test]
fn without_the_ca_file_the_test_ca_is_not_trusted() {
    let report = check(&url(servers().valid, "valid"), false);
    assert_eq!(report["policy"]["error"]["kind"], "certificate", "{report}");
}

#[test]
fn oversized_bodies_html_and_missing_policies() {
    let report = check(&url(servers().valid, "large"), true);
    assert_eq!(report["policy"]["error"]["kind"], "too-large", "{report}");

    let report = check(&url(servers().valid, "html"), true);
    assert_eq!(
        codes(&report["policy"]["findings"]),
        ["mta-sts-policy.content-type"]
    );
    assert_eq!(report["policy"]["policy"]["valid"], true);

    let report = check(&url(servers().valid, "missing"), true);
    assert_eq!(report["policy"]["error"]["kind"], "status");
    assert_eq!(report["policy"]["error"]["detail"], "404");
}

#[test]
fn an_unreadable_ca_file_is_an_argument_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args([
            "mta-sts",
            "example.com",
            "--mx",
            "mail.example.com",
            "--ca-file",
        ])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--ca-file") && stderr.contains("no CERTIFICATE"),
        "{stderr}"
    );
}
