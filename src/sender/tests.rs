use super::*;
use crate::message::{parse_message, summarize};

fn codes(headers: &str, receiver: &[&str]) -> Vec<&'static str> {
    let message = parse_message(headers.as_bytes()).expect("valid");
    let summary = summarize(&message);
    let receiver: Vec<String> = receiver.iter().map(|d| d.to_string()).collect();
    sender_findings(&message, &summary, &receiver)
        .into_iter()
        .map(|f| f.code)
        .collect()
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
    let found = codes(
        "From: a@example.com\r\nSubject: one\r\nSubject: two\r\nFrom: b@example.com\r\n",
        &[],
    );
    assert!(found.contains(&"message.message-id-missing"));
    assert_eq!(
        found
            .iter()
            .filter(|c| **c == "message.duplicate-field")
            .count(),
        2
    );
}
