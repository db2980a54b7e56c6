use super::align::{AlignmentResult, PolicyTag};
use super::lint::lint_record;
use super::report_auth::ReportAuthorization;
use super::*;
use crate::dkim::DkimResult;
use crate::dns::{DnsError, MemoryResolver, RecordData};
use crate::message::Mailbox;
use crate::spf::SpfResult;

fn txt(zone: &mut MemoryResolver, name: &str, text: &str) {
    zone.insert(
        name,
        300,
        RecordData::Txt {
            strings: vec![text.as_bytes().to_vec()],
        },
    );
}

fn a(zone: &mut MemoryResolver, name: &str) {
    zone.insert(
        name,
        300,
        RecordData::A {
            address: "192.0.2.1".parse().expect("valid"),
        },
    );
}

fn spf(result: SpfResult, domain: &str) -> SpfInput {
    SpfInput {
        result,
        domain: Some(domain.to_string()),
        from_helo: false,
    }
}

fn no_spf() -> SpfInput {
    SpfInput {
        result: SpfResult::None,
        domain: None,
        from_helo: false,
    }
}

fn dkim(result: DkimResult, domain: &str) -> DkimInput {
    DkimInput {
        result,
        domain: domain.to_string(),
        selector: "s1".to_string(),
    }
}

fn evaluate(zone: &MemoryResolver, from: &str, spf: SpfInput, dkim: &[DkimInput]) -> DmarcReport {
    pollster::block_on(evaluate_message(
        &FromInput::address(from),
        &spf,
        dkim,
        zone,
    ))
}

fn zone_with(record_name: &str, record: &str) -> MemoryResolver {
    let mut zone = MemoryResolver::new();
    txt(&mut zone, record_name, record);
    zone
}

// ---- grammar ----

#[test]
fn every_tag_is_read_with_its_span() {
    let text = "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=r; \
                rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; \
                fo=1:d; pct=50; rf=afrf; ri=3600";
    let record = parse_record(text).expect("a DMARC record");
    assert_eq!(
        record.policy.as_ref().map(|p| p.value),
        Some(Policy::Reject)
    );
    assert_eq!(
        record.slice(record.policy.as_ref().expect("p").record_span),
        "p=reject"
    );
    assert_eq!(
        record.subdomain_policy.as_ref().map(|p| p.value),
        Some(Policy::Quarantine)
    );
    assert_eq!(
        record.nonexistent_policy.as_ref().map(|p| p.value),
        Some(Policy::Reject)
    );
    assert_eq!(record.psd(), Some(Psd::No));
    assert_eq!(record.testing.as_ref().map(|t| t.value), Some(true));
    assert_eq!(record.dkim_mode(), AlignmentMode::Strict);
    assert_eq!(record.spf_mode(), AlignmentMode::Relaxed);
    assert_eq!(record.aggregate_uris.len(), 2);
    let second = &record.aggregate_uris[1];
    assert_eq!(second.uri, "mailto:b@example.net");
    assert_eq!(second.max_size, Some(10 << 20));
    assert_eq!(record.slice(second.record_span), "mailto:b@example.net!10m");
    assert_eq!(
        record.failure_uris[0].domain.as_deref(),
        Some("example.com")
    );
    assert_eq!(
        record.failure_options.as_ref().map(|f| f.value.clone()),
        Some(vec![FailureOption::AnyFail, FailureOption::DkimFail])
    );
    assert_eq!(record.percent.as_ref().map(|p| p.value), Some(50));
    assert_eq!(record.report_interval.as_ref().map(|p| p.value), Some(3600));
    assert!(record.problems.is_empty(), "{:?}", record.problems);
}

#[test]
fn version_must_come_first_and_exactly() {
    assert_eq!(
        parse_record("p=reject; v=DMARC1")
            .map(|_| ())
            .map_err(|e| e.kind),
        Err(ParseErrorKind::NoVersion)
    );
    assert_eq!(
        parse_record("v=dmarc1; p=reject")
            .map(|_| ())
            .map_err(|e| e.kind),
        Err(ParseErrorKind::WrongVersion)
    );
    assert!(parse_record("v = DMARC1 ;p=none;").is_ok());
}

#[test]
fn invalid_values_are_problems_not_failures() {
    let record = parse_record("v=DMARC1; p=block; p=none; adkim=x").expect("readable");
    assert!(record.policy.is_none());
    let kinds: Vec<_> = record.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            TagProblemKind::InvalidValue,
            TagProblemKind::DuplicateTag,
            TagProblemKind::InvalidValue
        ]
    );
}

// ---- lint ----

fn codes(domain: &str, text: &str) -> Vec<&'static str> {
    lint_record(domain, text)
        .findings
        .iter()
        .map(|f| f.code)
        .collect()
}

#[test]
fn lint_p_none_monitors_only_and_missing_rua() {
    let found = codes("example.com", "v=DMARC1; p=none");
    assert!(found.contains(&"dmarc.policy-none"));
    assert!(found.contains(&"dmarc.no-rua"));
    // Neither fix rewrites the record: they need the owner's decision and mailbox.
    assert_eq!(
        lint_record("example.com", "v=DMARC1; p=none").fixed_record,
        None
    );
}

#[test]
fn lint_obsolete_unknown_and_bad_uri_with_fixed_record() {
    let lint = lint_record(
        "example.com",
        "v=DMARC1; p=reject; pct=20; foo=bar; rua=https://example.com/r,mailto:d@example.com",
    );
    let found: Vec<_> = lint.findings.iter().map(|f| f.code).collect();
    assert!(found.contains(&"dmarc.obsolete-tag"));
    assert!(found.contains(&"dmarc.unknown-tag"));
    assert!(found.contains(&"dmarc.bad-uri"));
    assert_eq!(
        lint.fixed_record.as_deref(),
        Some("v=DMARC1; p=reject; t=y; rua=mailto:d@example.com")
    );
    let pct = lint
        .findings
        .iter()
        .find(|f| f.code == "dmarc.obsolete-tag")
        .expect("pct");
    assert_eq!(pct.record_span, Some(crate::report::Span::new(20, 26)));
}

#[test]
fn lint_version_not_first() {
    assert_eq!(
        codes("example.com", "p=reject; v=DMARC1"),
        ["dmarc.version-not-first"]
    );
}

// ---- alignment ----

#[test]
fn relaxed_alignment_accepts_subdomains_for_spf_and_dkim() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@example.com",
        spf(SpfResult::Pass, "bounce.example.com"),
        &[],
    );
    assert_eq!(report.result, DmarcResult::Pass);
    assert_eq!(report.spf_aligned, AlignmentResult::Pass);
    let report = evaluate(
        &zone,
        "a@example.com",
        no_spf(),
        &[dkim(DkimResult::Pass, "mail.example.com")],
    );
    assert_eq!(report.dkim_aligned, AlignmentResult::Pass);
    assert_eq!(report.disposition, Disposition::None);
}

#[test]
fn strict_alignment_needs_the_same_name_for_spf_and_dkim() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s");
    let report = evaluate(
        &zone,
        "a@example.com",
        spf(SpfResult::Pass, "bounce.example.com"),
        &[dkim(DkimResult::Pass, "mail.example.com")],
    );
    assert_eq!(report.spf_aligned, AlignmentResult::Fail);
    assert_eq!(report.dkim_aligned, AlignmentResult::Fail);
    assert_eq!(report.result, DmarcResult::Fail);
    assert_eq!(report.disposition, Disposition::Reject);
    let report = evaluate(
        &zone,
        "a@EXAMPLE.com",
        spf(SpfResult::Pass, "Example.COM"),
        &[],
    );
    assert_eq!(report.result, DmarcResult::Pass, "case does not matter");
}

#[test]
fn sibling_subdomains_align_under_relaxed_only() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=quarantine");
    let report = evaluate(
        &zone,
        "a@news.example.com",
        no_spf(),
        &[dkim(DkimResult::Pass, "shop.example.com")],
    );
    assert_eq!(report.result, DmarcResult::Pass);
    assert_eq!(report.policy.as_ref().map(|p| p.tag), Some(PolicyTag::P));
}

#[test]
fn failing_mechanisms_do_not_align() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@example.com",
        spf(SpfResult::Softfail, "example.com"),
        &[dkim(DkimResult::Fail, "example.com")],
    );
    assert_eq!(report.result, DmarcResult::Fail);
    assert!(
        report.dkim[0].aligned,
        "aligned as a name, but the signature failed"
    );
}

// ---- policies ----

#[test]
fn sp_applies_to_existing_subdomains() {
    let mut zone = zone_with(
        "_dmarc.example.com",
        "v=DMARC1; p=reject; sp=quarantine; np=reject",
    );
    a(&mut zone, "news.example.com");
    let report = evaluate(&zone, "a@news.example.com", no_spf(), &[]);
    assert_eq!(
        report.policy_source,
        Some(PolicySource::OrganizationalDomain)
    );
    assert_eq!(report.author_exists, Some(true));
    assert_eq!(report.policy.as_ref().map(|p| p.tag), Some(PolicyTag::Sp));
    assert_eq!(report.disposition, Disposition::Quarantine);
}

#[test]
fn np_applies_to_non_existent_subdomains() {
    let zone = zone_with(
        "_dmarc.example.com",
        "v=DMARC1; p=none; sp=quarantine; np=reject",
    );
    let report = evaluate(&zone, "a@ghost.example.com", no_spf(), &[]);
    assert_eq!(report.author_exists, Some(false));
    assert_eq!(report.policy.as_ref().map(|p| p.tag), Some(PolicyTag::Np));
    assert_eq!(report.disposition, Disposition::Reject);
}

#[test]
fn testing_flag_and_pct_lower_the_disposition() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject; t=y; pct=25");
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    assert_eq!(report.disposition, Disposition::Quarantine);
    assert!(report.disposition_detail.testing);
    assert_eq!(report.disposition_detail.percent, Some(25));
    assert_eq!(
        report.disposition_detail.outside_percent,
        Some(Disposition::Quarantine)
    );
}

#[test]
fn no_record_gives_none() {
    let zone = MemoryResolver::new();
    let report = evaluate(
        &zone,
        "a@example.com",
        spf(SpfResult::Pass, "example.com"),
        &[],
    );
    assert_eq!(report.result, DmarcResult::None);
    assert_eq!(report.record, None);
    // One query per label, the author domain first.
    assert_eq!(report.dns.len(), 2);
}

#[test]
fn record_without_p_but_with_rua_acts_as_p_none() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com");
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    assert_eq!(report.result, DmarcResult::Fail);
    assert_eq!(
        report.policy.as_ref().map(|p| p.tag),
        Some(PolicyTag::RuaOnly)
    );
    assert_eq!(report.disposition, Disposition::None);
}

#[test]
fn record_without_p_or_rua_applies_nothing() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; adkim=s");
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    assert_eq!(report.result, DmarcResult::None);
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "dmarc.no-usable-policy"));
}

#[test]
fn several_records_are_discarded() {
    let mut zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    txt(&mut zone, "_dmarc.example.com", "v=DMARC1; p=none");
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    assert_eq!(report.result, DmarcResult::None);
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "dmarc.several-records"));
}

#[test]
fn dns_failure_is_temperror() {
    let mut zone = MemoryResolver::new();
    zone.insert_failure("_dmarc.example.com", DnsError::ServFail);
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    assert_eq!(report.result, DmarcResult::Temperror);
}

// ---- organisational domains: tree walk and list ----

#[test]
fn psd_yes_makes_the_child_the_organisational_domain() {
    // A PSD publishes psd=y: each registrant below it is its own organisation.
    let mut zone = zone_with("_dmarc.example", "v=DMARC1; p=reject; psd=y");
    a(&mut zone, "shop.example");
    let report = evaluate(
        &zone,
        "a@mail.shop.example",
        no_spf(),
        &[dkim(DkimResult::Pass, "other.example")],
    );
    assert_eq!(report.org_domain.as_deref(), Some("shop.example"));
    assert_eq!(report.policy_source, Some(PolicySource::PublicSuffixDomain));
    assert_eq!(
        report.dkim_aligned,
        AlignmentResult::Fail,
        "other.example is another organisation"
    );
    assert_eq!(report.result, DmarcResult::Fail);
}

#[test]
fn psd_no_stops_the_walk_below_the_registered_domain() {
    let mut zone = zone_with("_dmarc.dept.example.com", "v=DMARC1; p=quarantine; psd=n");
    txt(&mut zone, "_dmarc.example.com", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@dept.example.com",
        no_spf(),
        &[dkim(DkimResult::Pass, "example.com")],
    );
    assert_eq!(report.org_domain.as_deref(), Some("dept.example.com"));
    assert_eq!(report.dkim_aligned, AlignmentResult::Fail);
}

#[test]
fn co_uk_is_a_suffix_for_both_methods() {
    let zone = zone_with("_dmarc.example.co.uk", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@www.example.co.uk",
        no_spf(),
        &[dkim(DkimResult::Pass, "example.co.uk")],
    );
    assert_eq!(report.org_domain.as_deref(), Some("example.co.uk"));
    assert_eq!(report.org_domain_psl.as_deref(), Some("example.co.uk"));
    assert_eq!(report.result, DmarcResult::Pass);
}

/// github.io is in the list's PRIVATE section: RFC 7489 treats each site as an organisation,
/// while the RFC 9989 walk, finding only github.io's own record (no psd=), puts every site in
/// github.io's organisation. The report shows both and says they differ.
#[test]
fn rfc7489_and_rfc9989_differ_on_private_suffixes() {
    let zone = zone_with("_dmarc.github.io", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@alice.github.io",
        no_spf(),
        &[dkim(DkimResult::Pass, "mallory.github.io")],
    );
    assert_eq!(report.org_domain.as_deref(), Some("github.io"));
    assert_eq!(report.org_domain_psl.as_deref(), Some("alice.github.io"));
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "dmarc.org-domain-differs"));
    assert_eq!(
        report.result,
        DmarcResult::Pass,
        "RFC 9989 decides alignment"
    );
}

// ---- the From field ----

#[test]
fn several_from_domains_are_permerror_not_a_guess() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    let from = FromInput {
        field_count: 1,
        mailboxes: vec![
            Mailbox {
                name: None,
                address: Some("a@example.com".into()),
            },
            Mailbox {
                name: None,
                address: Some("b@example.net".into()),
            },
        ],
        span: None,
    };
    let report = pollster::block_on(evaluate_message(&from, &no_spf(), &[], &zone));
    assert_eq!(report.result, DmarcResult::Permerror);
    assert_eq!(report.domain, None);
    assert_eq!(report.findings[0].code, "dmarc.several-author-domains");
    assert!(report.dns.is_empty());
}

#[test]
fn several_addresses_of_one_domain_evaluate_once() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    let from = FromInput {
        field_count: 1,
        mailboxes: vec![
            Mailbox {
                name: None,
                address: Some("a@example.com".into()),
            },
            Mailbox {
                name: None,
                address: Some("b@Example.COM".into()),
            },
        ],
        span: None,
    };
    let report = pollster::block_on(evaluate_message(
        &from,
        &spf(SpfResult::Pass, "example.com"),
        &[],
        &zone,
    ));
    assert_eq!(report.result, DmarcResult::Pass);
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "dmarc.several-from-addresses"));
}

#[test]
fn no_from_several_fields_and_groups_are_permerror() {
    let zone = MemoryResolver::new();
    let cases = [
        (FromInput::default(), "dmarc.no-from"),
        (
            FromInput {
                field_count: 2,
                ..FromInput::address("a@example.com")
            },
            "dmarc.several-from-fields",
        ),
        (
            FromInput {
                field_count: 1,
                mailboxes: vec![Mailbox {
                    name: Some("undisclosed".into()),
                    address: None,
                }],
                span: None,
            },
            "dmarc.from-without-address",
        ),
    ];
    for (from, code) in cases {
        let report = pollster::block_on(evaluate_message(&from, &no_spf(), &[], &zone));
        assert_eq!(report.result, DmarcResult::Permerror, "{code}");
        assert_eq!(report.findings[0].code, code);
    }
}

#[test]
fn u_label_from_domain_matches_a_label_signature() {
    let zone = zone_with("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject");
    let report = evaluate(
        &zone,
        "a@Bücher.example",
        no_spf(),
        &[dkim(DkimResult::Pass, "xn--bcher-kva.example")],
    );
    assert_eq!(report.domain.as_deref(), Some("xn--bcher-kva.example"));
    assert_eq!(report.result, DmarcResult::Pass);
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == "dmarc.from-u-label"));
}

// ---- audit and report authorisation ----

#[test]
fn external_rua_without_authorisation_is_flagged() {
    let zone = zone_with(
        "_dmarc.example.com",
        "v=DMARC1; p=reject; rua=mailto:d@reports.example.net",
    );
    let audit = pollster::block_on(audit_domain("example.com", &zone));
    let destination = &audit.destinations[0];
    assert!(destination.external);
    assert_eq!(
        destination.query.as_deref(),
        Some("example.com._report._dmarc.reports.example.net")
    );
    assert_eq!(
        destination.authorization,
        ReportAuthorization::NotAuthorized
    );
}

#[test]
fn external_rua_with_authorisation_is_accepted() {
    let mut zone = zone_with(
        "_dmarc.example.com",
        "v=DMARC1; p=reject; rua=mailto:d@reports.example.net,mailto:me@example.com",
    );
    txt(
        &mut zone,
        "example.com._report._dmarc.reports.example.net",
        "v=DMARC1",
    );
    let audit = pollster::block_on(audit_domain("example.com", &zone));
    assert_eq!(
        audit.destinations[0].authorization,
        ReportAuthorization::Authorized
    );
    assert_eq!(
        audit.destinations[1].authorization,
        ReportAuthorization::NotNeeded
    );
}

#[test]
fn audit_lints_discarded_records_and_reports_no_record() {
    let zone = zone_with("_dmarc.example.com", "p=reject; v=DMARC1");
    let audit = pollster::block_on(audit_domain("example.com", &zone));
    assert_eq!(audit.lint[0].findings[0].code, "dmarc.version-not-first");
    assert!(audit.findings.iter().any(|f| f.code == "dmarc.no-record"));
    let json = serde_json::to_value(&audit).expect("serializes");
    assert!(json["record"].is_null(), "null, not omitted");
}

#[test]
fn message_report_has_the_agreed_field_names() {
    let zone = zone_with("_dmarc.example.com", "v=DMARC1; p=reject");
    let report = evaluate(&zone, "a@example.com", no_spf(), &[]);
    let json = serde_json::to_value(&report).expect("serializes");
    for field in [
        "domain",
        "org_domain",
        "result",
        "policy",
        "disposition",
        "spf_aligned",
        "dkim_aligned",
        "record",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    assert_eq!(json["result"], "fail");
    assert_eq!(json["disposition"], "reject");
    assert_eq!(json["policy"]["tag"], "p");
}

/// The tree walk reads `psd=` with `parse::record_psd` rather than a whole parse; the two must
/// agree on every record, awkward ones included (duplicates, case, spaces, invalid values).
#[test]
fn psd_shortcut_agrees_with_parse() {
    let records = [
        "v=DMARC1; p=none",
        "v=DMARC1; psd=y",
        "v=DMARC1;psd=n;p=reject",
        "v=DMARC1; PSD = U ; p=none",
        "v=DMARC1; psd=x; psd=y",
        "v=DMARC1; psd=n; psd=y",
        "v=DMARC1; psd",
        "v=DMARC1; psd=",
        "v=DMARC1; psd=yy",
        "v=DMARC1; xpsd=y; psd=\tY\t",
        "v=DMARC1;;; psd=y;",
        "v=DMARC1",
        "v = DMARC1 ; psd=y",
        "v=DMARC1; p=none; psd=y=n",
    ];
    for text in records {
        let parsed = parse::parse_record(text)
            .ok()
            .and_then(|record| record.psd());
        assert_eq!(parse::record_psd(text), parsed, "{text}");
    }
}
