//! The DMARC record grammar (RFC 9989 §4.7, with RFC 7489 §6.4 for the tags RFC 9989 dropped).
//!
//! A record is a `;`-separated tag list that must begin with `v=DMARC1`. Each tag value has its
//! own rule below; a value that breaks its rule is a [`TagProblem`] and the tag counts as absent,
//! so that one bad tag does not hide the rest from the lint.

use super::{
    AlignmentMode, FailureOption, Policy, Psd, Record, ReportUri, Tag, TagProblem, TagProblemKind,
    Tagged,
};
use crate::report::Span;

/// Why a TXT record is not a DMARC record at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub message: String,
    pub detail: Option<String>,
    pub record_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The record does not begin with `v=DMARC1` (RFC 9989 §4.7: "MUST be the first tag").
    NoVersion,
    /// `v=` is there but its value is not exactly `DMARC1`.
    WrongVersion,
}

/// Whether a TXT record is a DMARC record: it begins with the `v=DMARC1` tag (RFC 9989 §4.10
/// step 2: "Records that do not start with a "v" tag that identifies the current version of
/// DMARC are discarded").
pub fn has_version(text: &str) -> bool {
    dmarc_version(text).is_ok()
}

/// `dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31`, then a separator or the
/// end. Returns the length of the version tag.
fn dmarc_version(text: &str) -> Result<usize, ParseError> {
    let error = |kind, message: &str, end: usize| ParseError {
        kind,
        message: message.to_string(),
        detail: None,
        record_span: Span::new(0, end),
    };
    let first_end = text.find(';').unwrap_or(text.len());
    let first = text.get(..first_end).unwrap_or("");
    let Some(rest) = first.strip_prefix('v') else {
        return Err(error(
            ParseErrorKind::NoVersion,
            "the record does not begin with v=DMARC1",
            first_end,
        ));
    };
    let Some(value) = rest.trim_start_matches(is_wsp).strip_prefix('=') else {
        return Err(error(
            ParseErrorKind::NoVersion,
            "the record does not begin with v=DMARC1",
            first_end,
        ));
    };
    // The version is case-sensitive: `v=dmarc1` is not a DMARC record.
    if value.trim_matches(is_wsp) != "DMARC1" {
        return Err(error(
            ParseErrorKind::WrongVersion,
            "the version is not DMARC1",
            first_end,
        ));
    }
    Ok(first_end)
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep] *WSP`, with
/// `dmarc-sep = *WSP ";" *WSP`. Reads the record; fails only when it is not a DMARC record.
pub fn parse_record(text: &str) -> Result<Record, ParseError> {
    let version_end = dmarc_version(text)?;
    // One tag a `;`-separated part, and few records have more than a dozen: the list is
    // allocated once for those, not grown tag by tag.
    let parts = text.bytes().filter(|byte| *byte == b';').count() + 1;
    let mut record = Record {
        text: text.to_string(),
        tags: Vec::with_capacity(parts.min(16)),
        policy: None,
        subdomain_policy: None,
        nonexistent_policy: None,
        public_suffix_domain: None,
        testing: None,
        dkim_alignment: None,
        spf_alignment: None,
        aggregate_uris: Vec::new(),
        failure_uris: Vec::new(),
        failure_options: None,
        percent: None,
        report_format: None,
        report_interval: None,
        problems: Vec::new(),
    };
    record.tags.push(Tag {
        name: "v".to_string(),
        value: "DMARC1".to_string(),
        record_span: Span::new(0, text.get(..version_end).unwrap_or("").trim_end().len()),
        value_span: value_span_of(text, 0, version_end),
        known: true,
    });
    let mut start = version_end;
    while start < text.len() {
        // `start` is at a `;` (every part but the first begins with one).
        let part_start = start + 1;
        let part_end = text
            .get(part_start..)
            .and_then(|rest| rest.find(';'))
            .map_or(text.len(), |offset| part_start + offset);
        dmarc_tag(&mut record, text, part_start, part_end);
        start = part_end;
    }
    Ok(record)
}

/// The span of the value in `name=value` between `start` and `end`, trimmed of WSP.
fn value_span_of(text: &str, start: usize, end: usize) -> Span {
    let part = text.get(start..end).unwrap_or("");
    let Some(equals) = part.find('=') else {
        return Span::new(end, end);
    };
    let value = part.get(equals + 1..).unwrap_or("");
    let leading = value.len() - value.trim_start_matches(is_wsp).len();
    let trimmed = value.trim_matches(is_wsp);
    let value_start = start + equals + 1 + leading;
    Span::new(value_start, value_start + trimmed.len())
}

/// `dmarc-tag = tag-name *WSP "=" *WSP tag-value` (the generic tag of RFC 6376 §3.2 that
/// every DMARC tag specialises), between `start` and `end` of the record's text.
fn dmarc_tag(record: &mut Record, text: &str, start: usize, end: usize) {
    let part = text.get(start..end).unwrap_or("");
    let leading = part.len() - part.trim_start_matches(is_wsp).len();
    let trimmed = part.trim_matches(is_wsp);
    if trimmed.is_empty() {
        // `[dmarc-sep] *WSP` at the end, or `;;`: allowed.
        return;
    }
    let tag_span = Span::new(start + leading, start + leading + trimmed.len());
    let Some(equals) = trimmed.find('=') else {
        record.problems.push(TagProblem {
            kind: TagProblemKind::MissingEquals,
            message: format!("\"{trimmed}\" is not a name=value tag"),
            tag: trimmed.to_string(),
            record_span: tag_span,
        });
        return;
    };
    let name = trimmed.get(..equals).unwrap_or("").trim_end_matches(is_wsp);
    let value_span = value_span_of(text, start, end);
    let value = text.get(value_span.start..value_span.end).unwrap_or("");
    // The tag's name as RFC 9989 writes it, found without lowering a copy of the name.
    let lower = KNOWN_TAGS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .copied();
    let known = lower.is_some();
    let duplicate = record
        .tags
        .iter()
        .any(|tag| tag.known && tag.name.eq_ignore_ascii_case(name));
    record.tags.push(Tag {
        name: name.to_string(),
        value: value.to_string(),
        record_span: tag_span,
        value_span,
        known,
    });
    if duplicate {
        record.problems.push(TagProblem {
            kind: TagProblemKind::DuplicateTag,
            message: format!("{name}= appears more than once; the first one counts"),
            tag: name.to_string(),
            record_span: tag_span,
        });
        return;
    }
    fn tagged<T>(value: T, record_span: Span) -> Tagged<T> {
        Tagged { value, record_span }
    }
    let parsed: Result<(), String> = match lower.unwrap_or_default() {
        "p" => dmarc_request(value).map(|p| record.policy = Some(tagged(p, tag_span))),
        "sp" => dmarc_request(value).map(|p| record.subdomain_policy = Some(tagged(p, tag_span))),
        "np" => dmarc_request(value).map(|p| record.nonexistent_policy = Some(tagged(p, tag_span))),
        "psd" => dmarc_psd(value).map(|v| record.public_suffix_domain = Some(tagged(v, tag_span))),
        "t" => dmarc_test(value).map(|v| record.testing = Some(tagged(v, tag_span))),
        "adkim" => {
            dmarc_alignment(value).map(|v| record.dkim_alignment = Some(tagged(v, tag_span)))
        }
        "aspf" => dmarc_alignment(value).map(|v| record.spf_alignment = Some(tagged(v, tag_span))),
        "fo" => dmarc_fo(value).map(|v| record.failure_options = Some(tagged(v, tag_span))),
        "rua" => {
            record.aggregate_uris = dmarc_uri_list(value, value_span.start);
            Ok(())
        }
        "ruf" => {
            record.failure_uris = dmarc_uri_list(value, value_span.start);
            Ok(())
        }
        "pct" => dmarc_percent(value).map(|v| record.percent = Some(tagged(v, tag_span))),
        "rf" => dmarc_rfmt(value).map(|v| record.report_format = Some(tagged(v, tag_span))),
        "ri" => dmarc_ival(value).map(|v| record.report_interval = Some(tagged(v, tag_span))),
        // `v=` again, or a tag no RFC defines: kept in `tags` for the lint.
        _ => Ok(()),
    };
    if let Err(why) = parsed {
        record.problems.push(TagProblem {
            kind: TagProblemKind::InvalidValue,
            message: format!("{name}={value}: {why}"),
            tag: name.to_string(),
            record_span: tag_span,
        });
    }
}

/// `psd=` of a record that [`has_version`], as `parse_record(text).ok()` and
/// [`Record::psd`] give it, without building the record: the tree walk asks this of every
/// record it meets, and discovery parses only the one that applies. The first `psd=` counts
/// (a later one is a duplicate) and an invalid value counts as absent, as in [`dmarc_tag`].
pub(crate) fn record_psd(text: &str) -> Option<Psd> {
    let version_end = dmarc_version(text).ok()?;
    // Every part after the version begins after a `;`: the first piece of the split is empty.
    let rest = text.get(version_end..).unwrap_or("");
    for part in rest.split(';').skip(1) {
        let trimmed = part.trim_matches(is_wsp);
        let Some(equals) = trimmed.find('=') else {
            continue;
        };
        let name = trimmed.get(..equals).unwrap_or("").trim_end_matches(is_wsp);
        if name.eq_ignore_ascii_case("psd") {
            let value = trimmed.get(equals + 1..).unwrap_or("").trim_matches(is_wsp);
            return dmarc_psd(value).ok();
        }
    }
    None
}

/// The tags RFC 9989 §4.7 defines, and those of RFC 7489 §6.3 it dropped (`pct`, `rf`, `ri`).
pub const KNOWN_TAGS: [&str; 14] = [
    "v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo", "pct", "rf", "ri",
];

/// The tags RFC 9989 removed.
pub const OBSOLETE_TAGS: [&str; 3] = ["pct", "rf", "ri"];

/// The value's one letter in lower case; `None` for any other length. The one-letter values
/// (`psd=`, `t=`, `adkim=`, `aspf=`) compare without a lowered copy of the value.
fn one_letter(value: &str) -> Option<u8> {
    match value.as_bytes() {
        [letter] => Some(letter.to_ascii_lowercase()),
        _ => None,
    }
}

/// `dmarc-request = "none" / "quarantine" / "reject"` (also `sp=` and `np=`).
fn dmarc_request(value: &str) -> Result<Policy, String> {
    Policy::from_word(value).ok_or_else(|| "must be none, quarantine or reject".to_string())
}

/// `dmarc-psd = "y" / "n" / "u"` (RFC 9989).
fn dmarc_psd(value: &str) -> Result<Psd, String> {
    match one_letter(value) {
        Some(b'y') => Ok(Psd::Yes),
        Some(b'n') => Ok(Psd::No),
        Some(b'u') => Ok(Psd::Unknown),
        _ => Err("must be y, n or u".to_string()),
    }
}

/// `dmarc-test = "y" / "n"` (RFC 9989).
fn dmarc_test(value: &str) -> Result<bool, String> {
    match one_letter(value) {
        Some(b'y') => Ok(true),
        Some(b'n') => Ok(false),
        _ => Err("must be y or n".to_string()),
    }
}

/// `dmarc-adkim = "r" / "s"`, `dmarc-aspf = "r" / "s"`.
fn dmarc_alignment(value: &str) -> Result<AlignmentMode, String> {
    match one_letter(value) {
        Some(b'r') => Ok(AlignmentMode::Relaxed),
        Some(b's') => Ok(AlignmentMode::Strict),
        _ => Err("must be r (relaxed) or s (strict)".to_string()),
    }
}

/// `dmarc-fo = ( "0" / "1" / "d" / "s" ) *(*WSP ":" *WSP ( "0" / "1" / "d" / "s" ))`.
fn dmarc_fo(value: &str) -> Result<Vec<FailureOption>, String> {
    value
        .split(':')
        .map(
            |option| match option.trim_matches(is_wsp).to_ascii_lowercase().as_str() {
                "0" => Ok(FailureOption::AllFail),
                "1" => Ok(FailureOption::AnyFail),
                "d" => Ok(FailureOption::DkimFail),
                "s" => Ok(FailureOption::SpfFail),
                other => Err(format!("\"{other}\" is not 0, 1, d or s")),
            },
        )
        .collect()
}

/// RFC 7489 `dmarc-percent = 1*3DIGIT`, 0 to 100.
fn dmarc_percent(value: &str) -> Result<u8, String> {
    value
        .parse::<u8>()
        .ok()
        .filter(|percent| {
            *percent <= 100 && value.len() <= 3 && value.bytes().all(|b| b.is_ascii_digit())
        })
        .ok_or_else(|| "must be a whole number from 0 to 100".to_string())
}

/// RFC 7489 `dmarc-rfmt = Keyword *(*WSP ":" Keyword)`; only `afrf` was ever defined.
fn dmarc_rfmt(value: &str) -> Result<String, String> {
    let keyword = |word: &str| {
        !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if value
        .split(':')
        .map(|word| word.trim_matches(is_wsp))
        .all(keyword)
    {
        Ok(value.to_string())
    } else {
        Err("must be report format keywords separated by colons".to_string())
    }
}

/// RFC 7489 `dmarc-ival = 1*DIGIT`, seconds.
fn dmarc_ival(value: &str) -> Result<u32, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a number of seconds".to_string());
    }
    value
        .parse()
        .map_err(|_| "is too large a number of seconds".to_string())
}

/// `dmarc-auri = dmarc-uri *(*WSP "," *WSP dmarc-uri)`; `value_start` is where the value
/// begins in the record, for the URIs' spans.
fn dmarc_uri_list(value: &str, value_start: usize) -> Vec<ReportUri> {
    let mut uris = Vec::new();
    let mut offset = 0;
    for piece in value.split(',') {
        let leading = piece.len() - piece.trim_start_matches(is_wsp).len();
        let trimmed = piece.trim_matches(is_wsp);
        let start = value_start + offset + leading;
        uris.push(dmarc_uri(trimmed, Span::new(start, start + trimmed.len())));
        offset += piece.len() + 1;
    }
    uris
}

/// `dmarc-uri = URI` (RFC 3986), which RFC 7489 followed with `[ "!" 1*DIGIT [ "k" / "m" /
/// "g" / "t" ] ]`. Only `mailto:` URIs can receive reports (RFC 9989 §4.7).
fn dmarc_uri(text: &str, record_span: Span) -> ReportUri {
    let (uri, max_size, size_problem) = match text.rsplit_once('!') {
        Some((uri, size)) => match size_limit(size) {
            Some(bytes) => (uri, Some(bytes), None),
            None => (uri, None, Some(format!("\"!{size}\" is not a size limit"))),
        },
        None => (text, None, None),
    };
    let mut report = ReportUri {
        uri: uri.to_string(),
        domain: None,
        max_size,
        valid: false,
        problem: None,
        record_span,
    };
    let problem = if let Some(problem) = size_problem {
        Some(problem)
    } else if uri.is_empty() {
        Some("the URI is empty".to_string())
    } else if uri.contains('!') {
        // RFC 7489 §6.2: a "!" in the URI itself must be written %21, because the last "!"
        // starts the size limit. Left as it is, the URI reads differently once the size is
        // gone, so the fixed record could not keep it (found by fuzzing `fixed_record`).
        Some("a \"!\" inside a URI must be written %21 (RFC 7489 §6.2)".to_string())
    } else if let Some(address) = strip_prefix_ignore_case(uri, "mailto:") {
        // A `mailto:` URI's address ends at `?` (header fields, RFC 6068 §2).
        let address = address.split('?').next().unwrap_or("");
        match address.rsplit_once('@') {
            Some((local, domain)) if !local.is_empty() && is_domain(domain) => {
                report.domain = Some(domain.trim_end_matches('.').to_ascii_lowercase());
                None
            }
            _ => Some(format!("\"{address}\" is not an email address")),
        }
    } else if uri.contains(':') && !uri.contains(char::is_whitespace) {
        Some("only mailto: URIs can receive DMARC reports".to_string())
    } else {
        Some("not a URI (it needs a scheme, like mailto:)".to_string())
    };
    report.valid = problem.is_none();
    report.problem = problem;
    report
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// A domain as it may appear in an address: dot-separated labels of letters, digits and
/// hyphens (or U-labels, which are left to the DNS).
fn is_domain(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

/// `1*DIGIT [ "k" / "m" / "g" / "t" ]` in bytes.
fn size_limit(text: &str) -> Option<u64> {
    let (digits, unit) = match text.char_indices().last() {
        Some((index, c)) if c.is_ascii_alphabetic() => (text.get(..index)?, Some(c)),
        _ => (text, None),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    let factor: u64 = match unit.map(|c| c.to_ascii_lowercase()) {
        None => 1,
        Some('k') => 1 << 10,
        Some('m') => 1 << 20,
        Some('g') => 1 << 30,
        Some('t') => 1 << 40,
        Some(_) => return None,
    };
    number.checked_mul(factor)
}
