//! TLSA records for SMTP (DANE, RFC 7672 with RFC 7671 and RFC 6698): the record published at
//! `_25._tcp.<mx host>` in its presentation form, `usage selector matching-type data`, e.g.
//! `3 1 1 0123…` (a zone-file line is accepted too: what follows `TLSA` is read).
//!
//! For SMTP the usages that work are DANE-TA(2) and DANE-EE(3); PKIX-TA(0) and PKIX-EE(1) need a
//! CA the client trusts, which MTAs do not have, and RFC 7672 §3.1.3 has SMTP clients treat them
//! as unusable. RFC 7671 §5.1 recommends `3 1 1`: the server's public key, by SHA-256.

use serde::Serialize;

use super::{finding, has_error, too_long};
use crate::report::{quoted, Finding, Severity, Span};

const RFC_FORMAT: &str = "https://www.rfc-editor.org/rfc/rfc6698#section-2.2";
const RFC_SMTP_USAGES: &str = "https://www.rfc-editor.org/rfc/rfc7672#section-3.1.3";
const RFC_DANE_EE: &str = "https://www.rfc-editor.org/rfc/rfc7671#section-5.1";

/// The certificate usage field (RFC 6698 §2.1.1, named in RFC 7218).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsaUsage {
    /// 0: a CA in the chain, which must also pass PKIX validation.
    PkixTa,
    /// 1: the server's certificate, which must also pass PKIX validation.
    PkixEe,
    /// 2: a trust anchor of the chain the server sends.
    DaneTa,
    /// 3: the server's own certificate or key, nothing else checked.
    DaneEe,
}

/// The selector field: what of the certificate is matched (RFC 6698 §2.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsaSelector {
    /// 0: the whole certificate.
    Cert,
    /// 1: its SubjectPublicKeyInfo.
    Spki,
}

/// The matching type field (RFC 6698 §2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsaMatching {
    /// 0: the selected content itself.
    Full,
    /// 1: its SHA-256 digest, 32 bytes.
    Sha256,
    /// 2: its SHA-512 digest, 64 bytes.
    Sha512,
}

/// A TLSA record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsaRecord {
    pub usage: u8,
    /// `null` for a value no RFC defines.
    pub usage_name: Option<TlsaUsage>,
    pub selector: u8,
    pub selector_name: Option<TlsaSelector>,
    pub matching_type: u8,
    pub matching_name: Option<TlsaMatching>,
    /// The association data in lower-case hex, white space removed.
    pub data: String,
    /// The association data's length in bytes.
    pub data_bytes: usize,
    /// Where the data is in the text (from its first to its last hex digit).
    pub data_span: Span,
}

/// The lint of a TLSA record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsaReport {
    /// What could be read; `null` when the text is not `usage selector matching data`.
    pub record: Option<TlsaRecord>,
    /// Whether an SMTP client could use the record (usage 2 or 3, known selector and matching
    /// type, data of the right length).
    pub valid: bool,
    pub findings: Vec<Finding>,
}

/// The record as an SMTP client uses it, or the findings that make it unusable.
pub fn parse(rdata: &str) -> Result<TlsaRecord, Vec<Finding>> {
    let report = lint(rdata);
    match report.record {
        Some(record) if report.valid => Ok(record),
        _ => Err(report
            .findings
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .collect()),
    }
}

/// The words of `text` separated by white space, with their spans.
fn words(text: &str) -> Vec<(&str, Span)> {
    let mut list = Vec::new();
    let mut start = None;
    for (index, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(from)) => {
                list.push((text.get(from..index).unwrap_or(""), Span::new(from, index)));
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    list
}

/// Whether `text` looks like TLSA presentation data: three small numbers, then hex.
pub fn looks_like_tlsa(text: &str) -> bool {
    let words = words(text);
    let rdata = rdata_words(&words);
    rdata.len() >= 4
        && rdata.iter().take(3).all(|(word, _)| {
            !word.is_empty() && word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit())
        })
        && rdata
            .iter()
            .skip(3)
            .all(|(word, _)| word.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The words after a `TLSA` type word, when the text is a zone-file line; all of them otherwise.
fn rdata_words<'a, 'b>(words: &'b [(&'a str, Span)]) -> &'b [(&'a str, Span)] {
    match words
        .iter()
        .position(|(word, _)| word.eq_ignore_ascii_case("TLSA"))
    {
        Some(position) => words.get(position + 1..).unwrap_or(&[]),
        None => words,
    }
}

fn number(word: &str) -> Option<u8> {
    (!word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// Lints the TLSA record `rdata` (presentation form).
pub fn lint(rdata: &str) -> TlsaReport {
    let fail = |findings| TlsaReport {
        record: None,
        valid: false,
        findings,
    };
    if let Some(finding) = too_long(rdata, "tlsa.malformed", RFC_FORMAT) {
        return fail(vec![finding]);
    }
    let words = words(rdata);
    let fields = rdata_words(&words);
    let ([usage, selector, matching], data) = match fields {
        [usage, selector, matching, data @ ..] if !data.is_empty() => {
            ([usage, selector, matching], data)
        }
        _ => {
            return fail(vec![finding(
                Severity::Error,
                "tlsa.malformed",
                "A TLSA record is four fields: usage, selector, matching type and the data in \
                 hex, as in \"3 1 1 <64 hex digits>\".",
                RFC_FORMAT,
                None,
                None,
            )])
        }
    };
    let mut findings = Vec::new();
    let mut field = |(word, span): &(&str, Span), what: &str| match number(word) {
        Some(value) => Some(value),
        None => {
            findings.push(finding(
                Severity::Error,
                "tlsa.malformed",
                format!("The {what} {} is not a number from 0 to 255.", quoted(word)),
                RFC_FORMAT,
                Some(*span),
                None,
            ));
            None
        }
    };
    let (Some(usage_value), Some(selector_value), Some(matching_value)) = (
        field(usage, "certificate usage"),
        field(selector, "selector"),
        field(matching, "matching type"),
    ) else {
        return fail(findings);
    };
    let data_span = Span::new(
        data.first().map_or(0, |(_, span)| span.start),
        data.last().map_or(0, |(_, span)| span.end),
    );
    let hex: String = data
        .iter()
        .map(|(word, _)| *word)
        .collect::<String>()
        .to_ascii_lowercase();
    let mut record = TlsaRecord {
        usage: usage_value,
        usage_name: match usage_value {
            0 => Some(TlsaUsage::PkixTa),
            1 => Some(TlsaUsage::PkixEe),
            2 => Some(TlsaUsage::DaneTa),
            3 => Some(TlsaUsage::DaneEe),
            _ => None,
        },
        selector: selector_value,
        selector_name: match selector_value {
            0 => Some(TlsaSelector::Cert),
            1 => Some(TlsaSelector::Spki),
            _ => None,
        },
        matching_type: matching_value,
        matching_name: match matching_value {
            0 => Some(TlsaMatching::Full),
            1 => Some(TlsaMatching::Sha256),
            2 => Some(TlsaMatching::Sha512),
            _ => None,
        },
        data_bytes: hex.len() / 2,
        data: hex,
        data_span,
    };
    lint_fields(&record, usage.1, selector.1, matching.1, &mut findings);
    if let Some(at) = record.data.bytes().position(|b| !b.is_ascii_hexdigit()) {
        findings.push(finding(
            Severity::Error,
            "tlsa.not-hex",
            format!(
                "The data is not hex: character {} of it is not 0-9 or a-f.",
                at + 1
            ),
            RFC_FORMAT,
            Some(data_span),
            None,
        ));
        record.data_bytes = 0;
    } else if record.data.len() % 2 == 1 {
        findings.push(finding(
            Severity::Error,
            "tlsa.not-hex",
            format!(
                "The data has {} hex digits, an odd number: a digit is missing or extra.",
                record.data.len()
            ),
            RFC_FORMAT,
            Some(data_span),
            None,
        ));
    } else {
        let expected = match record.matching_name {
            Some(TlsaMatching::Sha256) => Some((64, "SHA-256")),
            Some(TlsaMatching::Sha512) => Some((128, "SHA-512")),
            _ => None,
        };
        if let Some((digits, hash)) = expected.filter(|(digits, _)| record.data.len() != *digits) {
            findings.push(finding(
                Severity::Error,
                "tlsa.wrong-length",
                format!(
                    "A {hash} digest is {digits} hex digits; the data has {}. No certificate can match.",
                    record.data.len()
                ),
                RFC_FORMAT,
                Some(data_span),
                None,
            ));
        }
    }
    let valid = !has_error(&findings) && matches!(record.usage, 2 | 3);
    TlsaReport {
        record: Some(record),
        valid,
        findings,
    }
}

/// The findings about the three numbers.
fn lint_fields(
    record: &TlsaRecord,
    usage: Span,
    selector: Span,
    matching: Span,
    findings: &mut Vec<Finding>,
) {
    match record.usage_name {
        Some(TlsaUsage::PkixTa | TlsaUsage::PkixEe) => findings.push(finding(
            Severity::Warning,
            "tlsa.pkix-usage",
            format!(
                "Certificate usage {} (PKIX-{}) is not for SMTP: MTAs have no CA list to check \
                 against, and RFC 7672 has them treat the record as unusable.",
                record.usage,
                if record.usage == 0 { "TA" } else { "EE" }
            ),
            RFC_SMTP_USAGES,
            Some(usage),
            Some(format!(
                "Publish 3 1 1 <SHA-256 of the server's public key> (DANE-EE), or 2 1 1 with the \
                 issuing CA's key (DANE-TA), instead of {} …",
                record.usage
            )),
        )),
        None => findings.push(finding(
            Severity::Error,
            "tlsa.unknown-usage",
            format!("Certificate usage {} is not 0 to 3.", record.usage),
            RFC_FORMAT,
            Some(usage),
            None,
        )),
        _ => {}
    }
    match record.selector_name {
        None => findings.push(finding(
            Severity::Error,
            "tlsa.unknown-selector",
            format!(
                "Selector {} is not 0 (certificate) or 1 (public key).",
                record.selector
            ),
            RFC_FORMAT,
            Some(selector),
            None,
        )),
        Some(TlsaSelector::Cert) if record.usage_name == Some(TlsaUsage::DaneEe) => {
            findings.push(finding(
                Severity::Info,
                "tlsa.certificate-selector",
                "Selector 0 matches the whole certificate, so the record must change at every \
                 renewal; selector 1 (the public key) survives renewals that keep the key."
                    .to_string(),
                RFC_DANE_EE,
                Some(selector),
                None,
            ));
        }
        Some(_) => {}
    }
    match record.matching_name {
        None => findings.push(finding(
            Severity::Error,
            "tlsa.unknown-matching-type",
            format!(
                "Matching type {} is not 0 (full), 1 (SHA-256) or 2 (SHA-512).",
                record.matching_type
            ),
            RFC_FORMAT,
            Some(matching),
            None,
        )),
        Some(TlsaMatching::Full) => findings.push(finding(
            Severity::Warning,
            "tlsa.full-data",
            "Matching type 0 publishes the whole certificate or key: large DNS answers that may \
             need TCP. A SHA-256 digest (matching type 1) is what RFC 7671 recommends."
                .to_string(),
            RFC_DANE_EE,
            Some(matching),
            Some(format!(
                "{} {} 1 <SHA-256 of the same data>",
                record.usage, record.selector
            )),
        )),
        Some(_) => {}
    }
}
