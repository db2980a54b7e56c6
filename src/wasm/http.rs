//! HTTPS in the browser: the core's [`HttpFetch`] over `fetch()`. The browser decides what the
//! page may read: a server without CORS headers (most MTA-STS hosts) makes `fetch()` reject with
//! a `TypeError` that does not say why, so that is reported as its own kind,
//! [`FetchErrorKind::BlockedByBrowser`], for the page to say so and offer a paste box.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Request, RequestInit, RequestRedirect, Response, ResponseType};

use crate::records::fetch::require_https;
use crate::records::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};

/// `fetch()` with a GET and only a safelisted `Accept` header, so no CORS preflight is sent.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserFetcher;

/// A rejected `fetch()`: `TimeoutError` from the abort signal; any other rejection is the
/// browser's opaque `TypeError` (CORS refused, certificate refused, network down).
fn rejected(error: JsValue) -> FetchError {
    let field = |name: &str| {
        Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
    };
    match field("name").as_deref() {
        Some("TimeoutError") => FetchError::new(FetchErrorKind::Timeout, None),
        Some("TypeError") => FetchError::new(FetchErrorKind::BlockedByBrowser, field("message")),
        _ => FetchError::new(
            FetchErrorKind::Other,
            field("message").or_else(|| error.as_string()),
        ),
    }
}

fn global_fetch(request: &Request) -> Result<js_sys::Promise, FetchError> {
    super::doh::fetch_promise(request).ok_or_else(|| {
        FetchError::new(
            FetchErrorKind::Other,
            Some("this JavaScript environment has no fetch".into()),
        )
    })
}

impl HttpFetch for BrowserFetcher {
    async fn get(&self, url: &str, options: &FetchOptions) -> Result<FetchedBody, FetchError> {
        require_https(url)?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_signal(Some(&AbortSignal::timeout_with_u32(options.timeout_ms)));
        init.set_redirect(if options.follow_redirects {
            RequestRedirect::Follow
        } else {
            RequestRedirect::Manual
        });
        let request = Request::new_with_str_and_init(url, &init).map_err(rejected)?;
        request
            .headers()
            .set("Accept", options.accept)
            .map_err(rejected)?;
        let response: Response = JsFuture::from(global_fetch(&request)?)
            .await
            .map_err(rejected)?
            .dyn_into()
            .map_err(rejected)?;
        // `redirect: "manual"` hands back an opaque answer for a 3xx: no status, no Location.
        if response.type_() == ResponseType::Opaqueredirect {
            return Err(FetchError::new(FetchErrorKind::Redirect, None));
        }
        let status = response.status();
        if !(200..300).contains(&status) {
            return Err(FetchError::new(
                FetchErrorKind::Status,
                Some(status.to_string()),
            ));
        }
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let too_large = || FetchError::new(FetchErrorKind::TooLarge, None);
        if header("content-length")
            .and_then(|length| length.trim().parse::<usize>().ok())
            .is_some_and(|length| length > options.max_bytes)
        {
            return Err(too_large());
        }
        let content_type = header("content-type");
        // The abort signal bounds the body too: a server that trickles bytes times out.
        let body = JsFuture::from(response.array_buffer().map_err(rejected)?)
            .await
            .map_err(rejected)?;
        let bytes = Uint8Array::new(&body);
        if bytes.length() as usize > options.max_bytes {
            return Err(too_large());
        }
        Ok(FetchedBody {
            status,
            content_type,
            body: bytes.to_vec(),
        })
    }
}
