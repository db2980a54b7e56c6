//! Encoded-words in the charsets that the core leaves to the platform (mail-parser's decoders,
//! natively): the answers `wasm-tests/charset.rs` expects of the browser's `TextDecoder`.

include!("../wasm-tests/fixtures/charsets.rs");

#[test]
fn subjects_and_from_names_in_other_charsets_decode() {
    assert_charset_samples_decode();
}
