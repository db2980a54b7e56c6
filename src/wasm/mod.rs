//! The JavaScript surface: the only module that knows about JS. It turns JS arguments into core
//! options, runs the pipeline, and turns the serde report into plain JS objects.
//!
//! The page loads two wasm modules built on this one: the Message view's, this crate's own
//! exports ([`exports`], behind the default feature `message-view`), and the Domain and Record
//! views' (`crates/mailspect-audit`), which links this crate without that feature and is
//! fetched only when one of those views is used. The helpers here serve both.

pub mod doh;
#[cfg(feature = "message-view")]
mod exports;
pub mod http;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::{EnvelopeOverride, Options};
use crate::dns::Resolver;
use crate::report::quoted;
#[cfg(feature = "message-view")]
pub use exports::*;

/// Options the page may pass, all optional: `{ ip, helo, mailFrom, now, includeCanonicalized,
/// trustedArcSealers, doh }`; `doh` is read by [`doh_option`].
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsOptions {
    ip: Option<String>,
    helo: Option<String>,
    mail_from: Option<String>,
    /// Seconds since the Unix epoch; `Date.now()` when absent.
    now: Option<f64>,
    include_canonicalized: bool,
    /// ARC sealer domains the reader trusts (RFC 8617 §7.2).
    trusted_arc_sealers: Vec<String>,
}

/// The value as a plain JS object, for an export to return.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // As JSON text that the engine's own `JSON.parse` turns into plain objects: maps become
    // objects, 64-bit integers numbers, `None` null. serde-wasm-bindgen, which built the objects
    // field by field through calls into JS, was the alternative: its serializer and the report
    // types' `Serialize` for it made a larger wasm and a larger JS glue (BENCHMARKS.md, "Size").
    let json = serde_json::to_string(value)
        .map_err(|error| JsError::new(&format!("cannot convert the report for JS: {error}")))?;
    js_sys::JSON::parse(&json).map_err(|_| JsError::new("cannot convert the report for JS"))
}

/// Reads a plain JS value (options, a report) through `JSON.stringify`, the way [`to_js`]
/// writes them. `what` names it in the error: `invalid options: …`.
pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let json = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|json| json.as_string())
        .ok_or_else(|| JsError::new(&format!("{what}: not plain data")))?;
    // Through a `Value`, whose errors name the field and not a position in text nobody wrote.
    serde_json::from_str::<serde_json::Value>(&json)
        .and_then(serde_json::from_value)
        .map_err(|error| JsError::new(&format!("{what}: {error}")))
}

/// The options of `analyzeMessage` and `checkSpf`, `doh` aside: `{ ip, helo, mailFrom, now,
/// includeCanonicalized, trustedArcSealers }`, each optional.
pub fn options_from_js(options: JsValue) -> Result<Options, JsError> {
    let js: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        from_js(&options, "invalid options")?
    };
    let ip = match js.ip.as_deref().map(str::trim).filter(|ip| !ip.is_empty()) {
        Some(text) => Some(text.parse().map_err(|_| {
            JsError::new(&format!(
                "invalid options: ip: {} is not an IP address",
                quoted(text)
            ))
        })?),
        None => None,
    };
    let now_ms = js
        .now
        .map_or_else(js_sys::Date::now, |seconds| seconds * 1000.0);
    Ok(Options {
        envelope: EnvelopeOverride {
            ip,
            helo: js.helo.filter(|helo| !helo.trim().is_empty()),
            mail_from: js.mail_from.filter(|from| !from.trim().is_empty()),
        },
        // Float to integer conversion saturates; a negative or absurd clock becomes 0 or u64::MAX.
        now: (now_ms / 1000.0) as u64,
        include_canonicalized: js.include_canonicalized,
        trusted_arc_sealers: js.trusted_arc_sealers,
        // The Message view's module only detects S/MIME and OpenPGP; the page's e2e module
        // (crates/mailspect-e2e) takes the reader's roots and keys.
        e2e: Default::default(),
    })
}

/// The resolver the `doh` option of `options` asks for (see [`doh::page_resolver`]).
pub fn page_resolver(options: &JsValue) -> Result<impl Resolver, JsError> {
    doh::page_resolver(doh_option(options)?.as_deref())
        .map_err(|error| JsError::new(&format!("invalid options: doh: {error}")))
}

/// The `doh` option: `cloudflare`, `google`, `quad9`, a DoH URL (`http://` only on loopback),
/// or `off`. Absent means Cloudflare.
fn doh_option(options: &JsValue) -> Result<Option<String>, JsError> {
    if !options.is_object() {
        return Ok(None);
    }
    let value = js_sys::Reflect::get(options, &JsValue::from_str("doh"))
        .map_err(|_| JsError::new("invalid options: doh cannot be read"))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| JsError::new("invalid options: doh must be a string"))
}
