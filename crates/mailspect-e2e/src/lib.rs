//! S/MIME and OpenPGP checks as a wasm module of its own, `www/pkg-e2e/`: the page loads it only
//! when the Message view's report says a message is signed or encrypted (`www/e2e-view.js`), so
//! that the first visit does not download the CMS, certificate and OpenPGP code. It re-reads the
//! message (intake is cheap) and returns the report's `e2e` object, checked.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use mailspect::e2e::{self, E2eOptions};
use mailspect::wasm::{from_js, to_js};
use wasm_bindgen::prelude::*;

/// `{ now, roots, openpgpKeys, dkimPassed }`, each optional: the clock in seconds (`Date.now()`
/// when absent), PEM roots, armored OpenPGP public keys, and whether a DKIM signature of the
/// message passed (`null` without DKIM signatures), for the findings that weigh one against the
/// other.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsOptions {
    now: Option<f64>,
    roots: String,
    openpgp_keys: String,
    dkim_passed: Option<bool>,
}

/// The `e2e` report of `input` (the message as a string or bytes), checked with the options'
/// roots and keys. Rejects only when the input is not a message at all.
#[wasm_bindgen(js_name = checkE2e)]
pub fn check_e2e(input: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let options: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        from_js(&options, "invalid options")?
    };
    let bytes = match input.as_string() {
        Some(text) => text.into_bytes(),
        None if input.is_instance_of::<js_sys::Uint8Array>() => {
            js_sys::Uint8Array::new(&input).to_vec()
        }
        None => return Err(JsError::new("the message must be a string or a Uint8Array")),
    };
    let message = mailspect::message::parse_message(&bytes)
        .map_err(|error| JsError::new(&error.to_string()))?;
    let summary = mailspect::message::summarize(&message);
    let now_ms = options
        .now
        .map_or_else(js_sys::Date::now, |seconds| seconds * 1000.0);
    let e2e_options = E2eOptions {
        roots_pem: options.roots,
        openpgp_keys: options.openpgp_keys,
    };
    // Float to integer conversion saturates; a negative or absurd clock becomes 0 or u64::MAX.
    let mut report = e2e::check(&message, &summary, &e2e_options, (now_ms / 1000.0) as u64);
    let dkim_findings = e2e::dkim_findings(&report, options.dkim_passed);
    report.findings.extend(dkim_findings);
    to_js(&report)
}
