//! The findings about end-to-end protection that the message's structure and DKIM's results
//! tell, without checking a signature; `verify` adds those that need the check.

use super::{E2eKind, E2eReport, SignatureResult};
use crate::report::{Finding, Severity};

const RFC1847: &str = "https://www.rfc-editor.org/rfc/rfc1847#section-2.1";
const RFC8551_PROTECTED: &str = "https://www.rfc-editor.org/rfc/rfc8551#section-3.1";
const RFC8551: &str = "https://www.rfc-editor.org/rfc/rfc8551#section-3";

fn kind_name(kind: E2eKind) -> &'static str {
    match kind {
        E2eKind::Smime => "S/MIME",
        E2eKind::Openpgp => "OpenPGP",
        E2eKind::None => "end-to-end",
    }
}

/// Findings from the structure alone: a protected part that is not the whole body, protected
/// header copies that differ from what the reader sees, an encrypted message, a missing body.
pub fn detection_findings(report: &E2eReport, body_given: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let name = kind_name(report.kind);
    if !body_given {
        findings.push(
            Finding::new(
                Severity::Info,
                "e2e.body-missing",
                format!(
                    "The header says the message is protected with {name}, but no body was given, \
                     so the protection cannot be checked."
                ),
            )
            .with_fix("Paste or open the whole message (.eml), body included."),
        );
        return findings;
    }
    if report.covers_whole_body == Some(false) {
        let what = if report.signed {
            "signature"
        } else {
            "encryption"
        };
        findings.push(
            Finding::new(
                Severity::Warning,
                "e2e.partial-body",
                format!(
                    "The {name} {what} covers one part of the message, not its whole body: the \
                     other parts (a footer a mailing list added, an attachment) are not protected \
                     and anyone on the way could have changed them."
                ),
            )
            .with_rfc(RFC1847),
        );
    }
    for header in report
        .protected_headers
        .iter()
        .filter(|header| header.differs)
    {
        let outer = header
            .outer
            .as_deref()
            .map_or_else(|| "absent".to_string(), crate::report::quoted);
        findings.push(
            Finding::new(
                Severity::Warning,
                "e2e.unprotected-header-differs",
                format!(
                    "The {} field the reader sees ({outer}) differs from the protected copy \
                     inside the signed part ({}): the outer field is not covered by the \
                     signature and may have been changed.",
                    header.name,
                    crate::report::quoted(&header.protected)
                ),
            )
            .with_rfc(RFC8551_PROTECTED),
        );
    }
    if report.encrypted {
        findings.push(
            Finding::new(
                Severity::Info,
                "e2e.encrypted",
                format!(
                    "The message is encrypted with {name}: only its recipients can read it. \
                     mailspect lists the recipients it names and never decrypts."
                ),
            )
            .with_rfc(RFC8551),
        );
    }
    findings
}

/// A signed message whose DKIM failed, and a DKIM pass beside a signature that fails: each
/// protection tells something about the other. `dkim_passed` is `Some(true)` when a DKIM
/// signature passed, `Some(false)` when there were signatures and none passed, `None` without
/// DKIM signatures.
pub fn dkim_findings(report: &E2eReport, dkim_passed: Option<bool>) -> Vec<Finding> {
    if !report.signed {
        return Vec::new();
    }
    let name = kind_name(report.kind);
    let result = report.signature.as_ref().map(|signature| signature.result);
    match (dkim_passed, result) {
        (Some(false), Some(SignatureResult::Pass)) => vec![Finding::new(
            Severity::Warning,
            "e2e.dkim-disagrees",
            format!(
                "The {name} signature is valid but DKIM failed: a server on the way changed the \
                 message's headers or an unsigned part (a list footer), or the DKIM signature \
                 does not match for another reason. The author's signature still holds."
            ),
        )],
        (Some(false), None | Some(SignatureResult::NotVerified)) => vec![Finding::new(
            Severity::Info,
            "e2e.dkim-disagrees",
            format!(
                "The message is signed with {name} but DKIM failed: if the {name} signature \
                 holds, the author's content is intact and a server on the way changed the rest."
            ),
        )],
        (Some(true), Some(SignatureResult::Fail)) => vec![Finding::new(
            Severity::Error,
            "e2e.dkim-disagrees",
            format!(
                "DKIM passed but the {name} signature fails: the content changed after the \
                 author signed it and before the sending domain's server signed it, or the \
                 signature was made with another key than the certificate's."
            ),
        )],
        _ => Vec::new(),
    }
}
