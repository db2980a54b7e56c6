//! MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record that announces a policy (§3.1), the
//! policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (§3.2, in
//! [`policy`]), MX pattern matching (§4.1) and the fetch of the policy over [`HttpFetch`]
//! ([`fetch`]).
//!
//! [`HttpFetch`]: crate::records::HttpFetch

pub mod fetch;
pub mod policy;

use serde::Serialize;

use super::tags::{self, is_field_value, Area, RecordTag};
use super::{finding, has_error};
use crate::report::{quoted, Finding, Severity};

pub use fetch::{fetch_policy, policy_url, MtaStsFetchReport, MAX_POLICY_BYTES};
pub use policy::{
    lint_policy, mx_matches, parse_policy, LineEnding, MtaStsPolicyReport, MxCheck, MxPattern,
    PolicyField, StsMode, StsPolicy,
};

pub(crate) const RFC_TXT: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-3.1";

const AREA: Area = Area {
    version: "STSv1",
    no_version: "mta-sts.no-version",
    malformed: "mta-sts.malformed-field",
    duplicate: "mta-sts.duplicate-field",
    rfc: RFC_TXT,
};

/// The `_mta-sts` TXT record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StsTxt {
    /// The record's text, TXT strings joined.
    pub text: String,
    /// Every field in order, `v=` first.
    pub tags: Vec<RecordTag>,
    /// `id=`: changes whenever the policy changes, so that senders fetch it again; `null` when
    /// absent.
    pub id: Option<String>,
}

/// The lint of an `_mta-sts` TXT record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsTxtReport {
    /// What could be read; `null` when the text is not an MTA-STS record (no `v=STSv1` first).
    pub record: Option<StsTxt>,
    /// Whether a sender would use the record: it reads and has a valid `id=`.
    pub valid: bool,
    pub findings: Vec<Finding>,
}

/// `sts-id = %s"id=" 1*32(ALPHA / DIGIT)`.
fn is_sts_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]` (RFC 8461
/// §3.1): the record as a sender uses it, or the findings that make senders ignore it ("If the
/// resulting record is syntactically invalid, senders MUST assume the recipient domain does not
/// have an available MTA-STS Policy").
pub fn parse_txt(text: &str) -> Result<StsTxt, Vec<Finding>> {
    let report = lint_txt(text);
    match report.record {
        Some(record) if report.valid => Ok(record),
        _ => Err(report
            .findings
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .collect()),
    }
}

/// Lints the `_mta-sts` TXT record `text`.
pub fn lint_txt(text: &str) -> MtaStsTxtReport {
    let (tags, mut findings) = tags::read(text, &AREA);
    let Some(tags) = tags else {
        for finding in findings.iter_mut().filter(|f| f.code == AREA.no_version) {
            finding.fix = Some(
                "Publish v=STSv1; id=… with an id of up to 32 letters and digits, e.g. the date \
                 and time the policy last changed (20250101000000)."
                    .into(),
            );
        }
        return MtaStsTxtReport {
            record: None,
            valid: false,
            findings,
        };
    };
    let id_tag = tags::first(&tags, "id");
    match id_tag {
        None => findings.push(finding(
            Severity::Error,
            "mta-sts.no-id",
            "The record has no id=; senders ignore a record without one.",
            RFC_TXT,
            None,
            Some(format!(
                "{} with an id of up to 32 letters and digits that changes with each policy.",
                publish(&tags, Some("20250101000000"))
            )),
        )),
        Some(tag) if !is_sts_id(&tag.value) => {
            let cleaned: String = tag
                .value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(32)
                .collect();
            let fix = if cleaned.is_empty() {
                "Use an id of 1 to 32 letters and digits.".to_string()
            } else {
                publish(&tags, Some(&cleaned))
            };
            findings.push(finding(
                Severity::Error,
                "mta-sts.invalid-id",
                format!(
                    "id={} is not 1 to 32 letters and digits ({} characters); senders ignore the \
                     record.",
                    quoted(&tag.value),
                    tag.value.chars().count()
                ),
                RFC_TXT,
                Some(tag.value_span),
                Some(fix),
            ));
        }
        Some(_) => {}
    }
    for tag in tags.iter().skip(1).filter(|tag| tag.name != "id") {
        if !is_field_value(&tag.value) {
            findings.push(finding(
                Severity::Error,
                AREA.malformed,
                format!(
                    "The value of {}= is empty or holds white space, \";\" or \"=\".",
                    tag.name
                ),
                RFC_TXT,
                Some(tag.record_span),
                Some(publish(&tags, id_tag.map(|tag| tag.value.as_str()))),
            ));
        } else if tag.name != "v" {
            findings.push(finding(
                Severity::Info,
                "mta-sts.unknown-field",
                format!(
                    "{}= is not a field RFC 8461 defines; senders ignore it.",
                    tag.name
                ),
                RFC_TXT,
                Some(tag.record_span),
                None,
            ));
        }
    }
    let valid = !has_error(&findings);
    MtaStsTxtReport {
        record: Some(StsTxt {
            text: text.to_string(),
            id: id_tag.map(|tag| tag.value.clone()),
            tags,
        }),
        valid,
        findings,
    }
}

/// The record to publish: `v=STSv1`, the id, and the extension fields whose values are valid.
fn publish(tags: &[RecordTag], id: Option<&str>) -> String {
    let mut fields = vec!["v=STSv1".to_string()];
    if let Some(id) = id.filter(|id| is_sts_id(id)) {
        fields.push(format!("id={id}"));
    }
    for tag in tags.iter().skip(1) {
        if tag.name != "id"
            && tag.name != "v"
            && is_field_value(&tag.value)
            && tags::is_first(tags, tag)
        {
            fields.push(format!("{}={}", tag.name, tag.value));
        }
    }
    let mut record = fields.join("; ");
    record.push(';');
    record
}
