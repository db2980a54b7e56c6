//! Outlook `.msg` reading as a wasm module of its own, `www/pkg-msg/`: the page loads it only
//! when a `.msg` is opened (`www/intake.js`), so that the Message view's first visit does not
//! download the compound-file reader. It returns the Internet headers Outlook stored; the
//! Message view's module analyses them (`analyzeOutlookHeaders`).
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// The Internet headers of an Outlook `.msg` (its bytes), as bytes; rejects with the message
/// `analyzeMessage` gives for the same file (unreadable, or no headers: a draft).
#[wasm_bindgen(js_name = outlookHeaders)]
pub fn outlook_headers(msg: &[u8]) -> Result<Vec<u8>, JsError> {
    mailspect::message::transport_headers(msg).map_err(|error| JsError::new(&error.to_string()))
}
