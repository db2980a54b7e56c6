//! The Domain and Record views' wasm module, `www/pkg-audit/`: the page loads it only when one
//! of those views is used (`www/audit.js`), so that the Message view's first visit does not
//! download it. It links the core as a library and converts with the same helpers as the
//! Message view's module (`mailspect::wasm`).
//!
//! Adding an export: a `#[wasm_bindgen]` function here that reads its options with
//! [`page_resolver`] (and `mailspect::wasm::options_from_js` where it needs more than `doh`)
//! and returns [`to_js`] of a report type from `mailspect::commands`. Nothing else changes:
//! `scripts/setup.sh` builds this crate, and the page reaches the function as a property of
//! what `loadAudit()` resolves to.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use mailspect::commands::{DmarcAuditReport, SpfAuditReport};
use mailspect::report::quoted;
use mailspect::wasm::{from_js, page_resolver, to_js};
use wasm_bindgen::prelude::*;

/// Audits a domain's SPF record: its include tree, lookups used and lint findings. `options`
/// takes `doh` as `analyzeMessage` does.
#[wasm_bindgen(js_name = auditSpf)]
pub async fn audit_spf(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = mailspect::spf::audit_domain(&resolver, &domain).await;
    to_js(&SpfAuditReport::new(audit))
}

/// Discovers and checks a domain's DMARC policy: the record that applies, its lint and fixed
/// record, and the authorisation of external report destinations. `options` takes `doh` as
/// `analyzeMessage` does.
#[wasm_bindgen(js_name = auditDmarc)]
pub async fn audit_dmarc(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = mailspect::dmarc::audit_domain(&domain, &resolver).await;
    to_js(&DmarcAuditReport::new(audit))
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
            mailspect::records::RecordKind::from_word(word)
                .ok_or_else(|| JsError::new(&format!("{} is not a record kind", quoted(word))))?,
        ),
        None => None,
    };
    let report = mailspect::records::lint_record(&text, kind);
    to_js(&mailspect::commands::RecordLintReport::new(report))
}

/// Checks a domain's MTA-STS: the `_mta-sts` record, the MX hosts and the policy, fetched with
/// the browser's `fetch()`. Most policy hosts send no CORS headers, so the fetch usually ends as
/// `blocked-by-browser`; the page then offers to paste the policy (`lintRecord(text,
/// "mta-sts-policy")`). `options` takes `doh` as `analyzeMessage` does.
#[wasm_bindgen(js_name = auditMtaSts)]
pub async fn audit_mta_sts(domain: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let audit = mailspect::records::mta_sts::audit_domain(
        &resolver,
        &mailspect::wasm::http::BrowserFetcher,
        &domain,
        mailspect::records::mta_sts::AuditOptions::default(),
    )
    .await;
    to_js(&mailspect::commands::MtaStsAuditReport::new(audit))
}

/// Checks a BIMI logo file (the bytes of an SVG) against SVG Tiny PS.
#[wasm_bindgen(js_name = checkBimiSvg)]
pub fn check_bimi_svg(bytes: Vec<u8>) -> Result<JsValue, JsError> {
    to_js(&mailspect::records::bimi::check_svg(&bytes))
}

/// The options of `auditDomain`, besides `doh`: `{ selectors, mtaStsPolicy }`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsDomainOptions {
    /// DKIM selectors to probe beside the common ones.
    selectors: Vec<String>,
    /// The MTA-STS policy file as the reader pasted it: the page cannot fetch it itself.
    mta_sts_policy: Option<String>,
    /// The text of a `mailspect probe --json` report the reader dropped: the browser cannot
    /// open SMTP connections, the CLI can. Folded into the findings and the grade.
    probe_report: Option<String>,
}

/// Audits a whole domain: `mx`, `spf`, `dmarc`, `dkim`, `mta_sts`, `tls_rpt`, `bimi`, `dane`,
/// `dnssec`, with `grade`, `summary`, `findings` and every DNS query in `queries` (the same
/// object as `mailspect domain NAME --json`). `options`: `{ doh, selectors, mtaStsPolicy,
/// probeReport }`.
///
/// The browser cannot read `https://mta-sts.<domain>/.well-known/mta-sts.txt` (policy hosts
/// send no CORS headers), so without `mtaStsPolicy` the report's `mta_sts.policy.error.kind`
/// is `blocked-by-browser`: the page shows a paste box and calls again with the text.
#[wasm_bindgen(js_name = auditDomain)]
pub async fn audit_domain(name: String, options: JsValue) -> Result<JsValue, JsError> {
    let resolver = page_resolver(&options)?;
    let js: JsDomainOptions = if options.is_object() {
        from_js(&options, "options")?
    } else {
        JsDomainOptions::default()
    };
    let domain_options = mailspect::domain::DomainOptions {
        selectors: js.selectors,
    };
    let fetcher = mailspect::domain::PastedPolicy(js.mta_sts_policy);
    let mut audit =
        mailspect::domain::audit_domain(&name, &domain_options, &resolver, &fetcher).await;
    if let Some(text) = js.probe_report.as_deref() {
        let probe = mailspect::probe::read::read_probe_report(text)
            .map_err(|why| JsError::new(&format!("probe report: {why}")))?;
        mailspect::domain::add_probe(&mut audit, probe)
            .map_err(|why| JsError::new(&format!("probe report: {why}")))?;
    }
    to_js(&mailspect::commands::DomainAuditReport::new(audit))
}

/// The report of `analyzeMessage` redacted for sharing: recipients' local parts, the receiving
/// side's host names and IP addresses and message identifiers masked, the sender's evidence
/// kept (see `src/redact.rs`). Takes and returns the plain report object. Here rather than in
/// the Message view's module: it is the one export of that view that reads a report back, and
/// the JSON reader it needs would be on every first visit for an export few make.
#[wasm_bindgen(js_name = redactReport)]
pub fn redact_report(report: JsValue) -> Result<JsValue, JsError> {
    let value: serde_json::Value = from_js(&report, "not a report")?;
    to_js(&mailspect::redact::redact_report(&value))
}

/// WebCrypto's `digest` for the Message view's fallback (`www/crypto.js`), when the browser has
/// no `crypto.subtle`: `algorithm` is `SHA-256` or `SHA-1`; the hash of `data`.
#[wasm_bindgen(js_name = cryptoDigest)]
pub fn crypto_digest(algorithm: &str, data: &[u8]) -> Result<Vec<u8>, JsError> {
    mailspect::crypto::digest_as_webcrypto(algorithm, data).map_err(|why| JsError::new(&why))
}

/// WebCrypto's `verify` for the Message view's fallback (`www/crypto.js`), when the browser has
/// no WebCrypto or refuses the algorithm or the key: `algorithm` is `RSASSA-PKCS1-v1_5` (with
/// `hash` `SHA-256` or `SHA-1`, `key` a SubjectPublicKeyInfo) or `Ed25519` (`key` the raw 32
/// bytes), with the Rust crates the CLI verifies with.
#[wasm_bindgen(js_name = cryptoVerify)]
pub fn crypto_verify(
    algorithm: &str,
    hash: &str,
    key: &[u8],
    signature: &[u8],
    data: &[u8],
) -> Result<bool, JsError> {
    mailspect::crypto::verify_as_webcrypto(algorithm, hash, key, signature, data)
        .map_err(|why| JsError::new(&why))
}
