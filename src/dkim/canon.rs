//! Canonicalization and header selection (RFC 6376 §3.4, §3.7, §5.4.2): pure functions from the
//! message's bytes to the exact bytes a signature hashes.

use crate::message::{HeaderField, Message};

use super::Canonicalization;

fn is_wsp(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// Appends one header field in canonical form, CRLF included.
///
/// `simple` (§3.4.1) is the field unchanged. `relaxed` (§3.4.2): name in lower case, value
/// unfolded, runs of WSP as one SP, WSP at the end of the value and around the colon removed.
pub fn header_field(
    canonicalization: Canonicalization,
    name: &str,
    raw_field: &[u8],
    value: &[u8],
    out: &mut Vec<u8>,
) {
    match canonicalization {
        Canonicalization::Simple => out.extend_from_slice(raw_field),
        Canonicalization::Relaxed => {
            out.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
            out.push(b':');
            relaxed_value(value, out);
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// A relaxed header value: unfolded, WSP runs as one SP, no WSP at either end (§3.4.2).
fn relaxed_value(value: &[u8], out: &mut Vec<u8>) {
    let mut pending_space = false;
    let mut started = false;
    for &byte in value {
        if byte == b'\r' || byte == b'\n' {
            // Unfolding: CRLF before WSP is removed; the WSP that follows becomes the space.
            continue;
        }
        if is_wsp(byte) {
            pending_space = started;
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        started = true;
        out.push(byte);
    }
}

/// The body in canonical form (§3.4.3, §3.4.4), appended to `out`.
///
/// `simple`: trailing empty lines removed, an empty body becomes one CRLF. `relaxed`: WSP at
/// line ends removed, WSP runs as one SP, trailing empty lines removed, and an empty body stays
/// empty (RFC 6376 erratum 1384 settles that no CRLF is added then).
pub fn body(canonicalization: Canonicalization, body: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut pending_empty_lines = 0usize;
    let mut line_buffer = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (line, after) = match rest.windows(2).position(|w| w == b"\r\n") {
            Some(end) => (&rest[..end], &rest[end + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = after;
        let line = match canonicalization {
            Canonicalization::Simple => line,
            Canonicalization::Relaxed => {
                line_buffer.clear();
                relaxed_line(line, &mut line_buffer);
                &line_buffer
            }
        };
        if line.is_empty() {
            pending_empty_lines += 1;
            continue;
        }
        for _ in 0..pending_empty_lines {
            out.extend_from_slice(b"\r\n");
        }
        pending_empty_lines = 0;
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    if out.len() == start && canonicalization == Canonicalization::Simple {
        out.extend_from_slice(b"\r\n");
    }
}

/// One body line, relaxed: WSP runs as one SP, none at the end (§3.4.4).
fn relaxed_line(line: &[u8], out: &mut Vec<u8>) {
    let mut pending_space = false;
    for &byte in line {
        if is_wsp(byte) {
            pending_space = true;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(byte);
        }
    }
}

/// Chooses the header fields `h=` names, in `h=` order (§5.4.2): each name takes the bottommost
/// field of that name not taken yet; a name with no field left selects nothing (a signed-but-
/// absent or over-signed name, which the signer uses to forbid adding one).
///
/// `exclude` is the DKIM-Signature field being verified: it is hashed last, in its own way,
/// and is never one of the selected fields (RFC 6376 §3.7).
pub fn select_headers<'m>(
    message: &'m Message,
    signed_headers: &[String],
    exclude: &HeaderField,
) -> Vec<&'m HeaderField> {
    let mut taken = vec![false; message.fields.len()];
    let mut selected = Vec::with_capacity(signed_headers.len());
    for name in signed_headers {
        let found = message
            .fields
            .iter()
            .enumerate()
            .rev()
            .find(|(index, field)| {
                !taken.get(*index).copied().unwrap_or(true)
                    && field.span != exclude.span
                    && field.name.eq_ignore_ascii_case(name)
            });
        if let Some((index, field)) = found {
            if let Some(slot) = taken.get_mut(index) {
                *slot = true;
            }
            selected.push(field);
        }
    }
    selected
}

/// The header data a signature covers, as hashed (§3.7): the selected fields in canonical form,
/// then the DKIM-Signature field itself with the `b=` value emptied, canonicalized, without its
/// final CRLF.
pub fn header_data(
    message: &Message,
    canonicalization: Canonicalization,
    selected: &[&HeaderField],
    signature_field: &HeaderField,
    b_region: std::ops::Range<usize>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    for field in selected {
        header_field(
            canonicalization,
            &field.name,
            message.field_bytes(field),
            message.value_bytes(field),
            &mut out,
        );
    }
    // The field with b= emptied: the field's bytes before the value, the value without the b=
    // region (offsets into the value, from the parser).
    let value = message.value_bytes(signature_field);
    let mut emptied = Vec::with_capacity(value.len());
    emptied.extend_from_slice(value.get(..b_region.start).unwrap_or(value));
    emptied.extend_from_slice(value.get(b_region.end..).unwrap_or_default());
    let field = message.field_bytes(signature_field);
    let prefix_length = signature_field
        .value
        .start
        .saturating_sub(signature_field.span.start);
    let mut raw = field.get(..prefix_length).unwrap_or_default().to_vec();
    raw.extend_from_slice(&emptied);
    header_field(
        canonicalization,
        &signature_field.name,
        &raw,
        &emptied,
        &mut out,
    );
    // Simple copied `raw`, which has no final CRLF; relaxed added one, which is not hashed.
    if canonicalization == Canonicalization::Relaxed {
        out.truncate(out.len().saturating_sub(2));
    }
    out
}
