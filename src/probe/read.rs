//! A probe report read back from its JSON (`mailspect probe --json`), so that the page can fold
//! a report the CLI wrote into the domain audit it shows. The file is outside input: its size
//! is capped, its shape must be the schema's, and a finding may carry only the codes and RFC
//! links the probe itself writes ([`CODES`], [`RFCS`]): a hand-edited code would otherwise be
//! graded as if the probe had found it.

use serde::{Deserialize, Deserializer};

use super::findings::{CODES, RFCS};
use super::ProbeReport;
use crate::report::{Finding, Severity, Span, SCHEMA_VERSION};

/// The largest probe report read: ten hosts with full transcripts stay well under it.
pub const MAX_REPORT_BYTES: usize = 4 * 1024 * 1024;

/// A finding as JSON has it, before its code is checked.
#[derive(Deserialize)]
struct WrittenFinding {
    severity: Severity,
    code: String,
    message: String,
    rfc: Option<String>,
    span: Option<Span>,
    domain: Option<String>,
    record_span: Option<Span>,
    fix: Option<String>,
}

fn known(list: &[&'static str], text: &str) -> Option<&'static str> {
    list.iter().copied().find(|item| *item == text)
}

/// `deserialize_with` of the reports' `findings`.
pub fn findings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Finding>, D::Error> {
    let written = Vec::<WrittenFinding>::deserialize(deserializer)?;
    written
        .into_iter()
        .map(|finding| {
            let code = known(CODES, &finding.code).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{} is not a finding code of the probe",
                    crate::report::quoted(&finding.code)
                ))
            })?;
            let rfc = match finding.rfc.as_deref() {
                None => None,
                Some(link) => Some(known(RFCS, link).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{} is not an RFC link of the probe",
                        crate::report::quoted(link)
                    ))
                })?),
            };
            Ok(Finding {
                severity: finding.severity,
                code,
                message: finding.message,
                rfc,
                span: finding.span,
                domain: finding.domain,
                record_span: finding.record_span,
                fix: finding.fix,
            })
        })
        .collect()
}

/// Reads the text of a `mailspect probe --json` report; the error says what is wrong, for a
/// person who dropped the wrong file.
pub fn read_probe_report(text: &str) -> Result<ProbeReport, String> {
    if text.len() > MAX_REPORT_BYTES {
        return Err(format!(
            "the file is larger than {MAX_REPORT_BYTES} bytes: not a probe report"
        ));
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| format!("the file is not JSON: {error}"))?;
    let object = value
        .as_object_mut()
        .ok_or("the file is not a probe report (not a JSON object)")?;
    match object.remove("schema_version") {
        Some(serde_json::Value::String(version)) if version == SCHEMA_VERSION => {}
        Some(serde_json::Value::String(version)) => {
            return Err(format!(
                "the report has schema version {version}; this page reads {SCHEMA_VERSION}"
            ))
        }
        _ => return Err("the file is not a mailspect report (no schema_version)".into()),
    }
    if !object.contains_key("hosts") || !object.contains_key("options") {
        return Err("the file is not a probe report (`mailspect probe --json`)".into());
    }
    serde_json::from_value(value).map_err(|error| format!("the probe report is damaged: {error}"))
}
