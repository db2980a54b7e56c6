//! The charsets of encoded-words that the core does not decode itself
//! ([`crate::message`]'s `charset` module), through the browser's `TextDecoder` (WHATWG Encoding
//! Standard), so that the Message view's module carries no charset tables.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type TextDecoder;

    /// `new TextDecoder(label)`: throws a RangeError for a label the browser does not know.
    /// Not fatal (the default), so bytes the charset cannot read become U+FFFD.
    #[wasm_bindgen(constructor, catch)]
    fn new(label: &str) -> Result<TextDecoder, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn decode(this: &TextDecoder, bytes: &[u8]) -> Result<String, JsValue>;
}

/// `bytes` in the charset `label`; `None` for a label the browser does not know (the caller
/// then reads the bytes as UTF-8, as mail-parser does for a charset it does not know).
pub fn decode(label: &[u8], bytes: &[u8]) -> Option<String> {
    let label = std::str::from_utf8(label).ok()?;
    let decoder = TextDecoder::new(label)
        // mail-parser takes `_` for `-` in any label (`iso_8859_2`, `euc_kr`); the Encoding
        // Standard knows only some spellings with `_` (`shift_jis`, `iso_8859-2`), so a label
        // it refuses is tried again with hyphens.
        .or_else(|_| TextDecoder::new(&label.replace('_', "-")))
        .ok()?;
    decoder.decode(bytes).ok()
}
