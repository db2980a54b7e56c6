//! Known-answer tests of what a DKIM report shows beyond its verdict (DNS evidence, order, tag
//! places, findings, JSON) and of its limits against hostile input, on messages the tests sign
//! themselves.

#[path = "support/dkim_signer.rs"]
#[allow(dead_code)]
mod signer;

#[path = "support/dkim_cases.rs"]
#[allow(dead_code)]
mod cases;

use cases::*;
use mailspect::dkim::{verify_message, DkimResult, Outcome};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;
use signer::{sign, Key, Spec};

#[test]
fn dnssec_flag_and_split_txt_strings_are_reported() {
    let key = Key::rsa(2048);
    let record = key.record();
    let (first, second) = record.split_at(100);
    let mut resolver = MemoryResolver::new();
    resolver.insert(
        "sel._domainkey.example.com",
        86_400,
        RecordData::Txt {
            strings: vec![first.as_bytes().to_vec(), second.as_bytes().to_vec()],
        },
    );
    resolver.set_authenticated(true);
    let report = only(verify_with(&signed(&Spec::default(), &key), &resolver));
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let key_report = report.key.unwrap();
    assert!(key_report.authenticated);
    assert_eq!((key_report.ttl, key_report.record), (86_400, record));
}

#[test]
fn signatures_are_reported_top_first() {
    let rsa = Key::rsa(2048);
    let ed = Key::ed25519();
    let inner = signed(&Spec::default(), &rsa);
    let outer_spec = Spec {
        algorithm: "ed25519-sha256",
        domain: "example.net",
        selector: "ed",
        ..Spec::default()
    };
    let message = sign(&inner, &outer_spec, &ed);
    let mut resolver = resolver_with(&rsa.record());
    txt(&mut resolver, "ed._domainkey.example.net", &ed.record());
    let reports = verify_with(&message, &resolver);
    let order: Vec<_> = reports
        .iter()
        .map(|report| {
            (
                report.domain.as_str(),
                report.algorithm.as_str(),
                report.result,
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("example.net", "ed25519-sha256", DkimResult::Pass),
            ("example.com", "rsa-sha256", DkimResult::Pass)
        ]
    );
}

#[test]
fn analysis_report_carries_dkim_in_json() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let options = mailspect::Options {
        now: NOW,
        ..mailspect::Options::default()
    };
    let report = pollster::block_on(mailspect::analyze_message(
        &signed(&spec, &key),
        &options,
        &resolver_with(&key.record()),
    ))
    .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let dkim = &json["dkim"][0];
    assert_eq!(dkim["domain"], "example.com");
    assert_eq!(dkim["selector"], "sel");
    assert_eq!(dkim["algorithm"], "ed25519-sha256");
    assert_eq!(dkim["result"], "pass");
    assert!(dkim["reason"]
        .as_str()
        .is_some_and(|reason| !reason.is_empty()));
    // Not asked for: present, and null (a value that does not apply is never omitted).
    assert!(dkim["canonicalized"].is_null());
    assert!(dkim
        .as_object()
        .is_some_and(|fields| fields.contains_key("canonicalized")));
}

#[test]
fn tag_spans_point_at_each_value() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let message = signed(&spec, &key);
    let report = check(&message, &key.record());
    let value_of = |name: &str| {
        let tag = report.tags.iter().find(|tag| tag.name == name).unwrap();
        String::from_utf8_lossy(&message[tag.span.start..tag.span.end]).into_owned()
    };
    assert_eq!(value_of("d"), "example.com");
    assert_eq!(value_of("a"), "ed25519-sha256");
    assert_eq!(value_of("h"), "from:to:subject:date");
    assert_eq!(report.tags.len(), 8);
}

/// A message of many signatures must not cost a key lookup and a verification each: past
/// `MAX_SIGNATURES` they are reported as not checked, still in header order.
#[test]
fn signatures_past_the_limit_are_reported_not_checked() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let message = signed(&spec, &key);
    let text = String::from_utf8(message).unwrap();
    let field_end = text.find("\r\nFrom:").unwrap() + 2;
    let field = &text[..field_end];
    let many = format!("{}{text}", field.repeat(39));
    let reports = verify_with(many.as_bytes(), &resolver_with(&key.record()));
    let limit = mailspect::dkim::verify::MAX_SIGNATURES;
    assert_eq!(reports.len(), 40);
    assert!(reports[..limit]
        .iter()
        .all(|report| report.result == DkimResult::Pass));
    for report in &reports[limit..] {
        assert_outcome(report, DkimResult::Neutral, Outcome::TooManySignatures);
        assert_eq!(report.domain, "example.com");
    }
}

#[test]
fn malformed_rsa_key_names_the_problem() {
    let key = Key::rsa(2048);
    let message = signed(&Spec::default(), &key);
    // Valid base64, not DER.
    let report = check(&message, "v=DKIM1; k=rsa; p=SGVsbG8gd29ybGQ=");
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeySyntax);
    assert!(
        report.reason.contains("not an RSA public key"),
        "{}",
        report.reason
    );
    // An ed25519 key of the wrong length.
    let ed = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &ed), "v=DKIM1; k=ed25519; p=AAAA");
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeySyntax);
    assert!(report.reason.contains("32"), "{}", report.reason);
}

#[test]
fn findings_summarize_each_signature_that_needs_attention() {
    let key = Key::rsa(2048);
    let options = mailspect::Options {
        now: NOW,
        ..mailspect::Options::default()
    };
    let analyze = |input: &[u8]| {
        pollster::block_on(mailspect::analyze_message(
            input,
            &options,
            &resolver_with(&key.record()),
        ))
        .unwrap()
    };
    let codes = |report: &mailspect::MessageReport| -> Vec<&str> {
        report
            .findings
            .iter()
            .map(|finding| finding.code)
            .filter(|code| code.starts_with("dkim."))
            .collect()
    };
    let message = signed(&Spec::default(), &key);
    assert!(codes(&analyze(&message)).is_empty());
    let changed = analyze(&edit(&message, "We lost", "We won"));
    assert_eq!(codes(&changed), ["dkim.fail"]);
    // The finding points at the DKIM-Signature field.
    let finding = changed
        .findings
        .iter()
        .find(|f| f.code == "dkim.fail")
        .unwrap();
    assert_eq!(finding.span.unwrap().start, 0);
    let spec = Spec {
        body_length: Some(5),
        ..Spec::default()
    };
    assert_eq!(
        codes(&analyze(&signed(&spec, &key))),
        ["dkim.body-length-limit"]
    );
    assert_eq!(
        codes(&analyze(&headers_only(&message))),
        ["dkim.body-not-checked"]
    );
}

/// Hostile input: random damage to the signature field and to the key record must give a report
/// with a reason, never a panic.
#[test]
fn damaged_signatures_and_keys_never_panic() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let message = signed(&spec, &key);
    let record = key.record();
    let field_end = String::from_utf8_lossy(&message).find("\r\nFrom:").unwrap();
    let junk = [
        b';', b'=', b' ', b'\r', b'\n', b'\t', b'a', b'0', b':', b'@', 0xff, b'/',
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for round in 0..400 {
        let mut damaged = message.clone();
        let mut damaged_record = record.clone().into_bytes();
        for _ in 0..1 + next(3) {
            let at = 16 + next(field_end - 16);
            damaged[at] = junk[next(junk.len())];
            let at = next(damaged_record.len());
            damaged_record[at] = junk[next(junk.len())];
        }
        let Ok(parsed) = parse_message(&damaged) else {
            continue;
        };
        let mut resolver = MemoryResolver::new();
        resolver.insert(
            "sel._domainkey.example.com",
            300,
            RecordData::Txt {
                strings: vec![damaged_record],
            },
        );
        let reports = pollster::block_on(verify_message(&parsed, &resolver, NOW, true));
        for report in reports {
            assert!(!report.reason.is_empty(), "round {round}");
        }
    }
}
