//! The mail-related DNS records that are not SPF, DKIM or DMARC, read and linted from their text
//! alone: MTA-STS (RFC 8461: the `_mta-sts` TXT record and the policy file), TLS-RPT (RFC 8460),
//! BIMI (draft-brand-indicators-for-message-identification, with its SVG Tiny PS logo) and TLSA
//! for SMTP (RFC 7672, RFC 7671).
//!
//! Where it sits: the domain audit looks the records up and hands their text here; record mode
//! ([`mode`], `mailspect record`) hands a pasted record here with no DNS at all, guessing its
//! kind when it is not given, and reuses the SPF, DMARC and DKIM parsers for those kinds.
//! [`generate`] writes the records to publish next. [`fetch`] is the one place the core asks for
//! HTTPS (the MTA-STS policy, the BIMI logo): a trait the edges answer, as DNS is.
//!
//! Each record module has `parse(text) -> Result<Record, Vec<Finding>>` (the record as a sender
//! would use it, or the findings that make it unusable) and `lint(text) -> Report` (what could
//! be read, whether it is usable, and every finding, each with its `record_span` and, where the
//! owner can act, a `fix` naming the exact record to publish).

pub mod bimi;
pub mod fetch;
pub mod generate;
pub mod mode;
pub mod mta_sts;
mod tags;
pub mod tls_rpt;
pub mod tlsa;

#[cfg(test)]
mod tests;

use crate::report::{Finding, Severity, Span};

pub use fetch::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};
pub use mode::{lint_record, RecordKind, RecordReport};
pub use tags::RecordTag;

/// A finding about a record's text, with the place and the fix when there are any. The domain
/// is left `null`: these linters see text only, and [`about_domain`] sets it when the caller
/// knows where the record was published.
pub(crate) fn finding(
    severity: Severity,
    code: &'static str,
    message: impl Into<String>,
    rfc: &'static str,
    record_span: Option<Span>,
    fix: Option<String>,
) -> Finding {
    let mut finding = Finding::new(severity, code, message).with_rfc(rfc);
    finding.record_span = record_span;
    finding.fix = fix;
    finding
}

/// Whether any finding makes the record unusable.
pub(crate) fn has_error(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|finding| finding.severity == Severity::Error)
}

/// Marks every finding as being about the record published at `domain` (the `domain` field of
/// docs/report.md): for callers that looked the record up.
pub fn about_domain(findings: &mut [Finding], domain: &str) {
    for finding in findings {
        finding.domain = Some(domain.to_string());
    }
}

/// Records longer than this are not DNS records anyone publishes: they are refused whole
/// before any parsing, so that hostile input costs nothing. (A TXT record's RDATA is at most
/// 65,535 octets; real records are a few hundred.)
pub const MAX_RECORD_LEN: usize = 16 * 1024;

/// The finding for a text over [`MAX_RECORD_LEN`], or `None`.
pub(crate) fn too_long(text: &str, code: &'static str, rfc: &'static str) -> Option<Finding> {
    (text.len() > MAX_RECORD_LEN).then(|| {
        finding(
            Severity::Error,
            code,
            format!(
                "The text is {} bytes long; no record of this kind is longer than {MAX_RECORD_LEN}.",
                text.len()
            ),
            rfc,
            None,
            None,
        )
    })
}
