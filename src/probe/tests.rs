//! The probe's pure parts against hostile replies, and the conversation against a scripted
//! transport (the real sockets are tested in tests/probe.rs).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use sha2::{Digest, Sha256};

use super::dane::{dane_check, hex};
use super::ehlo::capabilities;
use super::findings::utc_date;
use super::reply::{read_reply, reply_line, ReplyError};
use super::*;
use crate::records::tlsa;
use crate::report::Severity;

/// A connection that answers from a script and records what the client sent.
struct Scripted {
    lines: VecDeque<Vec<u8>>,
    sent: std::rc::Rc<RefCell<Vec<String>>>,
    handshake: Option<TlsHandshake>,
}

impl SmtpConnection for Scripted {
    fn read_line(&mut self, max: usize) -> Result<Vec<u8>, TransportError> {
        let line = self
            .lines
            .pop_front()
            .ok_or_else(|| TransportError::new(TransportErrorKind::Timeout, "no answer in time"))?;
        if line.len() > max {
            return Err(TransportError::new(
                TransportErrorKind::LineTooLong,
                "too long",
            ));
        }
        Ok(line)
    }

    fn write_line(&mut self, line: &str) -> Result<(), TransportError> {
        self.sent.borrow_mut().push(line.to_string());
        Ok(())
    }

    fn start_tls(&mut self, _: &TlsRequest) -> Result<TlsHandshake, TransportError> {
        self.handshake
            .clone()
            .ok_or_else(|| TransportError::new(TransportErrorKind::Tls, "handshake failure"))
    }
}

/// One scripted connection per `connect`, in order.
struct Script {
    connections: RefCell<VecDeque<Vec<&'static str>>>,
    sent: std::rc::Rc<RefCell<Vec<String>>>,
    handshake: Option<TlsHandshake>,
}

impl Script {
    fn new(connections: Vec<Vec<&'static str>>) -> Self {
        Script {
            connections: RefCell::new(connections.into()),
            sent: Default::default(),
            handshake: None,
        }
    }
}

impl SmtpTransport for Script {
    type Connection = Scripted;

    fn connect(&self, _: SocketAddr, _: bool) -> Result<Scripted, TransportError> {
        let lines = self.connections.borrow_mut().pop_front().ok_or_else(|| {
            TransportError::new(TransportErrorKind::Connect, "connection refused")
        })?;
        Ok(Scripted {
            lines: lines
                .into_iter()
                .map(|line| line.as_bytes().to_vec())
                .collect(),
            sent: self.sent.clone(),
            handshake: self.handshake.clone(),
        })
    }

    fn now_ms(&self) -> f64 {
        0.0
    }
}

fn options(relay_test: bool) -> ProbeOptions {
    ProbeOptions {
        port: 25,
        tls_mode: TlsMode::Starttls,
        ehlo_name: "probe.example".into(),
        relay_test,
        version_tests: true,
        connect_timeout_ms: 1000,
        read_timeout_ms: 1000,
        host_timeout_ms: 1000,
    }
}

fn target() -> ProbeTarget {
    ProbeTarget {
        host: "mx.example.com".into(),
        addresses: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ..ProbeTarget::default()
    }
}

fn codes(host: &HostProbe) -> Vec<&'static str> {
    host.findings.iter().map(|finding| finding.code).collect()
}

#[test]
fn reply_lines_follow_the_grammar() {
    let line = reply_line(b"250-mx.example.com Hello").expect("a line");
    assert_eq!(
        (line.code, line.more, line.text.as_str()),
        (250, true, "mx.example.com Hello")
    );
    let bare = reply_line(b"250").expect("a bare code");
    assert_eq!((bare.code, bare.more, bare.text.as_str()), (250, false, ""));
    for hostile in [
        &b""[..],
        b"25",
        b"2500 x",
        b"600 out of range",
        b"160 first digit",
        b"270 second digit",
        b"HTTP/1.1 200 OK",
        b"250_x",
        b"\xff\xfe\x00",
    ] {
        assert!(
            matches!(reply_line(hostile), Err(ReplyError::Malformed(_))),
            "{hostile:?} must be malformed"
        );
    }
    // Controls and bidi characters in the text are shown, not passed on.
    let line = reply_line("220 ok\u{7}\u{202e}".as_bytes()).expect("a line");
    assert_eq!(line.text, "ok⟨U+0007⟩⟨U+202E⟩");
    // Invalid UTF-8 in the text is kept, replaced.
    assert!(reply_line(b"220 \xff").is_ok());
}

fn scripted(lines: Vec<Vec<u8>>) -> Scripted {
    Scripted {
        lines: lines.into(),
        sent: Default::default(),
        handshake: None,
    }
}

#[test]
fn endless_continuation_lines_end_at_the_line_limit() {
    let lines = vec![b"250-more".to_vec(); MAX_REPLY_LINES + 50];
    let mut connection = scripted(lines);
    let mut seen = 0;
    let result = read_reply(&mut connection, |_| seen += 1);
    assert_eq!(result, Err(ReplyError::TooManyLines));
    assert_eq!(seen, MAX_REPLY_LINES, "nothing read past the limit");
}

#[test]
fn a_reply_that_changes_its_code_is_refused() {
    let mut connection = scripted(vec![b"250-one".to_vec(), b"550 two".to_vec()]);
    assert_eq!(
        read_reply(&mut connection, |_| {}),
        Err(ReplyError::CodeChanged {
            first: 250,
            then: 550
        })
    );
}

#[test]
fn a_huge_line_is_refused_by_the_transport_limit() {
    let mut connection = scripted(vec![vec![b'2'; MAX_REPLY_LINE + 1]]);
    assert!(matches!(
        read_reply(&mut connection, |_| {}),
        Err(ReplyError::Transport(TransportError {
            kind: TransportErrorKind::LineTooLong,
            ..
        }))
    ));
}

fn reply(lines: &[&str]) -> Reply {
    Reply {
        code: 250,
        lines: lines.iter().map(|line| line.to_string()).collect(),
    }
}

#[test]
fn ehlo_keywords_and_their_parameters() {
    let found = capabilities(&reply(&[
        "mx.example.com greets you",
        "size 10240000",
        "AUTH=LOGIN",
        "AUTH plain cram-md5 PLAIN",
        "STARTTLS",
        "PIPELINING",
        "SMTPUTF8",
        "REQUIRETLS",
        "-bad keyword",
        "8BITMIME",
        "",
    ]));
    assert_eq!(found.server_name, "mx.example.com");
    assert_eq!(found.size, Some(10_240_000));
    assert!(found.size_offered && found.starttls && found.pipelining);
    assert!(found.smtputf8 && found.requiretls && found.eightbitmime);
    assert_eq!(found.auth, ["LOGIN", "PLAIN", "CRAM-MD5"]);
    assert_eq!(found.plaintext_password_mechanisms(), ["LOGIN", "PLAIN"]);
    assert_eq!(found.malformed_lines, ["-bad keyword"]);
    // SIZE without a number (RFC 1870 allows it) is offered with no limit.
    let found = capabilities(&reply(&["mx", "SIZE", "SIZE x"]));
    assert!(found.size_offered);
    assert_eq!(found.size, None);
}

fn certificate(der: &[u8], spki: &[u8]) -> CertificateBytes {
    CertificateBytes {
        der: der.to_vec(),
        spki: spki.to_vec(),
        dns_names: Vec::new(),
    }
}

/// A TLS 1.3 handshake with one certificate, `der`, whose key is `key`.
fn handshake(der: &[u8], verdict: CertificateVerdict) -> TlsHandshake {
    TlsHandshake {
        version: "TLSv1.3".into(),
        cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
        chain: vec![certificate(der, b"key")],
        verdict,
    }
}

fn tlsa_record(text: &str) -> tlsa::TlsaRecord {
    tlsa::parse(text).expect("a usable TLSA record")
}

#[test]
fn dane_matches_the_usages_smtp_uses() {
    let leaf = certificate(b"leaf certificate", b"leaf key");
    let ca = certificate(b"ca certificate", b"ca key");
    let chain = [leaf, ca];
    let spki_sha256 = hex(&Sha256::digest(b"leaf key"));
    let ee = tlsa_record(&format!("3 1 1 {spki_sha256}"));
    let check = dane_check(std::slice::from_ref(&ee), true, &chain);
    assert!(check.matched);
    assert_eq!(check.matches[0].chain_index, 0);
    assert_eq!(
        check.suggested_record.as_deref(),
        Some(format!("3 1 1 {spki_sha256}").as_str())
    );
    // DANE-TA names the CA of the chain, by its whole certificate.
    let ta = tlsa_record(&format!(
        "2 0 1 {}",
        hex(&Sha256::digest(b"ca certificate"))
    ));
    let check = dane_check(&[ta], true, &chain);
    assert_eq!(check.matches[0].chain_index, 1);
    // DANE-EE never matches a CA of the chain.
    let wrong = tlsa_record(&format!("3 1 1 {}", hex(&Sha256::digest(b"ca key"))));
    let check = dane_check(&[wrong], true, &chain);
    assert!(!check.matched);
    assert_eq!(check.usable_records, 1);
}

#[test]
fn the_relay_test_addresses_stay_outside_the_probed_domain() {
    let transport = Script::new(vec![vec![
        "220 mx.example.org ESMTP",
        "250-mx.example.org",
        "250 PIPELINING",
        "250 2.1.0 ok",
        "554 5.7.1 relay denied",
        "250 ok",
        "221 bye",
    ]]);
    let mut one = target();
    one.host = "mx.example.org".into();
    let host = probe_host(&transport, &one, Some("example.org"), &options(true));
    let relay = host.relay.expect("the relay test ran");
    assert_eq!(relay.mail_from, "mailspect-relay-test@example.net");
    assert_eq!(relay.rcpt_to, "mailspect-relay-test@example.com");
    assert_eq!(relay.verdict, RelayVerdict::Refused);
    let sent = transport.sent.borrow();
    assert_eq!(
        *sent,
        [
            "EHLO probe.example",
            "MAIL FROM:<mailspect-relay-test@example.net>",
            "RCPT TO:<mailspect-relay-test@example.com>",
            "RSET",
            "QUIT"
        ]
    );
}

#[test]
fn greylisting_at_the_banner_is_reported_and_not_retried() {
    let transport = Script::new(vec![vec!["450 4.7.1 greylisted", "221 bye"]]);
    let host = probe_host(&transport, &target(), None, &options(true));
    assert_eq!(host.outcome, HostOutcome::TemporaryFailure);
    assert_eq!(codes(&host), ["probe.temporary-failure"]);
    assert_eq!(*transport.sent.borrow(), ["QUIT"], "one QUIT, no retry");
    assert_eq!(transport.connections.borrow().len(), 0);
}

#[test]
fn ehlo_refused_falls_back_to_helo() {
    let transport = Script::new(vec![vec![
        "220 old.example.com",
        "502 5.5.2 what?",
        "250 old.example.com",
        "221 bye",
    ]]);
    let host = probe_host(&transport, &target(), None, &options(false));
    assert_eq!(host.outcome, HostOutcome::Completed);
    assert_eq!(
        host.capabilities
            .as_ref()
            .map(|found| found.server_name.as_str()),
        Some("old.example.com")
    );
    assert!(codes(&host).contains(&"probe.starttls-missing"));
}

#[test]
fn a_refused_starttls_and_a_failed_handshake() {
    let transport = Script::new(vec![vec![
        "220 mx.example.com",
        "250-mx.example.com",
        "250 STARTTLS",
        "454 4.7.0 TLS not available",
        "221 bye",
    ]]);
    let host = probe_host(&transport, &target(), None, &options(false));
    assert!(codes(&host).contains(&"probe.starttls-refused"));

    let transport = Script::new(vec![vec![
        "220 mx.example.com",
        "250-mx.example.com",
        "250 STARTTLS",
        "220 go ahead",
    ]]);
    let host = probe_host(&transport, &target(), None, &options(false));
    assert!(codes(&host).contains(&"probe.tls-handshake-failed"));
    // After a failed handshake the connection is out of step: nothing more is sent.
    assert_eq!(
        transport.sent.borrow().last().map(String::as_str),
        Some("STARTTLS")
    );
}

#[test]
fn tls_with_dane_and_the_version_table() {
    let mut transport = Script::new(vec![
        vec![
            "220 mx.example.com",
            "250-mx.example.com",
            "250-AUTH PLAIN",
            "250 STARTTLS",
            "220 go ahead",
            "250-mx.example.com",
            "250 AUTH PLAIN",
            "221 bye",
        ],
        vec![
            "220 mx.example.com",
            "250-mx.example.com",
            "250 STARTTLS",
            "220 go ahead",
        ],
    ]);
    transport.handshake = Some(handshake(
        b"leaf",
        CertificateVerdict {
            chain_valid: true,
            problem: None,
            detail: None,
            not_after: None,
            names: vec![NameCheck {
                name: "mx.example.com".into(),
                role: NameRole::MxHost,
                valid: true,
            }],
        },
    ));
    let mut one = target();
    one.tlsa = vec![tlsa_record(&format!(
        "3 1 1 {}",
        hex(&Sha256::digest(b"key"))
    ))];
    let host = probe_host(&transport, &one, None, &options(false));
    assert_eq!(host.outcome, HostOutcome::Completed);
    assert!(host.dane.as_ref().is_some_and(|dane| dane.matched));
    let table: Vec<(&str, Option<bool>)> = host
        .tls_versions
        .iter()
        .map(|test| (test.version.as_str(), test.accepted))
        .collect();
    // The scripted handshake says TLSv1.3 whatever is asked: 1.2 alone "accepted" is the
    // script's answer, not a guess.
    assert_eq!(
        table,
        [
            ("TLSv1.0", None),
            ("TLSv1.1", None),
            ("TLSv1.2", Some(true)),
            ("TLSv1.3", Some(true))
        ]
    );
    let found = codes(&host);
    assert!(found.contains(&"probe.auth-plaintext"), "{found:?}");
    assert!(found.contains(&"probe.dane-match"), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|code| code.starts_with("probe.certificate")),
        "{found:?}"
    );
}

#[test]
fn unreachable_and_addressless_hosts() {
    let transport = Script::new(Vec::new());
    let host = probe_host(&transport, &target(), None, &options(false));
    assert_eq!(host.outcome, HostOutcome::Unreachable);
    let mut none = target();
    none.addresses.clear();
    let host = probe_host(&transport, &none, None, &options(false));
    assert_eq!(host.outcome, HostOutcome::NoAddress);
    assert_eq!(codes(&host), ["probe.no-address"]);
}

#[test]
fn expiry_dates_are_calendar_days() {
    assert_eq!(utc_date(1_609_459_200), "2021-01-01");
    assert_eq!(utc_date(951_782_400), "2000-02-29");
    assert_eq!(utc_date(0), "1970-01-01");
}

#[test]
fn a_report_reads_back_from_its_json_and_hostile_files_are_refused() {
    let mut transport = Script::new(vec![vec![
        "220 mx.example.com",
        "250-mx.example.com",
        "250-AUTH PLAIN LOGIN",
        "250 SIZE",
        "250 2.1.0 ok",
        "250 2.1.5 ok",
        "250 ok",
        "221 bye",
    ]]);
    transport.handshake = None;
    let report = probe_targets(
        &transport,
        "example.com",
        Some("example.com".into()),
        &[target()],
        &options(true),
    );
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "probe.open-relay"));
    let text = serde_json::to_string(&crate::commands::ProbeReportOutput::new(report.clone()))
        .expect("json");
    assert_eq!(read::read_probe_report(&text), Ok(report));

    let forged = text.replace("probe.open-relay", "probe.all-good");
    assert!(read::read_probe_report(&forged)
        .is_err_and(|why| why.contains("\"probe.all-good\" is not a finding code")));
    let old = text.replace(crate::report::SCHEMA_VERSION, "0.1");
    assert!(read::read_probe_report(&old).is_err_and(|why| why.contains("schema version 0.1")));
    for (hostile, why) in [
        ("", "not JSON"),
        ("[]", "not a JSON object"),
        ("{\"schema_version\": 1}", "no schema_version"),
    ] {
        assert!(
            read::read_probe_report(hostile).is_err_and(|error| error.contains(why)),
            "{hostile}"
        );
    }
    let huge = " ".repeat(read::MAX_REPORT_BYTES + 1);
    assert!(read::read_probe_report(&huge).is_err_and(|why| why.contains("larger")));
}

/// `CODES` is what a report read back may carry: a code the probe writes but the list misses
/// would make the page refuse the probe's own reports.
#[test]
fn every_code_the_findings_write_is_listed() {
    let source = include_str!("findings.rs");
    let body = source
        .split_once("pub const CODES")
        .and_then(|(_, rest)| rest.split_once("];"))
        .map_or("", |(_, after)| after);
    let mut written: Vec<&str> = body
        .split('"')
        .filter(|part| part.starts_with("probe.") && !part.contains(' '))
        .collect();
    written.sort_unstable();
    written.dedup();
    let mut listed = findings::CODES.to_vec();
    listed.sort_unstable();
    assert!(written.len() > 20, "{written:?}");
    assert_eq!(written, listed);
}

#[test]
fn a_matching_dane_ee_record_vouches_for_a_private_certificate() {
    let script = || {
        let mut transport = Script::new(vec![vec![
            "220 mx.example.com",
            "250-mx.example.com",
            "250 STARTTLS",
            "220 go ahead",
            "250 mx.example.com",
            "221 bye",
        ]]);
        transport.handshake = Some(handshake(
            b"self-signed",
            CertificateVerdict {
                chain_valid: false,
                problem: Some(CertificateProblemKind::UnknownIssuer),
                detail: Some("invalid peer certificate: UnknownIssuer".into()),
                not_after: None,
                names: Vec::new(),
            },
        ));
        transport
    };
    let mut options = options(false);
    options.version_tests = false;
    let mut one = target();
    one.tlsa = vec![tlsa_record(&format!(
        "3 1 1 {}",
        hex(&Sha256::digest(b"key"))
    ))];
    let severity = |host: &HostProbe| {
        host.findings
            .iter()
            .find(|finding| finding.code == "probe.certificate-untrusted")
            .map(|finding| finding.severity)
    };
    // Validated by DNSSEC: DANE senders accept the certificate.
    one.tlsa_authenticated = true;
    let host = probe_host(&script(), &one, None, &options);
    assert_eq!(severity(&host), Some(Severity::Info));
    // Not validated: senders ignore the TLSA record, and the certificate is a warning again.
    one.tlsa_authenticated = false;
    let host = probe_host(&script(), &one, None, &options);
    assert_eq!(severity(&host), Some(Severity::Warning));
}
