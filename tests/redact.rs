//! A report redacted for sharing in a ticket: nothing in it says who received the message, and
//! the sender's evidence is all still there.

use std::process::Command;

use mailspect::schema::{schemas, strict};
use serde_json::Value;

fn redacted_newsletter() -> (Value, String) {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args([
            "message",
            &format!("{manifest}/tests/fixtures/messages/newsletter-headers.txt"),
            "--json",
            "--redact",
            "--dns",
            &format!("zone:{manifest}/tests/fixtures/dns/newsletter.zone"),
        ])
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    (serde_json::from_str(&text).expect("JSON"), text)
}

#[test]
fn the_recipient_and_the_receiving_side_are_masked_everywhere() {
    let (report, text) = redacted_newsletter();
    // The recipient's local part, in To, Delivered-To, Received `for`, and the VERP bounce
    // address the sending service built from it.
    assert!(!text.to_ascii_lowercase().contains("alice"), "{text}");
    assert!(text.contains("[recipient]@example.net"));
    assert_eq!(
        report["envelope"]["mail_from"],
        "bounces+1234-abcd-[recipient]=example.net@em.example.org"
    );
    // The receiving side's hosts and addresses, and the message's identifiers.
    assert!(
        !text.contains("mx.google.com"),
        "the receiver's host name is masked"
    );
    assert!(
        !text.contains("2002:a05:7300:5388"),
        "the receiver's internal IPv6 is masked"
    );
    assert!(
        !text.contains("7s_Qf0qvQ3mVz0a1b2c3dA"),
        "the Message-ID is masked"
    );
    let redaction = &report["redaction"];
    assert_eq!(redaction["recipients"], 1);
    assert!(redaction["message_ids"]
        .as_u64()
        .is_some_and(|count| count >= 1));
}

#[test]
fn the_senders_evidence_is_kept() {
    let (report, _) = redacted_newsletter();
    assert_eq!(report["spf"]["result"], "pass");
    assert_eq!(report["spf"]["domain"], "em.example.org");
    assert_eq!(
        report["envelope"]["ip"], "198.51.100.25",
        "the sender's IP is evidence"
    );
    assert_eq!(report["dkim"][0]["domain"], "example.org");
    assert_eq!(report["dmarc"]["result"], "pass");
    assert_eq!(report["verdict"]["status"], "authenticated");
    assert_eq!(report["summary"]["from"][0]["address"], "news@example.org");
}

#[test]
fn a_redacted_report_still_follows_the_message_schema() {
    let (report, _) = redacted_newsletter();
    let schema = schemas()
        .into_iter()
        .find(|(stem, _)| *stem == "message")
        .map(|(_, schema)| strict(&schema))
        .expect("the message schema");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn redact_needs_json() {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(["message", "--redact", "-"])
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(2));
}
