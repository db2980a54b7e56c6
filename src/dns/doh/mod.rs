//! DNS-over-HTTPS (RFC 8484) without the HTTP: everything about DoH that can be tested without a
//! network. [`DohResolver`] encodes queries, caches answers by TTL, merges identical questions
//! in flight into one request, keeps to a per-analysis query budget, fails over once to a second
//! provider and traces every lookup. The edges supply a [`DohTransport`]: browser `fetch` in the
//! wasm module, a blocking rustls client in the CLI.

mod answer;

use crate::report::quoted;
use crate::sorted_map::SortedMap;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};

use super::wire::encode_query;
use super::{
    name::labels_from_text, normalize_name, Answer, CacheUse, DnsError, QueryTrace, RecordType,
    Resolver,
};

pub use answer::{interpret, interpret_response, Interpreted};

/// How long to wait for one answer by default. Public resolvers answer in well under a second;
/// five leaves room for a slow authoritative server behind them.
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;

/// Requests one analysis may send by default. SPF alone may cause 10 DNS-querying terms, each
/// with up to 10 MX or PTR follow-ups (RFC 7208 §4.6.4); DKIM, DMARC, ARC and the transport
/// checks add a few dozen. Beyond this, a message is more likely an attack on the analyser.
pub const DEFAULT_QUERY_BUDGET: u32 = 200;

/// Answers cached longer than this are asked again, however long their TTL: a page left open
/// for days should not show week-old DNS.
const MAX_CACHE_SECONDS: u32 = 3_600;

/// Cache entries kept at most; past this, expired entries go, then everything.
const MAX_CACHE_ENTRIES: usize = 4_096;

/// The public resolvers the page and the CLI offer by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Cloudflare,
    Google,
    Quad9,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Cloudflare, Provider::Google, Provider::Quad9];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Cloudflare => "cloudflare",
            Provider::Google => "google",
            Provider::Quad9 => "quad9",
        }
    }

    /// The RFC 8484 endpoint, which answers GET `?dns=` with CORS headers.
    pub fn url(self) -> &'static str {
        match self {
            Provider::Cloudflare => "https://cloudflare-dns.com/dns-query",
            Provider::Google => "https://dns.google/dns-query",
            Provider::Quad9 => "https://dns.quad9.net/dns-query",
        }
    }

    /// The provider asked when this one fails: another operator, so that one outage is not two.
    pub fn failover(self) -> Provider {
        match self {
            Provider::Cloudflare => Provider::Google,
            Provider::Google | Provider::Quad9 => Provider::Cloudflare,
        }
    }
}

/// Where a [`DohResolver`] sends its queries, and its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DohConfig {
    /// The endpoint asked first, then (for a temporary failure) the second; never more.
    pub endpoints: Vec<String>,
    pub timeout_ms: u32,
    pub query_budget: u32,
}

impl DohConfig {
    /// The configuration for a provider name (`cloudflare`, `google`, `quad9`: with failover to
    /// another operator) or an endpoint URL (no failover: a custom resolver, such as a local
    /// `serve-dns` previewing a draft zone, must not be silently replaced by a public one that
    /// gives other answers).
    pub fn from_spec(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let endpoints = match Provider::ALL
            .into_iter()
            .find(|provider| provider.name().eq_ignore_ascii_case(spec))
        {
            Some(provider) => vec![
                provider.url().to_string(),
                provider.failover().url().to_string(),
            ],
            None => vec![check_endpoint(spec)?],
        };
        Ok(DohConfig {
            endpoints,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            query_budget: DEFAULT_QUERY_BUDGET,
        })
    }
}

/// Accepts `https://` URLs, and `http://` ones only for loopback hosts: DNS in clear text over
/// a network could be changed on the way, but a local `serve-dns` has no network to cross.
pub fn check_endpoint(url: &str) -> Result<String, String> {
    let (scheme, rest) = crate::find::split_once(url, "://").ok_or_else(|| {
        format!(
            "{} is neither a provider name (cloudflare, google, quad9) nor a URL",
            quoted(url)
        )
    })?;
    // Browsers read `\` as `/` in http(s) URLs (WHATWG URL), so it ends the authority too:
    // otherwise `http://evil.example\@127.0.0.1/` would pass as loopback.
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{} contains blanks or control characters",
            quoted(url)
        ));
    }
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host_and_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_and_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(format!("{} has no host", quoted(url)));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if is_loopback(host) => Ok(url.to_string()),
        "http" => Err(format!(
            "{}: plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], \
             localhost); use https://",
            quoted(url)
        )),
        _ => Err(format!("{} is not an http(s) URL", quoted(url))),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// The RFC 8484 §4.1 GET URL: the query in base64url without padding as the `dns` parameter.
/// GET rather than POST because a GET with no custom headers needs no CORS preflight.
pub fn request_url(endpoint: &str, query: &[u8]) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let encoded = crate::base64_codec::encode_url_no_pad(query);
    format!("{endpoint}{separator}dns={encoded}")
}

/// The HTTP side of DoH, supplied by the edges.
pub trait DohTransport {
    /// GETs `url` (built by [`request_url`]) with `Accept: application/dns-message` and returns
    /// the body of a 200 response. Gives up after `timeout_ms` with [`DnsError::Timeout`]; other
    /// failures are [`DnsError::Transport`], a body over 65,535 bytes [`DnsError::TooLarge`].
    fn get(&self, url: &str, timeout_ms: u32) -> impl Future<Output = Result<Vec<u8>, DnsError>>;

    /// Milliseconds on a clock that does not go backwards much: for cache expiry and the trace.
    fn now_ms(&self) -> f64;
}

/// Cached outcomes, shareable between resolvers (the page keeps one across analyses).
#[derive(Debug, Clone, Default)]
pub struct DnsCache {
    entries: Rc<RefCell<SortedMap<(String, RecordType), CacheEntry>>>,
}

#[derive(Debug, Clone)]
struct CacheEntry {
    result: Result<super::Answer, DnsError>,
    stored_ms: f64,
    expires_ms: f64,
    source: Option<String>,
}

impl DnsCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn fresh(&self, key: &(String, RecordType), now_ms: f64) -> Option<CacheEntry> {
        let entries = self.entries.borrow();
        let entry = entries.get(key).filter(|entry| entry.expires_ms > now_ms)?;
        let mut entry = entry.clone();
        // Answers age in the cache, as they would in a resolver's (RFC 1035 §7.1).
        let age = ((now_ms - entry.stored_ms) / 1000.0) as u32;
        if let Ok(answer) = &mut entry.result {
            for record in Arc::make_mut(&mut answer.records)
                .iter_mut()
                .chain(answer.cnames.iter_mut())
            {
                record.ttl = record.ttl.saturating_sub(age);
            }
        }
        Some(entry)
    }

    fn store(&self, key: (String, RecordType), fetched: &Fetched, now_ms: f64) {
        let Some(seconds) = fetched.cache_seconds.filter(|&seconds| seconds > 0) else {
            return;
        };
        let mut entries = self.entries.borrow_mut();
        if entries.len() >= MAX_CACHE_ENTRIES {
            entries.retain(|_, entry| entry.expires_ms > now_ms);
            if entries.len() >= MAX_CACHE_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            CacheEntry {
                result: fetched.result.clone(),
                stored_ms: now_ms,
                expires_ms: now_ms + f64::from(seconds.min(MAX_CACHE_SECONDS)) * 1000.0,
                source: fetched.source.clone(),
            },
        );
    }
}

/// The outcome of one network lookup, shared by every lookup merged into it.
#[derive(Debug, Clone)]
struct Fetched {
    result: Result<super::Answer, DnsError>,
    cache_seconds: Option<u32>,
    source: Option<String>,
    requests: u32,
}

type InFlight = Shared<LocalBoxFuture<'static, Fetched>>;

/// A resolver that asks DoH endpoints through a [`DohTransport`].
///
/// Make one per analysis (the budget and the table of lookups asked are per analysis) and share
/// a [`DnsCache`] between them with [`DohResolver::with_cache`]. Within one analysis a name is
/// asked once: a later lookup of it merges with the first, in flight or finished, whatever its
/// TTL. So the analysis sees one view of DNS, and an answer asked ahead (SPF's names, the DMARC
/// tree walk's) is never asked again, even a negative one that carried no SOA to cache it by.
pub struct DohResolver<T> {
    transport: Rc<T>,
    config: Rc<DohConfig>,
    cache: DnsCache,
    /// Every lookup of this analysis, and whether its answer has been filed in the cache.
    asked: RefCell<SortedMap<(String, RecordType), (InFlight, bool)>>,
    requests_sent: Rc<Cell<u32>>,
}

impl<T: DohTransport + 'static> DohResolver<T> {
    pub fn new(transport: T, config: DohConfig) -> Self {
        Self::with_cache(transport, config, DnsCache::new())
    }

    pub fn with_cache(transport: T, config: DohConfig, cache: DnsCache) -> Self {
        DohResolver {
            transport: Rc::new(transport),
            config: Rc::new(config),
            cache,
            asked: RefCell::new(SortedMap::new()),
            requests_sent: Rc::new(Cell::new(0)),
        }
    }

    /// HTTP requests sent so far (cache hits and merged lookups send none).
    pub fn requests_sent(&self) -> u32 {
        self.requests_sent.get()
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The network lookup behind a cache miss, as a future every identical lookup can await.
    fn fetch(&self, name: String, record_type: RecordType) -> InFlight {
        let transport = Rc::clone(&self.transport);
        let config = Rc::clone(&self.config);
        let requests_sent = Rc::clone(&self.requests_sent);
        async move {
            let mut fetched = Fetched {
                result: Err(DnsError::BudgetExhausted),
                cache_seconds: None,
                source: None,
                requests: 0,
            };
            let query = match encode_query(&name, record_type) {
                Ok(query) => query,
                Err(error) => {
                    fetched.result = Err(DnsError::InvalidName(error.to_string()));
                    return fetched;
                }
            };
            // One failover: the second endpoint is asked only after a temporary failure.
            for endpoint in config.endpoints.iter().take(2) {
                if requests_sent.get() >= config.query_budget {
                    break;
                }
                requests_sent.set(requests_sent.get() + 1);
                fetched.requests += 1;
                fetched.source = Some(endpoint.clone());
                let url = request_url(endpoint, &query);
                let interpreted = match transport.get(&url, config.timeout_ms).await {
                    Ok(body) => interpret_response(&body, &name, record_type),
                    Err(error) => Interpreted {
                        result: Err(error),
                        cache_seconds: None,
                    },
                };
                fetched.result = interpreted.result;
                fetched.cache_seconds = interpreted.cache_seconds;
                match &fetched.result {
                    Err(error) if error.is_temporary() => continue,
                    _ => break,
                }
            }
            fetched
        }
        .boxed_local()
        .shared()
    }
}

impl<T: DohTransport + 'static> Resolver for DohResolver<T> {
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        self.lookup_traced(name, record_type).await.result()
    }

    fn prefetches(&self) -> bool {
        true
    }

    async fn prefetch(&self, name: &str, record_type: RecordType) -> Option<QueryTrace> {
        // The answer is cached, and a lookup made meanwhile merges with this one.
        let mut trace = self.lookup_traced(name, record_type).await;
        trace.speculative = true;
        Some(trace)
    }

    async fn lookup_traced(&self, name: &str, record_type: RecordType) -> QueryTrace {
        let key = (normalize_name(name), record_type);
        let start_ms = self.transport.now_ms();
        let mut trace = QueryTrace::untimed(&key.0, record_type, Err(DnsError::NoData));
        trace.start_ms = Some(start_ms);
        if let Err(error) = labels_from_text(&key.0) {
            trace.outcome = Err(DnsError::InvalidName(error.to_string())).into();
            trace.duration_ms = Some(0.0);
            return trace;
        }
        if let Some(entry) = self.cache.fresh(&key, start_ms) {
            trace.outcome = entry.result.into();
            trace.cache = CacheUse::Hit;
            trace.source = entry.source;
            trace.duration_ms = Some(self.transport.now_ms() - start_ms);
            return trace;
        }
        // The borrow of the table ends before the await below.
        let existing = self
            .asked
            .borrow()
            .get(&key)
            .map(|(future, _)| future.clone());
        let (future, cache) = match existing {
            Some(future) => (future, CacheUse::Merged),
            None => {
                let future = self.fetch(key.0.clone(), record_type);
                self.asked
                    .borrow_mut()
                    .insert(key.clone(), (future.clone(), false));
                (future, CacheUse::Miss)
            }
        };
        let fetched = future.await;
        let end_ms = self.transport.now_ms();
        // Whoever finishes first files the answer; a lookup that was dropped half-way leaves
        // the work to the others merged into it.
        if let Some((_, filed)) = self.asked.borrow_mut().get_mut(&key) {
            if !*filed {
                *filed = true;
                self.cache.store(key, &fetched, end_ms);
            }
        }
        trace.outcome = fetched.result.into();
        trace.cache = cache;
        trace.source = fetched.source;
        trace.requests = if cache == CacheUse::Miss {
            fetched.requests
        } else {
            0
        };
        trace.duration_ms = Some(end_ms - start_ms);
        trace
    }
}

#[cfg(test)]
mod tests;
