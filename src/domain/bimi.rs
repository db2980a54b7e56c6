//! BIMI (Brand Indicators for Message Identification): the `default._bimi.<domain>` TXT record
//! that names the logo receivers may show beside authenticated mail. Receivers show it only
//! for a domain whose DMARC policy is enforced (quarantine or reject), so the audit reads the
//! two together.

use serde::Serialize;

use super::transport::{has_tag, TxtRecords};
use crate::dmarc::Policy;
use crate::report::{Finding, Severity};

const BIMI_DRAFT: &str =
    "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification";

/// The BIMI section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct BimiSection {
    /// `default._bimi.<domain>` TXT.
    pub txt: TxtRecords,
    pub findings: Vec<Finding>,
}

/// The BIMI section's findings: the record's lint, and whether DMARC lets receivers show it.
/// `enforced`: the DMARC policy receivers apply to the domain.
pub fn findings(domain: &str, txt: &TxtRecords, enforced: Option<Policy>) -> Vec<Finding> {
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
        Some(record) => {
            if !enforcing {
                findings.push(
                    Finding::new(
                        Severity::Warning,
                        "bimi.dmarc-not-enforced",
                        format!("{domain} publishes a BIMI record, but receivers show the logo only when DMARC is enforced (p=quarantine or p=reject, no pct= below 100)."),
                    )
                    .about_record(name)
                    .with_rfc(BIMI_DRAFT)
                    .with_fix(format!("Move _dmarc.{domain} to p=quarantine or p=reject.")),
                );
            }
            findings.extend(lint_bimi(name, record));
        }
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
        None => {}
    }
    findings
}

/// The integration point of the BIMI record linter.
fn lint_bimi(name: &str, record: &str) -> Vec<Finding> {
    if has_tag(record, "l") {
        return Vec::new();
    }
    vec![Finding::new(
        Severity::Error,
        "bimi.no-logo",
        format!("The record at {name} has no l= (logo URL)."),
    )
    .about_record(name)
    .with_rfc(BIMI_DRAFT)]
}
