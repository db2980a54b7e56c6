//! DMARC failure reports: a `multipart/report; report-type=feedback-report` message (ARF, RFC
//! 5965) with the DMARC fields of RFC 6591 and RFC 9991, and the original message or its header
//! block. The machine-readable part is a header-like block of `Field: value` lines (RFC 5965
//! §3.1); every field is kept in `fields`, and the ones a postmaster acts on are named.

use mail_parser::{Message, MimeHeaders};
use serde::{Deserialize, Serialize};

use super::limits::MAX_ORIGINAL_HEADERS;
use crate::report::{quoted, Finding, Severity};

/// One failure report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct FailureReport {
    pub file: String,
    /// The report e-mail's Subject.
    pub subject: Option<String>,
    /// `Feedback-Type` (RFC 5965 §3.1): `auth-failure` for DMARC.
    pub feedback_type: Option<String>,
    pub user_agent: Option<String>,
    pub version: Option<String>,
    /// `Auth-Failure` (RFC 6591 §3.2.2): `dmarc`, `dkim`, `spf`, `adsp`, `bodyhash`, `revoked`,
    /// `signature`.
    pub auth_failure: Option<String>,
    pub reported_domain: Option<String>,
    pub source_ip: Option<String>,
    pub arrival_date: Option<String>,
    pub reporting_mta: Option<String>,
    pub original_mail_from: Option<String>,
    pub original_rcpt_to: Option<String>,
    pub delivery_result: Option<String>,
    /// `Identity-Alignment` (RFC 6591 §3.2.3 / RFC 9991): which identities aligned.
    pub identity_alignment: Option<String>,
    /// Every `Authentication-Results` field of the report.
    pub authentication_results: Vec<String>,
    pub dkim_domain: Option<String>,
    pub dkim_identity: Option<String>,
    pub dkim_selector: Option<String>,
    pub spf_dns: Option<String>,
    pub incidents: Option<u64>,
    /// Every field of the machine-readable part, in order, names as written.
    pub fields: Vec<ReportField>,
    /// The original message's header block (the first 64 KB), when it was included.
    pub original_headers: Option<String>,
    pub original_from: Option<String>,
    pub original_subject: Option<String>,
    pub original_message_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReportField {
    pub name: String,
    pub value: String,
}

/// Whether a parsed e-mail is a failure report: `report-type=feedback-report` on its
/// `multipart/report`, or a `message/feedback-report` part anywhere.
pub fn is_failure_report(message: &Message<'_>) -> bool {
    let root_says = message.content_type().is_some_and(|content_type| {
        content_type.ctype().eq_ignore_ascii_case("multipart")
            && content_type
                .subtype()
                .is_some_and(|subtype| subtype.eq_ignore_ascii_case("report"))
            // Some reporters (exim) leave out report-type; a delivery status notification is
            // the other kind of multipart/report and always says so.
            && content_type
                .attribute("report-type")
                .is_none_or(|kind| kind.eq_ignore_ascii_case("feedback-report"))
    });
    root_says
        || message
            .parts
            .iter()
            .any(|part| media(part) == "message/feedback-report")
}

fn media(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map_or_else(String::new, |content_type| {
            format!(
                "{}/{}",
                content_type.ctype(),
                content_type.subtype().unwrap_or_default()
            )
            .to_ascii_lowercase()
        })
}

/// Reads a failure report; a report with no machine-readable part keeps what its original
/// message says, with a finding.
pub fn parse(file: &str, message: &Message<'_>, findings: &mut Vec<Finding>) -> FailureReport {
    let mut report = FailureReport {
        file: file.to_owned(),
        subject: message.subject().map(str::to_owned),
        ..FailureReport::default()
    };
    let feedback = message
        .parts
        .iter()
        .find(|part| media(part) == "message/feedback-report");
    match feedback {
        Some(part) => {
            let text = String::from_utf8_lossy(part.contents());
            for (name, value) in fields(&text) {
                apply(&mut report, &name, &value);
                report.fields.push(ReportField { name, value });
            }
        }
        None => findings.push(
            Finding::new(
                Severity::Warning,
                "reports.failure-no-arf",
                format!(
                    "{}: is a multipart/report without a message/feedback-report part; only the \
                     original message's headers are read (RFC 6591 §3.1).",
                    quoted(file)
                ),
            )
            .with_rfc("https://www.rfc-editor.org/rfc/rfc6591#section-3.1"),
        ),
    }
    let original = message.parts.iter().find(|part| {
        matches!(
            media(part).as_str(),
            "message/rfc822" | "text/rfc822-headers" | "message/global" | "message/global-headers"
        )
    });
    if let Some(part) = original {
        let bytes = part.contents();
        let end = header_end(bytes).min(MAX_ORIGINAL_HEADERS);
        let headers = String::from_utf8_lossy(bytes.get(..end).unwrap_or(bytes)).into_owned();
        for (name, value) in fields(&headers) {
            let slot = match name.to_ascii_lowercase().as_str() {
                "from" => &mut report.original_from,
                "subject" => &mut report.original_subject,
                "message-id" => &mut report.original_message_id,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        report.original_headers = Some(headers);
    }
    if report.feedback_type.is_none() && report.original_headers.is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            "reports.failure-empty",
            format!(
                "{}: is a failure report with neither feedback fields nor the original \
                 message's headers.",
                quoted(file)
            ),
        ));
    }
    report
}

/// The end of a header block: the first empty line, or all of it.
fn header_end(bytes: &[u8]) -> usize {
    let crlf = bytes.windows(4).position(|window| window == b"\r\n\r\n");
    let lf = bytes.windows(2).position(|window| window == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => bytes.len(),
    }
}

/// `Name: value` fields with folded lines unfolded (RFC 5322 §2.2.3), up to the first empty
/// line.
fn fields(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if fields.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

fn apply(report: &mut FailureReport, name: &str, value: &str) {
    let value = value.to_owned();
    let slot = match name.to_ascii_lowercase().as_str() {
        "feedback-type" => &mut report.feedback_type,
        "user-agent" => &mut report.user_agent,
        "version" => &mut report.version,
        "auth-failure" => &mut report.auth_failure,
        "reported-domain" => &mut report.reported_domain,
        "source-ip" => &mut report.source_ip,
        "arrival-date" | "received-date" => &mut report.arrival_date,
        "reporting-mta" => &mut report.reporting_mta,
        "original-mail-from" => &mut report.original_mail_from,
        "original-rcpt-to" => &mut report.original_rcpt_to,
        "delivery-result" => &mut report.delivery_result,
        "identity-alignment" => &mut report.identity_alignment,
        "dkim-domain" => &mut report.dkim_domain,
        "dkim-identity" => &mut report.dkim_identity,
        "dkim-selector" => &mut report.dkim_selector,
        "spf-dns" => &mut report.spf_dns,
        "authentication-results" => {
            report.authentication_results.push(value);
            return;
        }
        "incidents" => {
            report.incidents = value.trim().parse().ok();
            return;
        }
        _ => return,
    };
    slot.get_or_insert(value);
}
