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
#[cfg(feature = "lookup-exports")]
mod lookups;
pub mod subtle;
pub mod text_decoder;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::{EnvelopeOverride, Options};
use crate::dns::Resolver;
use crate::report::quoted;
#[cfg(feature = "message-view")]
pub use exports::*;
#[cfg(feature = "lookup-exports")]
pub use lookups::*;

/// The value as a plain JS object, for an export to return.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // As JSON text that the engine's own `JSON.parse` turns into plain objects: maps become
    // objects, 64-bit integers numbers, `None` null. serde-wasm-bindgen, which built the objects
    // field by field through calls into JS, was the alternative: its serializer and the report
    // types' `Serialize` for it made a larger wasm and a larger JS glue (BENCHMARKS.md, "Size").
    // The text is serde_json's, written by the compact writer, whose per-field code is a call
    // or two where serde_json's inlines the key's escaping into every field of every report.
    let json = crate::json_writer::to_string(value)
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
/// includeCanonicalized, trustedArcSealers }`, each optional; `now` is in seconds since the Unix
/// epoch, `Date.now()` when absent. Read property by property rather than through serde, so that
/// the Message view's module carries no JSON reader (BENCHMARKS.md, "Size").
pub fn options_from_js(options: JsValue) -> Result<Options, JsError> {
    let options = if options.is_undefined() || options.is_null() {
        js_sys::Object::new().into()
    } else if options.is_object() {
        options
    } else {
        return Err(JsError::new("invalid options: not an object"));
    };
    let ip = match option_string(&options, "ip")?
        .as_deref()
        .map(str::trim)
        .filter(|ip| !ip.is_empty())
    {
        Some(text) => Some(text.parse().map_err(|_| {
            JsError::new(&format!(
                "invalid options: ip: {} is not an IP address",
                quoted(text)
            ))
        })?),
        None => None,
    };
    let now_ms = match option_value(&options, "now")? {
        None => js_sys::Date::now(),
        Some(value) => {
            value
                .as_f64()
                .ok_or_else(|| JsError::new("invalid options: now must be a number of seconds"))?
                * 1000.0
        }
    };
    let include_canonicalized = match option_value(&options, "includeCanonicalized")? {
        None => false,
        Some(value) => value.as_bool().ok_or_else(|| {
            JsError::new("invalid options: includeCanonicalized must be true or false")
        })?,
    };
    let trusted_arc_sealers = match option_value(&options, "trustedArcSealers")? {
        None => Vec::new(),
        Some(value) if js_sys::Array::is_array(&value) => js_sys::Array::from(&value)
            .iter()
            .map(|sealer| sealer.as_string())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                JsError::new("invalid options: trustedArcSealers must be a list of domain names")
            })?,
        Some(_) => {
            return Err(JsError::new(
                "invalid options: trustedArcSealers must be a list of domain names",
            ))
        }
    };
    let non_blank = |text: Option<String>| text.filter(|text| !text.trim().is_empty());
    Ok(Options {
        envelope: EnvelopeOverride {
            ip,
            helo: non_blank(option_string(&options, "helo")?),
            mail_from: non_blank(option_string(&options, "mailFrom")?),
        },
        // Float to integer conversion saturates; a negative or absurd clock becomes 0 or u64::MAX.
        now: (now_ms / 1000.0) as u64,
        include_canonicalized,
        trusted_arc_sealers,
        // The Message view's module only detects S/MIME and OpenPGP; the page's e2e module
        // (crates/mailspect-e2e) takes the reader's roots and keys.
        e2e: Default::default(),
    })
}

/// The property `name` of an options object; `None` when absent, `undefined` or `null`.
fn option_value(options: &JsValue, name: &str) -> Result<Option<JsValue>, JsError> {
    let value = js_sys::Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| JsError::new(&format!("invalid options: {name} cannot be read")))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// A string property of an options object; `None` when absent.
fn option_string(options: &JsValue, name: &str) -> Result<Option<String>, JsError> {
    option_value(options, name)?
        .map(|value| {
            value
                .as_string()
                .ok_or_else(|| JsError::new(&format!("invalid options: {name} must be a string")))
        })
        .transpose()
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
    option_string(options, "doh")
}
