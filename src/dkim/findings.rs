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
