//! DoH in the browser: the [`DohTransport`] over `fetch`, and the resolver the page's options
//! choose. The DoH logic itself (cache, merging, budget, failover, trace) is the core's.

use std::cell::RefCell;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Request, RequestInit, Response};

use crate::dns::doh::{DnsCache, DohConfig, DohResolver, DohTransport};
use crate::dns::{wire, DnsError, EitherResolver, NoDns};
use crate::sorted_map::SortedMap;

/// The resolver of one analysis: none at all (`doh: "off"`), or DoH.
pub type PageResolver = EitherResolver<NoDns, DohResolver<FetchTransport>>;

thread_local! {
    /// Answers cached across analyses, one cache per endpoint list: a local preview server and
    /// a public resolver may answer the same name differently.
    static CACHES: RefCell<SortedMap<Vec<String>, DnsCache>> = RefCell::new(SortedMap::new());
}

/// The resolver for the page's `doh` option: `"off"` (no lookups: every one answers as if the
/// name had no records, and the report's `dns` list says so), a provider name, or a URL
/// (`https://`, or `http://` on a loopback address, such as `mailspect serve-dns`).
/// Absent means Cloudflare, with failover to Google.
pub fn page_resolver(doh: Option<&str>) -> Result<PageResolver, String> {
    let spec = doh.map(str::trim).filter(|spec| !spec.is_empty());
    if spec.is_some_and(|spec| spec.eq_ignore_ascii_case("off")) {
        return Ok(EitherResolver::First(NoDns));
    }
    let config = DohConfig::from_spec(spec.unwrap_or("cloudflare"))?;
    let cache = CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        if let Some(cache) = caches.get(&config.endpoints) {
            return cache.clone();
        }
        let cache = DnsCache::new();
        caches.insert(config.endpoints.clone(), cache.clone());
        cache
    });
    Ok(EitherResolver::Second(DohResolver::with_cache(
        FetchTransport,
        config,
        cache,
    )))
}

/// `fetch` with a GET and no custom headers, so that no CORS preflight is needed (RFC 8484 §4.1
/// GET; `Accept` is a safelisted header), and `AbortSignal.timeout` for the per-query timeout.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

impl DohTransport for FetchTransport {
    async fn get(&self, url: &str, timeout_ms: u32) -> Result<Vec<u8>, DnsError> {
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_signal(Some(&AbortSignal::timeout_with_u32(timeout_ms)));
        let request = Request::new_with_str_and_init(url, &init).map_err(fetch_error)?;
        request
            .headers()
            .set("Accept", "application/dns-message")
            .map_err(fetch_error)?;
        let response: Response = JsFuture::from(global_fetch(&request)?)
            .await
            .map_err(fetch_error)?
            .dyn_into()
            .map_err(fetch_error)?;
        if response.status() != 200 {
            return Err(DnsError::Transport(format!(
                "HTTP status {}",
                response.status()
            )));
        }
        // The abort signal also bounds the body: a server that trickles bytes times out too.
        let body = JsFuture::from(response.array_buffer().map_err(fetch_error)?)
            .await
            .map_err(fetch_error)?;
        let bytes = Uint8Array::new(&body);
        if bytes.length() as usize > wire::MAX_MESSAGE {
            return Err(DnsError::TooLarge);
        }
        Ok(bytes.to_vec())
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// `fetch` on the page's window or in a worker, whichever this is; `None` when the JavaScript
/// environment has neither.
pub(super) fn fetch_promise(request: &Request) -> Option<js_sys::Promise> {
    let global = js_sys::global();
    if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        return Some(window.fetch_with_request(request));
    }
    global
        .dyn_ref::<web_sys::WorkerGlobalScope>()
        .map(|worker| worker.fetch_with_request(request))
}

fn global_fetch(request: &Request) -> Result<js_sys::Promise, DnsError> {
    fetch_promise(request)
        .ok_or_else(|| DnsError::Transport("this JavaScript environment has no fetch".into()))
}

/// A rejected fetch: `TimeoutError` from the abort signal, otherwise a `TypeError` whose message
/// the browser keeps vague on purpose (network down, CORS refused, certificate rejected).
fn fetch_error(error: JsValue) -> DnsError {
    let field = |name: &str| {
        Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
    };
    match field("name").as_deref() {
        Some("TimeoutError") => DnsError::Timeout,
        name => DnsError::Transport(match (name, field("message")) {
            (Some(name), Some(message)) => format!("{name}: {message}"),
            // Not `{error:?}`: JsValue's Debug needs a JS describer in the glue (1 KB) for a
            // rejection fetch never gives; a thrown string is shown as it is.
            _ => error
                .as_string()
                .unwrap_or_else(|| "the fetch failed without an error message".into()),
        }),
    }
}
