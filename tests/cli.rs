//! The `mailspect` binary as scripts use it: exit codes, one-line errors, stable JSON.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Answers come from a zone file: tests never ask a real resolver.
const ZONE: &str = concat!(
    "zone:",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dns/spf.zone"
);

fn mailspect(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .args(["--dns", ZONE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary was built for this test");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("writing stdin");
    child.wait_with_output().expect("the binary ran")
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn message_json_has_the_stable_fields() {
    let output = mailspect(
        &[
            "message",
            "--json",
            "--now",
            "1667843664",
            &fixture("newsletter-headers.txt"),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    for field in ["summary", "headers", "body", "envelope", "findings"] {
        assert!(report.get(field).is_some(), "missing {field}");
    }
    assert_eq!(report["headers"][0]["name"], "Delivered-To");
    assert_eq!(report["summary"]["subject"], "Your weekly ✉ digest");
    assert_eq!(
        report["envelope"]["mail_from"],
        "bounces+1234-abcd-alice=example.net@em.example.org"
    );
}

#[test]
fn message_reads_standard_input_and_prints_a_human_report() {
    let output = mailspect(
        &["message", "-"],
        b"From: a@example.com\nSubject: hi\nDate: Sat, 5 Nov 2022 17:54:24 +0000\n",
    );
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Subject     hi"), "{text}");
}

#[test]
fn envelope_flags_override_the_headers() {
    let output = mailspect(
        &[
            "message",
            "--json",
            "--ip",
            "192.0.2.1",
            "--helo",
            "mail.example.com",
            "--mail-from",
            "x@example.com",
            "-",
        ],
        b"From: a@example.com\nReturn-Path: <y@example.org>\n",
    );
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["envelope"]["ip"], "192.0.2.1");
    assert_eq!(report["envelope"]["helo"], "mail.example.com");
    assert_eq!(report["envelope"]["mail_from"], "x@example.com");
    assert_eq!(report["envelope"]["source"], "override");
}

#[test]
fn unusable_input_exits_2_with_one_line_on_stderr() {
    for (args, stdin, expected) in [
        (
            vec!["message", "-"],
            &b""[..],
            "standard input: the input is empty",
        ),
        (vec!["message", "-"], b"\x00\x01binary", "binary"),
        (vec!["message", "/no/such/file"], b"", "/no/such/file"),
        (vec!["message", "--ip", "not-an-ip", "-"], b"", "not-an-ip"),
        (
            vec!["message", "--dns", "ftp:x", "-"],
            b"",
            "zone:PATH or doh:URL",
        ),
    ] {
        let output = mailspect(&args, stdin);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
