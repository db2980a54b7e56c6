//! DKIM's entries in the report's findings list: the one-line summary a reader scans first. The
//! full story of each signature is in its [`DkimReport`].

use crate::report::{Finding, Severity};

use super::{DkimReport, DkimResult, Outcome};

const VERIFIER_ACTIONS: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-6.1";
const BODY_LENGTH: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-8.2";
const KEY_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1";

/// One finding per signature that did not pass, and one per warning-worthy detail of those that
/// did (an `l=` limit, a testing key), each pointing at its DKIM-Signature field.
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
            continue;
        }
        if let Some(length) = report.body_length {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "dkim.body-length-limit",
                    format!(
                        "{who} covers only the first {length} bytes of the body (l=); text \
                         added after them would not break it."
                    ),
                )
                .with_rfc(BODY_LENGTH)
                .with_span(report.span),
            );
        }
        if report.key.as_ref().is_some_and(|key| key.testing) {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "dkim.testing-key",
                    format!("{who} passes, but its key says the domain is testing DKIM (t=y)."),
                )
                .with_rfc(KEY_RECORD)
                .with_span(report.span),
            );
        }
    }
    findings
}
