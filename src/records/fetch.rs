//! HTTPS for the core, answered at the edges: the CLI's client (`cli::http::UreqFetcher`, ureq
//! with rustls) and the page's (`wasm::http::BrowserFetcher`, `fetch()`). The core does no I/O
//! (docs/report.md, STYLE.md), so the MTA-STS policy and the BIMI logo come through this trait
//! as DNS answers come through [`crate::dns::Resolver`].

use std::fmt;
use std::future::Future;

use serde::Serialize;

use crate::report::ErrorObject;

/// How one GET is to be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// A body longer than this is not read: [`FetchErrorKind::TooLarge`].
    pub max_bytes: usize,
    /// Whether a 3xx answer may be followed. MTA-STS forbids it (RFC 8461 §3.3: "HTTP 3xx
    /// redirects MUST NOT be followed"); a 3xx is then [`FetchErrorKind::Redirect`].
    pub follow_redirects: bool,
    /// The whole request, connection to last byte.
    pub timeout_ms: u32,
    /// The `Accept` header to send.
    pub accept: &'static str,
}

/// A 2xx answer and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedBody {
    /// The status code, 200 to 299.
    pub status: u16,
    /// `Content-Type` as the server sent it; `None` when it sent none.
    pub content_type: Option<String>,
    /// At most [`FetchOptions::max_bytes`] bytes.
    pub body: Vec<u8>,
}

/// Why a GET gave no body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// The URL is not an `https://` URL of a host name.
    InvalidUrl,
    /// No connection: the name does not resolve, the port is closed, the network is down.
    Connect,
    /// The TLS handshake failed on the server's certificate: expired, not yet valid, not for this
    /// name, or not chaining to a trusted root.
    Certificate,
    /// No complete answer in time.
    Timeout,
    /// An answer whose status is not 2xx (nor a 3xx that was to be reported as a redirect).
    Status,
    /// A 3xx answer, not followed.
    Redirect,
    /// The body is longer than the limit.
    TooLarge,
    /// The browser refused to give the page the answer: a CORS refusal (the server sends no
    /// `Access-Control-Allow-Origin`), or anything else the browser hides behind the same
    /// `TypeError` (an untrusted certificate, no network).
    BlockedByBrowser,
    /// Any other failure of the client (a TLS error not about the certificate, a malformed
    /// answer).
    Other,
    /// Deliberately not asked: the CLI's DNS comes from zone files, so it does not look up the
    /// host on the network either (`--mta-sts-policy FILE` gives the policy instead).
    NotFetched,
}

impl FetchErrorKind {
    /// The report's word for the kind.
    pub fn word(self) -> &'static str {
        match self {
            FetchErrorKind::InvalidUrl => "invalid-url",
            FetchErrorKind::Connect => "connect",
            FetchErrorKind::Certificate => "certificate",
            FetchErrorKind::Timeout => "timeout",
            FetchErrorKind::Status => "status",
            FetchErrorKind::Redirect => "redirect",
            FetchErrorKind::TooLarge => "too-large",
            FetchErrorKind::BlockedByBrowser => "blocked-by-browser",
            FetchErrorKind::Other => "other",
            FetchErrorKind::NotFetched => "not-fetched",
        }
    }

    /// Every kind's word, for the schema.
    pub const WORDS: [&'static str; 10] = [
        "invalid-url",
        "connect",
        "certificate",
        "timeout",
        "status",
        "redirect",
        "too-large",
        "blocked-by-browser",
        "other",
        "not-fetched",
    ];
}

/// A failed GET: the kind, and the variable part (the status code, a redirect's `Location`, the
/// client's reason) as `detail`. In the report: `{"kind", "message", "detail"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub kind: FetchErrorKind,
    pub detail: Option<String>,
}

impl FetchError {
    pub fn new(kind: FetchErrorKind, detail: Option<String>) -> Self {
        FetchError { kind, detail }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = self.detail.as_deref().unwrap_or("");
        match self.kind {
            FetchErrorKind::InvalidUrl => f.write_str("the URL cannot be fetched"),
            FetchErrorKind::Connect => f.write_str("no connection to the server"),
            FetchErrorKind::Certificate => f.write_str("the server's certificate is not valid"),
            FetchErrorKind::Timeout => f.write_str("no complete answer in time"),
            FetchErrorKind::Status => write!(f, "the server answered HTTP status {detail}"),
            FetchErrorKind::Redirect => f.write_str("the server answered with a redirect"),
            FetchErrorKind::TooLarge => f.write_str("the body is larger than the limit"),
            FetchErrorKind::BlockedByBrowser => {
                f.write_str("the browser did not let the page read the answer")
            }
            FetchErrorKind::Other => f.write_str("the request failed"),
            FetchErrorKind::NotFetched => f.write_str("not fetched"),
        }
    }
}

impl std::error::Error for FetchError {}

impl Serialize for FetchError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorObject {
            kind: self.kind.word(),
            message: self.to_string(),
            detail: self.detail.as_deref(),
        }
        .serialize(serializer)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for FetchError {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FetchError".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::report::error_object_schema(
            "Why an HTTPS request gave no body.",
            &FetchErrorKind::WORDS,
        )
    }
}

/// The HTTPS side of the core, supplied by the edges.
///
/// An implementation GETs `url` with `options.accept`, validating the server's certificate
/// against the roots it trusts, and returns a 2xx answer's body. Everything else is an error of
/// its kind: a 3xx when `follow_redirects` is false is [`FetchErrorKind::Redirect`] with the
/// `Location` as detail, other statuses [`FetchErrorKind::Status`] with the code as detail, a
/// body over `max_bytes` [`FetchErrorKind::TooLarge`] (read no further than the limit).
pub trait HttpFetch {
    fn get(
        &self,
        url: &str,
        options: &FetchOptions,
    ) -> impl Future<Output = Result<FetchedBody, FetchError>>;
}

/// Fetchers GET `https:` URLs only: the core never asks for anything else, and a URL that came
/// from a record (a BIMI `l=`) must not reach a plain-text or local scheme.
pub fn require_https(url: &str) -> Result<(), FetchError> {
    if url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    {
        Ok(())
    } else {
        Err(FetchError::new(
            FetchErrorKind::InvalidUrl,
            Some("only https: URLs are fetched".into()),
        ))
    }
}

/// How a `Content-Type` was sent, for a sentence: quoted, or "no Content-Type".
pub fn shown_content_type(content_type: Option<&str>) -> String {
    content_type.map_or_else(|| "no Content-Type".to_string(), crate::report::quoted)
}

/// Whether `content_type` (as sent, possibly absent) is of the media type `expected`.
pub fn is_media_type(content_type: Option<&str>, expected: &str) -> bool {
    content_type.map(media_type).as_deref() == Some(expected)
}

/// The media type of a `Content-Type` value, lower case, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}
