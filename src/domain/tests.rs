//! Known-answer tests of the domain audit over zone files: the well-configured and the badly
//! configured fixture domains (tests/fixtures/dns/*-domain.zone), and small zones for the cases
//! those two cannot hold at once.

use super::*;
use crate::dmarc::Policy;
use crate::dns::zone::parse_zone;
use crate::dns::{DnsError, MemoryResolver, RecordType};
use crate::report::Severity;
use crate::spf::SpfResult;

const GOOD: &str = include_str!("../../tests/fixtures/dns/good-domain.zone");
const BAD: &str = include_str!("../../tests/fixtures/dns/bad-domain.zone");

fn resolver(text: &str) -> MemoryResolver {
    let zone = parse_zone(text.as_bytes(), None).expect("test zones parse");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    resolver
}

/// The good domain's policy file, as its server would give it.
const GOOD_POLICY: &str =
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.good.example\r\nmx: *.good.example\r\nmax_age: 1209600\r\n";

fn audit_with(text: &str, domain: &str, selectors: &[&str]) -> DomainAudit {
    let options = DomainOptions {
        selectors: selectors.iter().map(|s| s.to_string()).collect(),
    };
    let policy = PastedPolicy((domain == "good.example").then(|| GOOD_POLICY.to_string()));
    pollster::block_on(audit_domain(domain, &options, &resolver(text), &policy))
}

fn audit(text: &str, domain: &str) -> DomainAudit {
    audit_with(text, domain, &[])
}

fn codes(audit: &DomainAudit) -> Vec<&'static str> {
    audit.findings.iter().map(|finding| finding.code).collect()
}

fn has(audit: &DomainAudit, code: &str) -> bool {
    audit.findings.iter().any(|finding| finding.code == code)
}

/// A zone of `example.test` with the given lines and a good baseline for everything else, so
/// that each test changes one thing.
fn zone(lines: &str) -> String {
    format!("$TTL 300\n$ORIGIN example.test.\n{lines}\n")
}

#[test]
fn the_good_domain_gets_an_a_and_no_warnings() {
    let audit = audit(GOOD, "good.example");
    assert_eq!(audit.error, None);
    assert_eq!(
        audit.grade.letter,
        Some(GradeLetter::A),
        "{:?}",
        codes(&audit)
    );
    assert!(audit
        .findings
        .iter()
        .all(|finding| finding.severity == Severity::Info));
    assert!(audit.grade.complete);
    assert_eq!(audit.mx.kind, MxKind::Hosts);
    assert_eq!(audit.mx.hosts.len(), 2);
    assert_eq!(audit.mx.hosts[0].exchange, "mx1.good.example");
    assert_eq!(audit.mx.hosts[0].addresses.len(), 2, "A and AAAA");
    assert!(audit.mx.authenticated);
    assert_eq!(audit.spf.result, SpfResult::Fail);
    assert_eq!(audit.dmarc.enforced_policy, Some(Policy::Reject));
    assert_eq!(audit.dkim.keys_found, 2);
    let s1 = audit
        .dkim
        .selectors
        .iter()
        .find(|probe| probe.selector == "s1")
        .expect("s1 asked");
    assert_eq!(
        s1.alias_of.as_deref(),
        Some("s1.domainkey.esp.example"),
        "a delegated key shows where it lives"
    );
    assert_eq!(s1.keys[0].bits, Some(256));
    assert!(audit.dane.effective);
    assert_eq!(audit.dnssec.domain_signed, Some(true));
    assert_eq!(audit.mta_sts.txt.records.len(), 1);
    assert_eq!(
        audit.mta_sts.mode,
        Some(crate::records::mta_sts::StsMode::Enforce)
    );
    let policy = audit.mta_sts.policy.as_ref().expect("fetched");
    assert_eq!(policy.error, None);
    assert!(audit.summary.iter().any(|line| line
        .text
        .starts_with("Senders that support MTA-STS or DANE")));
    assert_eq!(audit.tls_rpt.txt.records.len(), 1);
    assert_eq!(audit.bimi.txt.records.len(), 1);
    // The summary says the domain is protected, in words.
    assert!(audit
        .summary
        .iter()
        .all(|line| line.severity == Severity::Info));
    assert!(audit.summary[0].text.contains("refuse mail forged"));
}

#[test]
fn the_bad_domain_fails_every_check_it_was_built_to_fail() {
    let audit = audit(BAD, "bad.example");
    for code in [
        "mx.cname",
        "mx.ip-literal",
        "mx.host-without-address",
        "mx.private-address",
        "spf.ptr",
        "spf.neutral-all",
        "spf.too-many-lookups",
        "spf.too-many-void-lookups",
        "spf.void-lookup",
        "dmarc.policy-none",
        "dmarc.sampled",
        "dmarc.report-destination-unauthorized",
        "dkim.key-weak",
        "dkim.key-too-short",
        "dkim.key-revoked",
        "dkim.key-testing",
        "dkim.key-unreadable",
        "mta-sts.no-id",
        "tlsrpt.none",
        "bimi.dmarc-not-enforced",
        "dane.without-dnssec",
        "dane.partial",
        "dane.mx-without-dnssec",
        "dnssec.unsigned",
    ] {
        assert!(has(&audit, code), "{code} missing from {:?}", codes(&audit));
    }
    assert_eq!(audit.grade.letter, Some(GradeLetter::F));
    assert_eq!(audit.grade.score, 0);
    // Findings are sorted, most severe first.
    let severities: Vec<Severity> = audit.findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort_by_key(|severity| std::cmp::Reverse(*severity));
    assert_eq!(severities, sorted);
    // Each void lookup names its term.
    let void = audit
        .findings
        .iter()
        .find(|finding| finding.code == "spf.void-lookup")
        .expect("a void lookup");
    assert!(
        void.message.contains("a:nx1.bad.example"),
        "{}",
        void.message
    );
    // The summary lines of the issue.
    let texts: Vec<&str> = audit
        .summary
        .iter()
        .map(|line| line.text.as_str())
        .collect();
    assert!(texts[0]
        .starts_with("Anyone can send mail as bad.example and most receivers will deliver it"));
    assert!(texts.iter().any(|text| text
        .starts_with("Mail to bad.example can be downgraded to plaintext by anyone on the path")));
    let mail = &audit.mx.hosts[0];
    assert_eq!(mail.alias_of.as_deref(), Some("real.bad.example"));
    assert!(audit.mx.hosts[1].ip_literal);
}

#[test]
fn the_grade_is_the_sum_of_the_findings_points() {
    for (text, domain) in [(GOOD, "good.example"), (BAD, "bad.example")] {
        let audit = audit(text, domain);
        let lost: u32 = audit.findings.iter().map(grade::points).sum();
        assert_eq!(audit.grade.score, 100u32.saturating_sub(lost));
        let deducted: u32 = audit.grade.deductions.iter().map(|d| d.points).sum();
        assert_eq!(deducted, lost);
        assert_eq!(audit.grade.letter, Some(grade::letter(audit.grade.score)));
    }
    assert_eq!(grade::letter(100), GradeLetter::A);
    assert_eq!(grade::letter(90), GradeLetter::A);
    assert_eq!(grade::letter(89), GradeLetter::B);
    assert_eq!(grade::letter(64), GradeLetter::D);
    assert_eq!(grade::letter(0), GradeLetter::F);
}

/// The points table is documented: every row of `POINTS` and every band is in
/// docs/domain-audit.md, so the documentation cannot drift from the arithmetic.
#[test]
fn the_points_table_is_the_documented_one() {
    let docs = include_str!("../../docs/domain-audit.md");
    for (code, points) in grade::POINTS {
        assert!(
            docs.contains(&format!("| `{code}` | {points} |")),
            "docs/domain-audit.md lacks the row | `{code}` | {points} |"
        );
    }
    for (letter, minimum) in grade::BANDS {
        let letter = format!("{letter:?}");
        assert!(
            docs.contains(&format!("| {letter} | {minimum} |")),
            "docs/domain-audit.md lacks the band | {letter} | {minimum} |"
        );
    }
}

#[test]
fn null_mx_says_no_mail_and_wants_spf_fail() {
    let audit = audit(
        &zone("@ MX 0 .\n@ TXT \"v=spf1 ~all\"\n_dmarc TXT \"v=DMARC1; p=reject\""),
        "example.test",
    );
    assert_eq!(audit.mx.kind, MxKind::NullMx);
    assert!(has(&audit, "mx.null-mx"));
    assert!(has(&audit, "spf.no-mail-domain-not-fail"));
    assert!(
        !has(&audit, "mta-sts.none"),
        "no transport policy for a domain without mail"
    );
    assert!(!has(&audit, "tlsrpt.none"));
    assert!(audit
        .summary
        .iter()
        .any(|line| line.text.contains("accepts no mail")));
    let mixed = audit_with(
        &zone("@ MX 0 .\n@ MX 10 mx.example.test."),
        "example.test",
        &[],
    );
    assert!(has(&mixed, "mx.null-mx-with-others"));
}

#[test]
fn no_mx_is_the_implicit_mx_or_no_mail() {
    let implicit = audit(&zone("@ A 192.0.2.1"), "example.test");
    assert_eq!(implicit.mx.kind, MxKind::Implicit);
    assert!(implicit.mx.hosts[0].implicit);
    assert_eq!(implicit.mx.hosts[0].addresses.len(), 1);
    assert!(has(&implicit, "mx.implicit"));
    let nothing = audit(&zone("@ TXT \"hello\""), "example.test");
    assert_eq!(nothing.mx.kind, MxKind::NoMail);
    assert!(has(&nothing, "mx.no-mail"));
    assert!(!has(&nothing, "mx.host-without-address"), "said once");
    let missing = audit(&zone("other A 192.0.2.1"), "nowhere.example.test");
    assert_eq!(missing.mx.kind, MxKind::DomainMissing);
    assert!(has(&missing, "mx.domain-missing"));
}

#[test]
fn mx_lookup_failure_is_named_and_makes_the_grade_incomplete() {
    let mut failing = resolver(&zone("@ TXT \"v=spf1 -all\""));
    failing.insert_failure("example.test", DnsError::ServFail);
    let audit = pollster::block_on(audit_domain(
        "example.test",
        &DomainOptions::default(),
        &failing,
        &PastedPolicy(None),
    ));
    assert_eq!(audit.mx.kind, MxKind::LookupFailed);
    assert!(has(&audit, "mx.lookup-failed"));
    assert!(!audit.grade.complete);
}

#[test]
fn spf_missing_open_and_oversized_records() {
    let none = audit(&zone("@ MX 10 mx\nmx A 192.0.2.1"), "example.test");
    assert!(has(&none, "spf.no-record"));
    let fix = none
        .findings
        .iter()
        .find(|finding| finding.code == "spf.no-record")
        .and_then(|finding| finding.fix.clone())
        .expect("a fix");
    assert!(
        fix.contains("example.test. TXT \"v=spf1 mx -all\""),
        "{fix}"
    );
    let open = audit(&zone("@ TXT \"v=spf1 +all\""), "example.test");
    assert!(has(&open, "spf.pass-all"));
    let long = format!(
        "@ TXT \"v=spf1 {}\" \"{} -all\"",
        "ip4:192.0.2.1 ".repeat(16),
        "ip4:198.51.100.1 ".repeat(14)
    );
    assert!(has(
        &audit(&zone(&long), "example.test"),
        "spf.record-too-long"
    ));
    let several = audit(
        &zone("@ TXT \"v=spf1 -all\"\n@ TXT \"v=spf1 ~all\""),
        "example.test",
    );
    assert!(has(&several, "spf.multiple-records"));
    assert!(!has(&several, "spf.no-record"));
}

#[test]
fn dmarc_policy_strength_subdomains_and_testing() {
    let quarantine = audit(
        &zone("_dmarc TXT \"v=DMARC1; p=quarantine; rua=mailto:d@example.test\""),
        "example.test",
    );
    assert!(has(&quarantine, "dmarc.quarantine"));
    assert_eq!(quarantine.dmarc.enforced_policy, Some(Policy::Quarantine));
    assert_eq!(quarantine.summary[0].severity, Severity::Warning);
    let weak_subdomains = audit(
        &zone("_dmarc TXT \"v=DMARC1; p=reject; sp=none; rua=mailto:d@example.test\""),
        "example.test",
    );
    assert!(has(&weak_subdomains, "dmarc.subdomain-policy-weaker"));
    assert!(weak_subdomains
        .summary
        .iter()
        .any(|line| line.text.starts_with("Subdomains of example.test")));
    let testing = audit(
        &zone("_dmarc TXT \"v=DMARC1; p=reject; t=y; rua=mailto:d@example.test\""),
        "example.test",
    );
    assert!(has(&testing, "dmarc.testing-weakens"));
    assert_eq!(testing.dmarc.enforced_policy, Some(Policy::Quarantine));
    let missing = audit(&zone("@ TXT \"v=spf1 -all\""), "example.test");
    let finding = missing
        .findings
        .iter()
        .find(|finding| finding.code == "dmarc.no-record")
        .expect("no record");
    assert!(finding
        .fix
        .as_deref()
        .is_some_and(|fix| fix.contains("_dmarc.example.test. TXT \"v=DMARC1; p=none")));
    assert!(missing.summary[0]
        .text
        .starts_with("Anyone can send mail as example.test"));
}

#[test]
fn dkim_probes_forty_common_selectors_and_the_callers() {
    assert!(dkim::COMMON_SELECTORS.len() >= 40);
    let mut unique = dkim::COMMON_SELECTORS.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), dkim::COMMON_SELECTORS.len(), "no repeats");
    let audit = audit_with(
        &zone("custom._domainkey TXT \"v=DKIM1; k=ed25519; p=TxS4pCvq+j/o8aW/z7W0uNnyGWMVG5kXvJ3GBxZ0y5g=\""),
        "example.test",
        &["Custom", "google", "bad selector!", "custom"],
    );
    assert_eq!(audit.dkim.keys_found, 1);
    let user: Vec<&SelectorProbe> = audit
        .dkim
        .selectors
        .iter()
        .filter(|probe| probe.source == SelectorSource::User)
        .collect();
    assert_eq!(user.len(), 1, "repeats and common names are asked once");
    assert_eq!(user[0].selector, "custom");
    assert!(has(&audit, "dkim.selector-invalid"));
    assert!(!audit.dkim.wildcard);
    let none = self::audit(&zone("@ TXT \"v=spf1 -all\""), "example.test");
    assert!(has(&none, "dkim.none-found"));
    assert!(none.dkim.note.contains("proves nothing"));
    let wildcard = self::audit(
        &zone("*._domainkey TXT \"v=DKIM1; k=ed25519; p=TxS4pCvq+j/o8aW/z7W0uNnyGWMVG5kXvJ3GBxZ0y5g=\""),
        "example.test",
    );
    assert!(wildcard.dkim.wildcard);
    assert!(has(&wildcard, "dkim.wildcard"));
}

#[test]
fn transport_records_missing_doubled_and_dane_needs_dnssec() {
    let base = "@ MX 10 mx\nmx A 192.0.2.1\n";
    let missing = audit(&zone(base), "example.test");
    assert!(has(&missing, "mta-sts.none"));
    assert!(has(&missing, "tlsrpt.none"));
    let fix = missing
        .findings
        .iter()
        .find(|finding| finding.code == "mta-sts.none")
        .and_then(|finding| finding.fix.clone())
        .expect("a fix");
    assert!(
        fix.contains("mx: mx.example.test"),
        "the policy names the MX hosts: {fix}"
    );
    let doubled = audit(
        &zone(&format!("{base}_mta-sts TXT \"v=STSv1; id=1\"\n_mta-sts TXT \"v=STSv1; id=2\"\n_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:a@example.test\"\n_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:b@example.test\"")),
        "example.test",
    );
    assert!(has(&doubled, "mta-sts.multiple-records"));
    assert!(has(&doubled, "tlsrpt.multiple-records"));
    let tlsa =
        "_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    let unsigned = audit(&zone(&format!("{base}{tlsa}")), "example.test");
    assert!(!unsigned.dane.effective);
    assert!(has(&unsigned, "dane.without-dnssec"));
    let signed = audit(
        &zone(&format!("$SIGNED example.test.\n{base}{tlsa}")),
        "example.test",
    );
    assert!(signed.dane.effective);
    assert!(!has(&signed, "dane.without-dnssec"));
    assert!(signed
        .summary
        .iter()
        .any(|line| line.text.contains("Senders that support DANE")));
    assert_eq!(signed.dnssec.domain_signed, Some(true));
}

#[test]
fn bimi_without_enforcement_and_enforcement_without_bimi() {
    let suggest = audit(
        &zone("_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@example.test\""),
        "example.test",
    );
    assert!(has(&suggest, "bimi.none"));
    let without_logo = audit(
        &zone("_dmarc TXT \"v=DMARC1; p=reject\"\ndefault._bimi TXT \"v=BIMI1; a=self\""),
        "example.test",
    );
    assert!(has(&without_logo, "bimi.no-location"));
}

/// Every query the sections made is in `queries`, and the sections' lookups are the ones the
/// issue lists.
#[test]
fn every_lookup_is_in_the_trace() {
    let audit = audit(GOOD, "good.example");
    let asked = |name: &str, record_type: RecordType| {
        audit
            .queries
            .iter()
            .any(|query| query.name == name && query.record_type == record_type)
    };
    assert!(asked("good.example", RecordType::Mx));
    assert!(asked("mx1.good.example", RecordType::A));
    assert!(asked("mx1.good.example", RecordType::Aaaa));
    assert!(asked("_dmarc.good.example", RecordType::Txt));
    assert!(asked("google._domainkey.good.example", RecordType::Txt));
    assert!(asked("_mta-sts.good.example", RecordType::Txt));
    assert!(asked("_smtp._tls.good.example", RecordType::Txt));
    assert!(asked("default._bimi.good.example", RecordType::Txt));
    assert!(asked("_25._tcp.mx1.good.example", RecordType::Tlsa));
    assert!(asked(
        "good.example._report._dmarc.reports.example",
        RecordType::Txt
    ));
    assert!(asked("25.2.0.192.in-addr.arpa", RecordType::Ptr));
}

/// Hostile names: nothing is asked, nothing panics, the error says why.
#[test]
fn names_that_are_not_domains_are_refused_without_lookups() {
    for name in [
        "",
        "not a domain",
        "a..b",
        "192.0.2.1",
        "x/y.example",
        &"a".repeat(300),
    ] {
        let audit = audit(GOOD, name);
        let error = audit
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{name:?} refused"));
        assert_eq!(error.kind, "invalid-domain");
        assert!(audit.queries.is_empty());
        assert_eq!(audit.grade.letter, None);
    }
    let idn = audit(GOOD, "bücher.example");
    assert_eq!(idn.domain, "xn--bcher-kva.example");
    assert_eq!(idn.error, None);
}

/// A zone with hundreds of MX records costs a bounded number of lookups.
#[test]
fn many_mx_hosts_are_bounded() {
    let lines: String = (0..300)
        .map(|index| {
            format!(
                "@ MX {index} mx{index}\nmx{index} A 192.0.2.{}\n",
                index % 250
            )
        })
        .collect();
    let audit = audit(&zone(&lines), "example.test");
    assert_eq!(audit.mx.hosts.len(), mx::MAX_HOSTS);
    assert_eq!(audit.mx.records_published, 300);
    assert!(has(&audit, "mx.hosts-limited"));
    assert!(audit.queries.len() < 150, "{} queries", audit.queries.len());
}

/// The MTA-STS policy goes through the fetcher: checked against the MX hosts, its mode read
/// (testing still lets a downgrade through), and a browser's refusal said as such.
#[test]
fn mta_sts_policy_is_fetched_and_checked_against_the_mx_hosts() {
    let text = zone(
        "@ MX 10 mx\nmx A 192.0.2.1\n@ MX 20 backup.other.test.\n_mta-sts TXT \"v=STSv1; id=1\"",
    );
    let run = |policy: Option<&str>| {
        pollster::block_on(audit_domain(
            "example.test",
            &DomainOptions::default(),
            &resolver(&text),
            &PastedPolicy(policy.map(str::to_string)),
        ))
    };
    let testing = run(Some(
        "version: STSv1\r\nmode: testing\r\nmx: mx.example.test\r\nmax_age: 1209600\r\n",
    ));
    assert!(has(&testing, "mta-sts.testing"));
    assert!(
        has(&testing, "mta-sts-policy.mx-not-covered"),
        "{:?}",
        codes(&testing)
    );
    assert!(testing
        .summary
        .iter()
        .any(|line| line.text.contains("MTA-STS is in testing mode")));
    let browser = run(None);
    let error = browser
        .mta_sts
        .policy
        .as_ref()
        .and_then(|policy| policy.error.as_ref())
        .expect("the fetch failed");
    assert_eq!(error.kind.word(), "blocked-by-browser");
    assert!(has(&browser, "mta-sts-policy.blocked-by-browser"));
    assert_eq!(browser.mta_sts.mode, None);
}
