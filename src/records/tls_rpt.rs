//! SMTP TLS Reporting (RFC 8460 §3): the `_smtp._tls.<domain>` TXT record that says where
//! sending servers send their daily reports of TLS failures (MTA-STS and DANE).
//!
//! ```text
//! tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//! tlsrpt-version = %s"v=TLSRPTv1"
//! tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//! tlsrpt-uri = URI            ; mailto: or https:
//! ```

use serde::Serialize;

use super::tags::{self, is_field_value, Area, RecordTag};
use super::{finding, has_error};
use crate::report::{quoted, Finding, Severity, Span};

const RFC_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc8460#section-3";

const AREA: Area = Area {
    version: "TLSRPTv1",
    no_version: "tlsrpt.no-version",
    malformed: "tlsrpt.malformed-field",
    duplicate: "tlsrpt.duplicate-field",
    rfc: RFC_RECORD,
};

/// How a report reaches its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReportScheme {
    /// `mailto:`: by mail (RFC 8460 §5.3).
    Mailto,
    /// `https:`: by HTTP POST (RFC 8460 §5.4).
    Https,
    /// Anything else: unusable.
    Other,
}

/// One URI of `rua=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReportDestination {
    /// As written.
    pub uri: String,
    pub scheme: ReportScheme,
    /// Whether reports can be sent there.
    pub valid: bool,
    /// What is wrong with it, when not valid; `null` otherwise.
    pub problem: Option<String>,
    pub record_span: Span,
}

/// The TLS-RPT record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsRptRecord {
    /// The record's text, TXT strings joined.
    pub text: String,
    /// Every field in order, `v=` first.
    pub tags: Vec<RecordTag>,
    /// `rua=`, in order; `[]` when absent.
    pub rua: Vec<ReportDestination>,
}

/// The lint of a TLS-RPT record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsRptReport {
    /// What could be read; `null` when the text is not a TLS-RPT record (no `v=TLSRPTv1` first).
    pub record: Option<TlsRptRecord>,
    /// Whether senders would send reports: the record reads and `rua=` has a usable URI.
    pub valid: bool,
    pub findings: Vec<Finding>,
}

/// The record as senders use it, or the findings that make them send no reports.
pub fn parse(text: &str) -> Result<TlsRptRecord, Vec<Finding>> {
    let report = lint(text);
    match report.record {
        Some(record) if report.valid => Ok(record),
        _ => Err(report
            .findings
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .collect()),
    }
}

/// `tlsrpt-uri = URI`: a `mailto:` address or an `https:` URL (RFC 8460 §3: "The record
/// supports the ability to declare more than one rua, and if there exists more than one, the
/// reporter MAY attempt to deliver to each").
fn destination(uri: &str, record_span: Span) -> ReportDestination {
    let lower = uri.to_ascii_lowercase();
    let (scheme, problem) = if let Some(address) = lower.strip_prefix("mailto:") {
        let address = address.split('?').next().unwrap_or("");
        let problem = match address.rsplit_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => None,
            _ => Some(format!("{} is not an email address", quoted(address))),
        };
        (ReportScheme::Mailto, problem)
    } else if let Some(rest) = lower.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let problem = (host.is_empty() || host.contains('@'))
            .then(|| "the https: URL has no host".to_string());
        (ReportScheme::Https, problem)
    } else {
        let problem = if lower.starts_with("http://") {
            "reports go over https:, not http:".to_string()
        } else {
            "only mailto: and https: URIs can receive reports".to_string()
        };
        (ReportScheme::Other, Some(problem))
    };
    let problem = problem.or_else(|| {
        uri.contains(char::is_whitespace)
            .then(|| "the URI holds white space".to_string())
    });
    ReportDestination {
        uri: uri.to_string(),
        scheme,
        valid: problem.is_none(),
        problem,
        record_span,
    }
}

/// `rua=` split at commas, each URI with its span.
fn destinations(tag: &RecordTag) -> Vec<ReportDestination> {
    let mut offset = tag.value_span.start;
    let mut list = Vec::new();
    for piece in tag.value.split(',') {
        let leading = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        let start = offset + leading;
        if !trimmed.is_empty() {
            list.push(destination(
                trimmed,
                Span::new(start, start + trimmed.len()),
            ));
        }
        offset += piece.len() + 1;
    }
    list
}

/// Lints the TLS-RPT record `text`.
pub fn lint(text: &str) -> TlsRptReport {
    let (tags, mut findings) = tags::read(text, &AREA);
    let starter = "v=TLSRPTv1; rua=mailto:tls-reports@example.com (replace the address with a \
                   mailbox of yours)";
    let Some(tags) = tags else {
        for finding in findings.iter_mut().filter(|f| f.code == AREA.no_version) {
            finding.fix = Some(format!("Publish {starter}."));
        }
        return TlsRptReport {
            record: None,
            valid: false,
            findings,
        };
    };
    let rua = tags::first(&tags, "rua")
        .map(destinations)
        .unwrap_or_default();
    if tags::first(&tags, "rua").is_none() {
        findings.push(finding(
            Severity::Error,
            "tlsrpt.no-rua",
            "The record has no rua=; senders have nowhere to send reports.",
            RFC_RECORD,
            None,
            Some(format!("Publish {starter}.")),
        ));
    }
    for destination in rua.iter().filter(|d| !d.valid) {
        findings.push(finding(
            Severity::Error,
            "tlsrpt.bad-uri",
            format!(
                "{} cannot receive reports: {}.",
                quoted(&destination.uri),
                destination.problem.as_deref().unwrap_or("unusable")
            ),
            RFC_RECORD,
            Some(destination.record_span),
            None,
        ));
    }
    if !rua.is_empty() && rua.iter().all(|d| !d.valid) {
        findings.push(finding(
            Severity::Error,
            "tlsrpt.no-usable-rua",
            "No URI of rua= can receive reports.",
            RFC_RECORD,
            None,
            Some(format!("Publish {starter}.")),
        ));
    }
    let fixable =
        findings.iter().any(|f| f.code == "tlsrpt.bad-uri") && rua.iter().any(|d| d.valid);
    let fixed = fixable.then(|| {
        let good: Vec<&str> = rua
            .iter()
            .filter(|d| d.valid)
            .map(|d| d.uri.as_str())
            .collect();
        format!("v=TLSRPTv1; rua={}", good.join(","))
    });
    for finding in findings.iter_mut().filter(|f| f.code == "tlsrpt.bad-uri") {
        finding.fix = fixed.clone().or(Some(
            "Use mailto: with a full address, or an https: URL.".into(),
        ));
    }
    for tag in tags.iter().skip(1).filter(|tag| tag.name != "rua") {
        let (severity, message) = if is_field_value(&tag.value) {
            (
                Severity::Info,
                format!(
                    "{}= is not a field RFC 8460 defines; senders ignore it.",
                    tag.name
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "The value of {}= is empty or holds white space, \";\" or \"=\".",
                    tag.name
                ),
            )
        };
        findings.push(finding(
            severity,
            "tlsrpt.unknown-field",
            message,
            RFC_RECORD,
            Some(tag.record_span),
            None,
        ));
    }
    let valid = !has_error(&findings) || rua.iter().any(|d| d.valid);
    TlsRptReport {
        record: Some(TlsRptRecord {
            text: text.to_string(),
            tags,
            rua,
        }),
        valid,
        findings,
    }
}
