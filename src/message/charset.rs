//! Bytes in a named charset, as text: the charset of an RFC 2047 encoded-word.
//!
//! UTF-8, US-ASCII and ISO-8859-1 (with their aliases) are decoded here, in Rust, everywhere:
//! they are most of the mail there is, and they cost a 32-entry table. Every other charset is
//! decoded by what the platform offers, chosen at build time in [`other`]: natively by
//! mail-parser's decoders (so that the CLI's output stays what it was), in wasm by the browser's
//! `TextDecoder` (`src/wasm/text_decoder.rs`), so that the Message view's module carries none of
//! mail-parser's charset tables (BENCHMARKS.md, "Size").
//!
//! A charset neither knows is read as UTF-8, with U+FFFD for what is not, as mail-parser does
//! (`decode_rfc2047` falls back to `String::from_utf8_lossy` when `charset_decoder` has none).

/// The label as mail-parser compares it (`charset_decoder`): ASCII lower case, `-` as `_`.
fn normalized(label: &[u8]) -> Vec<u8> {
    label
        .iter()
        .map(|&byte| match byte {
            b'-' => b'_',
            _ => byte.to_ascii_lowercase(),
        })
        .collect()
}

/// What the charsets decoded in Rust are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    Utf8,
    /// ISO-8859-1 and US-ASCII as mail-parser and the WHATWG Encoding Standard read them: as
    /// windows-1252, whose 0x80–0x9F are printable where ISO-8859-1's are C1 controls.
    Windows1252,
}

/// The charsets decoded here, by their labels as [`normalized`] spells them: mail-parser's
/// labels for `decoder_cp1252`, and UTF-8's, which mail-parser has no decoder for and reads as
/// UTF-8 anyway.
fn builtin(label: &[u8]) -> Option<Builtin> {
    const WINDOWS_1252: [&[u8]; 17] = [
        b"ansi_x3.4_1968",
        b"ascii",
        b"cp819",
        b"cp1252",
        b"csisolatin1",
        b"cswindows1252",
        b"ibm819",
        b"iso88591",
        b"iso8859_1",
        b"iso_8859_1",
        b"iso_8859_1:1987",
        b"iso_ir_100",
        b"l1",
        b"latin1",
        b"us_ascii",
        b"windows_1252",
        b"x_cp1252",
    ];
    let label = normalized(label);
    if label == b"utf_8" || label == b"utf8" {
        Some(Builtin::Utf8)
    } else if WINDOWS_1252.contains(&label.as_slice()) {
        Some(Builtin::Windows1252)
    } else {
        None
    }
}

/// windows-1252's 0x80–0x9F; the five it leaves undefined are U+FFFD, as in mail-parser's table
/// (the WHATWG table maps them to the C1 controls instead).
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20ac}', '\u{fffd}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{fffd}', '\u{17d}', '\u{fffd}',
    '\u{fffd}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{fffd}', '\u{17e}', '\u{178}',
];

fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| match byte {
            0x80..=0x9f => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
            _ => char::from(byte),
        })
        .collect()
}

/// Valid UTF-8 is taken as it is, without a copy.
fn utf8_lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// `bytes` in the charset `label` (as written in the encoded-word, without any RFC 2231
/// language): the text, with U+FFFD for bytes the charset cannot read.
pub fn decode(label: &[u8], bytes: Vec<u8>) -> String {
    match builtin(label) {
        Some(Builtin::Utf8) => utf8_lossy(bytes),
        Some(Builtin::Windows1252) => windows_1252(&bytes),
        None => other(label, &bytes).unwrap_or_else(|| utf8_lossy(bytes)),
    }
}

/// The platform's decoder for the charsets not decoded here; `None` for a charset it does not
/// know.
///
/// Chosen by `cfg` in this one place rather than by a trait handed in like
/// [`crate::crypto::Crypto`]: decoding is synchronous and happens deep in passes that have no
/// options to carry it (intake's display values, the summary, the sender checks, S/MIME's
/// protected headers), and no caller ever needs to choose: wasm always has the browser's
/// `TextDecoder`, a native build always has mail-parser. The core names the wasm edge's function
/// and nothing of JS.
#[cfg(not(target_arch = "wasm32"))]
fn other(label: &[u8], bytes: &[u8]) -> Option<String> {
    mail_parser::decoders::charsets::map::charset_decoder(label).map(|decoder| decoder(bytes))
}

#[cfg(target_arch = "wasm32")]
fn other(label: &[u8], bytes: &[u8]) -> Option<String> {
    crate::wasm::text_decoder::decode(label, bytes)
}
