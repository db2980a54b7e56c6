use super::*;
use crate::message::{parse_message, summarize};

fn codes(headers: &str, receiver: &[&str]) -> Vec<&'static str> {
    let message = parse_message(headers.as_bytes()).expect("valid");
    let summary = summarize(&message);
    let receiver: Vec<String> = receiver.iter().map(|d| d.to_string()).collect();
    // The origination checks (a missing Date and the like) have tests of their own below.
    sender_findings(&message, &summary, &receiver)
        .into_iter()
        .map(|f| f.code)
        .filter(|code| !matches!(*code, "message.date-missing" | "message.message-id-missing"))
        .collect()
}

/// `Subject: Invoice U+202E gnp.exe` shows as "Invoice exe.png" in a mail app: the finding
/// names the field and the code point, and quotes the value with the override revealed.
#[test]
fn bidi_override_in_subject_is_revealed_with_a_finding() {
    let headers = "From: a@example.org\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\
                   Message-ID: <1@example.org>\r\nSubject: Invoice \u{202E}gnp.exe\r\n\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let summary = summarize(&message);
    let findings = sender_findings(&message, &summary, &[]);
    let finding = findings
        .iter()
        .find(|finding| finding.code == "message.hidden-characters")
        .expect("a hidden-character finding");
    assert_eq!(finding.severity, Severity::Warning);
    assert!(finding.message.contains("Subject"), "{}", finding.message);
    assert!(finding.message.contains("U+202E"), "{}", finding.message);
    assert!(
        finding.message.contains("Invoice ⟨U+202E⟩gnp.exe"),
        "{}",
        finding.message
    );
    let subject = message.first_field("Subject").expect("a Subject");
    assert_eq!(finding.span, Some(subject.span()));
    // The summary keeps the exact characters; only display reveals them.
    assert_eq!(summary.subject.as_deref(), Some("Invoice \u{202E}gnp.exe"));
}

/// An encoded-word can carry a zero-width space too: it is decoded before the check.
#[test]
fn zero_width_space_inside_an_encoded_word_is_found() {
    let headers = "From: =?utf-8?q?pay=E2=80=8Bpal?= <a@example.org>\r\nDate: Mon, 1 Jan 2024 \
                   00:00:00 +0000\r\n\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let findings = sender_findings(&message, &summarize(&message), &[]);
    let finding = findings
        .iter()
        .find(|finding| finding.code == "message.hidden-characters")
        .expect("found through the encoded-word");
    assert_eq!(finding.severity, Severity::Info);
    assert!(finding.message.contains("U+200B"), "{}", finding.message);
}

#[test]
fn punycode_rfc3492_samples() {
    // RFC 3492 §7.1 (L) and well-known IDNs.
    assert_eq!(
        punycode_label("xn--3B-ww4c5e180e575a65lsy2b").as_deref(),
        Some("3年B組金八先生")
    );
    assert_eq!(punycode_label("xn--mnchen-3ya").as_deref(), Some("münchen"));
    assert_eq!(punycode_label("xn--pypal-4ve").as_deref(), Some("pаypal"));
    assert_eq!(punycode_label("example"), None);
    assert_eq!(punycode_label("xn--99999999999999999999"), None);
    assert_eq!(punycode_label("xn--a-!"), None);
}

#[test]
fn cyrillic_a_in_paypal_is_mixed_script_and_look_alike() {
    let found = codes(
        "From: PayPal <service@xn--pypal-4ve.com>\r\nReply-To: help@paypal.com\r\n\
         Message-ID: <1@x>\r\n",
        &[],
    );
    assert!(found.contains(&"sender.mixed-script-domain"), "{found:?}");
    assert!(found.contains(&"sender.look-alike-domain"), "{found:?}");
    assert!(found.contains(&"sender.reply-to-other-domain"), "{found:?}");
}

#[test]
fn digit_look_alike_of_the_receivers_domain() {
    let found = codes(
        "From: it@examp1e.org\r\nMessage-ID: <1@x>\r\n",
        &["example.org"],
    );
    assert_eq!(found, ["sender.look-alike-domain"]);
    let found = codes(
        "From: it@example.org\r\nMessage-ID: <1@x>\r\n",
        &["example.org"],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn display_name_with_another_address() {
    let found = codes(
        "From: \"ceo@bank.example\" <x@attacker.example>\r\nMessage-ID: <1@x>\r\n",
        &[],
    );
    assert_eq!(found, ["sender.display-name-address"]);
    let found = codes(
        "From: \"x@attacker.example\" <X@attacker.example>\r\nMessage-ID: <1@x>\r\n",
        &[],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn return_path_in_another_domain_and_subdomains_are_the_same() {
    let found = codes(
        "Return-Path: <bounce@mail.esp.example>\r\nFrom: news@shop.example\r\nReply-To: \
         help@support.shop.example\r\nMessage-ID: <1@x>\r\n",
        &[],
    );
    assert_eq!(found, ["sender.return-path-other-domain"]);
}

#[test]
fn missing_message_id_and_duplicated_singletons() {
    let headers = "From: a@example.com\r\nSubject: one\r\nSubject: two\r\nFrom: b@example.com\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let found: Vec<&str> = sender_findings(&message, &summarize(&message), &[])
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert!(found.contains(&"message.date-missing"));
    assert!(found.contains(&"message.message-id-missing"));
    assert_eq!(
        found
            .iter()
            .filter(|c| **c == "message.duplicate-field")
            .count(),
        2
    );
}
