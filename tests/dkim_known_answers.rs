//! Known-answer tests for every DKIM outcome, on messages the tests sign themselves with fixed
//! keys (tests/support/dkim_signer.rs), verified through the public API.

#[path = "support/dkim_signer.rs"]
mod signer;

#[path = "support/dkim_cases.rs"]
#[allow(dead_code)]
mod cases;

use cases::*;

use mailspect::dkim::{CoverageStatus, DkimResult, KeyType, Outcome};
use mailspect::dns::{DnsError, MemoryResolver, RecordData};
use signer::{sign, Key, Spec};

#[test]
fn rsa_sha256_relaxed_passes_with_evidence() {
    let key = Key::rsa(2048);
    let report = check(&signed(&Spec::default(), &key), &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    assert!(report.verified.is_some());
    assert_eq!(report.verified.as_ref().unwrap().domain(), "example.com");
    let key_report = report.key.as_ref().unwrap();
    assert_eq!(key_report.key_type, Some(KeyType::Rsa));
    assert_eq!(key_report.bits, Some(2048));
    assert_eq!(key_report.ttl, 300);
    assert!(!key_report.authenticated);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let canonicalized = report.canonicalized.as_ref().unwrap();
    assert!(canonicalized
        .headers
        .starts_with("from:Joe SixPack <joe@example.com>\r\nto:"));
    assert!(canonicalized
        .headers
        .contains("subject:Is dinner ready?\r\n"));
    assert_eq!(
        canonicalized.body.as_deref(),
        Some("Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n")
    );
}

#[test]
fn simple_simple_passes() {
    let key = Key::rsa(2048);
    let spec = Spec {
        canonicalization: "simple/simple",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let canonicalized = report.canonicalized.unwrap();
    assert!(canonicalized
        .headers
        .contains("Subject:  Is dinner   ready?\r\n"));
}

#[test]
fn simple_header_canonicalization_rejects_refolding() {
    let key = Key::rsa(2048);
    let spec = Spec {
        canonicalization: "simple/relaxed",
        ..Spec::default()
    };
    let message = edit(
        &signed(&spec, &key),
        "Subject:  Is dinner",
        "Subject: Is dinner",
    );
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Fail, Outcome::SignatureMismatch);
    // Relaxed accepts the same change.
    let relaxed = edit(
        &signed(&Spec::default(), &key),
        "Subject:  Is dinner",
        "Subject: Is dinner",
    );
    assert_outcome(
        &check(&relaxed, &key.record()),
        DkimResult::Pass,
        Outcome::Pass,
    );
}

#[test]
fn ed25519_passes() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let key_report = report.key.unwrap();
    assert_eq!(
        (key_report.key_type, key_report.bits),
        (Some(KeyType::Ed25519), Some(256))
    );
}

#[test]
fn pkcs1_rsa_public_key_is_accepted() {
    let key = Key::rsa(2048);
    let record = format!("v=DKIM1; p={}", key.public_record_key_pkcs1());
    let report = check(&signed(&Spec::default(), &key), &record);
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
}

#[test]
fn changed_body_fails_with_headers_intact() {
    let key = Key::rsa(2048);
    let message = edit(&signed(&Spec::default(), &key), "We lost", "We won");
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Fail, Outcome::BodyHashMismatch);
    assert!(report.header_signature_valid);
    assert!(report.verified.is_none());
}

#[test]
fn changed_signed_header_fails() {
    let key = Key::ed25519();
    let spec = Spec {
        algorithm: "ed25519-sha256",
        ..Spec::default()
    };
    let message = edit(&signed(&spec, &key), "Suzie Q", "Suzy Q");
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Fail, Outcome::SignatureMismatch);
    assert!(!report.header_signature_valid);
}

#[test]
fn headers_only_reports_header_signature_valid_body_not_checked() {
    let key = Key::rsa(2048);
    let message = headers_only(&signed(&Spec::default(), &key));
    let report = check(&message, &key.record());
    assert_outcome(
        &report,
        DkimResult::Neutral,
        Outcome::HeaderSignatureValidBodyNotChecked,
    );
    assert!(report.header_signature_valid && !report.body_checked);
    assert!(report.verified.is_none());
    assert!(report.canonicalized.unwrap().body.is_none());
}

#[test]
fn headers_only_with_body_length_is_not_checked_either() {
    let key = Key::rsa(2048);
    let spec = Spec {
        body_length: Some(5),
        ..Spec::default()
    };
    let message = headers_only(&signed(&spec, &key));
    let report = check(&message, &key.record());
    assert_outcome(
        &report,
        DkimResult::Neutral,
        Outcome::HeaderSignatureValidBodyNotChecked,
    );
}

#[test]
fn headers_only_with_changed_header_fails() {
    let key = Key::rsa(2048);
    let message = headers_only(&edit(&signed(&Spec::default(), &key), "Suzie", "Eve"));
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Fail, Outcome::SignatureMismatch);
}

#[test]
fn empty_body_hash_passes_without_a_body() {
    // A message whose body is only blank lines: intake reads it as "no body", and bh= is the
    // empty body's hash, so the body is known and the signature passes.
    let key = Key::rsa(2048);
    for canonicalization in ["relaxed/relaxed", "relaxed/simple"] {
        let spec = Spec {
            canonicalization,
            ..Spec::default()
        };
        let bare =
            "From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\nDate: d\r\n\r\n\r\n\r\n";
        let message = sign(bare.as_bytes(), &spec, &key);
        let report = check(&message, &key.record());
        assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
        assert!(report.body_checked);
    }
}

#[test]
fn rsa_sha1_is_checked_but_never_passes() {
    let key = Key::rsa(2048);
    let spec = Spec {
        algorithm: "rsa-sha1",
        ..Spec::default()
    };
    let message = signed(&spec, &key);
    assert_outcome(
        &check(&message, &key.record()),
        DkimResult::Policy,
        Outcome::Sha1NotAcceptable,
    );
    let changed = edit(&message, "We lost", "We won");
    assert_outcome(
        &check(&changed, &key.record()),
        DkimResult::Fail,
        Outcome::BodyHashMismatch,
    );
}

#[test]
fn rsa_key_under_1024_bits_fails() {
    let weak = Key::rsa(512);
    let report = check(&signed(&Spec::default(), &weak), &weak.record());
    assert_outcome(&report, DkimResult::Fail, Outcome::KeyTooWeak);
    assert_eq!(report.key.unwrap().bits, Some(512));
    let minimum = Key::rsa(1024);
    let report = check(&signed(&Spec::default(), &minimum), &minimum.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
}

/// A 1024-bit key passed without a word; RFC 8301 §3.2 says signers SHOULD use 2048 bits or
/// more, so the pass now carries a warning that names the size.
#[test]
fn rsa_1024_bit_key_passes_with_a_key_size_warning() {
    let short = Key::rsa(1024);
    let report = check(&signed(&Spec::default(), &short), &short.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let warning = report
        .findings
        .iter()
        .find(|finding| finding.code == "dkim.rsa-key-short")
        .expect("a key-size finding");
    assert_eq!(warning.severity, mailspect::report::Severity::Warning);
    assert!(warning.message.contains("1024 bits"), "{}", warning.message);
    assert!(mailspect::dkim::findings(std::slice::from_ref(&report))
        .iter()
        .any(|finding| finding.code == "dkim.rsa-key-short"));
    let strong = Key::rsa(2048);
    let report = check(&signed(&Spec::default(), &strong), &strong.record());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn testing_key_passes_with_a_warning() {
    let key = Key::rsa(2048);
    let record = format!("{}; t=y", key.record());
    let report = check(&signed(&Spec::default(), &key), &record);
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    assert!(report.key.as_ref().unwrap().testing);
    assert!(report.verified.unwrap().testing());
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "dkim.testing-key" && finding.message.contains("t=y")));
}

#[test]
fn strict_key_rejects_identity_in_subdomain() {
    let key = Key::rsa(2048);
    let record = format!("{}; t=s", key.record());
    let subdomain = Spec {
        extra: "i=joe@mail.example.com; ",
        ..Spec::default()
    };
    let report = check(&signed(&subdomain, &key), &record);
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyStrictSubdomain);
    // The same identity passes without t=s, and i= in d= itself passes with it.
    assert_outcome(
        &check(&signed(&subdomain, &key), &key.record()),
        DkimResult::Pass,
        Outcome::Pass,
    );
    let exact = Spec {
        extra: "i=joe@example.com; ",
        ..Spec::default()
    };
    assert_outcome(
        &check(&signed(&exact, &key), &record),
        DkimResult::Pass,
        Outcome::Pass,
    );
}

#[test]
fn key_hash_restriction_is_enforced() {
    let key = Key::rsa(2048);
    let record = format!("v=DKIM1; h=sha1; p={}", key.public_record_key());
    let report = check(&signed(&Spec::default(), &key), &record);
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyHashNotAllowed);
    let record = format!("v=DKIM1; h=sha1:sha256; p={}", key.public_record_key());
    assert_outcome(
        &check(&signed(&Spec::default(), &key), &record),
        DkimResult::Pass,
        Outcome::Pass,
    );
}

#[test]
fn key_type_mismatch_is_permerror() {
    let key = Key::rsa(2048);
    let record = format!("v=DKIM1; k=ed25519; p={}", key.public_record_key());
    let report = check(&signed(&Spec::default(), &key), &record);
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyTypeMismatch);
}

#[test]
fn revoked_key_is_permerror() {
    let key = Key::rsa(2048);
    let report = check(&signed(&Spec::default(), &key), "v=DKIM1; k=rsa; p=");
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyRevoked);
}

#[test]
fn unreadable_key_is_permerror() {
    let key = Key::rsa(2048);
    let message = signed(&Spec::default(), &key);
    for record in [
        "v=DKIM1; k=rsa; p=AAAA",
        "v=DKIM1; k=rsa",
        "k=rsa; ; p=x",
        "v=DKIM2; p=AAAA",
    ] {
        assert_outcome(
            &check(&message, record),
            DkimResult::Permerror,
            Outcome::KeySyntax,
        );
    }
}

#[test]
fn expired_signature_is_permerror() {
    let key = Key::rsa(2048);
    let spec = Spec {
        extra: "t=1600000000; x=1650000000; ",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Permerror, Outcome::Expired);
    let spec = Spec {
        extra: "t=1600000000; x=1800000000; ",
        ..Spec::default()
    };
    assert_outcome(
        &check(&signed(&spec, &key), &key.record()),
        DkimResult::Pass,
        Outcome::Pass,
    );
}

#[test]
fn signature_from_the_future_is_set_aside() {
    let key = Key::rsa(2048);
    let far = format!("t={}; ", NOW + 2 * 86_400);
    let spec = Spec {
        extra: &far,
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Neutral, Outcome::TimestampInFuture);
    // An hour ahead is clock skew: it passes, with a warning.
    let near = format!("t={}; ", NOW + 3600);
    let spec = Spec {
        extra: &near,
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "dkim.timestamp-ahead"));
}

#[test]
fn identity_outside_domain_is_permerror() {
    let key = Key::rsa(2048);
    let spec = Spec {
        extra: "i=joe@example.org; ",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Permerror, Outcome::IdentityNotInDomain);
    // A name that merely ends with the domain is not a subdomain of it.
    let spec = Spec {
        extra: "i=joe@badexample.com; ",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Permerror, Outcome::IdentityNotInDomain);
}

#[test]
fn from_not_signed_is_permerror() {
    let key = Key::rsa(2048);
    let spec = Spec {
        headers: "to:subject:date",
        ..Spec::default()
    };
    let report = check(&signed(&spec, &key), &key.record());
    assert_outcome(&report, DkimResult::Permerror, Outcome::FromNotSigned);
}

#[test]
fn missing_and_duplicate_tags_are_syntax_errors_with_a_place() {
    let key = Key::rsa(2048);
    let message = signed(&Spec::default(), &key);
    let text = String::from_utf8(message.clone()).unwrap();
    // Drop bh=: a required tag.
    let start = text.find("bh=").unwrap();
    let end = start + text[start..].find(';').unwrap() + 1;
    let missing = format!("{}{}", &text[..start], &text[end..]);
    let report = check(missing.as_bytes(), &key.record());
    assert_outcome(&report, DkimResult::Neutral, Outcome::SignatureSyntax);
    assert!(report.reason.contains("bh="), "{}", report.reason);
    // d= twice.
    let duplicate = edit(&message, "s=sel;", "s=sel; d=example.net;");
    let report = check(&duplicate, &key.record());
    assert_outcome(&report, DkimResult::Neutral, Outcome::SignatureSyntax);
    let span = report.error_span.expect("the duplicate is located");
    assert_eq!(&duplicate[span.start..span.end], b"d");
    assert_eq!(report.domain, "example.com");
}

#[test]
fn unsupported_algorithm_is_neutral() {
    let key = Key::rsa(2048);
    let message = edit(
        &signed(&Spec::default(), &key),
        "a=rsa-sha256",
        "a=rsa-sha512",
    );
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Neutral, Outcome::Unsupported);
    let span = report.error_span.unwrap();
    assert_eq!(&message[span.start..span.end], b"rsa-sha512");
}

#[test]
fn body_length_limit_verifies_but_is_flagged() {
    let key = Key::rsa(2048);
    let spec = Spec {
        body_length: Some(5),
        ..Spec::default()
    };
    let message = signed(&spec, &key);
    let report = check(&message, &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    assert_eq!(report.body_length, Some(5));
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "dkim.body-length-limit"
            && finding.message.contains("appended")));
    // Content appended after the signed length still verifies: that is the danger flagged.
    let appended = [
        message.as_slice(),
        b"Click here: http://attacker.example/\r\n",
    ]
    .concat();
    assert_outcome(
        &check(&appended, &key.record()),
        DkimResult::Pass,
        Outcome::Pass,
    );
    // A body shorter than l= is not the signed body.
    let shortened = edit(
        &message,
        "Hi.  \r\n\r\nWe lost the game.\tAre you hungry yet?\r\n",
        "Hi\r\n",
    );
    assert_outcome(
        &check(&shortened, &key.record()),
        DkimResult::Fail,
        Outcome::BodyShorterThanLength,
    );
}

#[test]
fn over_signing_blocks_an_added_copy_and_coverage_says_so() {
    let key = Key::rsa(2048);
    let plain = signed(&Spec::default(), &key);
    let report = check(&plain, &key.record());
    let subject = report
        .header_coverage
        .iter()
        .find(|coverage| coverage.name == "Subject")
        .unwrap();
    assert_eq!(subject.status, CoverageStatus::SignedNotOverSigned);
    // A second Subject added above the signed one: bottom-up selection still picks the signed
    // one, so the signature passes, and the reader may be shown the forged one.
    let forged = edit(&plain, "From: Joe", "Subject: Forged\r\nFrom: Joe");
    let report = check(&forged, &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let subject = report
        .header_coverage
        .iter()
        .find(|coverage| coverage.name == "Subject")
        .unwrap();
    assert_eq!(subject.status, CoverageStatus::NotSigned);

    // Over-signed (subject named twice, and reply-to signed while absent): adding either fails.
    let spec = Spec {
        headers: "from:to:subject:date:subject:reply-to",
        ..Spec::default()
    };
    let over = signed(&spec, &key);
    let report = check(&over, &key.record());
    assert_outcome(&report, DkimResult::Pass, Outcome::Pass);
    let statuses: Vec<_> = report
        .header_coverage
        .iter()
        .map(|coverage| (coverage.name, coverage.status))
        .collect();
    assert!(statuses.contains(&("Subject", CoverageStatus::OverSigned)));
    assert!(statuses.contains(&("Reply-To", CoverageStatus::OverSigned)));
    assert!(statuses.contains(&("Content-Type", CoverageStatus::AbsentNotSigned)));
    for added in ["Subject: Forged", "Reply-To: eve@attacker.example"] {
        let forged = edit(&over, "From: Joe", &format!("{added}\r\nFrom: Joe"));
        assert_outcome(
            &check(&forged, &key.record()),
            DkimResult::Fail,
            Outcome::SignatureMismatch,
        );
    }
}

#[test]
fn dns_errors_map_to_permerror_and_temperror() {
    let key = Key::rsa(2048);
    let message = signed(&Spec::default(), &key);
    let report = only(verify_with(&message, &MemoryResolver::new()));
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyNotFound);
    // The hashed bytes are there for an expert even when there is no key to check them with.
    assert!(report.canonicalized.unwrap().headers.starts_with("from:"));
    let mut no_txt = MemoryResolver::new();
    no_txt.insert(
        "sel._domainkey.example.com",
        300,
        RecordData::A {
            address: "192.0.2.1".parse().unwrap(),
        },
    );
    let report = only(verify_with(&message, &no_txt));
    assert_outcome(&report, DkimResult::Permerror, Outcome::KeyNotFound);
    for error in [
        DnsError::ServFail,
        DnsError::Timeout,
        DnsError::Transport("reset".into()),
    ] {
        let mut failing = MemoryResolver::new();
        failing.insert_failure("sel._domainkey.example.com", error);
        let report = only(verify_with(&message, &failing));
        assert_outcome(&report, DkimResult::Temperror, Outcome::KeyLookupFailed);
    }
}
