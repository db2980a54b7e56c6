//! Every limit of `docs/limits.md`, hit once: each test builds the smallest input that crosses
//! one limit and checks the finding (or the outcome) that says so. A limit that no test reaches
//! is a limit nobody knows holds.

use mailspect::dns::{MemoryResolver, RecordData, MAX_ANSWER_BYTES, MAX_QUERIES_PER_ANALYSIS};
use mailspect::message::{
    IntakeErrorKind, MAX_ENCODED_WORDS, MAX_HEADER_BYTES, MAX_HEADER_FIELDS, MAX_LINE_BYTES,
    MAX_MESSAGE_BYTES,
};
use mailspect::{analyze_message, EnvelopeOverride, MessageReport, Options};

const HEAD: &str = "From: a@example.com\r\nTo: b@example.net\r\nSubject: limits\r\n";

fn analyze_with(
    input: &[u8],
    resolver: &MemoryResolver,
    envelope: EnvelopeOverride,
) -> MessageReport {
    let options = Options {
        envelope,
        now: 1_700_000_000,
        ..Options::default()
    };
    pollster::block_on(analyze_message(input, &options, resolver)).expect("a message")
}

fn analyze(input: &[u8]) -> MessageReport {
    analyze_with(input, &MemoryResolver::new(), EnvelopeOverride::default())
}

fn has(report: &MessageReport, code: &str) -> bool {
    report.findings.iter().any(|finding| finding.code == code)
}

fn has_problem(problems: &[mailspect::report::Problem], code: &str) -> bool {
    problems.iter().any(|problem| problem.code == code)
}

fn txt(resolver: &mut MemoryResolver, name: &str, text: &str) {
    let strings = text.as_bytes().chunks(255).map(<[u8]>::to_vec).collect();
    resolver.insert(name, 300, RecordData::Txt { strings });
}

#[test]
fn input_over_48_mib_is_refused() {
    let input = vec![b'a'; MAX_MESSAGE_BYTES + 1];
    let options = Options::default();
    let error = pollster::block_on(analyze_message(&input, &options, &MemoryResolver::new()))
        .expect_err("too large");
    assert!(
        matches!(error.kind, IntakeErrorKind::TooLarge { limit, .. } if limit == MAX_MESSAGE_BYTES)
    );
}

#[test]
fn header_fields_beyond_the_count_limit_are_not_read() {
    let mut input = HEAD.to_string();
    input.push_str(&"X-Filler: y\r\n".repeat(MAX_HEADER_FIELDS));
    let report = analyze(input.as_bytes());
    assert!(has(&report, "intake.header-section-too-large"));
    assert_eq!(report.headers.len(), MAX_HEADER_FIELDS);
}

#[test]
fn header_bytes_beyond_the_size_limit_are_not_read() {
    let line = format!("X-Filler: {}\r\n", "y".repeat(900));
    let mut input = HEAD.to_string();
    let fillers = MAX_HEADER_BYTES / line.len() + 2;
    input.push_str(&line.repeat(fillers));
    let report = analyze(input.as_bytes());
    assert!(has(&report, "intake.header-section-too-large"));
    assert!(report.headers.len() < 3 + fillers);
}

#[test]
fn header_lines_over_998_characters_are_reported() {
    let input = format!(
        "{HEAD}X-Long: {}\r\n\r\nbody\r\n",
        "y".repeat(MAX_LINE_BYTES)
    );
    let report = analyze(input.as_bytes());
    assert!(has(&report, "intake.line-too-long"));
    // A body line of any length is only bytes to hash.
    let body = format!("{HEAD}\r\n{}\r\n", "y".repeat(5 * MAX_LINE_BYTES));
    assert!(!has(&analyze(body.as_bytes()), "intake.line-too-long"));
}

#[test]
fn encoded_words_beyond_the_limit_are_not_decoded() {
    let words = "=?utf-8?q?caf=C3=A9?= ".repeat(MAX_ENCODED_WORDS + 1);
    let input = format!("From: a@example.com\r\nSubject: {words}\r\n");
    let report = analyze(input.as_bytes());
    assert!(has(&report, "intake.encoded-word-limit"));
    let subject = report
        .headers
        .iter()
        .find(|h| h.name == "Subject")
        .expect("subject");
    assert!(subject.decoded.starts_with("=?utf-8?q?"), "shown undecoded");
    // At the limit, every word is decoded.
    let words = "=?utf-8?q?caf=C3=A9?= ".repeat(MAX_ENCODED_WORDS);
    let report = analyze(format!("From: a@example.com\r\nSubject: {words}\r\n").as_bytes());
    assert!(!has(&report, "intake.encoded-word-limit"));
    assert!(report.headers[1].decoded.starts_with("café"));
}

/// MIME is never parsed: the body is bytes that DKIM canonicalizes and hashes in one linear
/// pass, so nesting has no depth to limit. Ten thousand nested multiparts read like any body.
#[test]
fn nested_mime_is_only_bytes() {
    let mut body = String::new();
    for depth in 0..10_000 {
        body.push_str(&format!(
            "--b{depth}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
            depth + 1
        ));
    }
    let input = format!("{HEAD}Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n{body}");
    let report = analyze(input.as_bytes());
    assert!(report.body.present);
    assert!(report.body.bytes >= body.len());
}

#[test]
fn received_fields_beyond_100_are_not_analysed() {
    let hop = "Received: from a.example.com by b.example.com; Tue, 14 Nov 2023 22:13:20 +0000\r\n";
    let input = format!("{}{HEAD}", hop.repeat(mailspect::received::MAX_HOPS + 1));
    let report = analyze(input.as_bytes());
    assert!(has(&report, "received.too-many"));
    assert_eq!(report.hops.len(), mailspect::received::MAX_HOPS);
    let long = format!("from {} by b.example.com", "a".repeat(20_000));
    let received = mailspect::received::parse_received(&long);
    assert!(has_problem(&received.problems, "received.too-long"));
}

#[test]
fn authentication_results_beyond_their_limits_are_not_read() {
    let field = "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com\r\n";
    let input = format!("{}{HEAD}", field.repeat(201));
    assert!(has(&analyze(input.as_bytes()), "auth-results.too-many"));
    let many = format!("mx.example.net; {}", "spf=pass; ".repeat(101));
    let results = mailspect::auth_results::parse_authentication_results(
        &many,
        mailspect::auth_results::ResultsKind::AuthenticationResults,
    );
    assert!(has_problem(
        &results.problems,
        "auth-results.too-many-results"
    ));
}

#[test]
fn vendor_verdicts_beyond_200_are_not_decoded() {
    let field = "X-Spam-Status: No, score=-0.1 required=5.0\r\n";
    let input = format!("{HEAD}{}", field.repeat(201));
    assert!(has(&analyze(input.as_bytes()), "vendor.too-many"));
}

#[test]
fn dkim_signatures_beyond_32_are_not_verified() {
    let signature =
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AA==; b=AA==\r\n";
    let input = format!("{}{HEAD}", signature.repeat(33));
    let report = analyze(input.as_bytes());
    assert_eq!(report.dkim.len(), 33);
    let last = serde_json::to_value(&report.dkim[32]).expect("json");
    assert_eq!(last["outcome"], "too-many-signatures");
    assert!(has(&report, "dkim.neutral"));
    // Only the checked 32 asked for a key.
    assert_eq!(
        report
            .dns
            .iter()
            .filter(|q| q.name.contains("_domainkey"))
            .count(),
        32
    );
}

/// A bare RSAPublicKey (PKCS#1) DER with a modulus of `bits` bits: `SEQUENCE { n, e }`.
fn rsa_key_of_bits(bits: usize) -> Vec<u8> {
    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let length = content.len();
        if length < 128 {
            out.push(length as u8);
        } else {
            let bytes: Vec<u8> = length
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }
    let mut modulus = vec![0u8; 1];
    modulus.extend(std::iter::repeat_n(0xC5u8, bits / 8));
    let integers = [der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat();
    der(0x30, &integers)
}

#[test]
fn rsa_keys_over_8192_bits_are_refused() {
    use base64::Engine;
    let signature =
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AA==; b=AA==\r\n";
    let input = format!("{signature}{HEAD}");
    let mut resolver = MemoryResolver::new();
    let key = base64::engine::general_purpose::STANDARD.encode(rsa_key_of_bits(8192 + 64));
    txt(
        &mut resolver,
        "sel._domainkey.example.com",
        &format!("v=DKIM1; k=rsa; p={key}"),
    );
    let report = analyze_with(input.as_bytes(), &resolver, EnvelopeOverride::default());
    assert!(
        has(&report, "dkim.permerror"),
        "{:?}",
        report.dkim[0].reason
    );
    assert!(
        report.dkim[0].reason.contains("RSA"),
        "{}",
        report.dkim[0].reason
    );
}

#[test]
fn dkim_tag_lists_over_64_kib_are_refused() {
    let long = format!("v=1; a=rsa-sha256; z={}", "a".repeat(64 * 1024));
    let error = mailspect::dkim::parse::signature(long.as_bytes()).expect_err("too long");
    assert_eq!(error.kind, mailspect::dkim::ParseErrorKind::TooLong);
}

fn spf_envelope() -> EnvelopeOverride {
    EnvelopeOverride {
        ip: Some("192.0.2.7".parse().expect("an address")),
        mail_from: Some("user@example.com".into()),
        helo: Some("mail.example.org".into()),
    }
}

#[test]
fn spf_stops_after_10_dns_terms_and_2_void_lookups() {
    let mut resolver = MemoryResolver::new();
    let terms: String = (0..11).map(|n| format!("a:h{n}.example.com ")).collect();
    txt(&mut resolver, "example.com", &format!("v=spf1 {terms}-all"));
    for n in 0..11 {
        resolver.insert(
            &format!("h{n}.example.com"),
            300,
            RecordData::A {
                address: [198, 51, 100, n].into(),
            },
        );
    }
    let report = analyze_with(HEAD.as_bytes(), &resolver, spf_envelope());
    assert!(has(&report, "spf.permerror"));
    let mail_from = report.spf.mail_from.as_ref().expect("checked");
    assert!(mail_from.reason.contains("10"), "{}", mail_from.reason);

    let mut resolver = MemoryResolver::new();
    txt(
        &mut resolver,
        "example.com",
        "v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com -all",
    );
    let report = analyze_with(HEAD.as_bytes(), &resolver, spf_envelope());
    assert!(has(&report, "spf.permerror"));
    let reason = &report.spf.mail_from.as_ref().expect("checked").reason;
    assert!(reason.contains("void"), "{reason}");
}

#[test]
fn dmarc_tree_walk_asks_at_most_8_names() {
    let deep = (0..20).map(|n| format!("l{n}.")).collect::<String>() + "example.com";
    let input = format!("From: a@{deep}\r\nSubject: deep\r\n");
    let report = analyze(input.as_bytes());
    let asked = report
        .dns
        .iter()
        .filter(|q| q.name.starts_with("_dmarc."))
        .count();
    assert!(
        (1..=mailspect::org_domain::MAX_WALK_QUERIES).contains(&asked),
        "{asked}"
    );
}

#[test]
fn arc_fields_beyond_150_fail_the_chain_unread() {
    let seal = "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.com; s=sel; b=AA==\r\n";
    let input = format!("{}{HEAD}", seal.repeat(mailspect::arc::MAX_ARC_FIELDS + 1));
    let report = analyze(input.as_bytes());
    assert!(has(&report, "arc.fail"));
    let arc = serde_json::to_value(&report.arc).expect("json");
    assert_eq!(arc["outcome"], "too-many-fields");
    assert!(report.dns.iter().all(|q| !q.name.contains("_domainkey")));
}

#[test]
fn dns_lookups_beyond_the_budget_are_not_made() {
    // Two SPF identities, each 10 mx terms of 10 exchanges with an address: 111 lookups each,
    // every one within SPF's own limits; together they pass the analysis's budget.
    let mut resolver = MemoryResolver::new();
    for domain in ["example.com", "mail.example.org"] {
        let terms: String = (0..10).map(|n| format!("mx:m{n}.{domain} ")).collect();
        txt(&mut resolver, domain, &format!("v=spf1 {terms}-all"));
        for n in 0..10u8 {
            for x in 0..10u8 {
                let exchange = format!("x{x}.m{n}.{domain}");
                resolver.insert(
                    &format!("m{n}.{domain}"),
                    300,
                    RecordData::Mx {
                        preference: u16::from(x),
                        exchange: exchange.clone(),
                    },
                );
                resolver.insert(
                    &exchange,
                    300,
                    RecordData::A {
                        address: [198, 51, n, x].into(),
                    },
                );
            }
        }
    }
    let report = analyze_with(HEAD.as_bytes(), &resolver, spf_envelope());
    assert!(
        has(&report, "dns.query-budget-exhausted"),
        "{} lookups",
        report.dns.len()
    );
    let made = report
        .dns
        .iter()
        .filter(|q| {
            q.outcome
                != mailspect::dns::TraceOutcome::Error(mailspect::dns::DnsError::BudgetExhausted)
        })
        .count();
    assert_eq!(made, MAX_QUERIES_PER_ANALYSIS);
}

#[test]
fn dns_answers_over_65535_bytes_are_not_used() {
    let signature =
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AA==; b=AA==\r\n";
    let input = format!("{signature}{HEAD}");
    let mut resolver = MemoryResolver::new();
    txt(
        &mut resolver,
        "sel._domainkey.example.com",
        &format!("v=DKIM1; p={}", "A".repeat(MAX_ANSWER_BYTES)),
    );
    let report = analyze_with(input.as_bytes(), &resolver, EnvelopeOverride::default());
    assert!(has(&report, "dns.answer-too-large"));
    assert!(has(&report, "dkim.temperror"), "{}", report.dkim[0].reason);
}

#[test]
fn ptr_names_beyond_10_are_not_looked_up() {
    let mut resolver = MemoryResolver::new();
    for n in 0..12 {
        resolver.insert(
            "7.2.0.192.in-addr.arpa",
            300,
            RecordData::Ptr {
                target: format!("p{n}.example.com"),
            },
        );
    }
    let report = analyze_with(HEAD.as_bytes(), &resolver, spf_envelope());
    assert!(has(&report, "iprev.names-limited"));
}
