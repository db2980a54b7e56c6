//! BIMI (Brand Indicators for Message Identification): the `default._bimi.<domain>` TXT record
//! that names the logo receivers may show beside authenticated mail. Receivers show it only
//! for a domain whose DMARC policy is enforced (quarantine or reject), so the audit reads the
//! two together.

use serde::Serialize;

use super::transport::{lint_one, TxtRecords};
use crate::dmarc::Policy;
use crate::records::bimi::{self as record, BimiReport};
use crate::report::{Finding, Severity};

const BIMI_DRAFT: &str =
    "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification";

/// The BIMI section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct BimiSection {
    /// `default._bimi.<domain>` TXT.
    pub txt: TxtRecords,
    /// The lint of the record receivers use; `null` when there is not exactly one.
    pub lint: Option<BimiReport>,
    pub findings: Vec<Finding>,
}

/// The section: the record's lint and what DMARC lets receivers do with it.
pub fn section(domain: &str, txt: TxtRecords, enforced: Option<Policy>) -> BimiSection {
    let lint = lint_one(&txt, record::lint, |report| &mut report.findings);
    let mut findings = findings(domain, &txt, enforced);
    if let Some(lint) = &lint {
        findings.extend(lint.findings.iter().cloned());
    }
    BimiSection {
        txt,
        lint,
        findings,
    }
}

/// The BIMI section's findings: the record's lint, and whether DMARC lets receivers show it.
/// `enforced`: the DMARC policy receivers apply to the domain.
fn findings(domain: &str, txt: &TxtRecords, enforced: Option<Policy>) -> Vec<Finding> {
    let name = &txt.name;
    let mut findings = Vec::new();
    let enforcing = matches!(enforced, Some(Policy::Quarantine | Policy::Reject));
    if txt.records.len() > 1 {
        findings.push(
            Finding::new(
                Severity::Warning,
                "bimi.multiple-records",
                format!(
                    "{name} has {} v=BIMI1 records: receivers show no logo.",
                    txt.records.len()
                ),
            )
            .about_record(name)
            .with_rfc(BIMI_DRAFT),
        );
    }
    match txt.record() {
        Some(_) if !enforcing => findings.push(
            Finding::new(
                Severity::Warning,
                "bimi.dmarc-not-enforced",
                format!("{domain} publishes a BIMI record, but receivers show the logo only when DMARC is enforced (p=quarantine or p=reject, no pct= below 100)."),
            )
            .about_record(name)
            .with_rfc(BIMI_DRAFT)
            .with_fix(format!("Move _dmarc.{domain} to p=quarantine or p=reject.")),
        ),
        None if txt.records.is_empty() && enforcing => findings.push(
            Finding::new(
                Severity::Info,
                "bimi.none",
                format!("{domain} enforces DMARC, so it could show its logo in receivers that support BIMI; it publishes no BIMI record."),
            )
            .about_record(name)
            .with_rfc(BIMI_DRAFT)
            .with_fix(format!("Publish {name}. TXT \"v=BIMI1; l=https://{domain}/logo.svg\" with an SVG Tiny PS logo (Gmail and Apple Mail also want a mark certificate in a=).")),
        ),
        Some(_) | None => {}
    }
    findings
}
