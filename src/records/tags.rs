//! The tag list that MTA-STS, TLS-RPT and BIMI TXT records share: a version tag first, then
//! `name=value` fields separated by `;`.
//!
//! RFC 8461 §3.1 and RFC 8460 §3 write it the same way:
//! `record = version 1*(field-delim field) [field-delim]`, `field-delim = *WSP ";" *WSP`,
//! `ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`; the BIMI draft uses the
//! DKIM tag list (RFC 6376 §3.2), which reads the same for what is published. Each module checks
//! its own values; this one finds the fields, the version and the repeated names.

use serde::Serialize;

use super::{finding, too_long};
use crate::report::{quoted, Finding, Severity, Span};

/// One `name=value` field of a record, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RecordTag {
    /// As written.
    pub name: String,
    /// As written, without the white space around it.
    pub value: String,
    /// The whole `name=value`, in the record's text.
    pub record_span: Span,
    /// The value, in the record's text.
    pub value_span: Span,
}

/// What a record kind calls its findings about the tag list.
pub(crate) struct Area {
    /// `v=` must hold exactly this (case-sensitive: the RFCs write `%s"v=STSv1"`).
    pub version: &'static str,
    /// The record is not of this kind at all: it does not begin with the version.
    pub no_version: &'static str,
    /// A field that is not `name=value`, an empty field, a name outside the grammar.
    pub malformed: &'static str,
    /// A name given twice: the first counts.
    pub duplicate: &'static str,
    pub rfc: &'static str,
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
pub(crate) fn is_field_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() <= 32
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// `ext-value = 1*(%x21-3A / %x3C / %x3E-7E)`: visible ASCII but `;` and `=`.
pub(crate) fn is_field_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| matches!(b, 0x21..=0x3A | 0x3C | 0x3E..=0x7E))
}

/// Reads the tag list of `text`. `None` when the record does not begin with `v=<version>`: it is
/// not a record of this kind, and the findings say so. Otherwise the fields in order (the
/// version first) and the findings about their syntax; a repeated name is reported and kept, so
/// callers take the first of each name.
pub(crate) fn read(text: &str, area: &Area) -> (Option<Vec<RecordTag>>, Vec<Finding>) {
    if let Some(finding) = too_long(text, area.malformed, area.rfc) {
        return (None, vec![finding]);
    }
    let mut tags: Vec<RecordTag> = Vec::new();
    let mut findings = Vec::new();
    let mut start = 0;
    let parts: Vec<&str> = text.split(';').collect();
    for (index, part) in parts.iter().enumerate() {
        let end = start + part.len();
        let leading = part.len() - part.trim_start_matches(is_wsp).len();
        let trimmed = part.trim_matches(is_wsp);
        let span = Span::new(start + leading, start + leading + trimmed.len());
        start = end + 1;
        if trimmed.is_empty() {
            // `[field-delim]` allows one `;` at the end; `;;` or a leading `;` is an empty field.
            if index + 1 < parts.len() || index == 0 {
                findings.push(finding(
                    Severity::Warning,
                    area.malformed,
                    "An empty field between two \";\".",
                    area.rfc,
                    Some(Span::new(span.start.saturating_sub(1), span.start)),
                    None,
                ));
            }
            continue;
        }
        let Some(equals) = trimmed.find('=') else {
            findings.push(finding(
                Severity::Error,
                area.malformed,
                format!("{} is not a name=value field.", quoted(trimmed)),
                area.rfc,
                Some(span),
                None,
            ));
            continue;
        };
        let name = trimmed.get(..equals).unwrap_or("").trim_end_matches(is_wsp);
        let raw_value = trimmed.get(equals + 1..).unwrap_or("");
        let value_leading = raw_value.len() - raw_value.trim_start_matches(is_wsp).len();
        let value = raw_value.trim_start_matches(is_wsp);
        let value_start = span.start + equals + 1 + value_leading;
        if !is_field_name(name) {
            findings.push(finding(
                Severity::Error,
                area.malformed,
                format!(
                    "{} is not a field name: a letter or digit, then up to 31 letters, digits, \
                     \"_\", \"-\" or \".\".",
                    quoted(name)
                ),
                area.rfc,
                Some(span),
                None,
            ));
            continue;
        }
        if let Some(first) = tags.iter().find(|tag| tag.name == name) {
            findings.push(finding(
                Severity::Warning,
                area.duplicate,
                format!(
                    "{name}= appears again (first at bytes {}..{}); the first one counts.",
                    first.record_span.start, first.record_span.end
                ),
                area.rfc,
                Some(span),
                None,
            ));
        }
        tags.push(RecordTag {
            name: name.to_string(),
            value: value.to_string(),
            record_span: span,
            value_span: Span::new(value_start, value_start + value.len()),
        });
    }
    let version = tags.first().filter(|tag| tag.name == "v");
    match version {
        Some(tag) if tag.value == area.version && tag.record_span.start == 0 => {
            (Some(tags), findings)
        }
        _ => {
            let written = version.map(|tag| tag.value.as_str());
            let message = match written {
                Some(value) if value.eq_ignore_ascii_case(area.version) => format!(
                    "The version is written {}; it must be exactly {} (case matters).",
                    quoted(value),
                    area.version
                ),
                _ if tags
                    .iter()
                    .any(|tag| tag.name == "v" && tag.value == area.version) =>
                {
                    format!(
                        "v={} is not the first thing in the record; receivers discard records \
                         that do not begin with it.",
                        area.version
                    )
                }
                _ => format!("The record does not begin with v={}.", area.version),
            };
            let span = tags.first().map(|tag| tag.record_span);
            findings.insert(
                0,
                finding(
                    Severity::Error,
                    area.no_version,
                    message,
                    area.rfc,
                    span,
                    None,
                ),
            );
            (None, findings)
        }
    }
}

/// The first field named `name`, case-sensitively (the RFCs' `%s"…"` names).
pub(crate) fn first<'a>(tags: &'a [RecordTag], name: &str) -> Option<&'a RecordTag> {
    tags.iter().find(|tag| tag.name == name)
}

/// Whether `name` is the first field of that name in `tags` (for skipping repeats).
pub(crate) fn is_first(tags: &[RecordTag], tag: &RecordTag) -> bool {
    first(tags, &tag.name).is_some_and(|found| std::ptr::eq(found, tag))
}
