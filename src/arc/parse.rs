//! ARC grammar (RFC 8617 §4): the ARC-Seal and ARC-Message-Signature tag lists, read with the
//! DKIM tag-list grammar they share (RFC 6376 §3.2), and the instance tag that opens an
//! ARC-Authentication-Results field.
//!
//! Spans are offsets into the field value given to the parser; the verifier shifts them into
//! message coordinates, as the DKIM parser's callers do.

use std::borrow::Cow;
use std::ops::Range;

use crate::dkim::parse::{self as dkim_parse, Tag};
use crate::dkim::{Canonicalization, ParseError, ParseErrorKind, Signature};

use super::{ChainValidation, FieldErrorKind};

/// The highest instance an ARC Set may have (RFC 8617 §4.2.1: "The 'i' tag value can range
/// from 1-50").
pub const MAX_INSTANCE: u32 = 50;

/// A grammar error in an ARC field, with the place it is about (offsets into the field value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcParseError {
    pub kind: FieldErrorKind,
    /// One lower-case clause.
    pub message: String,
    pub detail: Option<String>,
    pub range: Range<usize>,
}

impl ArcParseError {
    fn new(
        kind: FieldErrorKind,
        message: impl Into<String>,
        detail: Option<String>,
        range: Range<usize>,
    ) -> Self {
        ArcParseError {
            kind,
            message: message.into(),
            detail,
            range,
        }
    }
}

impl From<ParseError> for ArcParseError {
    fn from(error: ParseError) -> Self {
        let message = error.to_string();
        let (kind, detail) = match error.kind {
            ParseErrorKind::TagSyntax => (FieldErrorKind::TagSyntax, None),
            ParseErrorKind::DuplicateTag(name) => (FieldErrorKind::DuplicateTag, Some(name)),
            ParseErrorKind::MissingTag(name) => (FieldErrorKind::MissingTag, Some(name.into())),
            ParseErrorKind::InvalidValue { tag, .. } => (FieldErrorKind::InvalidValue, Some(tag)),
            ParseErrorKind::UnsupportedVersion(value)
            | ParseErrorKind::UnsupportedAlgorithm(value)
            | ParseErrorKind::UnsupportedCanonicalization(value)
            | ParseErrorKind::UnsupportedQueryMethod(value)
            | ParseErrorKind::UnsupportedKeyType(value) => {
                (FieldErrorKind::Unsupported, Some(value))
            }
            ParseErrorKind::TooLong => (FieldErrorKind::TooLong, None),
        };
        ArcParseError::new(kind, message, detail, error.range)
    }
}

/// An ARC-Seal read into validated values (RFC 8617 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub instance: u32,
    pub chain_validation: ChainValidation,
    /// The DKIM view of the seal: algorithm, `b=`, `d=`, `s=`, `t=`, the `b=` region and the
    /// tags; no body hash, no header list, relaxed header canonicalization (§5.1.1).
    pub signature: Signature,
}

/// An ARC-Message-Signature read into validated values (RFC 8617 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignature {
    pub instance: u32,
    /// The DKIM view of the signature. `identity` is always `None`: `i=` is the instance here,
    /// not an AUID (§4.1.2: "the 'i' (AUID) tag is not imported from DKIM").
    pub signature: Signature,
}

/// `instance-num = 1*2DIGIT`, from 1 to 50 (RFC 8617 §4.2.1).
fn instance_number(value: &[u8]) -> Option<u32> {
    if value.is_empty() || value.len() > 2 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = value
        .iter()
        .fold(0u32, |total, digit| total * 10 + u32::from(digit - b'0'));
    (1..=MAX_INSTANCE).contains(&number).then_some(number)
}

fn invalid_instance(range: Range<usize>, why: &str, value: Option<&[u8]>) -> ArcParseError {
    ArcParseError::new(
        FieldErrorKind::InvalidInstance,
        format!("the instance {why}"),
        value.map(|value| String::from_utf8_lossy(value).into_owned()),
        range,
    )
}

/// `instance = %x69 [FWS] "=" [FWS] instance-num` as a tag of a tag-list (RFC 8617 §4.2.1).
fn instance_tag(tag: &Tag<'_>) -> Result<u32, ArcParseError> {
    instance_number(tag.value).ok_or_else(|| {
        invalid_instance(
            tag.value_span.clone(),
            "(i=) is not a number from 1 to 50",
            Some(tag.value),
        )
    })
}

/// The instance of an ARC-Seal or ARC-Message-Signature: its first `i=` tag, read even when a
/// later part of the tag-list is broken, so that the field can be placed in its set and its
/// error reported there.
pub fn field_instance(value: &[u8]) -> Result<u32, ArcParseError> {
    let (tags, error) = dkim_parse::tag_specs(value);
    match tags.iter().find(|tag| tag.name == b"i") {
        Some(tag) => instance_tag(tag),
        None => Err(match error {
            Some(error) => error.into(),
            None => invalid_instance(0..value.len(), "tag (i=) is missing", None),
        }),
    }
}

/// The `cv=` value, read leniently for placing a seal in the chain (the full grammar is
/// [`arc_seal`]).
pub fn field_chain_validation(value: &[u8]) -> Option<ChainValidation> {
    let (tags, _) = dkim_parse::tag_specs(value);
    tags.iter()
        .find(|tag| tag.name == b"cv")
        .and_then(|tag| chain_status(tag.value))
}

/// `chain-status = ("none" / "fail" / "pass")` (RFC 8617 §4.1.3; ABNF strings ignore case).
fn chain_status(value: &[u8]) -> Option<ChainValidation> {
    if value.eq_ignore_ascii_case(b"none") {
        Some(ChainValidation::None)
    } else if value.eq_ignore_ascii_case(b"pass") {
        Some(ChainValidation::Pass)
    } else if value.eq_ignore_ascii_case(b"fail") {
        Some(ChainValidation::Fail)
    } else {
        None
    }
}

/// The tag names as text, for the report.
fn tag_names(tags: &[Tag<'_>]) -> Vec<(Cow<'static, str>, Range<usize>)> {
    tags.iter()
        .map(|tag| {
            let name = String::from_utf8_lossy(tag.name).into_owned();
            (Cow::Owned(name), tag.value_span.clone())
        })
        .collect()
}

/// The tags of an ARC-Seal or ARC-Message-Signature field, with their `d=`, `s=` and `a=` as
/// far as they can be read: what the report shows of a field that cannot be used.
pub fn readable_tags(value: &[u8]) -> Vec<(Cow<'static, str>, Range<usize>)> {
    tag_names(&dkim_parse::tag_specs(value).0)
}

/// The first value of tag `name` as text, however broken the rest of the tag-list.
pub fn readable_tag(value: &[u8], name: &str) -> Option<String> {
    let (tags, _) = dkim_parse::tag_specs(value);
    tags.iter()
        .find(|tag| tag.name == name.as_bytes())
        .map(|tag| String::from_utf8_lossy(tag.value).into_owned())
}

/// Reads an ARC-Seal field value (RFC 8617 §4.1.3): the tags `i`, `a`, `b`, `cv`, `d`, `s`
/// and optionally `t`; unknown tags are ignored, as in DKIM; `h=` makes the seal invalid
/// (§4.1.3: the seal signs the ARC Sets in a fixed order, not a header list).
pub fn arc_seal(value: &[u8]) -> Result<Seal, ArcParseError> {
    let tags = dkim_parse::tag_list(value)?;
    let instance = match dkim_parse::find(&tags, "i") {
        Some(tag) => instance_tag(tag)?,
        None => {
            return Err(invalid_instance(
                0..value.len(),
                "tag (i=) is missing",
                None,
            ))
        }
    };
    if let Some(tag) = dkim_parse::find(&tags, "h") {
        return Err(ArcParseError::new(
            FieldErrorKind::ForbiddenTag,
            "an ARC-Seal must not have an h= tag (RFC 8617 §4.1.3)",
            Some("h".into()),
            tag.name_span.start..tag.value_span.end,
        ));
    }
    let algorithm = dkim_parse::sig_a_tag(dkim_parse::required(&tags, "a", value)?)?;
    let b = dkim_parse::required(&tags, "b", value)?;
    let signature = dkim_parse::base64string(b)?;
    if signature.is_empty() {
        return Err(dkim_parse::invalid(b, "is empty").into());
    }
    let cv = dkim_parse::required(&tags, "cv", value)?;
    let chain_validation = chain_status(cv.value).ok_or_else(|| {
        ArcParseError::new(
            FieldErrorKind::InvalidValue,
            "the value of cv= is not none, pass or fail",
            Some("cv".into()),
            cv.value_span.clone(),
        )
    })?;
    let domain_tag = dkim_parse::required(&tags, "d", value)?;
    let domain = dkim_parse::domain_name(domain_tag, domain_tag.value)?;
    let selector = dkim_parse::selector(dkim_parse::required(&tags, "s", value)?)?;
    let timestamp = dkim_parse::find(&tags, "t")
        .map(|tag| dkim_parse::digits(tag, 12))
        .transpose()?;
    Ok(Seal {
        instance,
        chain_validation,
        signature: Signature {
            algorithm,
            signature,
            body_hash: Vec::new(),
            header_canonicalization: Canonicalization::Relaxed,
            body_canonicalization: Canonicalization::Relaxed,
            domain,
            selector,
            signed_headers: Vec::new(),
            identity: None,
            identity_domain: None,
            body_length: None,
            timestamp,
            expiration: None,
            b_region: b.after_equals.clone(),
            tags: tag_names(&tags),
        },
    })
}

/// Reads an ARC-Message-Signature field value (RFC 8617 §4.1.2): a DKIM-Signature without
/// `v=` (ignored when present, as an unknown tag) and with `i=` as the instance.
pub fn arc_message_signature(value: &[u8]) -> Result<MessageSignature, ArcParseError> {
    let tags = dkim_parse::tag_list(value)?;
    let instance = match dkim_parse::find(&tags, "i") {
        Some(tag) => instance_tag(tag)?,
        None => {
            return Err(invalid_instance(
                0..value.len(),
                "tag (i=) is missing",
                None,
            ))
        }
    };
    let algorithm = dkim_parse::sig_a_tag(dkim_parse::required(&tags, "a", value)?)?;
    let b = dkim_parse::required(&tags, "b", value)?;
    let signature = dkim_parse::base64string(b)?;
    if signature.is_empty() {
        return Err(dkim_parse::invalid(b, "is empty").into());
    }
    let body_hash = dkim_parse::base64string(dkim_parse::required(&tags, "bh", value)?)?;
    let domain_tag = dkim_parse::required(&tags, "d", value)?;
    let domain = dkim_parse::domain_name(domain_tag, domain_tag.value)?;
    // `sig-h-tag` is a list of one or more names (RFC 6376 §3.5), and the AMS has "the same
    // syntax" (RFC 8617 §4.1.2), so an empty h= or an empty name in it is an error. The
    // validation suite's `ams_fields_h_empty` and `ams_fields_h_mis_hdr` expect pass; see
    // tests/arc_conformance.rs.
    let signed_headers = dkim_parse::sig_h_tag(dkim_parse::required(&tags, "h", value)?)?;
    let selector = dkim_parse::selector(dkim_parse::required(&tags, "s", value)?)?;
    // Without c=, simple/simple (RFC 6376 §3.5), which the AMS keeps (RFC 8617 §4.1.2). The
    // suite's `ams_fields_c_na` was signed relaxed/relaxed without saying so and expects pass;
    // see tests/arc_conformance.rs.
    let (header_canonicalization, body_canonicalization) = match dkim_parse::find(&tags, "c") {
        Some(tag) => dkim_parse::sig_c_tag(tag)?,
        None => (Canonicalization::Simple, Canonicalization::Simple),
    };
    if let Some(tag) = dkim_parse::find(&tags, "q") {
        dkim_parse::sig_q_tag(tag)?;
    }
    let number = |name: &str, max_digits: usize| {
        dkim_parse::find(&tags, name)
            .map(|tag| dkim_parse::digits(tag, max_digits))
            .transpose()
    };
    let body_length = number("l", 76)?;
    let timestamp = number("t", 12)?;
    let expiration = number("x", 12)?;
    if let (Some(signed), Some(expires), Some(x)) =
        (timestamp, expiration, dkim_parse::find(&tags, "x"))
    {
        if expires <= signed {
            return Err(dkim_parse::invalid(x, "is not later than t=").into());
        }
    }
    Ok(MessageSignature {
        instance,
        signature: Signature {
            algorithm,
            signature,
            body_hash,
            header_canonicalization,
            body_canonicalization,
            domain,
            selector,
            signed_headers,
            identity: None,
            identity_domain: None,
            body_length,
            timestamp,
            expiration,
            b_region: b.after_equals.clone(),
            tags: tag_names(&tags),
        },
    })
}

/// How deep comments may nest in the instance part of an ARC-Authentication-Results field.
const MAX_COMMENT_DEPTH: usize = 16;

/// `CFWS` (RFC 5322 §3.2.2), from `at`: white space, line breaks and comments. Returns where it
/// ends, or `None` for an unclosed or too deeply nested comment.
fn skip_cfws(value: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    while let Some(&byte) = value.get(at) {
        match byte {
            b'(' => {
                depth += 1;
                if depth > MAX_COMMENT_DEPTH {
                    return None;
                }
            }
            b')' if depth > 0 => depth -= 1,
            // `quoted-pair` inside a comment: the next byte is taken literally.
            b'\\' if depth > 0 => at += 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if depth > 0 => {}
            _ => return Some(at),
        }
        at += 1;
    }
    (depth == 0).then_some(at)
}

/// `arc-info = instance [CFWS] ";" authres-payload`,
/// `instance = [CFWS] %x69 [CFWS] "=" [CFWS] instance-num` (RFC 8617 §4.1.1, §4.2.1): the
/// instance of an ARC-Authentication-Results field, which must come first and be followed by
/// `;`. The payload is RFC 8601's and is read by [`crate::auth_results`].
pub fn aar_instance(value: &[u8]) -> Result<u32, ArcParseError> {
    let whole = 0..value.len();
    let unreadable = |why: &str| invalid_instance(whole.clone(), why, None);
    let start = skip_cfws(value, 0).ok_or_else(|| unreadable("tag cannot be read"))?;
    if value.get(start) != Some(&b'i') {
        return Err(unreadable("tag (i=) does not open the field"));
    }
    let equals = skip_cfws(value, start + 1).ok_or_else(|| unreadable("tag cannot be read"))?;
    if value.get(equals) != Some(&b'=') {
        return Err(unreadable("tag (i=) does not open the field"));
    }
    let digits_start =
        skip_cfws(value, equals + 1).ok_or_else(|| unreadable("tag cannot be read"))?;
    let digits_end = digits_start
        + value
            .get(digits_start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    let digits = value.get(digits_start..digits_end).unwrap_or_default();
    let instance = instance_number(digits).ok_or_else(|| {
        invalid_instance(
            digits_start..digits_end,
            "(i=) is not a number from 1 to 50",
            Some(digits),
        )
    })?;
    let semicolon = skip_cfws(value, digits_end).ok_or_else(|| unreadable("tag cannot be read"))?;
    if value.get(semicolon) != Some(&b';') {
        return Err(invalid_instance(
            digits_start..semicolon,
            "(i=) is not followed by \";\"",
            None,
        ));
    }
    Ok(instance)
}
