//! DKIM's entries in the report's findings list: the one-line summary a reader scans first. The
//! full story of each signature is in its [`DkimReport`].

use crate::report::{Finding, Severity};

use super::{DkimReport, DkimResult, Outcome};

const VERIFIER_ACTIONS: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-6.1";

/// One finding per signature that did not pass, and the signature's own findings (an `l=` limit,
/// a testing key, a short key), each pointing at its DKIM-Signature field.
pub fn findings(reports: &[DkimReport]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for report in reports {
        let who = format!("DKIM signature d={} s={}", report.domain, report.selector);
        let (severity, code) = match (report.result, report.outcome) {
            (DkimResult::Pass, _) => (None, ""),
            (_, Outcome::HeaderSignatureValidBodyNotChecked) => {
                (Some(Severity::Info), "dkim.body-not-checked")
            }
            (DkimResult::Fail, _) => (Some(Severity::Error), "dkim.fail"),
            (DkimResult::Policy, _) => (Some(Severity::Warning), "dkim.policy"),
            (DkimResult::Temperror, _) => (Some(Severity::Warning), "dkim.temperror"),
            (DkimResult::Permerror, _) => (Some(Severity::Warning), "dkim.permerror"),
            (DkimResult::Neutral | DkimResult::None, _) => {
                (Some(Severity::Warning), "dkim.neutral")
            }
        };
        if let Some(severity) = severity {
            findings.push(
                Finding::new(
                    severity,
                    code,
                    format!("{who}: {} ({}).", report.reason, report.result),
                )
                .with_rfc(VERIFIER_ACTIONS)
                .with_span(report.span),
            );
        }
        // The details (an `l=` limit, a testing key, a short key), each already a finding of
        // the signature's own report.
        findings.extend(report.findings.iter().cloned());
    }
    findings
}

/// The `d=` of every DKIM-Signature field, read before any verification (what can be read of
/// each; signatures without a readable `d=` are left out), lower case, each once: DMARC asks
/// the organisational domains of these names, and can start while the keys are fetched.
pub fn signing_domains(message: &crate::message::Message) -> Vec<String> {
    let mut domains: Vec<String> = Vec::new();
    for field in message
        .fields_named("DKIM-Signature")
        .take(super::verify::MAX_SIGNATURES)
    {
        let (tags, _) = super::parse::tag_specs(message.value_bytes(field));
        let domain = tags.iter().find(|tag| tag.name == b"d").map(|tag| {
            String::from_utf8_lossy(tag.value)
                .trim()
                .to_ascii_lowercase()
        });
        if let Some(domain) = domain.filter(|domain| !domain.is_empty()) {
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
    }
    domains
}
