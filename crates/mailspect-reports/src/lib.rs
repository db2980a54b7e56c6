//! The Reports view's wasm module, `www/pkg-reports/`: DMARC aggregate and failure reports and
//! SMTP TLS reports read in the browser, in a Web Worker (`www/reports-worker.js`), so that a
//! large archive never blocks the page. The page loads it only when the Reports view is used.
//!
//! The files are handed over one at a time ([`add_report_file`]) and read together
//! ([`read_reports`]), because a report set is many files of raw bytes and wasm-bindgen passes
//! a `Uint8Array` to a `Vec<u8>` argument without going through JSON.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use std::cell::RefCell;

use mailspect::reports::{self, InputFile};
use mailspect::wasm::{from_js, page_resolver, to_js};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The files handed over since the last read.
    static FILES: RefCell<Vec<InputFile>> = const { RefCell::new(Vec::new()) };
}

/// Bytes handed over before a read, at most: the page refuses more before sending any.
const MAX_PENDING_BYTES: usize = 512 * 1024 * 1024;

/// Hands one file to the next [`read_reports`].
#[wasm_bindgen(js_name = addReportFile)]
pub fn add_report_file(name: String, bytes: Vec<u8>) -> Result<(), JsError> {
    FILES.with(|files| {
        let mut files = files.borrow_mut();
        let pending: usize = files.iter().map(|file| file.bytes.len()).sum();
        if pending.saturating_add(bytes.len()) > MAX_PENDING_BYTES {
            return Err(JsError::new(&format!(
                "{name}: the files together are larger than {} MB",
                MAX_PENDING_BYTES / (1024 * 1024)
            )));
        }
        files.push(InputFile { name, bytes });
        Ok(())
    })
}

#[derive(Deserialize, Default)]
struct ReadOptions {
    /// Look up the sources' PTR names over DoH.
    #[serde(default)]
    ptr: bool,
}

/// Reads every file handed over, as `mailspect reports --json` does, and forgets them. With
/// `{ptr: true}` (and `doh` as `analyzeMessage` takes it) the sources' PTR names are looked up.
#[wasm_bindgen(js_name = readReports)]
pub async fn read_reports(options: JsValue) -> Result<JsValue, JsError> {
    let read: ReadOptions = if options.is_undefined() || options.is_null() {
        ReadOptions::default()
    } else {
        from_js(&options, "invalid options")?
    };
    let files = FILES.with(|files| std::mem::take(&mut *files.borrow_mut()));
    let mut report = reports::read_files(&files);
    drop(files);
    if read.ptr {
        let resolver = page_resolver(&options)?;
        let findings = reports::ptr::add_ptr_names(&mut report.summary, &resolver).await;
        report.findings.extend(findings);
    }
    to_js(&report)
}

/// Reports already read, as a report set's `aggregate`, `failure` and `tls` lists hold them
/// (the page's archive keeps them so): merged again into a report set without files.
#[wasm_bindgen(js_name = summarizeReports)]
pub fn summarize_reports(kept: JsValue) -> Result<JsValue, JsError> {
    #[derive(Deserialize)]
    struct Kept {
        #[serde(default)]
        aggregate: Vec<reports::AggregateReport>,
        #[serde(default)]
        failure: Vec<reports::FailureReport>,
        #[serde(default)]
        tls: Vec<reports::TlsReport>,
    }
    let kept: Kept = from_js(&kept, "archived reports")?;
    to_js(&reports::from_reports(
        kept.aggregate,
        kept.failure,
        kept.tls,
    ))
}
