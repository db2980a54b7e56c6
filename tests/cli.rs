//! The `mailspect` binary as scripts use it: exit codes, one-line errors, stable JSON.

use std::process::{Command, Output};

/// Answers come from a zone file: tests never ask a real resolver.
const ZONE: &str = concat!(
    "zone:",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dns/spf.zone"
);

#[path = "support/run.rs"]
mod run;

fn mailspect(args: &[&str], stdin: &[u8]) -> Output {
    run::mailspect_with_stdin(&[args, &["--dns", ZONE]].concat(), stdin)
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

/// The CLI reads no more of a file than the core accepts, and says why it stopped.
#[test]
fn a_file_over_48_mib_is_refused_after_reading_48_mib() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("too-large.eml");
    let file = std::fs::File::create(&path).expect("a temporary file");
    file.set_len(mailspect::message::MAX_MESSAGE_BYTES as u64 + 4096)
        .expect("a sparse file");
    let output = mailspect(&["message", path.to_str().expect("a UTF-8 path")], b"");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("larger than the 50331648 bytes"),
        "{stderr}"
    );
    std::fs::remove_file(&path).expect("removed");
}

/// Regression: bidi controls in a header were printed raw, so `Subject: Invoice U+202E gnp.exe`
/// showed as "Invoice exe.png" in a terminal. The text report reveals them; the JSON keeps them.
#[test]
fn hidden_characters_are_revealed_in_the_text_report() {
    let message = "From: a@example.org\r\nSubject: Invoice \u{202E}gnp.exe\r\n\r\n";
    let output = mailspect(&["message", "-"], message.as_bytes());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(text.contains("Invoice ⟨U+202E⟩gnp.exe"), "{text}");
    assert!(
        !text.contains('\u{202E}'),
        "the raw override must not reach the terminal"
    );
    assert!(text.contains("message.hidden-characters"), "{text}");
    let output = mailspect(&["message", "-", "--json"], message.as_bytes());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["summary"]["subject"], "Invoice \u{202E}gnp.exe");
}

/// Regression: the help, the page footer and the module docs claimed DMARC before it existed.
/// Each protocol the help names must have its part of the report (and DMARC its command).
#[test]
fn help_claims_only_what_the_report_has() {
    let help = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(["--help"])
        .output()
        .expect("help");
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let report = mailspect(
        &["message", &fixture("newsletter-headers.txt"), "--json"],
        b"",
    );
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    for (word, field) in [
        ("DKIM", "dkim"),
        ("SPF", "spf"),
        ("DMARC", "dmarc"),
        ("ARC", "arc"),
        ("iprev", "iprev"),
    ] {
        if help.contains(word) {
            assert!(
                json.get(field).is_some(),
                "the help names {word}, the report has no {field}"
            );
        }
    }
    assert!(
        help.contains("dmarc"),
        "the dmarc command is listed: {help}"
    );
    let footer = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/index.html"))
        .expect("the page");
    for (rfc, field) in [
        ("7489", "dmarc"),
        ("9989", "dmarc"),
        ("8617", "arc"),
        ("6376", "dkim"),
        ("7208", "spf"),
    ] {
        if footer.contains(rfc) {
            assert!(
                json.get(field).is_some(),
                "the page cites RFC {rfc}, the report has no {field}"
            );
        }
    }
}
