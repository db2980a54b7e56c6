//! Exports that look things up one at a time, `resolve` and `checkSpf`: a DNS lookup as the
//! analyses make it, and SPF for an envelope. The page's views do not call them; they are there
//! for pages that embed the modules and for debugging. Behind the feature `lookup-exports`, which
//! the audit module (`crates/mailspect-audit`) turns on: the Message view's module leaves them
//! out, since `checkSpf` alone brought a second copy of the SPF evaluator (over the bare resolver
//! rather than the analyses' recorder) into its first visit.

use wasm_bindgen::prelude::*;

use super::{options_from_js, page_resolver, to_js};
use crate::dns::{RecordType, Resolver};
use crate::report::quoted;

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
