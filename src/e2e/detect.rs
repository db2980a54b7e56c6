//! Finding S/MIME and OpenPGP in a message's MIME structure, without any cryptography: this is
//! all of end-to-end protection that the page's Message view module carries.

use std::ops::Range;

use super::mime::{self, Entity};
use super::{E2eFormat, E2eKind, E2eReport, ProtectedHeader};
use crate::base64_codec::{self, TrailingBits};
use crate::message::{decode_field, unfold_value, Message};
use crate::report::Span;

/// The DER of the CMS content types (RFC 5652 §5.1, §6.1; RFC 5083 §2.1), as an OID's bytes
/// after the `06 len` header: what an `application/pkcs7-mime` without `smime-type` holds.
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
const OID_ENVELOPED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03];
const OID_AUTH_ENVELOPED_DATA: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x17,
];

const ARMOR_SIGNED: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";
const ARMOR_MESSAGE: &[u8] = b"-----BEGIN PGP MESSAGE-----";
const ARMOR_SIGNATURE_END: &[u8] = b"-----END PGP SIGNATURE-----";
const ARMOR_MESSAGE_END: &[u8] = b"-----END PGP MESSAGE-----";

/// Where a message's end-to-end protection is: what [`detect`] reports and what the checks read.
#[derive(Debug, Clone, Default)]
pub struct Located {
    pub kind: E2eKind,
    pub format: Option<E2eFormat>,
    pub signed: bool,
    pub encrypted: bool,
    /// `multipart/signed`: the first body part, exactly (RFC 1847 §2.1).
    pub signed_part: Option<Range<usize>>,
    /// `multipart/signed`: the signature part.
    pub signature: Option<Entity>,
    /// `application/pkcs7-mime`, or the encrypted part of `multipart/encrypted`.
    pub payload: Option<Entity>,
    /// An inline armored block, from its BEGIN line through its END line.
    pub armored: Option<Range<usize>>,
    /// The protection's entity is the message itself, or the armored block all of its body.
    pub covers_whole_body: bool,
    /// Whether a body was given at all.
    pub body_given: bool,
}

/// The message's end-to-end protection, as far as its structure tells.
pub fn locate(message: &Message) -> Located {
    let top = top_entity(message);
    let body_given = message.body_start.is_some();
    let mut located = Located {
        body_given,
        ..Located::default()
    };
    let entities = if body_given {
        mime::walk(&message.bytes, top.clone())
    } else {
        vec![(0, top.clone())]
    };
    for (depth, entity) in &entities {
        if classify(message, entity, &mut located) {
            located.covers_whole_body = *depth == 0;
            return located;
        }
    }
    // No MIME protection: an armored block in a text part.
    for (depth, entity) in &entities {
        if entity.content_type.mime.starts_with("text/") || entity.content_type.mime.is_empty() {
            if let Some((range, signed)) = armored_block(&message.bytes, entity.body.clone()) {
                let body = message.bytes.get(top.body.clone()).unwrap_or_default();
                let whole = body.trim_ascii();
                located.kind = E2eKind::Openpgp;
                located.format = Some(E2eFormat::Inline);
                located.signed = signed;
                located.encrypted = !signed;
                located.covers_whole_body = *depth == 0 && whole.len() == range.len();
                located.armored = Some(range);
                return located;
            }
        }
    }
    located
}

/// Sets `located` from `entity` when it carries S/MIME or PGP/MIME; `false` when it does not.
fn classify(message: &Message, entity: &Entity, located: &mut Located) -> bool {
    let content_type = &entity.content_type;
    let children = || {
        content_type
            .param("boundary")
            .and_then(|boundary| {
                mime::split_multipart(&message.bytes, entity.body.clone(), boundary)
            })
            .unwrap_or_default()
    };
    if content_type.is("multipart/signed") {
        let protocol = content_type
            .param("protocol")
            .unwrap_or("")
            .to_ascii_lowercase();
        let parts = children();
        let signature = parts
            .get(1)
            .map(|part| mime::read_entity(&message.bytes, part.clone()));
        let signature_type = signature
            .as_ref()
            .map(|part| part.content_type.mime.clone());
        let names = [Some(protocol), signature_type];
        let is = |wanted: &[&str]| {
            names
                .iter()
                .flatten()
                .any(|name| wanted.contains(&name.as_str()))
        };
        located.kind = if is(&["application/pgp-signature"]) {
            E2eKind::Openpgp
        } else if is(&[
            "application/pkcs7-signature",
            "application/x-pkcs7-signature",
        ]) {
            E2eKind::Smime
        } else {
            return false;
        };
        located.format = Some(E2eFormat::MultipartSigned);
        located.signed = true;
        located.signed_part = parts.first().cloned();
        located.signature = signature;
        return true;
    }
    if content_type.is("multipart/encrypted") {
        let protocol = content_type
            .param("protocol")
            .unwrap_or("")
            .to_ascii_lowercase();
        if protocol != "application/pgp-encrypted" {
            return false;
        }
        located.kind = E2eKind::Openpgp;
        located.format = Some(E2eFormat::MultipartEncrypted);
        located.encrypted = true;
        located.payload = children()
            .get(1)
            .map(|part| mime::read_entity(&message.bytes, part.clone()));
        return true;
    }
    let pkcs7 = content_type.is("application/pkcs7-mime")
        || content_type.is("application/x-pkcs7-mime")
        || (content_type.is("application/octet-stream")
            && entity
                .file_name()
                .is_some_and(|name| name.ends_with(".p7m")));
    if !pkcs7 {
        return false;
    }
    located.kind = E2eKind::Smime;
    located.format = Some(E2eFormat::Pkcs7Mime);
    match content_type
        .param("smime-type")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("signed-data") => located.signed = true,
        Some("enveloped-data" | "authenveloped-data") => located.encrypted = true,
        Some("compressed-data") => {}
        _ => {
            // No smime-type (older agents, RFC 2311): the CMS content type tells.
            let head = decode_body(&message.bytes, entity, 64).unwrap_or_default();
            let has = |oid: &[u8]| head.windows(oid.len()).any(|window| window == oid);
            located.signed = has(OID_SIGNED_DATA);
            located.encrypted = has(OID_ENVELOPED_DATA) || has(OID_AUTH_ENVELOPED_DATA);
        }
    }
    located.payload = Some(entity.clone());
    true
}

/// The first armored OpenPGP block in `body`: its range and whether it is a cleartext signature
/// (`true`) or a PGP MESSAGE (`false`, encrypted or signed inside: RFC 9580 §6.2).
fn armored_block(bytes: &[u8], body: Range<usize>) -> Option<(Range<usize>, bool)> {
    let text = bytes.get(body.clone())?;
    let line_start = |at: usize| at == 0 || text.get(at - 1) == Some(&b'\n');
    let find = |begin: &[u8], end: &[u8]| {
        let start = memchr::memmem::find_iter(text, begin).find(|at| line_start(*at))?;
        let stop = memchr::memmem::find(&text[start..], end)? + start + end.len();
        Some(body.start + start..body.start + stop)
    };
    find(ARMOR_SIGNED, ARMOR_SIGNATURE_END)
        .map(|range| (range, true))
        .or_else(|| find(ARMOR_MESSAGE, ARMOR_MESSAGE_END).map(|range| (range, false)))
}

/// The message as a MIME entity: its header fields and its body.
fn top_entity(message: &Message) -> Entity {
    let fields: Vec<(String, String)> = message
        .fields
        .iter()
        .map(|field| {
            (
                field.name.clone(),
                unfold_value(message.value_bytes(field)).trim().to_string(),
            )
        })
        .collect();
    let content_type = fields
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Content-Type"))
        .map(|(_, value)| mime::parse_content_type(value))
        .unwrap_or_else(|| mime::parse_content_type("text/plain"));
    let end = message.bytes.len();
    Entity {
        span: 0..end,
        body: message.body_start.unwrap_or(end)..end,
        fields,
        content_type,
    }
}

/// The body of `entity` with its transfer encoding undone (base64; 7bit, 8bit and binary as they
/// are), at most `limit` bytes of it when `limit` is not 0. `None` for an encoding not read here
/// (quoted-printable, which signatures and CMS never use) or base64 that does not decode.
pub fn decode_body(bytes: &[u8], entity: &Entity, limit: usize) -> Option<Vec<u8>> {
    let body = bytes.get(entity.body.clone())?;
    match entity.transfer_encoding().as_str() {
        "base64" => {
            let mut text: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            if limit > 0 {
                // Whole groups of four characters only: a prefix that decodes.
                text.truncate((limit.div_ceil(3) * 4).min(text.len() / 4 * 4));
            }
            base64_codec::decode(&text, TrailingBits::Allow)
        }
        "7bit" | "8bit" | "binary" => Some(body.to_vec()),
        _ => None,
    }
}

/// The message's end-to-end protection as the report's `e2e` object, unchecked.
pub fn detect(message: &Message) -> E2eReport {
    let located = locate(message);
    if located.kind == E2eKind::None {
        return E2eReport::none();
    }
    let protected_headers = protected_headers(message, &located);
    let mut report = E2eReport {
        kind: located.kind,
        signed: located.signed,
        encrypted: located.encrypted,
        format: located.format,
        signed_part: located
            .signed_part
            .as_ref()
            .map(|range| Span::new(range.start, range.end)),
        covers_whole_body: Some(located.covers_whole_body),
        protected_headers,
        ..E2eReport::none()
    };
    report.findings = super::detection_findings(&report, located.body_given);
    report
}

/// The header fields a reader sees that a protected copy inside the signed part may differ from.
const COMPARED_FIELDS: [&str; 6] = ["From", "Subject", "To", "Cc", "Reply-To", "Date"];

/// Protected copies of header fields in a `multipart/signed` first part: the fields of a wrapped
/// message/rfc822 (RFC 8551 §3.1), or of a part marked `protected-headers="v1"`.
fn protected_headers(message: &Message, located: &Located) -> Vec<ProtectedHeader> {
    let Some(part) = located.signed_part.clone() else {
        return Vec::new();
    };
    let entity = mime::read_entity(&message.bytes, part);
    let fields = if entity.content_type.is("message/rfc822") {
        mime::read_entity(&message.bytes, entity.body.clone()).fields
    } else if entity
        .content_type
        .param("protected-headers")
        .is_some_and(|version| version.eq_ignore_ascii_case("v1"))
    {
        entity.fields.clone()
    } else {
        return Vec::new();
    };
    compare_protected(message, &fields)
}

/// Each of [`COMPARED_FIELDS`] in `fields` beside the message's own.
pub fn compare_protected(message: &Message, fields: &[(String, String)]) -> Vec<ProtectedHeader> {
    let squeeze = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    COMPARED_FIELDS
        .iter()
        .filter_map(|name| {
            let (field_name, value) = fields
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))?;
            let protected = decode_field(field_name, value.as_bytes());
            let outer = message
                .first_field(name)
                .map(|field| decode_field(&field.name, message.value_bytes(field)));
            let differs = outer
                .as_deref()
                .is_none_or(|outer| squeeze(outer) != squeeze(&protected));
            Some(ProtectedHeader {
                name: (*name).to_string(),
                protected: squeeze(&protected),
                outer: outer.map(|outer| squeeze(&outer)),
                differs,
            })
        })
        .collect()
}
