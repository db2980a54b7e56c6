//! Base64 (RFC 4648 §4) as the core reads it, and base64url (§5) as it writes DoH GET URLs.
//!
//! Three places need it: DKIM and ARC tags (`b=`, `bh=`, a key's `p=`), the S/MIME detector's
//! base64 bodies, and the DoH query in a GET URL. Each is a few lines of table lookups; the
//! base64 crate's engine, which did this before, was 6.7 KB of the Message view's module before
//! wasm-opt for one decoder and one encoder. The reading is that engine's with padding
//! "indifferent" (the configuration the three callers used): `src/base64_codec/tests.rs` holds the two
//! to the same answers on every string of up to seven characters drawn from a set that reaches
//! every branch, and natively the CLI's DoH server still reads with the crate.

/// Whether the bits a final symbol carries past the last whole byte may be set (`QR==` for the
/// `QQ==` that encodes `A`): RFC 4648 §3.5 lets a decoder refuse such non-canonical input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailingBits {
    /// Refused, as DKIM's tags are read: a signature or key written that way was not made by an
    /// encoder.
    Reject,
    /// Ignored, as a MIME body is read.
    Allow,
}

/// The six bits a symbol of the standard alphabet stands for (RFC 4648 §4, table 1).
pub(crate) fn value(symbol: u8) -> Option<u32> {
    match symbol {
        b'A'..=b'Z' => Some(u32::from(symbol - b'A')),
        b'a'..=b'z' => Some(u32::from(symbol - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(symbol - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `text` (no white space: callers remove what their grammar allows first), or `None`
/// when it is not base64.
///
/// Padding may be there or not. Where it is, it ends the text and stands in the last group of
/// four (or of what is left past the last whole group) after at least two symbols: `QQ==`, `QQ=`
/// and `QQ` all read as `A`; `Q===`, `=QQ`, `QQ==QQ==` and `QQ=A` do not read. A last group of one
/// symbol does not read, since it cannot hold a byte.
pub fn decode(text: &[u8], trailing: TrailingBits) -> Option<Vec<u8>> {
    // The last group, where padding may stand: the last four bytes of a text whose length is a
    // multiple of four, else what is left past the last whole group.
    let tail_start = match text.len() % 4 {
        0 => text.len().saturating_sub(4),
        left => text.len() - left,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    for group in text[..tail_start].chunks_exact(4) {
        let mut quantum = 0_u32;
        for &symbol in group {
            quantum = quantum << 6 | value(symbol)?;
        }
        out.extend_from_slice(&quantum.to_be_bytes()[1..]);
    }
    let tail = &text[tail_start..];
    let symbols = tail.iter().take_while(|&&byte| byte != b'=').count();
    let (data, padding) = tail.split_at(symbols);
    // Padding after fewer than two symbols, or anything but padding after it.
    if !padding.is_empty() && (symbols < 2 || padding.iter().any(|&byte| byte != b'=')) {
        return None;
    }
    if !text.is_empty() && symbols < 2 {
        return None;
    }
    let mut quantum = 0_u32;
    for &symbol in data {
        quantum = quantum << 6 | value(symbol)?;
    }
    // `symbols` sextets hold `symbols * 6 / 8` whole bytes; the bits past them are the
    // trailing bits.
    let bytes = symbols * 6 / 8;
    let spare = symbols * 6 - bytes * 8;
    if trailing == TrailingBits::Reject && quantum & ((1 << spare) - 1) != 0 {
        return None;
    }
    let whole = quantum >> spare;
    // `whole` holds `bytes` bytes (at most three), the first one highest.
    for index in (0..bytes).rev() {
        out.push((whole >> (8 * index)) as u8);
    }
    Some(out)
}

/// `bytes` in base64url without padding (RFC 4648 §5; RFC 8484 §4.1 asks for it in DoH GET
/// URLs).
pub fn encode_url_no_pad(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let mut quantum = 0_u32;
        for (index, &byte) in group.iter().enumerate() {
            quantum |= u32::from(byte) << (16 - 8 * index);
        }
        // One byte takes two symbols, two take three, three take four.
        for index in 0..=group.len() {
            let sextet = (quantum >> (18 - 6 * index)) & 0x3f;
            out.push(char::from(ALPHABET[sextet as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests;
