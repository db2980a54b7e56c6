use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::{decode, encode_url_no_pad, TrailingBits};

/// The base64 crate's engine as the core's callers configured it before: padding indifferent,
/// trailing bits refused (DKIM) or allowed (MIME bodies).
fn theirs(text: &[u8], trailing: TrailingBits) -> Option<Vec<u8>> {
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(trailing == TrailingBits::Allow);
    GeneralPurpose::new(&base64::alphabet::STANDARD, config)
        .decode(text)
        .ok()
}

/// Every string of up to seven bytes over symbols that reach each branch: a symbol with all
/// bits clear (`A`), one with only low bits (`B`, `D`), high ones (`w`, `/`), padding and a byte
/// outside the alphabet. 7^7 + … strings, each read both ways.
#[test]
fn every_short_string_reads_as_the_base64_crate_reads_it() {
    const SYMBOLS: &[u8] = b"ABDw/=!";
    let mut checked = 0_usize;
    let mut text = Vec::new();
    for length in 0..=7_u32 {
        for mut index in 0..SYMBOLS.len().pow(length) {
            text.clear();
            for _ in 0..length {
                text.push(SYMBOLS[index % SYMBOLS.len()]);
                index /= SYMBOLS.len();
            }
            for trailing in [TrailingBits::Reject, TrailingBits::Allow] {
                assert_eq!(
                    decode(&text, trailing),
                    theirs(&text, trailing),
                    "{:?} {trailing:?}",
                    String::from_utf8_lossy(&text)
                );
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        (0..=7).map(|length| 7_usize.pow(length)).sum::<usize>()
    );
}

#[test]
fn longer_text_reads_as_the_base64_crate_reads_it() {
    // A 2048-bit key's worth of bytes, every length of the last group, with and without padding.
    let bytes: Vec<u8> = (0..=300_u32).map(|n| (n * 37 + 11) as u8).collect();
    for length in 0..bytes.len() {
        let padded = base64::engine::general_purpose::STANDARD.encode(&bytes[..length]);
        let bare = padded.trim_end_matches('=');
        for text in [padded.as_str(), bare] {
            assert_eq!(
                decode(text.as_bytes(), TrailingBits::Reject).as_deref(),
                Some(&bytes[..length])
            );
        }
    }
    for text in [
        "QUJD=QUJD",
        "QUJDQQ==QUJD",
        "QUJD\r\nQUJD",
        "QUJDQ",
        "QUJDQR==",
        "QUJDQR",
    ] {
        for trailing in [TrailingBits::Reject, TrailingBits::Allow] {
            assert_eq!(
                decode(text.as_bytes(), trailing),
                theirs(text.as_bytes(), trailing),
                "{text:?}"
            );
        }
    }
}

#[test]
fn url_encoding_is_the_base64_crate_s() {
    let bytes: Vec<u8> = (0..=255_u8).rev().collect();
    for length in 0..bytes.len() {
        assert_eq!(
            encode_url_no_pad(&bytes[..length]),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..length])
        );
    }
}
