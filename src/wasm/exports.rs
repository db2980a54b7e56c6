//! The Message view's exports: what the page's first visit loads (see the module above).

use wasm_bindgen::prelude::*;

use super::{from_js, options_from_js, page_resolver, to_js};
use crate::analysis;
use crate::dns::{RecordType, Resolver};
use crate::report::quoted;

/// Analyses a pasted message or header block (a string or a `Uint8Array`) and resolves to the
/// report as a plain object; rejects with an `Error` whose message says what is wrong with the input.
#[wasm_bindgen(js_name = analyzeMessage)]
pub async fn analyze_message(input: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let bytes = input_bytes(&input)?;
    let resolver = page_resolver(&options)?;
    let options = options_from_js(options)?;
    let report = analysis::analyze_message(&bytes, &options, &resolver)
        .await
        .map_err(|error| JsError::new(&error.to_string()))?;
    to_js(&report)
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
    let options = options_from_js(options)?;
    to_js(&analysis::analyze_parsed(message, &options, &resolver).await)
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

/// Looks up one name as the analyses do and resolves to its trace: `{ name, record_type,
/// outcome: { answer: { records, cnames, authenticated } } | { error: { kind, message, detail } },
/// start_ms, duration_ms, cache, source, requests }`. `options` takes `doh` as
/// `analyzeMessage` does.
#[wasm_bindgen]
pub async fn resolve(
    name: String,
    record_type: String,
    options: JsValue,
) -> Result<JsValue, JsError> {
    let record_type = RecordType::from_name(&record_type).ok_or_else(|| {
        JsError::new(&format!(
            "{} is not a record type mailspect looks up",
            quoted(&record_type)
        ))
    })?;
    let resolver = page_resolver(&options)?;
    let trace = resolver.lookup_traced(&name, record_type).await;
    to_js(&crate::commands::DnsLookupReport::new(trace))
}

/// The version of the analyser, for the page footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Evaluates SPF for `{ ip, mailFrom, helo, now }` (the same options as `analyzeMessage`) and
/// resolves to the same object as a message report's `spf`: `result`, `reason`, `domain`, `ip`,
/// and the `mail_from` and `helo` checks, each with its evaluation `trace`.
#[wasm_bindgen(js_name = checkSpf)]
pub async fn check_spf(options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let options = options_from_js(options)?;
    let envelope = options.envelope;
    let ip = envelope
        .ip
        .ok_or_else(|| JsError::new("invalid options: ip is required to evaluate SPF"))?;
    let spf_options = crate::spf::CheckOptions {
        receiver: None,
        now: options.now,
    };
    let report = crate::spf::check_envelope(
        &resolver,
        Some(ip),
        envelope.mail_from.as_deref(),
        envelope.helo.as_deref(),
        &spf_options,
    )
    .await;
    to_js(&crate::commands::SpfEnvelopeReport::new(report))
}

/// The report of `analyzeMessage` redacted for sharing: recipients' local parts, the receiving
/// side's host names and IP addresses and message identifiers masked, the sender's evidence
/// kept (see `redact.rs`). Takes and returns the plain report object.
#[wasm_bindgen(js_name = redactReport)]
pub fn redact_report(report: JsValue) -> Result<JsValue, JsError> {
    let value: serde_json::Value = from_js(&report, "not a report")?;
    to_js(&crate::redact::redact_report(&value))
}
