//! Canonicalization and header selection (RFC 6376 §3.4, §3.7, §5.4.2): pure functions from the
//! message's bytes to the exact bytes a signature hashes, and to how well the selection protects
//! the fields a reader trusts.

use crate::message::{HeaderField, Message};
use crate::sorted_map::SortedMap;

use super::{Canonicalization, CoverageStatus, HeaderCoverage};

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
///
/// Unfolding removes the CR and LF bytes; the WSP after them stays and joins the run it is in.
fn relaxed_value(value: &[u8], out: &mut Vec<u8>) {
    let unfolded;
    let value = if memchr::memchr2(b'\r', b'\n', value).is_some() {
        let mut joined = Vec::with_capacity(value.len());
        for piece in value.split(|b| *b == b'\r' || *b == b'\n') {
            joined.extend_from_slice(piece);
        }
        unfolded = joined;
        unfolded.as_slice()
    } else {
        value
    };
    let leading = value.iter().take_while(|b| is_wsp(**b)).count();
    compress_wsp(trim_wsp_end(value.get(leading..).unwrap_or_default()), out);
}

/// The body in canonical form (§3.4.3, §3.4.4), appended to `out`.
///
/// `simple`: trailing empty lines removed, an empty body becomes one CRLF. `relaxed`: WSP at
/// line ends removed, WSP runs as one SP, trailing empty lines removed, and an empty body stays
/// empty (RFC 6376 erratum 1384 settles that no CRLF is added then). A last line without a CRLF
/// gets one (§3.4.3). Lines end at CRLF; a lone CR or LF is an ordinary byte (intake has already
/// turned every line end into CRLF).
pub fn body(canonicalization: Canonicalization, body: &[u8], out: &mut Vec<u8>) {
    match canonicalization {
        Canonicalization::Simple => simple_body(body, out),
        Canonicalization::Relaxed => relaxed_body(body, out),
    }
}

/// `simple` needs no pass over the bytes: it is the body without its trailing CRLFs, plus one.
fn simple_body(body: &[u8], out: &mut Vec<u8>) {
    let mut content = body;
    while let Some(shorter) = content.strip_suffix(b"\r\n") {
        content = shorter;
    }
    out.reserve(content.len() + 2);
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
}

/// `relaxed` line by line. A line's end is held back until more content follows, which drops
/// trailing empty lines. Inside a line only tabs and runs of two or more spaces change; the text
/// between them is copied in bulk.
fn relaxed_body(body: &[u8], out: &mut Vec<u8>) {
    // The output is never longer than the input plus a final CRLF.
    out.reserve(body.len() + 2);
    let start = out.len();
    let mut held_line_ends = 0usize;
    let mut rest = body;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        let content = trim_wsp_end(line);
        if content.is_empty() {
            held_line_ends += 1;
            continue;
        }
        for _ in 0..held_line_ends {
            out.extend_from_slice(b"\r\n");
        }
        held_line_ends = 1;
        compress_wsp(content, out);
    }
    if out.len() > start {
        out.extend_from_slice(b"\r\n");
    }
}

/// The first line of `rest` without its CRLF, and what follows the CRLF. A CR or LF alone is
/// an ordinary byte of the line.
fn split_line(rest: &[u8]) -> (&[u8], &[u8]) {
    let mut from = 0;
    while let Some(offset) = rest
        .get(from..)
        .and_then(|tail| memchr::memchr(b'\n', tail))
    {
        let at = from + offset;
        if at > 0 && rest.get(at - 1) == Some(&b'\r') {
            // `at` is the position of a byte of `rest` (the LF), and `at - 1` that of the CR.
            return (&rest[..at - 1], &rest[at + 1..]);
        }
        from = at + 1;
    }
    (rest, &[])
}

fn trim_wsp_end(line: &[u8]) -> &[u8] {
    let kept = line.len() - line.iter().rev().take_while(|b| is_wsp(**b)).count();
    &line[..kept]
}

/// Runs of WSP as one SP, for content with no WSP at its end (§3.4.4).
///
/// A single space between two words stays as it is; only a tab or a space followed by more WSP
/// starts a run that changes. The text between such runs is copied in bulk.
fn compress_wsp(content: &[u8], out: &mut Vec<u8>) {
    let mut copied_up_to = 0;
    while let Some(offset) = content.get(copied_up_to..).and_then(find_change) {
        // The run starts at the change: a space just before it would itself have been the change.
        let run_start = copied_up_to + offset;
        let run_length = content
            .get(run_start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| is_wsp(**b))
            .count();
        out.extend_from_slice(content.get(copied_up_to..run_start).unwrap_or_default());
        out.push(b' ');
        copied_up_to = run_start + run_length;
    }
    out.extend_from_slice(content.get(copied_up_to..).unwrap_or_default());
}

/// The position of the first byte relaxed canonicalization changes: a tab, or a space followed
/// by WSP. Eight bytes at a time, with exact per-byte equality masks (no false hits), so that
/// ordinary text with single spaces is passed over without stopping at every word.
fn find_change(haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `word` that equals `byte`, and nothing else.
    let equal = |word: u64, byte: u8| {
        let difference = word ^ (u64::from(byte) * ONES);
        !(((difference & LOW) + LOW) | difference | LOW)
    };
    let chunks = haystack.chunks_exact(8);
    let tail = chunks.remainder();
    for (index, chunk) in chunks.enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let tabs = equal(word, b'\t');
        let spaces = equal(word, b' ');
        // For each byte, whether the byte after it is WSP; the last byte looks at the next chunk.
        let next_is_wsp = haystack.get(index * 8 + 8).is_some_and(|b| is_wsp(*b));
        let followed_by_wsp = ((tabs | spaces) >> 8) | (u64::from(next_is_wsp) << 63);
        let changes = tabs | (spaces & followed_by_wsp);
        if changes != 0 {
            return Some(index * 8 + (changes.trailing_zeros() / 8) as usize);
        }
    }
    let tail_start = haystack.len() - tail.len();
    (0..tail.len())
        .find(|&at| match tail.get(at) {
            Some(b'\t') => true,
            Some(b' ') => tail.get(at + 1).is_some_and(|b| is_wsp(*b)),
            _ => false,
        })
        .map(|at| tail_start + at)
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
    // The direct search costs names × fields comparisons and no allocation, which is what real
    // messages (a dozen names, a few dozen fields) want; a hostile h= of thousands of names over
    // thousands of fields must not cost their product, so large inputs go through an index.
    if signed_headers.len().saturating_mul(message.fields.len()) <= 16 * 1024 {
        select_headers_directly(message, signed_headers, exclude)
    } else {
        select_headers_indexed(message, signed_headers, exclude)
    }
}

fn select_headers_directly<'m>(
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
            .zip(taken.iter_mut())
            .rev()
            .find(|(field, taken)| {
                !**taken && field.span != exclude.span && field.name.eq_ignore_ascii_case(name)
            });
        if let Some((field, taken)) = found {
            *taken = true;
            selected.push(field);
        }
    }
    selected
}

fn select_headers_indexed<'m>(
    message: &'m Message,
    signed_headers: &[String],
    exclude: &HeaderField,
) -> Vec<&'m HeaderField> {
    // Per name signed, the fields top first, so that `pop` takes the bottommost one left.
    let mut by_name: SortedMap<String, Vec<&HeaderField>> = signed_headers
        .iter()
        .map(|name| (name.to_ascii_lowercase(), Vec::new()))
        .collect();
    for field in &message.fields {
        if field.span == exclude.span {
            continue;
        }
        if let Some(fields) = by_name.get_mut(field.name.to_ascii_lowercase().as_str()) {
            fields.push(field);
        }
    }
    signed_headers
        .iter()
        .filter_map(|name| {
            by_name
                .get_mut(&name.to_ascii_lowercase())
                .and_then(Vec::pop)
        })
        .collect()
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

/// The fields whose display a reader trusts, checked for being signed and over-signed
/// (RFC 6376 §5.4.1 lists them among the fields that SHOULD be signed; §8.15 explains why a
/// second copy above the signed one matters).
pub const FIELDS_THAT_MATTER: [&str; 6] =
    ["From", "Subject", "To", "Date", "Reply-To", "Content-Type"];

/// How well each field that matters is protected (see [`FIELDS_THAT_MATTER`]).
pub fn header_coverage(message: &Message, signed_headers: &[String]) -> Vec<HeaderCoverage> {
    FIELDS_THAT_MATTER
        .iter()
        .map(|&name| {
            let present = message.fields_named(name).count();
            let signed = signed_headers
                .iter()
                .filter(|signed| signed.eq_ignore_ascii_case(name))
                .count();
            let status = if signed > present {
                CoverageStatus::OverSigned
            } else if present == 0 {
                CoverageStatus::AbsentNotSigned
            } else if signed < present {
                CoverageStatus::NotSigned
            } else {
                CoverageStatus::SignedNotOverSigned
            };
            HeaderCoverage {
                name,
                present,
                signed,
                status,
            }
        })
        .collect()
}
