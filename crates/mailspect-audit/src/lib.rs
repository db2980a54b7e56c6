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
use mailspect::wasm::{page_resolver, to_js};
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
