//! Encoded-words in charsets that the core does not decode itself, decoded by the browser's
//! `TextDecoder` in headless Chromium: the same answers as natively (`tests/charsets.rs`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

include!("fixtures/charsets.rs");

#[wasm_bindgen_test]
fn subjects_and_from_names_in_other_charsets_decode_through_text_decoder() {
    assert_charset_samples_decode();
}
