//! `mailspect spf` as scripts use it: the JSON fields and the exit codes, answering from a zone
//! file (the evaluation itself is tested in `src/spf/tests.rs` and the conformance suites).

use std::process::Command;

const ZONE: &str = concat!(
    "zone:",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dns/spf.zone"
);

fn mailspect(args: &[&str]) -> (i32, serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .args(["--dns", ZONE])
        .output()
        .expect("the binary runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn check_prints_result_explanation_and_trace() {
    let (code, json, _) = mailspect(&[
        "spf",
        "--ip",
        "::ffff:192.0.2.1",
        "--mail-from",
        "alice@example.org",
        "--helo",
        "mail.example.org",
        "--json",
    ]);
    assert_eq!(code, 0);
    // 192.0.2.1 is in ip4:192.0.2.0/28; the IPv4-mapped form must match it (RFC 7208 §5).
    assert_eq!(json["result"], "pass");
    assert!(json["explanation"].is_null());
    assert_eq!(json["trace"]["domain"], "example.org");
    assert_eq!(json["trace"]["queries"][0]["record_type"], "TXT");
    assert_eq!(json["schema_version"], mailspect::report::SCHEMA_VERSION);
    assert_eq!(json["outcome"], "matched");
    assert_eq!(json["helo_check"]["identity"], "helo");
    assert_eq!(json["helo_check"]["sender"], "postmaster@mail.example.org");
    // mail.example.org's own record is "a -all" and its A record is 192.0.2.5, not .1.
    assert_eq!(json["helo_check"]["result"], "fail");
}

#[test]
fn an_address_outside_the_tree_fails_with_the_deciding_term() {
    let (code, json, _) = mailspect(&[
        "spf",
        "--ip",
        "203.0.113.9",
        "--mail-from",
        "alice@example.org",
        "--json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["result"], "fail");
    assert_eq!(json["lookups_used"], 1);
}

#[test]
fn audit_prints_the_tree_and_findings() {
    let (code, json, _) = mailspect(&["spf", "Example.ORG.", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(json["domain"], "example.org");
    assert_eq!(json["lookup_limit"], 10);
    assert_eq!(json["lookups_used"], 1);
    assert!(json["findings"].is_array());
    assert_eq!(json["spf_type_query"]["record_type"], "SPF");
    assert_eq!(json["schema_version"], mailspect::report::SCHEMA_VERSION);
}

#[test]
fn unusable_arguments_exit_2_with_one_line() {
    for args in [
        &["spf"][..],
        &["spf", "--helo", "mail.example.org"],
        &["spf", "--ip", "192.0.2.1"],
    ] {
        let (code, _, stderr) = mailspect(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
