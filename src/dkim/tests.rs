//! Unit tests of the grammar, the canonicalizations and the pure decisions. Whole-message tests
//! with real signatures are in tests/dkim_known_answers.rs and tests/dkim_conformance.rs.

use super::canon;
use super::parse::{key_record, signature, tag_list};
use super::verify::{check_key, check_signature, dns_rejection, key_name, BodyCheck};
use super::*;
use crate::dns::DnsError;
use crate::message::parse_message;

const SIGNATURE: &[u8] = b" v=1; a=rsa-sha256; c=relaxed/simple; d=Example.COM;\r\n\
\ts=sel; h=From : To:\r\n Subject; i=joe@mail.example.com; t=100; x=200;\r\n\
\tbh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n BBBB ;";

#[test]
fn tag_list_keeps_spans_and_allows_folding() {
    let tags = tag_list(SIGNATURE).unwrap();
    let names: Vec<&[u8]> = tags.iter().map(|tag| tag.name).collect();
    assert_eq!(
        names,
        [
            &b"v"[..],
            b"a",
            b"c",
            b"d",
            b"s",
            b"h",
            b"i",
            b"t",
            b"x",
            b"bh",
            b"b"
        ]
    );
    let h = &tags[5];
    assert_eq!(h.value, b"From : To:\r\n Subject");
    assert_eq!(&SIGNATURE[h.value_span.clone()], h.value);
    assert_eq!(&SIGNATURE[h.name_span.clone()], b"h");
    // b=: the value is `AAAA\r\n BBBB`; the emptied region runs to the `;`.
    let b = tags.last().unwrap();
    assert_eq!(b.value, b"AAAA\r\n BBBB");
    assert_eq!(&SIGNATURE[b.after_equals.clone()], b"AAAA\r\n BBBB ");
}

#[test]
fn tag_list_errors_name_the_place() {
    let error = tag_list(b"v=1; a=rsa-sha256; d=example.com; d=example.net").unwrap_err();
    assert_eq!(error.kind, ParseErrorKind::DuplicateTag("d".into()));
    assert_eq!(error.range, 34..35);
    let error = tag_list(b"v=1; a rsa-sha256").unwrap_err();
    assert_eq!(error.kind, ParseErrorKind::TagSyntax);
    assert_eq!(error.range.start, 4);
    // A value may not contain a semicolon's absence of a tag: `;;` is an empty tag-spec.
    assert!(tag_list(b"v=1;; a=b").is_err());
    // A CRLF not followed by white space is not folding.
    assert!(tag_list(b"v=1;\r\na=b").is_err());
    // A trailing semicolon, with white space after it, is allowed.
    assert_eq!(tag_list(b"v=1; a=b; \r\n ").unwrap().len(), 2);
    // Empty values are allowed by the grammar (p= of a revoked key).
    assert_eq!(tag_list(b"p=").unwrap()[0].value, b"");
}

#[test]
fn signature_reads_every_tag() {
    let parsed = signature(SIGNATURE).unwrap();
    assert_eq!(parsed.algorithm, Algorithm::RsaSha256);
    assert_eq!(parsed.header_canonicalization, Canonicalization::Relaxed);
    assert_eq!(parsed.body_canonicalization, Canonicalization::Simple);
    assert_eq!(parsed.domain, "example.com");
    assert_eq!(parsed.selector, "sel");
    assert_eq!(parsed.signed_headers, ["From", "To", "Subject"]);
    assert_eq!(parsed.identity.as_deref(), Some("joe@mail.example.com"));
    assert_eq!(parsed.identity_domain.as_deref(), Some("mail.example.com"));
    assert_eq!(
        (parsed.timestamp, parsed.expiration),
        (Some(100), Some(200))
    );
    assert_eq!(parsed.signature, [0, 0, 0, 0x04, 0x10, 0x41]);
    assert_eq!(parsed.body_hash.len(), 32);
    assert_eq!(key_name(&parsed), "sel._domainkey.example.com");
}

#[test]
fn signature_defaults_and_errors() {
    let minimal = b"v=1; a=ed25519-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA";
    let parsed = signature(minimal).unwrap();
    assert_eq!(
        (parsed.header_canonicalization, parsed.body_canonicalization),
        (Canonicalization::Simple, Canonicalization::Simple)
    );
    let relaxed_only = b"v=1; a=rsa-sha256; c=relaxed; d=example.com; s=s; h=from; bh=AAAA; b=AAAA";
    assert_eq!(
        signature(relaxed_only).unwrap().body_canonicalization,
        Canonicalization::Simple
    );
    let cases: [(&[u8], ParseErrorKind); 7] = [
        (
            b"a=rsa-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA",
            ParseErrorKind::MissingTag("v"),
        ),
        (
            b"v=2; a=rsa-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA",
            ParseErrorKind::UnsupportedVersion("2".into()),
        ),
        (
            b"v=1; a=rsa-sha256; c=fancy/simple; d=example.com; s=s; h=from; bh=AAAA; b=AAAA",
            ParseErrorKind::UnsupportedCanonicalization("fancy/simple".into()),
        ),
        (
            b"v=1; a=rsa-sha256; q=http/well-known; d=example.com; s=s; h=from; bh=AAAA; b=AAAA",
            ParseErrorKind::UnsupportedQueryMethod("http/well-known".into()),
        ),
        (
            b"v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA; l=12a",
            ParseErrorKind::InvalidValue {
                tag: "l".into(),
                why: "is not a decimal number of the allowed length",
            },
        ),
        (
            b"v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=A*AA; b=AAAA",
            ParseErrorKind::InvalidValue {
                tag: "bh".into(),
                why: "is not valid base64",
            },
        ),
        (
            b"v=1; a=rsa-sha256; d=example.com; s=s; h=from; bh=AAAA; b=AAAA; t=20; x=10",
            ParseErrorKind::InvalidValue {
                tag: "x".into(),
                why: "is not later than t=",
            },
        ),
    ];
    for (input, kind) in cases {
        let error = signature(input).unwrap_err();
        assert_eq!(error.kind, kind, "{}", String::from_utf8_lossy(input));
        assert!(!error.to_string().is_empty());
    }
    let bad_domain = b"v=1; a=rsa-sha256; d=exa mple..com; s=s; h=from; bh=AAAA; b=AAAA";
    assert!(signature(bad_domain).is_err());
}

#[test]
fn key_record_reads_flags_and_restrictions() {
    let key =
        key_record(b"v=DKIM1; k=ed25519; h=sha256:foo; t=y:s:z; s=email; n=note; p=AAAA").unwrap();
    assert_eq!(key.key_type, KeyType::Ed25519);
    assert_eq!(key.hash_algorithms, Some(vec![HashAlgorithm::Sha256]));
    assert!(key.testing && key.strict && key.services_allow_email);
    assert_eq!(key.public_key, [0, 0, 0]);
    assert_eq!(key.notes.as_deref(), Some("note"));
    // Defaults: rsa, any hash, any service; unknown tags are ignored.
    let key = key_record(b"p=AAAA; future=1").unwrap();
    assert_eq!((key.key_type, key.hash_algorithms), (KeyType::Rsa, None));
    assert!(!key.testing && !key.strict && key.services_allow_email);
    assert!(!key_record(b"s=tls; p=AAAA").unwrap().services_allow_email);
    // v= must come first; p= is required; an empty p= parses (revoked).
    assert!(key_record(b"p=AAAA; v=DKIM1").is_err());
    assert_eq!(
        key_record(b"v=DKIM1; k=rsa").unwrap_err().kind,
        ParseErrorKind::MissingTag("p")
    );
    assert!(key_record(b"v=DKIM1; p=").unwrap().public_key.is_empty());
    assert_eq!(
        key_record(b"k=dsa; p=AAAA").unwrap_err().kind,
        ParseErrorKind::UnsupportedKeyType("dsa".into())
    );
}

/// RFC 6376 §3.4.6, the canonicalization example, through intake.
#[test]
fn rfc6376_canonicalization_example() {
    let input = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
    let message = parse_message(input).unwrap();
    let mut relaxed = Vec::new();
    let mut simple = Vec::new();
    for field in &message.fields {
        for (canonicalization, out) in [
            (Canonicalization::Relaxed, &mut relaxed),
            (Canonicalization::Simple, &mut simple),
        ] {
            canon::header_field(
                canonicalization,
                &field.name,
                message.field_bytes(field),
                message.value_bytes(field),
                out,
            );
        }
    }
    assert_eq!(relaxed, b"a:X\r\nb:Y Z\r\n");
    assert_eq!(simple, b"A: X\r\nB : Y\t\r\n\tZ  \r\n");
    let body = message.body().unwrap();
    let mut out = Vec::new();
    canon::body(Canonicalization::Relaxed, body, &mut out);
    assert_eq!(out, b" C\r\nD E\r\n");
    out.clear();
    canon::body(Canonicalization::Simple, body, &mut out);
    assert_eq!(out, b" C \r\nD \t E\r\n");
}

#[test]
fn empty_bodies_canonicalize_per_rfc6376_and_erratum_1384() {
    for body in [&b""[..], b"\r\n", b"\r\n\r\n"] {
        let mut out = Vec::new();
        canon::body(Canonicalization::Simple, body, &mut out);
        assert_eq!(out, b"\r\n");
        out.clear();
        canon::body(Canonicalization::Relaxed, body, &mut out);
        assert_eq!(out, b"");
    }
    // A last line without CRLF gets one.
    let mut out = Vec::new();
    canon::body(Canonicalization::Simple, b"x", &mut out);
    assert_eq!(out, b"x\r\n");
}

#[test]
fn header_selection_is_bottom_up_and_skips_absent_names() {
    let message =
        parse_message(b"DKIM-Signature: x\r\nSubject: one\r\nFrom: a\r\nSubject: two\r\n").unwrap();
    let own = &message.fields[0];
    let names = [
        "subject",
        "from",
        "subject",
        "subject",
        "reply-to",
        "dkim-signature",
    ]
    .map(String::from);
    let selected = canon::select_headers(&message, &names, own);
    let values: Vec<&[u8]> = selected
        .iter()
        .map(|field| message.value_bytes(field))
        .collect();
    // The last Subject first, then From, then the first Subject; the third subject, reply-to and
    // the signature field itself select nothing.
    assert_eq!(values, [&b" two"[..], b" a", b" one"]);
    // The indexed search, for large inputs, chooses the same fields.
    let many: Vec<String> = names.iter().cycle().take(20_000).cloned().collect();
    let selected = canon::select_headers(&message, &many, own);
    let values: Vec<&[u8]> = selected
        .iter()
        .map(|field| message.value_bytes(field))
        .collect();
    assert_eq!(values, [&b" two"[..], b" a", b" one"]);
}

#[test]
fn header_data_empties_b_and_drops_the_final_crlf() {
    let input = b"From: a\r\nDKIM-Signature: v=1; h=from;\r\n b=AB\r\n CD; bh=x\r\n";
    let message = parse_message(input).unwrap();
    let own = &message.fields[1];
    let tags = tag_list(message.value_bytes(own)).unwrap();
    let b = tags.iter().find(|tag| tag.name == b"b").unwrap();
    let selected = canon::select_headers(&message, &["from".to_string()], own);
    let relaxed = canon::header_data(
        &message,
        Canonicalization::Relaxed,
        &selected,
        own,
        b.after_equals.clone(),
    );
    assert_eq!(relaxed, b"from:a\r\ndkim-signature:v=1; h=from; b=; bh=x");
    let simple = canon::header_data(
        &message,
        Canonicalization::Simple,
        &selected,
        own,
        b.after_equals.clone(),
    );
    assert_eq!(
        simple,
        b"From: a\r\nDKIM-Signature: v=1; h=from;\r\n b=; bh=x"
    );
}

fn parsed(tags: &str) -> Signature {
    let text = format!("v=1; a=rsa-sha256; d=example.com; s=s; bh=AAAA; b=AAAA; {tags}");
    signature(text.as_bytes()).unwrap()
}

#[test]
fn signature_checks_against_the_clock() {
    assert!(check_signature(&parsed("h=from; t=100; x=200"), 150).is_ok());
    assert!(check_signature(&parsed("h=from; t=100; x=200"), 200).is_ok());
    let expired = check_signature(&parsed("h=from; t=100; x=200"), 201).unwrap_err();
    assert_eq!(
        (expired.result, expired.outcome),
        (DkimResult::Permerror, Outcome::Expired)
    );
    let future = check_signature(&parsed("h=from; t=200000"), 100).unwrap_err();
    assert_eq!(future.outcome, Outcome::TimestampInFuture);
    let findings = check_signature(&parsed("h=from; t=200"), 100).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "dkim.timestamp-ahead");
}

/// `i=` is dkim-quoted-printable (RFC 6376 §3.5): `=40` is an `@` and `=2E` a dot. These two
/// identities were read raw and gave `neutral` (no @ / a bad domain) before.
#[test]
fn dkim_identity_is_quoted_printable_decoded() {
    let signature = |i: &str| {
        let text = format!("v=1; a=rsa-sha256; d=messiah.edu; s=s; bh=AAAA; b=AAAA; h=from; i={i}");
        crate::dkim::parse::signature(text.as_bytes()).unwrap()
    };
    for identity in [
        "jlong=40messiah.edu",
        "jlong@messiah=2Eedu",
        "jlong@messiah=2eedu",
    ] {
        let parsed = signature(identity);
        assert_eq!(parsed.identity.as_deref(), Some(identity));
        assert_eq!(
            parsed.identity_domain.as_deref(),
            Some("messiah.edu"),
            "{identity}"
        );
        assert!(check_signature(&parsed, 0).is_ok(), "{identity}");
    }
    let text = b"v=1; a=rsa-sha256; d=messiah.edu; s=s; bh=AAAA; b=AAAA; h=from; i=jlong=4@x.edu";
    assert!(crate::dkim::parse::signature(text).is_err());
}

#[test]
fn signature_checks_identity_and_from() {
    assert!(check_signature(&parsed("h=from; i=@example.com"), 0).is_ok());
    assert!(check_signature(&parsed("h=From; i=a@sub.example.com"), 0).is_ok());
    for identity in ["i=@example.org", "i=@notexample.com", "i=@com"] {
        let rejection = check_signature(&parsed(&format!("h=from; {identity}")), 0).unwrap_err();
        assert_eq!(
            rejection.outcome,
            Outcome::IdentityNotInDomain,
            "{identity}"
        );
    }
    let rejection = check_signature(&parsed("h=to:subject"), 0).unwrap_err();
    assert_eq!(rejection.outcome, Outcome::FromNotSigned);
}

#[test]
fn key_checks_each_restriction() {
    let with = |record: &str| key_record(record.as_bytes()).unwrap();
    let rsa_sha256 = parsed("h=from; i=a@sub.example.com");
    assert!(check_key(&rsa_sha256, &with("p=AAAA")).is_ok());
    let outcome = |record: &str| check_key(&rsa_sha256, &with(record)).unwrap_err().outcome;
    assert_eq!(outcome("p="), Outcome::KeyRevoked);
    assert_eq!(outcome("k=ed25519; p=AAAA"), Outcome::KeyTypeMismatch);
    assert_eq!(outcome("h=sha1; p=AAAA"), Outcome::KeyHashNotAllowed);
    assert_eq!(outcome("t=s; p=AAAA"), Outcome::KeyStrictSubdomain);
    assert_eq!(outcome("s=tls; p=AAAA"), Outcome::KeyServiceMismatch);
    // t=s without i= is fine: the identity is then d= itself.
    assert!(check_key(&parsed("h=from"), &with("t=s; p=AAAA")).is_ok());
}

#[test]
fn dns_errors_map_per_rfc6376() {
    for (error, result) in [
        (DnsError::NxDomain, DkimResult::Permerror),
        (DnsError::NoData, DkimResult::Permerror),
        (DnsError::ServFail, DkimResult::Temperror),
        (DnsError::Timeout, DkimResult::Temperror),
        (DnsError::Malformed("x".into()), DkimResult::Temperror),
    ] {
        assert_eq!(dns_rejection("k", &error).result, result, "{error}");
    }
}

#[test]
fn coverage_distinguishes_over_signed_from_addable() {
    let message = parse_message(b"From: a\r\nSubject: s\r\nTo: t\r\nTo: u\r\nDate: d\r\n").unwrap();
    let signed = ["from", "from", "subject", "to", "date", "reply-to"].map(String::from);
    let coverage = canon::header_coverage(&message, &signed);
    let status = |name: &str| {
        coverage
            .iter()
            .find(|entry| entry.name == name)
            .unwrap()
            .status
    };
    assert_eq!(status("From"), CoverageStatus::OverSigned);
    assert_eq!(status("Subject"), CoverageStatus::SignedNotOverSigned);
    assert_eq!(status("To"), CoverageStatus::NotSigned);
    assert_eq!(status("Reply-To"), CoverageStatus::OverSigned);
    assert_eq!(status("Content-Type"), CoverageStatus::AbsentNotSigned);
}

#[test]
fn body_check_without_body_compares_with_the_empty_body() {
    // SHA-256 of the empty string: the relaxed empty body.
    let empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let text =
        format!("v=1; a=rsa-sha256; d=example.com; s=s; h=from; c=relaxed; bh={empty}; b=AA");
    let mut relaxed = signature(text.as_bytes()).unwrap();
    relaxed.body_canonicalization = Canonicalization::Relaxed;
    assert_eq!(verify::check_body(&relaxed, None, None), BodyCheck::Matches);
    let other = parsed("h=from; c=relaxed/relaxed");
    assert_eq!(
        verify::check_body(&other, None, None),
        BodyCheck::NotChecked
    );
    assert_eq!(
        verify::check_body(&other, Some(b"x\r\n"), None),
        BodyCheck::Mismatch
    );
}

#[test]
fn hostile_tag_lists_fail_cleanly() {
    let long = vec![b'a'; 70 * 1024];
    assert_eq!(tag_list(&long).unwrap_err().kind, ParseErrorKind::TooLong);
    for input in [
        &b""[..],
        b"=",
        b";",
        b"1=2",
        b"a=\xff",
        b"a=b\r\n",
        b"\r\n a=b",
    ] {
        let _ = tag_list(input);
        let _ = signature(input);
        let _ = key_record(input);
    }
}

/// The relaxed body rule written the plain way (RFC 6376 §3.4.4), to check the fast one against.
fn relaxed_body_reference(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body).into_owned();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    if text.ends_with("\r\n") {
        lines.pop();
    }
    let mut out: Vec<String> = lines
        .iter()
        .map(|line| {
            let mut compressed = String::new();
            let mut in_space = false;
            for c in line.chars() {
                if c == ' ' || c == '\t' {
                    in_space = true;
                } else {
                    if in_space {
                        compressed.push(' ');
                    }
                    in_space = false;
                    compressed.push(c);
                }
            }
            compressed
        })
        .collect();
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.iter()
        .flat_map(|line| format!("{line}\r\n").into_bytes())
        .collect()
}

/// Pseudo-random strings of up to `max_length` bytes drawn from `alphabet` (xorshift; fixed
/// seed, so a failure repeats).
fn random_strings(alphabet: &[u8], max_length: u64, count: usize) -> Vec<Vec<u8>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let length = next() % (max_length + 1);
            (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

/// Regression guard for the bulk-copy relaxed canonicalizer: thousands of bodies made of the
/// characters that matter (space, tab, CR, LF, text), compared with the plain reading of the rule.
#[test]
fn relaxed_body_matches_the_plain_rule() {
    for body in random_strings(b" \t\r\nab.", 80, 20_000) {
        let mut fast = Vec::new();
        canon::body(Canonicalization::Relaxed, &body, &mut fast);
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&relaxed_body_reference(&body)),
            "body {:?}",
            String::from_utf8_lossy(&body)
        );
    }
}

/// A hostile `h=` of thousands of names over thousands of fields: selection stays linear (this
/// test would run for minutes with the pairwise search it replaced).
#[test]
fn header_selection_of_hostile_sizes_finishes() {
    let mut input = b"DKIM-Signature: x\r\n".to_vec();
    for index in 0..19_000 {
        input.extend_from_slice(format!("X-{index}: v\r\n").as_bytes());
    }
    let message = parse_message(&input).unwrap();
    let names: Vec<String> = (0..30_000).map(|index| format!("x-{index}")).collect();
    let selected = canon::select_headers(&message, &names, &message.fields[0]);
    assert_eq!(selected.len(), 19_000);
    assert!(selected[0].name == "X-0" && selected[18_999].name == "X-18999");
}

/// The relaxed header rule written the plain way (RFC 6376 §3.4.2): drop CR and LF, runs of WSP
/// as one SP, none at either end.
fn relaxed_value_reference(value: &[u8]) -> Vec<u8> {
    let unfolded: String = String::from_utf8_lossy(value)
        .chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .collect();
    let words: Vec<&str> = unfolded
        .split([' ', '\t'])
        .filter(|word| !word.is_empty())
        .collect();
    words.join(" ").into_bytes()
}

/// Regression guard for the bulk-copy relaxed header canonicalizer, against the plain rule.
#[test]
fn relaxed_header_matches_the_plain_rule() {
    for value in random_strings(b" \t\r\nab:", 60, 20_000) {
        let mut fast = Vec::new();
        canon::header_field(Canonicalization::Relaxed, "X-Test", b"", &value, &mut fast);
        let mut expected = b"x-test:".to_vec();
        expected.extend(relaxed_value_reference(&value));
        expected.extend_from_slice(b"\r\n");
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&expected),
            "value {:?}",
            String::from_utf8_lossy(&value)
        );
    }
}
