//! DNS: the only thing mailspect asks the outside world.
//!
//! Every verifier (DKIM keys, SPF records and includes, DMARC policies, MX, MTA-STS, TLS-RPT,
//! BIMI, TLSA) asks its questions through the [`Resolver`] trait. The core does no I/O of its own
//! (the rustls habit): it ships the in-memory resolver used by zone files and tests, and the edges
//! supply DNS-over-HTTPS (browser fetch in `wasm/`, a blocking HTTPS client on request threads in
//! the CLI, so that joined lookups overlap there too).
//!
//! The trait is async so that the browser can run independent queries concurrently, but it
//! names no executor: the CLI drives it with a minimal `block_on`, the page with the JS event loop.

pub mod doh;
mod memory;
pub mod name;
mod presentation;
pub mod serve;
mod trace;
pub mod wire;
pub mod zone;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::report::ErrorObject;

pub use memory::{MemoryResolver, NoDns};
pub use presentation::{presentation, quote_character_string};
pub use trace::{
    CacheUse, QueryTrace, Recorder, TraceOutcome, MAX_ANSWER_BYTES, MAX_QUERIES_PER_ANALYSIS,
};

/// The record types mailspect asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Mx,
    Ns,
    Ptr,
    Soa,
    Txt,
    Tlsa,
    /// The obsolete SPF RR type (99), looked up only to warn that it is deprecated (RFC 7208 §3.1).
    Spf,
}

impl RecordType {
    /// The type's number in the IANA registry.
    pub fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Ns => 2,
            RecordType::Cname => 5,
            RecordType::Soa => 6,
            RecordType::Ptr => 12,
            RecordType::Mx => 15,
            RecordType::Txt => 16,
            RecordType::Aaaa => 28,
            RecordType::Spf => 99,
            RecordType::Tlsa => 52,
        }
    }

    pub fn from_code(code: u16) -> Option<Self> {
        Some(match code {
            1 => RecordType::A,
            2 => RecordType::Ns,
            5 => RecordType::Cname,
            6 => RecordType::Soa,
            12 => RecordType::Ptr,
            15 => RecordType::Mx,
            16 => RecordType::Txt,
            28 => RecordType::Aaaa,
            52 => RecordType::Tlsa,
            99 => RecordType::Spf,
            _ => return None,
        })
    }

    /// The mnemonic used in zone files and DoH JSON, e.g. `AAAA`.
    pub fn name(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Ns => "NS",
            RecordType::Ptr => "PTR",
            RecordType::Soa => "SOA",
            RecordType::Txt => "TXT",
            RecordType::Tlsa => "TLSA",
            RecordType::Spf => "SPF",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Cname,
            RecordType::Mx,
            RecordType::Ns,
            RecordType::Ptr,
            RecordType::Soa,
            RecordType::Txt,
            RecordType::Tlsa,
            RecordType::Spf,
        ]
        .into_iter()
        .find(|rtype| rtype.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The data of one resource record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum RecordData {
    A {
        address: Ipv4Addr,
    },
    Aaaa {
        address: Ipv6Addr,
    },
    Cname {
        target: String,
    },
    Mx {
        preference: u16,
        exchange: String,
    },
    Ns {
        host: String,
    },
    Ptr {
        target: String,
    },
    Soa {
        mname: String,
        rname: String,
        serial: u32,
        minimum: u32,
    },
    /// The character-strings of a TXT (or SPF) record, kept apart: DKIM and SPF join them with
    /// nothing between (RFC 6376 §3.6.2.2, RFC 7208 §3.3), but a report may want to show them.
    /// Kept as bytes because records in the wild carry non-UTF-8 octets.
    Txt {
        /// Each string as text; a byte that is not UTF-8 shows as U+FFFD (the record's `text`
        /// keeps every byte, escaped).
        #[serde(serialize_with = "serialize_strings")]
        #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "Vec<String>"))]
        strings: Vec<Vec<u8>>,
    },
    Tlsa {
        usage: u8,
        selector: u8,
        matching_type: u8,
        /// The certificate association data, in lower-case hex.
        #[serde(serialize_with = "serialize_hex")]
        #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "String"))]
        data: Vec<u8>,
    },
}

impl RecordData {
    pub fn record_type(&self) -> RecordType {
        match self {
            RecordData::A { .. } => RecordType::A,
            RecordData::Aaaa { .. } => RecordType::Aaaa,
            RecordData::Cname { .. } => RecordType::Cname,
            RecordData::Mx { .. } => RecordType::Mx,
            RecordData::Ns { .. } => RecordType::Ns,
            RecordData::Ptr { .. } => RecordType::Ptr,
            RecordData::Soa { .. } => RecordType::Soa,
            RecordData::Txt { .. } => RecordType::Txt,
            RecordData::Tlsa { .. } => RecordType::Tlsa,
        }
    }

    /// A TXT record's strings joined with nothing between them.
    pub fn txt_joined(&self) -> Option<Vec<u8>> {
        match self {
            RecordData::Txt { strings } => Some(strings.concat()),
            _ => None,
        }
    }
}

fn serialize_strings<S: serde::Serializer>(
    strings: &[Vec<u8>],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(strings.iter().map(|s| String::from_utf8_lossy(s)))
}

/// A JSON list, as the `Vec` this field used to be.
fn serialize_records<S: serde::Serializer>(
    records: &Arc<[Record]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(records.iter())
}

fn serialize_hex<S: serde::Serializer>(data: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    serializer.serialize_str(&hex)
}

/// One resource record of an answer. In the report it also has `text`: the data as a zone file
/// writes it ([`presentation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Owner name in lower case without the trailing dot.
    pub name: String,
    pub ttl: u32,
    pub data: RecordData,
}

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = serializer.serialize_struct("Record", 4)?;
        record.serialize_field("name", &self.name)?;
        record.serialize_field("ttl", &self.ttl)?;
        record.serialize_field("data", &self.data)?;
        record.serialize_field("text", &presentation(&self.data))?;
        record.end()
    }
}

/// The JSON shape of [`Record`], for its schema only.
#[cfg(not(target_arch = "wasm32"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct RecordShape {
    /// Owner name in lower case without the trailing dot.
    name: String,
    ttl: u32,
    data: RecordData,
    /// The data as a zone file writes it (RFC 1035 §5.1): quoted strings with `\DDD` escapes,
    /// names ending in a dot.
    text: String,
}

#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for Record {
    fn schema_name() -> Cow<'static, str> {
        "Record".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        RecordShape::json_schema(generator)
    }
}

/// A successful answer: the records of the type asked for (after following CNAMEs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Answer {
    /// Shared, not copied: the in-memory resolver hands out the records it holds, and the query
    /// trace keeps the answer it passes on (`Arc::make_mut` gives a copy to change).
    #[serde(serialize_with = "serialize_records")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "Vec<Record>"))]
    pub records: Arc<[Record]>,
    /// CNAME records followed to reach `records`, in order.
    pub cnames: Vec<Record>,
    /// The resolver's AD flag: it validated the answer with DNSSEC. Only as trustworthy as the
    /// path to the resolver (RFC 6840 §5.7), which is why the report says who set it.
    pub authenticated: bool,
}

/// Why a lookup gave no records. SPF and DMARC treat these differently (RFC 7208 §4.4, §5;
/// RFC 7489 §6.6.3), so they are kept apart. In the report: `{"kind", "message", "detail"}` with
/// the kinds of [`DnsError::KINDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DnsError {
    /// RCODE 3: the name does not exist.
    NxDomain,
    /// The name exists but has no record of this type (NOERROR, empty answer).
    NoData,
    /// SERVFAIL or another temporary failure reported by the server.
    ServFail,
    /// The server refused to answer (RCODE 5).
    Refused,
    /// No answer in time.
    Timeout,
    /// The answer could not be decoded; the text says where.
    Malformed(String),
    /// The answer exceeded a size limit.
    TooLarge,
    /// The transport failed (HTTP error, connection refused, CORS); the text says how.
    Transport(String),
    /// The analysis used up its query budget, so the query was not sent.
    BudgetExhausted,
    /// The name cannot be asked: an empty label, a label over 63 octets or a name over 255
    /// (RFC 1035 §2.3.4). Definitive, like NXDOMAIN: no server could have such a name.
    InvalidName(String),
}

impl DnsError {
    /// Every `kind` the report may carry.
    pub const KINDS: [&'static str; 10] = [
        "nxdomain",
        "nodata",
        "servfail",
        "refused",
        "timeout",
        "malformed",
        "too-large",
        "transport",
        "budget-exhausted",
        "invalid-name",
    ];

    /// The stable word for the kind of failure, e.g. `nxdomain`, `budget-exhausted`.
    pub fn kind(&self) -> &'static str {
        match self {
            DnsError::NxDomain => "nxdomain",
            DnsError::NoData => "nodata",
            DnsError::ServFail => "servfail",
            DnsError::Refused => "refused",
            DnsError::Timeout => "timeout",
            DnsError::Malformed(_) => "malformed",
            DnsError::TooLarge => "too-large",
            DnsError::Transport(_) => "transport",
            DnsError::BudgetExhausted => "budget-exhausted",
            DnsError::InvalidName(_) => "invalid-name",
        }
    }

    /// The variable part: what was malformed, how the transport failed, why the name is invalid.
    pub fn detail(&self) -> Option<&str> {
        match self {
            DnsError::Malformed(why) | DnsError::Transport(why) | DnsError::InvalidName(why) => {
                Some(why)
            }
            _ => None,
        }
    }

    /// Errors that may go away if asked again later: they map to `temperror` in SPF, DKIM and
    /// DMARC. NXDOMAIN and NODATA are definitive answers, and a malformed answer is treated as
    /// temporary too because the next one may be fine (RFC 7208 §2.6.6).
    pub fn is_temporary(&self) -> bool {
        !matches!(
            self,
            DnsError::NxDomain | DnsError::NoData | DnsError::InvalidName(_)
        )
    }
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::NxDomain => f.write_str("the name does not exist (NXDOMAIN)"),
            DnsError::NoData => f.write_str("the name has no record of this type"),
            DnsError::ServFail => f.write_str("the server failed to answer (SERVFAIL)"),
            DnsError::Refused => f.write_str("the server refused to answer (REFUSED)"),
            DnsError::Timeout => f.write_str("no answer in time"),
            DnsError::Malformed(why) => write!(f, "malformed answer: {why}"),
            DnsError::TooLarge => f.write_str("the answer is too large"),
            DnsError::Transport(why) => write!(f, "transport failed: {why}"),
            DnsError::BudgetExhausted => f.write_str("query budget for this analysis used up"),
            DnsError::InvalidName(why) => write!(f, "not a valid domain name: {why}"),
        }
    }
}

impl std::error::Error for DnsError {}

impl Serialize for DnsError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ErrorObject {
            kind: self.kind(),
            message: self.to_string(),
            detail: self.detail(),
        }
        .serialize(serializer)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for DnsError {
    fn schema_name() -> Cow<'static, str> {
        "DnsError".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::report::error_object_schema("Why a DNS lookup gave no records.", &Self::KINDS)
    }
}

/// Something that answers DNS questions.
///
/// `name` is a domain name with or without its trailing dot, in any case; implementations
/// compare names case-insensitively (RFC 4343) and follow CNAME chains for types other than
/// CNAME. An empty `records` list is never returned as `Ok`: that is [`DnsError::NoData`].
pub trait Resolver {
    fn lookup(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = Result<Answer, DnsError>>;

    /// The lookup with what the DNS waterfall shows: when it started, how long it took, whether
    /// a cache answered. Resolvers without a clock or a cache keep this default, which leaves
    /// the timing empty rather than making it up.
    fn lookup_traced(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = QueryTrace> {
        async move {
            let result = self.lookup(name, record_type).await;
            QueryTrace::untimed(name, record_type, result)
        }
    }

    /// Whether asking ahead of need helps: a resolver with a network, a cache and merging of
    /// identical lookups in flight ([`doh::DohResolver`]). Zone files answer at once and keep
    /// the default `false`, so evaluations over them make exactly the lookups they need.
    fn prefetches(&self) -> bool {
        false
    }

    /// Starts a lookup a later one will probably make, so that the later one merges with it or
    /// finds its answer cached: SPF asks every name of a record at once, then evaluates the
    /// terms in order (RFC 7208 §4.6.2) over answers that are already there or on their way.
    /// Only called when [`Resolver::prefetches`] is true; the trace, marked `speculative`,
    /// when a lookup was made.
    fn prefetch(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = Option<QueryTrace>> {
        let _ = (name, record_type);
        async { None }
    }
}

impl<R: Resolver> Resolver for &R {
    fn lookup(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = Result<Answer, DnsError>> {
        (**self).lookup(name, record_type)
    }

    fn lookup_traced(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = QueryTrace> {
        (**self).lookup_traced(name, record_type)
    }

    fn prefetches(&self) -> bool {
        (**self).prefetches()
    }

    fn prefetch(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> impl Future<Output = Option<QueryTrace>> {
        (**self).prefetch(name, record_type)
    }
}

/// One of two resolvers, chosen at run time: the CLI's zone-or-DoH, the page's off-or-DoH.
pub enum EitherResolver<A, B> {
    First(A),
    Second(B),
}

impl<A: Resolver, B: Resolver> Resolver for EitherResolver<A, B> {
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        match self {
            EitherResolver::First(first) => first.lookup(name, record_type).await,
            EitherResolver::Second(second) => second.lookup(name, record_type).await,
        }
    }

    async fn lookup_traced(&self, name: &str, record_type: RecordType) -> QueryTrace {
        match self {
            EitherResolver::First(first) => first.lookup_traced(name, record_type).await,
            EitherResolver::Second(second) => second.lookup_traced(name, record_type).await,
        }
    }

    fn prefetches(&self) -> bool {
        match self {
            EitherResolver::First(first) => first.prefetches(),
            EitherResolver::Second(second) => second.prefetches(),
        }
    }

    async fn prefetch(&self, name: &str, record_type: RecordType) -> Option<QueryTrace> {
        match self {
            EitherResolver::First(first) => first.prefetch(name, record_type).await,
            EitherResolver::Second(second) => second.prefetch(name, record_type).await,
        }
    }
}

/// The canonical form of a name for comparison and as a map key: lower case, no trailing dot.
pub fn normalize_name(name: &str) -> String {
    normalized(name).into_owned()
}

/// [`normalize_name`] without a copy when the name is already in canonical form, as names
/// taken from records and from other lookups usually are.
pub fn normalized(name: &str) -> Cow<'_, str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if has_ascii_uppercase(name.as_bytes()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Whether `bytes` hold an ASCII capital, eight bytes at a time (SWAR, no `unsafe`): every
/// lookup asks it of its name, twice (the resolver and the trace), and a byte-by-byte loop was
/// a tenth of an in-memory lookup. A byte is a capital when its low seven bits are at least
/// `A` and below `[` and its high bit is clear; adding to the low seven bits of each byte sets
/// that byte's high bit, with no carry into the next.
fn has_ascii_uppercase(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut words = bytes.chunks_exact(8);
    let capital = words.by_ref().any(|word| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_ne_bytes(eight);
        let low = x & !HIGH;
        let at_least_a = low + (0x80 - u64::from(b'A')) * ONES;
        let past_z = low + (0x80 - u64::from(b'Z') - 1) * ONES;
        at_least_a & !past_z & !x & HIGH != 0
    });
    capital || words.remainder().iter().any(u8::is_ascii_uppercase)
}

#[cfg(test)]
mod tests;
