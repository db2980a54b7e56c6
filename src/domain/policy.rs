//! SPF and DMARC seen from the whole domain: the SPF audit ([`crate::spf::audit_domain`]) and
//! the DMARC audit ([`crate::dmarc::audit_domain`]) check each record; this adds what only the
//! domain view can say. A domain without SPF, a domain that receives no mail but whose SPF
//! lets hosts pass, the policy receivers really apply (after `t=y`, `pct=`), subdomains left
//! weaker than the domain, and report destinations that refuse the reports, each with the
//! exact record to publish.

use serde::Serialize;

use super::mx::{MxKind, MxSection};
use crate::dmarc::align::{applicable_policy, AppliedPolicy};
use crate::dmarc::{DmarcAudit, Policy, ReportAuthorization};
use crate::report::{Finding, Severity};
use crate::spf::{DomainAudit as SpfAudit, SpfResult};

const RFC_SPF_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.5";
const RFC_SPF_NO_MAIL: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-10.1.2";
const RFC_DMARC_POLICY: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.7";
const RFC_DMARC_PCT: &str = "https://www.rfc-editor.org/rfc/rfc7489#section-6.3";
const RFC_DMARC_EXTERNAL: &str = "https://www.rfc-editor.org/rfc/rfc7489#section-7.1";
const RFC_DMARC_NO_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-5.5";

/// The DMARC audit with the policies a receiver applies to the domain and its subdomains.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DmarcSection {
    /// The DMARC audit (`mailspect dmarc DOMAIN`); its `findings` include the domain view's.
    #[serde(flatten)]
    pub audit: DmarcAudit,
    /// The policy for mail from the domain itself; `null` without a usable record.
    pub policy: Option<AppliedPolicy>,
    /// The policy for mail from its existing subdomains.
    pub subdomain_policy: Option<AppliedPolicy>,
    /// The policy for mail from subdomains that do not exist (RFC 9989 `np=`).
    pub nonexistent_policy: Option<AppliedPolicy>,
    /// What receivers do with mail from the domain that fails DMARC, after `t=y` (one level
    /// less): `none` delivers it.
    pub enforced_policy: Option<Policy>,
    /// `pct=` below 100 (RFC 7489; RFC 9989 dropped it); `null` when absent or 100.
    pub percent: Option<u8>,
}

/// The level one below: what `t=y` makes receivers apply (RFC 9989 §4.7).
fn one_level_less(policy: Policy) -> Policy {
    match policy {
        Policy::Reject => Policy::Quarantine,
        Policy::Quarantine | Policy::None => Policy::None,
    }
}

fn strength(policy: Policy) -> u8 {
    match policy {
        Policy::None => 0,
        Policy::Quarantine => 1,
        Policy::Reject => 2,
    }
}

/// The DMARC section: the audit, the policies it implies and the domain view's findings.
pub fn dmarc_section(domain: &str, mut audit: DmarcAudit) -> DmarcSection {
    let (mut policy, mut subdomain_policy, mut nonexistent_policy) = (None, None, None);
    let (mut enforced_policy, mut percent) = (None, None);
    let mut findings = Vec::new();
    if let (Some(record), Some(record_domain)) = (&audit.record, &audit.record_domain) {
        policy = applicable_policy(record, record_domain, domain, Some(true));
        let child = format!("sub.{domain}");
        subdomain_policy = applicable_policy(record, record_domain, &child, Some(true));
        nonexistent_policy = applicable_policy(record, record_domain, &child, Some(false));
        let testing = record.testing.as_ref().is_some_and(|tag| tag.value);
        enforced_policy = policy.as_ref().map(|applied| {
            if testing {
                one_level_less(applied.requested)
            } else {
                applied.requested
            }
        });
        percent = record
            .percent
            .as_ref()
            .map(|tag| tag.value)
            .filter(|value| *value < 100);
        let fixed = |p: &str| {
            let rua = record
                .aggregate_uris
                .iter()
                .filter(|uri| uri.valid)
                .map(|uri| uri.uri.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let rua = if rua.is_empty() {
                format!("mailto:dmarc-reports@{domain}")
            } else {
                rua
            };
            format!("_dmarc.{record_domain}. TXT \"v=DMARC1; p={p}; rua={rua}\"")
        };
        if let Some(applied) = &policy {
            if applied.requested == Policy::Quarantine {
                findings.push(
                    Finding::new(Severity::Info, "dmarc.quarantine", format!("p=quarantine: receivers put mail that fails DMARC in the spam folder rather than refusing it, so forgeries still reach {domain}'s correspondents' mailboxes."))
                        .about_record(record_domain)
                        .with_rfc(RFC_DMARC_POLICY)
                        .with_fix(format!("When the aggregate reports show only your own mail passing, publish {}", fixed("reject"))),
                );
            }
            if testing && applied.requested != Policy::None {
                findings.push(
                    Finding::new(
                        Severity::Warning,
                        "dmarc.testing-weakens",
                        format!(
                            "t=y: receivers apply {} instead of p={}.",
                            one_level_less(applied.requested).word(),
                            applied.requested.word()
                        ),
                    )
                    .about_record(record_domain)
                    .with_rfc(RFC_DMARC_POLICY)
                    .with_fix(format!("Remove t=y: {}", fixed(applied.requested.word()))),
                );
            }
            for (what, weaker, tag) in [
                ("existing subdomains", &subdomain_policy, "sp"),
                ("subdomains that do not exist", &nonexistent_policy, "np"),
            ] {
                let Some(weaker) = weaker.as_ref() else {
                    continue;
                };
                if strength(weaker.requested) < strength(applied.requested) {
                    findings.push(
                        Finding::new(Severity::Warning, "dmarc.subdomain-policy-weaker", format!("{tag}={} is weaker than p={}: mail forged from {what} of {domain} (anything.{domain}) is {}.", weaker.requested.word(), applied.requested.word(), if weaker.requested == Policy::None { "delivered" } else { "only quarantined" }))
                            .about_record(record_domain)
                            .with_rfc(RFC_DMARC_POLICY)
                            .with_fix(format!("Remove {tag}= (then p= applies to subdomains) or set {tag}={}.", applied.requested.word())),
                    );
                }
            }
        }
        if let Some(percent) = percent {
            findings.push(
                Finding::new(Severity::Warning, "dmarc.sampled", format!("pct={percent}: receivers that follow RFC 7489 apply the policy to only {percent}% of failing mail and the next level down to the rest; RFC 9989 dropped pct= and its receivers ignore it."))
                    .about_record(record_domain)
                    .with_rfc(RFC_DMARC_PCT)
                    .with_fix(format!("Remove pct= (use t=y while testing): {}", fixed(policy.as_ref().map_or("none", |applied| applied.requested.word())))),
            );
        }
    }
    for destination in &audit.destinations {
        if destination.authorization != ReportAuthorization::NotAuthorized {
            continue;
        }
        let Some(name) = &destination.query else {
            continue;
        };
        findings.push(
            Finding::new(
                Severity::Warning,
                "dmarc.report-destination-unauthorized",
                format!("{} {}", destination.tag.name(), destination.reason),
            )
            .about_record(name)
            .with_rfc(RFC_DMARC_EXTERNAL)
            .with_fix(format!(
                "The owner of {} publishes {name}. TXT \"v=DMARC1\" (or remove the address from {}=).",
                destination.destination_domain.as_deref().unwrap_or("the destination"),
                destination.tag.name()
            )),
        );
    }
    // The DMARC audit says a record is missing; the domain view says which one to publish.
    for finding in audit.findings.iter_mut() {
        if finding.code == "dmarc.no-record" && finding.fix.is_none() {
            finding.fix = Some(format!("Publish _dmarc.{domain}. TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\" to start (reports show who sends as you), then p=quarantine and p=reject."));
            finding.domain = Some(format!("_dmarc.{domain}"));
            if finding.rfc.is_none() {
                finding.rfc = Some(RFC_DMARC_NO_RECORD);
            }
        }
    }
    audit.findings.extend(findings);
    DmarcSection {
        audit,
        policy,
        subdomain_policy,
        nonexistent_policy,
        enforced_policy,
        percent,
    }
}

/// What the SPF audit cannot say alone: the domain has no SPF at all, or receives no mail
/// (null MX) yet lets hosts pass or soft-fail.
pub fn spf_findings(domain: &str, spf: &SpfAudit, mx: &MxSection) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sends_no_mail = matches!(mx.kind, MxKind::NullMx);
    let several = spf
        .findings
        .iter()
        .any(|finding| finding.code == "spf.multiple-records");
    let failed = spf
        .findings
        .iter()
        .any(|finding| finding.code == "spf.lookup-failed");
    if spf.record.is_none() && spf.result == SpfResult::None && !several && !failed {
        let record = if sends_no_mail {
            format!("{domain}. TXT \"v=spf1 -all\"")
        } else {
            format!("{domain}. TXT \"v=spf1 mx -all\" (list every service that sends as {domain}, e.g. include:_spf.google.com)")
        };
        findings.push(
            Finding::new(Severity::Error, "spf.no-record", format!("{domain} publishes no SPF record: receivers cannot tell its servers from anyone else's, and DMARC can pass only on DKIM."))
                .about_record(domain)
                .with_rfc(RFC_SPF_RECORD)
                .with_fix(format!("Publish {record}")),
        );
    } else if sends_no_mail && spf.record.is_some() && spf.result != SpfResult::Fail {
        findings.push(
            Finding::new(Severity::Warning, "spf.no-mail-domain-not-fail", format!("{domain} receives no mail (null MX) and so probably sends none, but its SPF record gives {} for unknown hosts rather than fail.", spf.result.as_str()))
                .about_record(domain)
                .with_rfc(RFC_SPF_NO_MAIL)
                .with_fix(format!("Publish {domain}. TXT \"v=spf1 -all\"")),
        );
    }
    findings
}
