//! The Message view's exports: what the page's first visit loads (see the module above).

use wasm_bindgen::prelude::*;

use super::subtle::PageCrypto;
use super::{options_from_js, page_resolver, to_js};
use crate::analysis::{self, MessageReport, Options};
use crate::dns::Resolver;
use crate::message::Message;

/// Analyses a pasted message or header block (a string or a `Uint8Array`) and resolves to the
/// report as a plain object; rejects with an `Error` whose message says what is wrong with the input.
///
/// The `crypto` option is the object DKIM and ARC verify with: `crypto.subtle`, or one shaped
/// like it (`www/crypto.js`, with its fallback); absent means `crypto.subtle` (in a module built
/// with `rust-crypto`, the Rust crates).
#[wasm_bindgen(js_name = analyzeMessage)]
pub async fn analyze_message(input: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let crypto = page_crypto(&options)?;
    let options = options_from_js(options)?;
    let bytes = input_bytes(&input)?;
    let message =
        crate::message::parse_input(&bytes).map_err(|error| JsError::new(&error.to_string()))?;
    // The message holds its own copy: without the input's, a 48 MiB message costs one copy
    // less of the page's memory, which a wasm module never gives back.
    drop(bytes);
    to_js(&analyze(message, &options, &resolver, crypto).await)
}

/// Analyses the Internet headers of an Outlook `.msg` (a `Uint8Array`), as the msg module's
/// `outlookHeaders` reads them (`www/intake.js`), and resolves to the same report as
/// `analyzeMessage` of the `.msg` itself: the headers, with a finding that they came from one.
#[wasm_bindgen(js_name = analyzeOutlookHeaders)]
pub async fn analyze_outlook_headers(
    headers: JsValue,
    options: JsValue,
) -> Result<JsValue, JsError> {
    let message = crate::message::parse_outlook_headers(&input_bytes(&headers)?)
        .map_err(|error| JsError::new(&error.to_string()))?;
    let resolver = page_resolver(&options)?;
    let crypto = page_crypto(&options)?;
    let options = options_from_js(options)?;
    to_js(&analyze(message, &options, &resolver, crypto).await)
}

/// The `crypto` option (see [`analyze_message`]).
fn page_crypto(options: &JsValue) -> Result<Option<PageCrypto>, JsError> {
    PageCrypto::from_options(options)
        .map_err(|error| JsError::new(&format!("invalid options: {error}")))
}

async fn analyze(
    message: Message,
    options: &Options,
    resolver: &impl Resolver,
    crypto: Option<PageCrypto>,
) -> MessageReport {
    #[cfg(feature = "rust-crypto")]
    if crypto.is_none() {
        return analysis::analyze_parsed(message, options, resolver).await;
    }
    let crypto = crypto.unwrap_or_else(PageCrypto::global);
    analysis::analyze_parsed_with(message, options, resolver, &crypto).await
}

fn input_bytes(input: &JsValue) -> Result<Vec<u8>, JsError> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        Ok(js_sys::Uint8Array::new(input).to_vec())
    } else {
        Err(JsError::new("the input must be a string or a Uint8Array"))
    }
}

/// The version of the analyser, for the page footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
