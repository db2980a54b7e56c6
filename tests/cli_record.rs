//! `mailspect record` as scripts and people use it: exit codes, the guessed kind, the text and
//! JSON outputs, standard input, and the argument errors.

use std::process::Output;

#[path = "support/run.rs"]
mod run;

fn record(args: &[&str], stdin: &[u8]) -> Output {
    run::mailspect_with_stdin(&[&["record"], args].concat(), stdin)
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn the_kind_is_guessed_and_said() {
    let report = json(&record(&["v=spf1 mx ?all", "--json"], b""));
    assert_eq!(report["schema_version"], mailspect::report::SCHEMA_VERSION);
    assert_eq!(report["kind"], "spf");
    assert_eq!(report["kind_guessed"], true);
    assert_eq!(report["next_step"]["record"], "v=spf1 mx ~all");
    assert_eq!(report["findings"][0]["code"], "spf.neutral-all");
    assert_eq!(report["findings"][0]["domain"], serde_json::Value::Null);
    // Every field is there, null when it does not apply.
    for field in [
        "dmarc",
        "dkim",
        "mta_sts",
        "mta_sts_policy",
        "tlsrpt",
        "bimi",
        "tlsa",
    ] {
        assert_eq!(report[field], serde_json::Value::Null, "{field}");
    }
}

#[test]
fn the_kind_given_is_used() {
    let report = json(&record(&["--type", "tlsa", "3 1 1 abcd", "--json"], b""));
    assert_eq!(report["kind"], "tlsa");
    assert_eq!(report["kind_guessed"], false);
    assert_eq!(report["valid"], false);
    assert_eq!(report["findings"][0]["code"], "tlsa.wrong-length");
}

#[test]
fn a_policy_file_is_read_from_standard_input() {
    let policy = b"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n";
    let report = json(&record(&["--json"], policy));
    assert_eq!(report["kind"], "mta-sts-policy");
    assert_eq!(report["valid"], true);
    assert_eq!(report["mta_sts_policy"]["line_ending"], "crlf");
    let report = json(&record(&["-", "--json"], policy));
    assert_eq!(report["kind"], "mta-sts-policy");
}

#[test]
fn text_output_names_the_kind_the_findings_and_the_fix() {
    let output = record(
        &["v=TLSRPTv1; rua=http://r.example.com,mailto:t@example.com"],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("Record (tlsrpt, guessed)\n"), "{text}");
    assert!(
        text.contains("[error] tlsrpt.bad-uri (bytes 16..36)"),
        "{text}"
    );
    assert!(
        text.contains("fix: v=TLSRPTv1; rua=mailto:t@example.com"),
        "{text}"
    );
}

#[test]
fn an_unknown_record_is_a_finding_not_an_error() {
    let report = json(&record(&["hello world", "--json"], b""));
    assert_eq!(report["kind"], serde_json::Value::Null);
    assert_eq!(report["findings"][0]["code"], "record.unknown-kind");
}

#[test]
fn a_bad_type_is_a_usage_error() {
    let output = record(&["--type", "mx", "v=spf1 -all"], b"");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("mailspect: error: "), "{stderr}");
    assert!(stderr.contains("tlsrpt"), "{stderr}");
    let output = record(&[], b"\xff\xfe");
    assert_eq!(output.status.code(), Some(2));
}
