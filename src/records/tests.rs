//! Known-answer tests of the record linters, record mode and the generators. RFC examples are
//! the good answers; each bad one names the finding it must give.

use super::generate::{mta_sts_id, mta_sts_policy, mta_sts_txt, next_dmarc, next_spf, tls_rpt};
use super::mode::{guess_kind, lint_record, unquote, RecordKind};
use super::mta_sts::{self, lint_policy, lint_txt, mx_matches, LineEnding, StsMode};
use super::{bimi, tls_rpt as tlsrpt, tlsa};
use crate::report::{Finding, Severity};

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|finding| finding.code).collect()
}

fn has(findings: &[Finding], code: &str) -> bool {
    findings.iter().any(|finding| finding.code == code)
}

fn finding<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    findings
        .iter()
        .find(|finding| finding.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(findings)))
}

// ---- MTA-STS TXT (RFC 8461 §3.1) ----

/// RFC 8461 §3.1's example.
#[test]
fn mta_sts_txt_of_the_rfc_is_valid() {
    let report = lint_txt("v=STSv1; id=20160831085700Z;");
    assert!(report.valid, "{:?}", codes(&report.findings));
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));
    assert_eq!(
        report.record.and_then(|r| r.id).as_deref(),
        Some("20160831085700Z")
    );
    assert!(mta_sts::parse_txt("v=STSv1; id=abc").is_ok());
}

#[test]
fn mta_sts_txt_problems_are_named_and_placed() {
    let report = lint_txt("v=STSv1;");
    assert!(!report.valid);
    assert!(has(&report.findings, "mta-sts.no-id"));

    let text = "v=STSv1; id=2024-01-01.1";
    let report = lint_txt(text);
    let bad = finding(&report.findings, "mta-sts.invalid-id");
    let span = bad.record_span.expect("placed");
    assert_eq!(&text[span.start..span.end], "2024-01-01.1");
    assert_eq!(bad.fix.as_deref(), Some("v=STSv1; id=202401011;"));

    let long = format!("v=STSv1; id={}", "a".repeat(33));
    assert!(has(&lint_txt(&long).findings, "mta-sts.invalid-id"));

    let report = lint_txt("v=stsv1; id=1");
    assert!(report.record.is_none());
    assert!(finding(&report.findings, "mta-sts.no-version")
        .message
        .contains("case"));
    assert!(has(
        &lint_txt("id=1; v=STSv1").findings,
        "mta-sts.no-version"
    ));

    let report = lint_txt("v=STSv1; id=1; id=2; ext=ok; broken");
    assert!(has(&report.findings, "mta-sts.duplicate-field"));
    assert!(has(&report.findings, "mta-sts.unknown-field"));
    assert!(has(&report.findings, "mta-sts.malformed-field"));
    assert_eq!(report.record.and_then(|r| r.id).as_deref(), Some("1"));
}

// ---- MTA-STS policy (RFC 8461 §3.2, §4.1) ----

/// RFC 8461 §3.2's example, with CRLF line ends.
const RFC_POLICY: &str =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

#[test]
fn mta_sts_policy_of_the_rfc_is_valid() {
    let report = lint_policy(RFC_POLICY, None);
    assert!(report.valid, "{:?}", codes(&report.findings));
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));
    let policy = report.policy.expect("read");
    assert_eq!(policy.mode, Some(StsMode::Enforce));
    assert_eq!(policy.max_age, Some(604_800));
    assert_eq!(policy.mx.len(), 3);
    assert!(policy.mx[1].wildcard);
    assert_eq!(policy.line_ending, LineEnding::Crlf);
    assert_eq!(report.fixed_policy, None);

    let lf = RFC_POLICY.replace("\r\n", "\n");
    let report = lint_policy(&lf, None);
    assert!(report.valid && report.findings.is_empty());
    assert_eq!(report.policy.expect("read").line_ending, LineEnding::Lf);
    assert!(mta_sts::parse_policy(&lf).is_ok());
}

/// §4.1: "*.example.com" matches "mail.example.com" but not "example.com" or
/// "foo.bar.example.com".
#[test]
fn mx_patterns_match_as_rfc_8461_section_4_1_says() {
    assert!(mx_matches("*.example.com", "mail.example.com"));
    assert!(mx_matches("*.example.com", "MAIL.Example.COM."));
    assert!(!mx_matches("*.example.com", "example.com"));
    assert!(!mx_matches("*.example.com", "foo.bar.example.com"));
    assert!(mx_matches("mail.example.com", "mail.example.com."));
    assert!(!mx_matches("mail.example.com", "mail2.example.com"));
    assert!(!mx_matches("", "example.com"));
    assert!(!mx_matches("*.", "a."));
}

#[test]
fn mx_hosts_not_covered_are_errors_in_enforce_mode() {
    let hosts = vec!["mail.example.com.".to_string(), "mx1.other.org".to_string()];
    let report = lint_policy(RFC_POLICY, Some(&hosts));
    assert_eq!(report.mx_checks.len(), 2);
    assert_eq!(
        report.mx_checks[0].matched_by.as_deref(),
        Some("mail.example.com")
    );
    assert_eq!(report.mx_checks[1].matched_by, None);
    let uncovered = finding(&report.findings, "mta-sts-policy.mx-not-covered");
    assert_eq!(uncovered.severity, Severity::Error);
    let fixed = report.fixed_policy.expect("a fixed policy");
    assert!(fixed.contains("mx: mx1.other.org\r\n"), "{fixed}");
    assert_eq!(uncovered.fix.as_deref(), Some(fixed.as_str()));
    // The policy is still one senders apply; the domain's MX is what is wrong.
    assert!(report.valid);

    let testing = RFC_POLICY.replace("enforce", "testing");
    let report = lint_policy(&testing, Some(&hosts));
    assert_eq!(
        finding(&report.findings, "mta-sts-policy.mx-not-covered").severity,
        Severity::Warning
    );
}

#[test]
fn mta_sts_policy_problems_are_named_and_placed() {
    let text = "version: STSv1\nmode: Enforce\nmax_age: 31557601\nmx: mail..example.com\nmx: ok.example.com\nmode: testing\nmaxage: 5\n";
    let report = lint_policy(text, None);
    let mode = finding(&report.findings, "mta-sts-policy.invalid-value");
    let span = mode.record_span.expect("placed");
    assert_eq!(&text[span.start..span.end], "Enforce");
    assert!(has(&report.findings, "mta-sts-policy.invalid-mx"));
    assert!(has(&report.findings, "mta-sts-policy.duplicate-field"));
    assert!(finding(&report.findings, "mta-sts-policy.unknown-field")
        .message
        .contains("max_age"));
    assert!(has(&report.findings, "mta-sts-policy.missing-field"));
    assert!(!report.valid);

    let report = lint_policy("version: STSv1\nmode: enforce\nmax_age: 3600\n", None);
    assert!(has(&report.findings, "mta-sts-policy.short-max-age"));
    let missing_mx = finding(&report.findings, "mta-sts-policy.missing-field");
    assert!(missing_mx.message.contains("mx"));
    assert!(!report.valid);

    // mode: none needs no mx.
    let report = lint_policy("version: STSv1\nmode: none\nmax_age: 86400\n", None);
    assert!(report.valid, "{:?}", codes(&report.findings));
    assert_eq!(
        finding(&report.findings, "mta-sts-policy.short-max-age").severity,
        Severity::Info
    );

    let report = lint_policy(
        "version: STSv1\r\nmode: none\nmax_age: 604800\n\nmx: a.b\n",
        None,
    );
    assert!(has(&report.findings, "mta-sts-policy.mixed-line-endings"));
    assert!(has(&report.findings, "mta-sts-policy.blank-line"));
    assert!(has(&lint_policy("", None).findings, "mta-sts-policy.empty"));
    assert!(has(
        &lint_policy("just text", None).findings,
        "mta-sts-policy.malformed-line"
    ));
    assert!(has(
        &lint_policy("Mode : enforce", None).findings,
        "mta-sts-policy.malformed-line"
    ));
}

/// A policy between the record limit (16 KiB) and the policy limit (64 KiB) is still read:
/// caught when the policy went through the record-size check first.
#[test]
fn a_long_policy_under_64_kib_is_read() {
    let long = format!("{RFC_POLICY}{}", "mx: a.example.com\n".repeat(2_000));
    assert!(long.len() > 32 * 1024);
    let report = lint_policy(&long, None);
    assert!(
        report.policy.is_some() && report.valid,
        "{:?}",
        codes(&report.findings)
    );
}

#[test]
fn an_oversized_policy_is_refused_whole() {
    let huge = "mx: a.example\n".repeat(10_000);
    let report = lint_policy(&huge, None);
    assert!(report.policy.is_none());
    assert_eq!(codes(&report.findings), ["mta-sts-policy.too-large"]);
}

// ---- TLS-RPT (RFC 8460 §3) ----

#[test]
fn tls_rpt_examples_of_the_rfc_are_valid() {
    for text in [
        "v=TLSRPTv1; rua=mailto:reports@example.com",
        "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
        "v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.net/x;",
    ] {
        let report = tlsrpt::lint(text);
        assert!(report.valid, "{text}: {:?}", codes(&report.findings));
        assert!(
            report.findings.is_empty(),
            "{text}: {:?}",
            codes(&report.findings)
        );
    }
    let record = tlsrpt::parse("v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.net/x")
        .expect("valid");
    assert_eq!(record.rua.len(), 2);
    assert_eq!(record.rua[1].uri, "https://r.example.net/x");
}

#[test]
fn tls_rpt_problems_are_named_and_placed() {
    let report = tlsrpt::lint("v=TLSRPTv1");
    assert!(!report.valid);
    assert!(has(&report.findings, "tlsrpt.no-rua"));

    let text = "v=TLSRPTv1; rua=http://r.example.com/x,mailto:ok@example.com";
    let report = tlsrpt::lint(text);
    let bad = finding(&report.findings, "tlsrpt.bad-uri");
    let span = bad.record_span.expect("placed");
    assert_eq!(&text[span.start..span.end], "http://r.example.com/x");
    assert_eq!(
        bad.fix.as_deref(),
        Some("v=TLSRPTv1; rua=mailto:ok@example.com")
    );
    assert!(report.valid, "one usable URI is enough");

    let report = tlsrpt::lint("v=TLSRPTv1; rua=reports@example.com");
    assert!(has(&report.findings, "tlsrpt.no-usable-rua"));
    assert!(!report.valid);
    assert!(has(
        &tlsrpt::lint("v=TLSRPTv2; rua=mailto:a@b.c").findings,
        "tlsrpt.no-version"
    ));
    assert!(has(
        &tlsrpt::lint("v=TLSRPTv1; rua=mailto:a@b.c; ruf=x").findings,
        "tlsrpt.unknown-field"
    ));
}

// ---- BIMI ----

#[test]
fn bimi_records_good_declined_and_bad() {
    let report =
        bimi::lint("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem");
    assert!(report.valid && !report.record.as_ref().expect("read").declined);
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));

    let report = bimi::lint("v=BIMI1; l=https://example.com/logo.svg");
    assert!(report.valid);
    assert_eq!(codes(&report.findings), ["bimi.no-authority"]);

    for declined in ["v=BIMI1; l=;", "v=BIMI1; l=; a=;"] {
        let report = bimi::lint(declined);
        assert!(
            report.valid && report.record.as_ref().expect("read").declined,
            "{declined}"
        );
        assert_eq!(codes(&report.findings), ["bimi.declined"]);
    }

    let text = "v=BIMI1; l=http://example.com/logo.svg";
    let report = bimi::lint(text);
    assert!(!report.valid);
    let bad = finding(&report.findings, "bimi.bad-location");
    assert_eq!(
        bad.fix.as_deref(),
        Some("l=https://example.com/logo.svg (if the server answers there)")
    );
    assert!(has(
        &bimi::lint("v=BIMI1; l=https://e.com/logo.png").findings,
        "bimi.location-not-svg"
    ));
    assert!(has(
        &bimi::lint("v=BIMI1; a=https://e.com/a.pem").findings,
        "bimi.no-location"
    ));
    assert!(has(
        &bimi::lint("v=BIMI1; l=https://e.com/l.svg; a=ftp://e.com/a.pem").findings,
        "bimi.bad-authority"
    ));
    assert!(has(
        &bimi::lint("v=BIMI1; l=https://a.com/1.svg,https://b.com/2.svg").findings,
        "bimi.several-locations"
    ));
    assert!(bimi::parse("v=BIMI2; l=").is_err());
}

const GOOD_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100">
  <title>Example Brand</title>
  <!-- a comment with <script> in it is not a script -->
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <circle cx="50" cy="50" r="40" fill="url(#g)"/>
  <use xlink:href="#g"/>
</svg>
"##;

#[test]
fn a_tiny_ps_logo_passes() {
    let report = bimi::check_svg(GOOD_SVG.as_bytes());
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));
    assert_eq!(report.title.as_deref(), Some("Example Brand"));
    assert_eq!(report.base_profile.as_deref(), Some("tiny-ps"));
    assert_eq!(report.version.as_deref(), Some("1.2"));
    assert_eq!(report.root_element.as_deref(), Some("svg"));
}

#[test]
fn svg_logo_problems_are_named_and_placed() {
    let bad = r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" x="0" y="0" viewBox="0 0 200 100">
<script>alert(1)</script>
<image href="https://tracker.example/logo.png"/>
<rect onclick="x()" style="fill:url(https://e.example/p)"/>
<animate attributeName="x"/>
</svg>"#;
    let report = bimi::check_svg(bad.as_bytes());
    for code in [
        "bimi-svg.version",
        "bimi-svg.base-profile",
        "bimi-svg.no-title",
        "bimi-svg.root-position",
        "bimi-svg.forbidden-element",
        "bimi-svg.external-reference",
        "bimi-svg.script",
        "bimi-svg.not-square",
    ] {
        assert!(
            has(&report.findings, code),
            "{code}: {:?}",
            codes(&report.findings)
        );
    }
    let external = finding(&report.findings, "bimi-svg.external-reference");
    let span = external.record_span.expect("placed");
    assert_eq!(
        &bad[span.start..span.end],
        r#"href="https://tracker.example/logo.png""#
    );

    let gzip = [0x1f, 0x8b, 8, 0, 0, 0];
    assert_eq!(
        codes(&bimi::check_svg(&gzip).findings),
        ["bimi-svg.compressed"]
    );
    let padded = GOOD_SVG.replace("<title>", &format!("<!--{}--><title>", "x".repeat(40_000)));
    assert!(has(
        &bimi::check_svg(padded.as_bytes()).findings,
        "bimi-svg.too-large"
    ));
    assert!(has(
        &bimi::check_svg(b"\xff\xfe<svg>").findings,
        "bimi-svg.not-text"
    ));
    assert!(has(
        &bimi::check_svg(b"just text").findings,
        "bimi-svg.not-svg"
    ));
    assert!(has(
        &bimi::check_svg(b"<svg <title").findings,
        "bimi-svg.malformed"
    ));
    assert!(has(
        &bimi::check_svg(b"<!DOCTYPE svg [<!ENTITY a \"b\">]><svg/>").findings,
        "bimi-svg.doctype"
    ));
}

// ---- TLSA (RFC 6698, RFC 7672) ----

const SHA256: &str = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1";

#[test]
fn tlsa_records_good_and_bad() {
    let report = tlsa::lint(&format!("3 1 1 {SHA256}"));
    assert!(
        report.valid && report.findings.is_empty(),
        "{:?}",
        codes(&report.findings)
    );
    let record = report.record.expect("read");
    assert_eq!(record.data_bytes, 32);
    assert_eq!(record.usage_name, Some(tlsa::TlsaUsage::DaneEe));

    // A zone-file line, the data split in two and upper case.
    let line = format!(
        "_25._tcp.mx.example.com. 3600 IN TLSA 2 1 1 {} {}",
        SHA256[..32].to_uppercase(),
        &SHA256[32..]
    );
    let report = tlsa::lint(&line);
    assert!(report.valid, "{:?}", codes(&report.findings));
    assert_eq!(report.record.expect("read").data, SHA256);

    let text = format!("1 1 1 {SHA256}");
    let report = tlsa::lint(&text);
    assert!(!report.valid, "PKIX usages are unusable for SMTP");
    let pkix = finding(&report.findings, "tlsa.pkix-usage");
    assert_eq!(pkix.severity, Severity::Warning);
    assert_eq!(pkix.record_span.map(|s| &text[s.start..s.end]), Some("1"));

    assert!(has(
        &tlsa::lint(&format!("3 1 2 {SHA256}")).findings,
        "tlsa.wrong-length"
    ));
    assert!(has(&tlsa::lint("3 1 1 abc").findings, "tlsa.not-hex"));
    assert!(has(&tlsa::lint("3 1 1 zz").findings, "tlsa.not-hex"));
    assert!(has(
        &tlsa::lint("3 0 0 3082010a").findings,
        "tlsa.full-data"
    ));
    assert!(has(
        &tlsa::lint(&format!("3 0 1 {SHA256}")).findings,
        "tlsa.certificate-selector"
    ));
    assert!(has(
        &tlsa::lint(&format!("4 1 1 {SHA256}")).findings,
        "tlsa.unknown-usage"
    ));
    assert!(has(
        &tlsa::lint(&format!("3 2 1 {SHA256}")).findings,
        "tlsa.unknown-selector"
    ));
    assert!(has(
        &tlsa::lint(&format!("3 1 3 {SHA256}")).findings,
        "tlsa.unknown-matching-type"
    ));
    assert!(has(&tlsa::lint("3 1").findings, "tlsa.malformed"));
    assert!(has(&tlsa::lint("3 1 999 ab").findings, "tlsa.malformed"));
    assert!(tlsa::parse(&format!("3 1 1 {SHA256}")).is_ok());
}

// ---- Record mode ----

#[test]
fn record_kinds_are_guessed_from_the_first_tag() {
    let cases: [(&str, Option<RecordKind>); 14] = [
        ("v=spf1 -all", Some(RecordKind::Spf)),
        ("V=SPF1 mx -all", Some(RecordKind::Spf)),
        ("v=DMARC1; p=none", Some(RecordKind::Dmarc)),
        ("v=DKIM1; k=rsa; p=", Some(RecordKind::Dkim)),
        ("k=ed25519; p=abc", Some(RecordKind::Dkim)),
        ("p=MIIB", Some(RecordKind::Dkim)),
        ("v=STSv1; id=1", Some(RecordKind::MtaSts)),
        (
            "version: STSv1\nmode: none\n",
            Some(RecordKind::MtaStsPolicy),
        ),
        ("v=TLSRPTv1; rua=mailto:a@b.c", Some(RecordKind::Tlsrpt)),
        ("v=BIMI1; l=;", Some(RecordKind::Bimi)),
        ("3 1 1 abcdef", Some(RecordKind::Tlsa)),
        ("v=spf10 -all", None),
        ("hello world", None),
        ("", None),
    ];
    for (text, kind) in cases {
        assert_eq!(guess_kind(text), kind, "{text:?}");
    }
}

#[test]
fn record_mode_says_what_it_guessed_and_reuses_the_protocol_linters() {
    let report = lint_record("\"v=spf1 ip4:192.0.2.0/24 ptr \" \"?all\"", None);
    assert_eq!(report.kind, Some(RecordKind::Spf));
    assert!(report.kind_guessed);
    assert_eq!(report.text, "v=spf1 ip4:192.0.2.0/24 ptr ?all");
    assert!(has(&report.findings, "spf.ptr"));
    assert!(has(&report.findings, "spf.neutral-all"));
    assert!(report.findings.iter().all(|f| f.domain.is_none()));
    assert!(report.spf.is_some());
    assert_eq!(
        report.next_step.and_then(|s| s.record).as_deref(),
        Some("v=spf1 ip4:192.0.2.0/24 ~all")
    );

    let report = lint_record("v=DMARC1; p=none", Some(RecordKind::Dmarc));
    assert!(!report.kind_guessed);
    assert!(has(&report.findings, "dmarc.policy-none"));
    assert!(report.dmarc.is_some() && report.valid);

    let report = lint_record("v=DKIM1; k=rsa; p=", None);
    assert!(has(&report.findings, "dkim.key-revoked"));
    assert!(report.dkim.expect("summary").revoked);
    let report = lint_record(
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        None,
    );
    assert!(report.valid, "{:?}", codes(&report.findings));
    assert_eq!(report.dkim.expect("summary").bits, Some(256));
    assert!(has(
        &lint_record("v=DKIM1; p=!!!", None).findings,
        "dkim.key-syntax"
    ));

    let report = lint_record("nothing to see", None);
    assert_eq!(report.kind, None);
    assert!(!report.kind_guessed);
    assert!(finding(&report.findings, "record.unknown-kind")
        .message
        .contains("v=TLSRPTv1"));

    // The kind given wins over what the text looks like.
    let report = lint_record("v=spf1 -all", Some(RecordKind::Bimi));
    assert!(has(&report.findings, "bimi.no-version"));

    let report = lint_record(RFC_POLICY, None);
    assert_eq!(report.kind, Some(RecordKind::MtaStsPolicy));
    assert!(report.valid, "{:?}", codes(&report.findings));
    for kind in RecordKind::ALL {
        assert_eq!(RecordKind::from_word(kind.word()), Some(kind));
    }
}

#[test]
fn quoted_strings_are_joined_and_bad_quoting_is_kept() {
    assert_eq!(unquote(r#""v=spf1 " "-all""#), "v=spf1 -all");
    assert_eq!(unquote(r#""a\"b""#), "a\"b");
    assert_eq!(unquote(r#""unterminated"#), r#""unterminated"#);
    assert_eq!(unquote("  plain  "), "plain");
}

/// Hostile input: nothing panics, and the oversized is refused before parsing.
#[test]
fn record_mode_survives_hostile_input() {
    let inputs = [
        "v=spf1 ".to_string() + &"a ".repeat(20_000),
        "\u{202E}v=DMARC1; p=\u{0}reject".to_string(),
        ";;;;==;=;".to_string(),
        "v=BIMI1; l=https://é.example/☃.svg".to_string(),
        "3 1 1 ".to_string() + &"é".repeat(10),
        "<svg".repeat(1000),
        "\"".to_string(),
        "version:\n:\n::::\r\r\n".to_string(),
    ];
    for input in &inputs {
        for kind in RecordKind::ALL.map(Some).into_iter().chain([None]) {
            let report = lint_record(input, kind);
            serde_json::to_string(&report).expect("serializes");
        }
        let _ = bimi::check_svg(input.as_bytes());
    }
    let report = lint_record(&inputs[0], None);
    assert_eq!(codes(&report.findings), ["record.too-long"]);
}

// ---- Generators ----

#[test]
fn dmarc_steps_go_none_quarantine_reject() {
    let step = next_dmarc("v=DMARC1; p=none; rua=mailto:d@example.com", None);
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=quarantine; rua=mailto:d@example.com")
    );
    assert!(step.placeholders.is_empty());

    let step = next_dmarc(
        "v=DMARC1; p=quarantine; pct=25; rua=mailto:d@example.com; ruf=mailto:f@example.com",
        None,
    );
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=quarantine; rua=mailto:d@example.com; ruf=mailto:f@example.com")
    );
    let step = next_dmarc("v=DMARC1; p=quarantine; rua=mailto:d@example.com", None);
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=reject; rua=mailto:d@example.com")
    );
    let step = next_dmarc("v=DMARC1; p=reject; t=y; rua=mailto:d@example.com", None);
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=reject; rua=mailto:d@example.com")
    );
    let step = next_dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com", None);
    assert_eq!(step.record, None);

    // No rua: a placeholder the owner must replace.
    let step = next_dmarc("v=DMARC1; p=none", Some("example.org"));
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.org")
    );
    assert_eq!(step.placeholders, ["dmarc-reports@example.org"]);
    // Not a DMARC record: a starting one.
    let step = next_dmarc("garbage", None);
    assert_eq!(
        step.record.as_deref(),
        Some("v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com")
    );
}

#[test]
fn spf_steps_go_to_softfail_then_fail() {
    let cases = [
        ("v=spf1 mx +all", Some("v=spf1 mx ~all")),
        ("v=spf1 mx ?all", Some("v=spf1 mx ~all")),
        ("v=spf1 mx", Some("v=spf1 mx ~all")),
        ("v=spf1 mx ~all", Some("v=spf1 mx -all")),
        ("v=spf1 ptr:example.com mx -all", Some("v=spf1 mx -all")),
        (
            "v=spf1 mx -all include:late.example",
            Some("v=spf1 mx -all"),
        ),
        ("v=spf1 mx -all", None),
        ("v=spf1 redirect=_spf.example.com", None),
        ("v=spf1 ip4:nonsense", None),
    ];
    for (current, next) in cases {
        assert_eq!(next_spf(current).record.as_deref(), next, "{current}");
    }
    let step = next_spf("v=spf1 ptr ~all");
    assert!(step.manual.iter().any(|m| m.contains("ptr")));
}

#[test]
fn starter_mta_sts_and_tls_rpt_records() {
    assert_eq!(mta_sts_id(0), "19700101000000Z");
    assert_eq!(mta_sts_id(1_472_633_820), "20160831085700Z");
    assert_eq!(mta_sts_id(951_782_400), "20000229000000Z");
    let txt = mta_sts_txt(1_472_633_820);
    assert_eq!(txt, "v=STSv1; id=20160831085700Z;");
    assert!(lint_txt(&txt).valid);
    let policy = mta_sts_policy(
        StsMode::Testing,
        &["mx1.example.com.".to_string(), "*.example.net".to_string()],
        604_800,
    );
    assert_eq!(
        policy,
        "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n"
    );
    let report = lint_policy(&policy, None);
    assert!(
        report.valid && report.findings.is_empty(),
        "{:?}",
        codes(&report.findings)
    );

    assert_eq!(
        tls_rpt("tls@example.com").as_deref(),
        Ok("v=TLSRPTv1; rua=mailto:tls@example.com")
    );
    assert_eq!(
        tls_rpt("https://r.example.com/tlsrpt").as_deref(),
        Ok("v=TLSRPTv1; rua=https://r.example.com/tlsrpt")
    );
    assert!(tls_rpt("not an address").is_err());
    assert!(tls_rpt("http://r.example.com").is_err());
}

// ---- Fetches through HttpFetch ----

/// Answers every GET with one canned result, and records the options it was asked with.
struct OneAnswer(
    Result<super::FetchedBody, super::FetchError>,
    std::cell::RefCell<Vec<super::FetchOptions>>,
);

impl super::HttpFetch for OneAnswer {
    async fn get(
        &self,
        _: &str,
        options: &super::FetchOptions,
    ) -> Result<super::FetchedBody, super::FetchError> {
        self.1.borrow_mut().push(options.clone());
        self.0.clone()
    }
}

fn answer(status: u16, content_type: &str, body: &[u8]) -> OneAnswer {
    OneAnswer(
        Ok(super::FetchedBody {
            status,
            content_type: Some(content_type.to_string()),
            body: body.to_vec(),
        }),
        Default::default(),
    )
}

#[test]
fn the_policy_fetch_asks_for_no_redirects_and_a_size_limit() {
    let fetcher = answer(200, "text/plain; charset=utf-8", RFC_POLICY.as_bytes());
    let report = pollster::block_on(mta_sts::fetch_policy(&fetcher, "example.com.", None));
    assert_eq!(
        report.url.as_deref(),
        Some("https://mta-sts.example.com/.well-known/mta-sts.txt")
    );
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));
    assert!(report.policy.expect("read").valid);
    let asked = fetcher.1.borrow();
    assert!(!asked[0].follow_redirects);
    assert_eq!(asked[0].max_bytes, mta_sts::MAX_POLICY_BYTES);

    let report = pollster::block_on(mta_sts::fetch_policy(&fetcher, "evil.example/x?", None));
    assert_eq!(report.url, None);
    assert_eq!(codes(&report.findings), ["mta-sts-policy.invalid-domain"]);

    let latin1 = answer(200, "text/plain", b"version: STSv1\nmode: \xe9\n");
    let report = pollster::block_on(mta_sts::fetch_policy(&latin1, "example.com", None));
    assert_eq!(codes(&report.findings), ["mta-sts-policy.not-text"]);
}

#[test]
fn the_logo_fetch_checks_the_svg_and_its_type() {
    let fetcher = answer(200, "image/svg+xml", GOOD_SVG.as_bytes());
    let report = pollster::block_on(bimi::fetch_logo(&fetcher, "https://example.com/logo.svg"));
    assert!(report.findings.is_empty(), "{:?}", codes(&report.findings));
    assert_eq!(
        report.svg.expect("checked").title.as_deref(),
        Some("Example Brand")
    );

    let fetcher = answer(200, "text/html", GOOD_SVG.as_bytes());
    let report = pollster::block_on(bimi::fetch_logo(&fetcher, "https://example.com/logo.svg"));
    assert_eq!(codes(&report.findings), ["bimi.logo-content-type"]);

    let report = pollster::block_on(bimi::fetch_logo(&fetcher, "http://example.com/logo.svg"));
    assert_eq!(codes(&report.findings), ["bimi.logo-fetch-failed"]);
    assert_eq!(
        report.error.map(|e| e.kind),
        Some(super::FetchErrorKind::InvalidUrl)
    );
    assert!(
        fetcher.1.borrow().len() == 1,
        "an http: URL is never fetched"
    );
}
