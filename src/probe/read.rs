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

/// What says whether a JSON object is a probe report of this version; the rest is skipped.
#[derive(Deserialize)]
struct ReportHead {
    schema_version: Option<String>,
    hosts: Option<serde::de::IgnoredAny>,
    options: Option<serde::de::IgnoredAny>,
}

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
    // Read straight from the text, twice (the version first, then the report), not through a
    // `serde_json::Value`: the audit module's wasm would otherwise carry a second deserializer
    // for every probe type.
    let head: ReportHead = serde_json::from_str(text).map_err(|error| {
        if error.is_syntax() || error.is_eof() {
            format!("the file is not JSON: {error}")
        } else if text.trim_start().starts_with('{') {
            // An object whose schema_version is not text.
            "the file is not a mailspect report (no schema_version)".to_string()
        } else {
            "the file is not a probe report (not a JSON object)".to_string()
        }
    })?;
    match head.schema_version.as_deref() {
        Some(version) if version == SCHEMA_VERSION => {}
        Some(version) => {
            return Err(format!(
                "the report has schema version {version}; this page reads {SCHEMA_VERSION}"
            ))
        }
        None => return Err("the file is not a mailspect report (no schema_version)".into()),
    }
    if head.hosts.is_none() || head.options.is_none() {
        return Err("the file is not a probe report (`mailspect probe --json`)".into());
    }
    serde_json::from_str(text).map_err(|error| format!("the probe report is damaged: {error}"))
}
