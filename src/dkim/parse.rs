//! DKIM grammar: the tag-list of a DKIM-Signature field and of a key record (RFC 6376 §3.2,
//! §3.5, §3.6.1), one function per ABNF rule.
//!
//! Parsing builds validated values ([`Signature`], [`KeyRecord`]) and keeps the span of every tag,
//! so that an error points at the exact characters and the page can underline them. Spans here
//! are offsets into the bytes given to the parser (a field's value, or a joined TXT record); the
//! caller shifts them into message coordinates.

use std::borrow::Cow;
use std::ops::Range;

use nom::bytes::complete::{tag, take_while, take_while1};
use nom::{IResult, Offset};

use crate::base64_codec::{self, TrailingBits};

use super::{
    Algorithm, Canonicalization, HashAlgorithm, KeyRecord, KeyType, ParseError, ParseErrorKind,
    Signature,
};

type Parsed<'a, T> = IResult<&'a [u8], T>;

/// Longest tag-list read: far above any real signature or key (a 4096-bit key record is under
/// 800 bytes), and small enough that hostile input costs nothing.
const MAX_TAG_LIST_BYTES: usize = 64 * 1024;

/// One `tag-spec` of a tag-list, with offsets into the parsed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    pub name: &'a [u8],
    /// The `tag-value`, without the white space around it.
    pub value: &'a [u8],
    pub name_span: Range<usize>,
    pub value_span: Range<usize>,
    /// From just after `=` to just before the `;` that ends the tag-spec (or the end): what is
    /// emptied when the `b=` value is removed for hashing (RFC 6376 §3.7: "including all
    /// surrounding whitespace").
    pub after_equals: Range<usize>,
}

/// `WSP = SP / HTAB` (RFC 5234 Appendix B.1)
fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `FWS = [*WSP CRLF] 1*WSP` (RFC 6376 §2.8, from RFC 5322 §3.2.2). Parsed here as any run of
/// WSP and CRLF-followed-by-WSP, which is the same language repeated: `*FWS` and `[FWS]` both use it.
fn fws(input: &[u8]) -> Parsed<'_, &[u8]> {
    let mut rest = input;
    loop {
        let (after, _) = take_while(is_wsp)(rest)?;
        rest = after;
        match rest {
            // The pattern has matched at least three bytes, so skipping two is in bounds.
            [b'\r', b'\n', next, ..] if is_wsp(*next) => rest = &rest[2..],
            _ => break,
        }
    }
    // `rest` is a suffix of `input`, so its offset is within `input`.
    Ok((rest, &input[..input.offset(rest)]))
}

/// `tag-name = ALPHA *ALNUMPUNC`, `ALNUMPUNC = ALPHA / DIGIT / "_"` (RFC 6376 §3.2)
fn tag_name(input: &[u8]) -> Parsed<'_, &[u8]> {
    let (_, _) = take_while1(|b: u8| b.is_ascii_alphabetic())(input)?;
    take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_')(input)
}

/// `VALCHAR = %x21-3A / %x3C-7E`, i.e. printable ASCII except `;` (RFC 6376 §3.2)
fn is_valchar(byte: u8) -> bool {
    matches!(byte, 0x21..=0x3a | 0x3c..=0x7e)
}

/// `tval = 1*VALCHAR` (RFC 6376 §3.2)
fn tval(input: &[u8]) -> Parsed<'_, &[u8]> {
    take_while1(is_valchar)(input)
}

/// `tag-value = [ tval *( 1*(WSP / FWS) tval ) ]` (RFC 6376 §3.2)
fn tag_value(input: &[u8]) -> Parsed<'_, &[u8]> {
    let Ok((mut rest, _)) = tval(input) else {
        return Ok((input, &input[..0]));
    };
    loop {
        let (after_space, space) = fws(rest)?;
        if space.is_empty() {
            break;
        }
        match tval(after_space) {
            Ok((after, _)) => rest = after,
            Err(_) => break,
        }
    }
    Ok((rest, &input[..input.offset(rest)]))
}

/// `tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]` (RFC 6376 §3.2); `base` is the
/// whole tag-list, for offsets.
fn tag_spec<'a>(base: &'a [u8], input: &'a [u8]) -> Parsed<'a, Tag<'a>> {
    let (rest, _) = fws(input)?;
    let (rest, name) = tag_name(rest)?;
    let (rest, _) = fws(rest)?;
    let (rest, _) = tag(&b"="[..])(rest)?;
    let after_equals_start = base.offset(rest);
    let (rest, _) = fws(rest)?;
    let (rest, value) = tag_value(rest)?;
    let (rest, _) = fws(rest)?;
    let name_start = base.offset(name);
    let value_start = base.offset(value);
    Ok((
        rest,
        Tag {
            name,
            value,
            name_span: name_start..name_start + name.len(),
            value_span: value_start..value_start + value.len(),
            after_equals: after_equals_start..base.offset(rest),
        },
    ))
}

/// `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]` (RFC 6376 §3.2)
///
/// White space after the final `;` is accepted: signers emit it, and it carries no meaning.
/// Duplicate tag names make the whole list invalid (§3.2: "the entire tag-list is invalid").
pub fn tag_list(input: &[u8]) -> Result<Vec<Tag<'_>>, ParseError> {
    let (tags, error) = tag_specs(input);
    if let Some(error) = error {
        return Err(error);
    }
    for (index, spec) in tags.iter().enumerate() {
        if tags[..index]
            .iter()
            .any(|earlier| earlier.name == spec.name)
        {
            return Err(ParseError::new(
                ParseErrorKind::DuplicateTag(String::from_utf8_lossy(spec.name).into_owned()),
                spec.name_span.clone(),
            ));
        }
    }
    Ok(tags)
}

/// The tag-specs of a tag-list up to the first syntax error, duplicates included: what the report
/// shows of a signature that cannot be used (its `d=` and `s=`, say), and the error if any.
pub fn tag_specs(input: &[u8]) -> (Vec<Tag<'_>>, Option<ParseError>) {
    if input.len() > MAX_TAG_LIST_BYTES {
        let error = ParseError::new(ParseErrorKind::TooLong, 0..input.len());
        return (Vec::new(), Some(error));
    }
    // Room for every tag a signature defines, so that a real one never reallocates.
    let mut tags: Vec<Tag<'_>> = Vec::with_capacity(16);
    let mut rest = input;
    loop {
        let start = input.offset(rest);
        let syntax_error = |at: usize| ParseError::new(ParseErrorKind::TagSyntax, at..input.len());
        let Ok((after, spec)) = tag_spec(input, rest) else {
            return (tags, Some(syntax_error(start)));
        };
        tags.push(spec);
        match after.split_first() {
            None => return (tags, None),
            Some((b';', after_semicolon)) => match fws(after_semicolon) {
                Ok(([], _)) => return (tags, None),
                Ok(_) => rest = after_semicolon,
                Err(_) => return (tags, Some(syntax_error(input.offset(after_semicolon)))),
            },
            Some(_) => return (tags, Some(syntax_error(input.offset(after)))),
        }
    }
}

pub(crate) fn find<'t, 'a>(tags: &'t [Tag<'a>], name: &str) -> Option<&'t Tag<'a>> {
    tags.iter().find(|t| t.name == name.as_bytes())
}

pub(crate) fn required<'t, 'a>(
    tags: &'t [Tag<'a>],
    name: &'static str,
    whole: &[u8],
) -> Result<&'t Tag<'a>, ParseError> {
    find(tags, name)
        .ok_or_else(|| ParseError::new(ParseErrorKind::MissingTag(name), 0..whole.len()))
}

pub(crate) fn invalid(tag: &Tag<'_>, why: &'static str) -> ParseError {
    ParseError::new(
        ParseErrorKind::InvalidValue {
            tag: String::from_utf8_lossy(tag.name).into_owned(),
            why,
        },
        tag.value_span.clone(),
    )
}

pub(crate) fn text(tag: &Tag<'_>) -> String {
    String::from_utf8_lossy(tag.value).into_owned()
}

fn is_fws_byte(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Removes FWS from a value whose grammar allows it anywhere (base64, `h=`), copying only when
/// there is some.
fn without_fws(value: &[u8]) -> Cow<'_, [u8]> {
    if !value.iter().any(is_fws_byte) {
        return Cow::Borrowed(value);
    }
    let mut kept = Vec::with_capacity(value.len());
    kept.extend(value.iter().copied().filter(|b| !is_fws_byte(b)));
    Cow::Owned(kept)
}

/// The items of a colon-separated list, with the FWS around them removed (`h=`, `q=`, key
/// `h=`, `s=` and `t=`).
fn colon_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|b| *b == b':').map(|item| {
        let start = item.iter().take_while(|b| is_fws_byte(b)).count();
        let end = item.len() - item.iter().rev().take_while(|b| is_fws_byte(b)).count();
        item.get(start..end.max(start)).unwrap_or_default()
    })
}

/// `base64string = ALPHADIGITPS *([FWS] ALPHADIGITPS) [ [FWS] "=" [ [FWS] "=" ] ]`
/// (RFC 6376 §2.4). Padding is accepted when absent: some signers drop it and it adds nothing.
pub(crate) fn base64string(tag: &Tag<'_>) -> Result<Vec<u8>, ParseError> {
    base64_codec::decode(&without_fws(tag.value), TrailingBits::Reject)
        .ok_or_else(|| invalid(tag, "is not valid base64"))
}

/// `1*n DIGIT` as a number: `sig-t-tag` (12 digits), `sig-x-tag` (12), `sig-l-tag` (76).
/// RFC 6376 allows 76 digits for `l=`; values past u64 are treated as "the whole body" by
/// saturating, which is what the count means in practice.
pub(crate) fn digits(tag: &Tag<'_>, max_digits: usize) -> Result<u64, ParseError> {
    if tag.value.is_empty()
        || tag.value.len() > max_digits
        || !tag.value.iter().all(u8::is_ascii_digit)
    {
        return Err(invalid(
            tag,
            "is not a decimal number of the allowed length",
        ));
    }
    Ok(tag.value.iter().fold(0u64, |total, digit| {
        total
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}

/// `sig-a-tag-alg = sig-a-tag-k "-" sig-a-tag-h` (RFC 6376 §3.5; ed25519 from RFC 8463 §3).
pub(crate) fn sig_a_tag(tag: &Tag<'_>) -> Result<Algorithm, ParseError> {
    let value = tag.value;
    if value.eq_ignore_ascii_case(b"rsa-sha256") {
        Ok(Algorithm::RsaSha256)
    } else if value.eq_ignore_ascii_case(b"rsa-sha1") {
        Ok(Algorithm::RsaSha1)
    } else if value.eq_ignore_ascii_case(b"ed25519-sha256") {
        Ok(Algorithm::Ed25519Sha256)
    } else {
        Err(ParseError::new(
            ParseErrorKind::UnsupportedAlgorithm(text(tag)),
            tag.value_span.clone(),
        ))
    }
}

/// `sig-c-tag = %x63 [FWS] "=" [FWS] sig-c-tag-alg ["/" sig-c-tag-alg]`,
/// `sig-c-tag-alg = "simple" / "relaxed" / x-sig-c-tag-alg` (RFC 6376 §3.5). A lone value names
/// the header algorithm; the body's is then `simple`.
pub(crate) fn sig_c_tag(tag: &Tag<'_>) -> Result<(Canonicalization, Canonicalization), ParseError> {
    let one = |name: &[u8]| {
        if name.eq_ignore_ascii_case(b"simple") {
            Ok(Canonicalization::Simple)
        } else if name.eq_ignore_ascii_case(b"relaxed") {
            Ok(Canonicalization::Relaxed)
        } else {
            Err(ParseError::new(
                ParseErrorKind::UnsupportedCanonicalization(text(tag)),
                tag.value_span.clone(),
            ))
        }
    };
    let mut parts = tag.value.splitn(2, |b| *b == b'/');
    let header = one(parts.next().unwrap_or_default())?;
    let body = match parts.next() {
        Some(body) => one(body)?,
        None => Canonicalization::Simple,
    };
    Ok((header, body))
}

/// `domain-name = sub-domain 1*("." sub-domain)` (RFC 6376 §3.5, from RFC 5321), checked
/// loosely: letters, digits, hyphens, underscores and dots, no empty label. Internationalized
/// names arrive as A-labels (RFC 6376 §3.5, RFC 8616 §4).
pub(crate) fn domain_name(tag: &Tag<'_>, value: &[u8]) -> Result<String, ParseError> {
    let value = value.strip_suffix(b".").unwrap_or(value);
    let well_formed = !value.is_empty()
        && value.split(|b| *b == b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        });
    if !well_formed {
        return Err(invalid(tag, "is not a domain name"));
    }
    Ok(String::from_utf8_lossy(value).to_ascii_lowercase())
}

/// `selector = sub-domain *( "." sub-domain )` (RFC 6376 §3.1)
pub(crate) fn selector(tag: &Tag<'_>) -> Result<String, ParseError> {
    domain_name(tag, tag.value).map_err(|_| invalid(tag, "is not a selector"))
}

/// `sig-h-tag = %x68 [FWS] "=" [FWS] hdr-name *( [FWS] ":" [FWS] hdr-name )` (RFC 6376 §3.5)
pub(crate) fn sig_h_tag(tag: &Tag<'_>) -> Result<Vec<String>, ParseError> {
    let mut names = Vec::with_capacity(1 + tag.value.iter().filter(|b| **b == b':').count());
    names.extend(colon_items(tag.value).map(|name| String::from_utf8_lossy(name).into_owned()));
    let is_field_name =
        |name: &String| !name.is_empty() && name.bytes().all(|b| matches!(b, 33..=57 | 59..=126));
    if names.iter().all(is_field_name) {
        Ok(names)
    } else {
        Err(invalid(
            tag,
            "is not a colon-separated list of header field names",
        ))
    }
}

/// `sig-i-tag = %x69 [FWS] "=" [FWS] [ Local-part ] "@" domain-name` (RFC 6376 §3.5); returns the
/// domain part. The value is dkim-quoted-printable (§3.5 lists `i=` as such), so
/// `jlong=40messiah.edu` and `jlong@messiah=2Eedu` are the same identity as `jlong@messiah.edu`:
/// it is decoded before the `@` is looked for.
fn sig_i_tag(tag: &Tag<'_>) -> Result<String, ParseError> {
    let decoded = dkim_quoted_printable(tag.value).map_err(|why| invalid(tag, why))?;
    let at = decoded
        .iter()
        .rposition(|b| *b == b'@')
        .ok_or_else(|| invalid(tag, "has no @"))?;
    // `at` is the position of a byte of the value, so `at + 1` is at most its length.
    domain_name(tag, &decoded[at + 1..])
}

/// `dkim-quoted-printable = *(FWS / hex-octet / dkim-safe-char)` (RFC 6376 §2.11), decoded:
/// white space is dropped and `=XX` becomes the octet XX. RFC 2045's `hex-octet` has upper-case
/// digits only; lower case is accepted too, since it can only mean the same octet and refusing
/// it would turn a readable identity into a syntax error.
pub fn dkim_quoted_printable(value: &[u8]) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'=' => {
                let high = bytes.next().and_then(|&b| char::from(b).to_digit(16));
                let low = bytes.next().and_then(|&b| char::from(b).to_digit(16));
                let (Some(high), Some(low)) = (high, low) else {
                    return Err("has an = that is not followed by two hex digits");
                };
                // Two hex digits make at most 0xFF.
                out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
            }
            0x21..=0x3a | 0x3c | 0x3e..=0x7e => out.push(byte),
            _ => return Err("holds a character that dkim-quoted-printable does not allow"),
        }
    }
    Ok(out)
}

/// `sig-q-tag = %x71 [FWS] "=" [FWS] sig-q-tag-method *([FWS] ":" [FWS] sig-q-tag-method)`
/// (RFC 6376 §3.5): `dns/txt` is the only method defined, and must be among those listed.
pub(crate) fn sig_q_tag(tag: &Tag<'_>) -> Result<(), ParseError> {
    if colon_items(tag.value).any(|method| method.eq_ignore_ascii_case(b"dns/txt")) {
        Ok(())
    } else {
        Err(ParseError::new(
            ParseErrorKind::UnsupportedQueryMethod(text(tag)),
            tag.value_span.clone(),
        ))
    }
}

/// Reads a DKIM-Signature field value into a [`Signature`] (RFC 6376 §3.5, §6.1.1).
pub fn signature(value: &[u8]) -> Result<Signature, ParseError> {
    let tags = tag_list(value)?;
    let version = required(&tags, "v", value)?;
    if version.value != b"1" {
        return Err(ParseError::new(
            ParseErrorKind::UnsupportedVersion(text(version)),
            version.value_span.clone(),
        ));
    }
    let algorithm = sig_a_tag(required(&tags, "a", value)?)?;
    let b = required(&tags, "b", value)?;
    let signature = base64string(b)?;
    if signature.is_empty() {
        return Err(invalid(b, "is empty"));
    }
    let body_hash = base64string(required(&tags, "bh", value)?)?;
    let domain_tag = required(&tags, "d", value)?;
    let domain = domain_name(domain_tag, domain_tag.value)?;
    let signed_headers = sig_h_tag(required(&tags, "h", value)?)?;
    let selector = selector(required(&tags, "s", value)?)?;
    let (header_canonicalization, body_canonicalization) = match find(&tags, "c") {
        Some(tag) => sig_c_tag(tag)?,
        None => (Canonicalization::Simple, Canonicalization::Simple),
    };
    if let Some(tag) = find(&tags, "q") {
        sig_q_tag(tag)?;
    }
    let identity = find(&tags, "i").map(|tag| Ok::<_, ParseError>((text(tag), sig_i_tag(tag)?)));
    let identity = identity.transpose()?;
    let body_length = find(&tags, "l").map(|tag| digits(tag, 76)).transpose()?;
    let timestamp = find(&tags, "t").map(|tag| digits(tag, 12)).transpose()?;
    let expiration = find(&tags, "x").map(|tag| digits(tag, 12)).transpose()?;
    if let (Some(signed), Some(expires), Some(x)) = (timestamp, expiration, find(&tags, "x")) {
        // §3.5 x=: "the value of the "x=" tag MUST be greater than the value of the "t=" tag".
        if expires <= signed {
            return Err(invalid(x, "is not later than t="));
        }
    }
    Ok(Signature {
        algorithm,
        signature,
        body_hash,
        header_canonicalization,
        body_canonicalization,
        domain,
        selector,
        signed_headers,
        identity: identity.as_ref().map(|(raw, _)| raw.clone()),
        identity_domain: identity.map(|(_, domain)| domain),
        body_length,
        timestamp,
        expiration,
        b_region: b.after_equals.clone(),
        tags: tags
            .iter()
            .map(|tag| (signature_tag_name(tag.name), tag.value_span.clone()))
            .collect(),
    })
}

/// A tag's name as text: the names RFC 6376 §3.5 defines without allocating, others copied.
fn signature_tag_name(name: &[u8]) -> Cow<'static, str> {
    const DEFINED: [&str; 14] = [
        "v", "a", "b", "bh", "c", "d", "h", "i", "l", "q", "s", "t", "x", "z",
    ];
    match DEFINED.iter().find(|defined| defined.as_bytes() == name) {
        Some(defined) => Cow::Borrowed(defined),
        None => Cow::Owned(String::from_utf8_lossy(name).into_owned()),
    }
}

/// Reads a DKIM key record, the TXT strings joined (RFC 6376 §3.6.1).
///
/// `key-v-tag` must come first when present; unknown tags are ignored (§3.6.1: "Unrecognized
/// tags MUST be ignored"), and so are unknown hash names, key flags and service types.
pub fn key_record(record: &[u8]) -> Result<KeyRecord, ParseError> {
    let tags = tag_list(record)?;
    if let Some(position) = tags.iter().position(|t| t.name == b"v") {
        let version = &tags[position];
        if version.value != b"DKIM1" {
            return Err(ParseError::new(
                ParseErrorKind::UnsupportedVersion(text(version)),
                version.value_span.clone(),
            ));
        }
        if position != 0 {
            return Err(invalid(version, "must be the first tag of a key record"));
        }
    }
    let key_type = match find(&tags, "k") {
        None => KeyType::Rsa,
        Some(tag) => key_k_tag(tag)?,
    };
    let hash_algorithms = find(&tags, "h").map(key_h_tag);
    let public_key = base64string(required(&tags, "p", record)?)?;
    let has_flag = |flag: &[u8]| {
        find(&tags, "t").is_some_and(|tag| colon_items(tag.value).any(|item| item == flag))
    };
    let services_allow_email = find(&tags, "s").is_none_or(|tag| {
        colon_items(tag.value).any(|service| service == b"*" || service == b"email")
    });
    Ok(KeyRecord {
        key_type,
        hash_algorithms,
        public_key,
        testing: has_flag(b"y"),
        strict: has_flag(b"s"),
        services_allow_email,
        notes: find(&tags, "n").map(text),
    })
}

/// `key-k-tag-type = "rsa" / x-key-k-tag-type` (RFC 6376 §3.6.1; `ed25519` from RFC 8463 §4).
fn key_k_tag(tag: &Tag<'_>) -> Result<KeyType, ParseError> {
    if tag.value.eq_ignore_ascii_case(b"rsa") {
        Ok(KeyType::Rsa)
    } else if tag.value.eq_ignore_ascii_case(b"ed25519") {
        Ok(KeyType::Ed25519)
    } else {
        Err(ParseError::new(
            ParseErrorKind::UnsupportedKeyType(text(tag)),
            tag.value_span.clone(),
        ))
    }
}

/// `key-h-tag = %x68 [FWS] "=" [FWS] key-h-tag-alg *( [FWS] ":" [FWS] key-h-tag-alg )`
/// (RFC 6376 §3.6.1). Unknown names are kept out: they can never match a signature.
fn key_h_tag(tag: &Tag<'_>) -> Vec<HashAlgorithm> {
    colon_items(tag.value)
        .filter_map(|name| {
            if name.eq_ignore_ascii_case(b"sha256") {
                Some(HashAlgorithm::Sha256)
            } else if name.eq_ignore_ascii_case(b"sha1") {
                Some(HashAlgorithm::Sha1)
            } else {
                None
            }
        })
        .collect()
}
