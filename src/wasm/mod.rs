//! The JavaScript surface: the only module that knows about JS. It turns JS arguments into core
//! options, runs the pipeline, and turns the serde report into plain JS objects.

pub mod doh;
pub mod http;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::{self, EnvelopeOverride, Options};
use crate::dns::{RecordType, Resolver};
use crate::report::quoted;

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

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Maps become plain objects, 64-bit integers become numbers: the page reads JSON-shaped data.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|error| JsError::new(&format!("cannot convert the report for JS: {error}")))
}

fn options_from_js(options: JsValue) -> Result<Options, JsError> {
    let js: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|error| JsError::new(&format!("invalid options: {error}")))?
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
    })
}

/// Analyses a pasted message or header block (a string or a `Uint8Array`) and resolves to the
/// report as a plain object; rejects with an `Error` whose message says what is wrong with the input.
#[wasm_bindgen(js_name = analyzeMessage)]
pub async fn analyze_message(input: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let bytes = if let Some(text) = input.as_string() {
        text.into_bytes()
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        js_sys::Uint8Array::new(&input).to_vec()
    } else {
        return Err(JsError::new("the input must be a string or a Uint8Array"));
    };
    let resolver = page_resolver(&options)?;
    let options = options_from_js(options)?;
    let report = analysis::analyze_message(&bytes, &options, &resolver)
        .await
        .map_err(|error| JsError::new(&error.to_string()))?;
    to_js(&report)
}

/// The resolver the `doh` option asks for.
fn page_resolver(options: &JsValue) -> Result<impl Resolver, JsError> {
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

/// Audits a domain's SPF record: its include tree, lookups used and lint findings. `options`
/// takes `doh` as `analyzeMessage` does.
#[wasm_bindgen(js_name = auditSpf)]
pub async fn audit_spf(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = crate::spf::audit_domain(&resolver, &domain).await;
    to_js(&crate::commands::SpfAuditReport::new(audit))
}

/// Discovers and checks a domain's DMARC policy: the record that applies, its lint and fixed
/// record, and the authorisation of external report destinations. `options` takes `doh` as
/// `analyzeMessage` does.
#[wasm_bindgen(js_name = auditDmarc)]
pub async fn audit_dmarc(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = crate::dmarc::audit_domain(&domain, &resolver).await;
    to_js(&crate::commands::DmarcAuditReport::new(audit))
}

/// Lints one pasted DNS record with no lookups, as `mailspect record` does: `kind` is one of
/// `spf`, `dmarc`, `dkim`, `mta-sts`, `mta-sts-policy`, `tlsrpt`, `bimi`, `tlsa`, or absent to
/// guess it from the text.
#[wasm_bindgen(js_name = lintRecord)]
pub fn lint_record(text: String, kind: Option<String>) -> Result<JsValue, JsError> {
    let kind = match kind
        .as_deref()
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
    {
        Some(word) => Some(
            crate::records::RecordKind::from_word(word)
                .ok_or_else(|| JsError::new(&format!("{} is not a record kind", quoted(word))))?,
        ),
        None => None,
    };
    let report = crate::records::lint_record(&text, kind);
    to_js(&crate::commands::RecordLintReport::new(report))
}

/// Checks a domain's MTA-STS: the `_mta-sts` record, the MX hosts and the policy, fetched with
/// the browser's `fetch()`. Most policy hosts send no CORS headers, so the fetch usually ends as
/// `blocked-by-browser`; the page then offers to paste the policy (`lintRecord(text,
/// "mta-sts-policy")`). `options` takes `doh` as `analyzeMessage` does.
#[wasm_bindgen(js_name = auditMtaSts)]
pub async fn audit_mta_sts(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = crate::records::mta_sts::audit_domain(
        &resolver,
        &http::BrowserFetcher,
        &domain,
        crate::records::mta_sts::AuditOptions::default(),
    )
    .await;
    to_js(&crate::commands::MtaStsAuditReport::new(audit))
}

/// Checks a BIMI logo file (the bytes of an SVG) against SVG Tiny PS.
#[wasm_bindgen(js_name = checkBimiSvg)]
pub fn check_bimi_svg(bytes: Vec<u8>) -> Result<JsValue, JsError> {
    to_js(&crate::records::bimi::check_svg(&bytes))
}

/// The report of `analyzeMessage` redacted for sharing: recipients' local parts, the receiving
/// side's host names and IP addresses and message identifiers masked, the sender's evidence
/// kept (see `redact.rs`). Takes and returns the plain report object.
#[wasm_bindgen(js_name = redactReport)]
pub fn redact_report(report: JsValue) -> Result<JsValue, JsError> {
    let value: serde_json::Value = serde_wasm_bindgen::from_value(report)
        .map_err(|error| JsError::new(&format!("not a report: {error}")))?;
    to_js(&crate::redact::redact_report(&value))
}

/// The options of `auditDomain`, besides `doh`: `{ selectors, mtaStsPolicy }`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsDomainOptions {
    /// DKIM selectors to probe beside the common ones.
    selectors: Vec<String>,
    /// The MTA-STS policy file as the reader pasted it: the page cannot fetch it itself.
    mta_sts_policy: Option<String>,
}

/// Audits a whole domain: `mx`, `spf`, `dmarc`, `dkim`, `mta_sts`, `tls_rpt`, `bimi`, `dane`,
/// `dnssec`, with `grade`, `summary`, `findings` and every DNS query in `queries` (the same
/// object as `mailspect domain NAME --json`). `options`: `{ doh, selectors, mtaStsPolicy }`.
///
/// The browser cannot read `https://mta-sts.<domain>/.well-known/mta-sts.txt` (policy hosts
/// send no CORS headers), so without `mtaStsPolicy` the report's `mta_sts.policy.error.kind`
/// is `blocked-by-browser`: the page shows a paste box and calls again with the text.
#[wasm_bindgen(js_name = auditDomain)]
pub async fn audit_domain(name: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let js: JsDomainOptions = if options.is_object() {
        serde_wasm_bindgen::from_value(options)
            .map_err(|error| JsError::new(&format!("invalid options: {error}")))?
    } else {
        JsDomainOptions::default()
    };
    let domain_options = crate::domain::DomainOptions {
        selectors: js.selectors,
    };
    let fetcher = crate::domain::PastedPolicy(js.mta_sts_policy);
    let audit = crate::domain::audit_domain(&name, &domain_options, &resolver, &fetcher).await;
    to_js(&crate::commands::DomainAuditReport::new(audit))
}
