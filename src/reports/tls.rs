//! SMTP TLS reports (RFC 8460 §4): JSON, per policy the sessions that succeeded and failed and
//! the failures by type (`starttls-not-supported`, `certificate-expired`,
//! `validation-failure`, …).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::limits::MAX_TLS_DETAILS;
use crate::report::{quoted, Finding, Severity};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsReport {
    pub file: String,
    pub organization_name: Option<String>,
    /// RFC 3339 date-times, as written.
    pub start_datetime: Option<String>,
    pub end_datetime: Option<String>,
    pub contact_info: Option<String>,
    pub report_id: Option<String>,
    pub policies: Vec<TlsPolicy>,
}

impl TlsReport {
    /// The organisation and report id, or the file when either is missing.
    pub fn dedup_key(&self) -> String {
        match (&self.organization_name, &self.report_id) {
            (Some(org), Some(id)) => format!("{org}\u{0}{id}"),
            _ => format!("\u{1}{}", self.file),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsPolicy {
    /// `sts`, `tlsa` or `no-policy-found`.
    pub policy_type: Option<String>,
    pub policy_domain: Option<String>,
    pub policy_string: Vec<String>,
    pub mx_host: Vec<String>,
    pub successful_sessions: u64,
    pub failed_sessions: u64,
    pub failure_details: Vec<TlsFailureDetail>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsFailureDetail {
    pub result_type: Option<String>,
    pub sending_mta_ip: Option<String>,
    pub receiving_mx_hostname: Option<String>,
    pub receiving_mx_helo: Option<String>,
    pub receiving_ip: Option<String>,
    pub failed_session_count: u64,
    pub additional_information: Option<String>,
    pub failure_reason_code: Option<String>,
}

/// Reads one TLS report. `None`, with a finding, for JSON that is not one.
pub fn parse(file: &str, bytes: &[u8], findings: &mut Vec<Finding>) -> Option<TlsReport> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(error) => {
            findings.push(Finding::new(
                Severity::Error,
                "reports.json-malformed",
                format!(
                    "{} line {}, column {}: is not JSON: {error}.",
                    quoted(file),
                    error.line(),
                    error.column()
                ),
            ));
            return None;
        }
    };
    let Some(object) = value.as_object() else {
        findings.push(not_tls(file));
        return None;
    };
    if !object.contains_key("policies") && !object.contains_key("organization-name") {
        findings.push(not_tls(file));
        return None;
    }
    let range = value.get("date-range");
    let mut truncated = false;
    let policies = array(&value, "policies")
        .map(|policy| {
            let details = array(policy, "failure-details");
            let mut failure_details = Vec::new();
            for detail in details {
                if failure_details.len() == MAX_TLS_DETAILS {
                    truncated = true;
                    break;
                }
                failure_details.push(TlsFailureDetail {
                    result_type: text(detail, "result-type"),
                    sending_mta_ip: text(detail, "sending-mta-ip"),
                    receiving_mx_hostname: text(detail, "receiving-mx-hostname"),
                    receiving_mx_helo: text(detail, "receiving-mx-helo"),
                    receiving_ip: text(detail, "receiving-ip"),
                    failed_session_count: count(detail, "failed-session-count"),
                    additional_information: text(detail, "additional-information"),
                    failure_reason_code: text(detail, "failure-reason-code"),
                });
            }
            let inner = policy.get("policy");
            let summary = policy.get("summary");
            TlsPolicy {
                policy_type: inner.and_then(|inner| text(inner, "policy-type")),
                policy_domain: inner.and_then(|inner| text(inner, "policy-domain")),
                policy_string: strings(inner, "policy-string"),
                mx_host: strings(inner, "mx-host"),
                successful_sessions: summary.map_or(0, |summary| {
                    count(summary, "total-successful-session-count")
                }),
                failed_sessions: summary
                    .map_or(0, |summary| count(summary, "total-failure-session-count")),
                failure_details,
            }
        })
        .collect();
    if truncated {
        findings.push(Finding::new(
            Severity::Warning,
            "reports.too-many-records",
            format!(
                "{}: a policy lists more than {MAX_TLS_DETAILS} failure details; the rest are \
                 not read.",
                quoted(file)
            ),
        ));
    }
    Some(TlsReport {
        file: file.to_owned(),
        organization_name: text(&value, "organization-name"),
        start_datetime: range.and_then(|range| text(range, "start-datetime")),
        end_datetime: range.and_then(|range| text(range, "end-datetime")),
        contact_info: text(&value, "contact-info"),
        report_id: text(&value, "report-id"),
        policies,
    })
}

fn not_tls(file: &str) -> Finding {
    Finding::new(
        Severity::Error,
        "reports.wrong-schema",
        format!(
            "{}: is JSON but not an SMTP TLS report: it has neither \"organization-name\" nor \
             \"policies\" (RFC 8460 §4).",
            quoted(file)
        ),
    )
    .with_rfc("https://www.rfc-editor.org/rfc/rfc8460#section-4")
}

fn array<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(text) => Some(text.trim().to_owned()).filter(|text| !text.is_empty()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A string or a list of strings (`mx-host` is either in reports seen).
fn strings(value: Option<&Value>, key: &str) -> Vec<String> {
    match value.and_then(|value| value.get(key)) {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn count(value: &Value, key: &str) -> u64 {
    value.get(key).and_then(Value::as_u64).unwrap_or(0)
}
