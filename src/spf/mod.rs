//! SPF (RFC 7208): was the sending server allowed to send for this domain?
//!
//! Where it sits in the pipeline: [`crate::analysis`] works out the SMTP envelope (connecting IP,
//! HELO, MAIL FROM) and calls [`check_mail_from`] / [`check_helo`]; the CLI's `spf` subcommand
//! calls the same functions, or [`audit_domain`] for a domain without an IP.
//!
//! - [`parse`]: the record grammar of RFC 7208 §12, one function per ABNF rule, with spans.
//! - [`macros`]: macro expansion (§7), a pure function of the values it is given.
//! - [`eval`]: `check_host()` (§4–§6) over a [`crate::dns::Resolver`], with the processing
//!   limits (§4.6.4) and a [`TraceNode`] tree of every term evaluated and every DNS query.
//! - [`lint`]: findings about a published record (a parsed record, or an audit tree).

pub(crate) mod address;
mod audit;
mod check;
mod eval;
mod lint;
mod macros;
mod parse;
mod trace;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use serde::Serialize;

use crate::report::Span;

pub use audit::{audit_domain, DomainAudit};
pub use check::{
    check_envelope, check_helo, check_host, check_mail_from, message_findings, CheckInput,
    CheckOptions, DEFAULT_EXPLANATION,
};
pub use lint::lint_record;
pub use macros::{expand, MacroValues};
pub use parse::{parse_record, select_record, RecordSelection};
pub use trace::{DecidingTerm, RecordText, TermOutcome, TermTrace, TraceNode};

/// DNS-querying terms allowed per evaluation (RFC 7208 §4.6.4).
pub const MAX_DNS_TERMS: u32 = 10;
/// Lookups answering NXDOMAIN or no records allowed per evaluation (RFC 7208 §4.6.4).
pub const MAX_VOID_LOOKUPS: u32 = 2;
/// Names an "mx" or "ptr" term may follow (RFC 7208 §4.6.4).
pub const MAX_NAMES_PER_LOOKUP: usize = 10;

/// The result of `check_host()`, with the words of RFC 7208 §2.6 (and RFC 8601 in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SpfResult {
    Pass,
    Fail,
    Softfail,
    Neutral,
    None,
    Temperror,
    Permerror,
}

impl SpfResult {
    /// The RFC word, e.g. `softfail`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::Softfail => "softfail",
            SpfResult::Neutral => "neutral",
            SpfResult::None => "none",
            SpfResult::Temperror => "temperror",
            SpfResult::Permerror => "permerror",
        }
    }

    /// Parses an RFC word, in any case.
    pub fn from_word(word: &str) -> Option<Self> {
        [
            SpfResult::Pass,
            SpfResult::Fail,
            SpfResult::Softfail,
            SpfResult::Neutral,
            SpfResult::None,
            SpfResult::Temperror,
            SpfResult::Permerror,
        ]
        .into_iter()
        .find(|result| result.as_str().eq_ignore_ascii_case(word))
    }
}

/// Why `check_host()` gave its result: one stable code per case, finer than the RFC 7208 word
/// (as DKIM's `outcome` is beside its result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SpfOutcome {
    /// A mechanism matched; the result is its qualifier's (RFC 7208 §4.6.2).
    Matched,
    /// No mechanism matched and there is no `redirect=`: `neutral` (RFC 7208 §4.7).
    DefaultNeutral,
    /// The domain publishes no SPF record: `none` (RFC 7208 §4.5).
    NoRecord,
    /// The domain is not a name that can be checked, e.g. a single label: `none` (§4.3).
    DomainNotCheckable,
    /// More than one record starts with `v=spf1`: `permerror` (§4.5).
    SeveralRecords,
    /// The record does not follow the grammar: `permerror` (§4.6).
    SyntaxError,
    /// More than 10 DNS-querying terms: `permerror` (§4.6.4).
    LookupLimitExceeded,
    /// More than 2 lookups found no name or no records: `permerror` (§4.6.4).
    VoidLookupLimitExceeded,
    /// An `mx` term names more than 10 hosts: `permerror` (§4.6.4).
    NamesLimitExceeded,
    /// An `include:` names a domain without SPF: `permerror` (§5.2).
    IncludeWithoutSpf,
    /// `redirect=` names a domain without SPF: `permerror` (§6.1).
    RedirectWithoutSpf,
    /// A DNS lookup failed in a way that may go away: `temperror` (§2.6.6).
    DnsFailure,
    /// Audits only: an include or redirect leads back to a domain being evaluated.
    Loop,
    /// Audits only: following includes stopped well past the lookup limit.
    AuditStopped,
    /// Messages only: no connecting IP is known, so SPF was not evaluated.
    NoIp,
    /// Messages only: no MAIL FROM (nor HELO for a bounce) is known to check.
    NoSender,
}

impl fmt::Display for SpfResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `qualifier = "+" / "-" / "?" / "~"` (RFC 7208 §4.6.2): the result a matching term gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Qualifier {
    Pass,
    Fail,
    Softfail,
    Neutral,
}

impl Qualifier {
    pub fn result(self) -> SpfResult {
        match self {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::Softfail => SpfResult::Softfail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }

    pub fn symbol(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::Softfail => '~',
            Qualifier::Neutral => '?',
        }
    }
}

/// A parsed SPF record. `text` is the record as published (ASCII, strings joined); every span
/// is a byte range in it. The evaluation tree shares the text with its node and terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Record {
    pub text: Arc<str>,
    pub terms: Vec<Term>,
}

impl Record {
    pub fn directives(&self) -> impl Iterator<Item = (&Term, &Directive)> {
        self.terms.iter().filter_map(|term| match &term.kind {
            TermKind::Directive(directive) => Some((term, directive)),
            TermKind::Modifier(_) => None,
        })
    }

    /// The `redirect=` modifier, if any (the parser rejects a second one, RFC 7208 §6).
    pub fn redirect(&self) -> Option<(&Term, &MacroString)> {
        self.terms.iter().find_map(|term| match &term.kind {
            TermKind::Modifier(Modifier::Redirect(target)) => Some((term, target)),
            _ => None,
        })
    }

    /// The `exp=` modifier, if any.
    pub fn explanation(&self) -> Option<(&Term, &MacroString)> {
        self.terms.iter().find_map(|term| match &term.kind {
            TermKind::Modifier(Modifier::Explanation(target)) => Some((term, target)),
            _ => None,
        })
    }

    /// The text of a term, as written.
    pub fn term_text(&self, term: &Term) -> &str {
        self.text.get(term.span.start..term.span.end).unwrap_or("")
    }
}

/// One term: a directive or a modifier, with its place in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Term {
    pub span: Span,
    #[serde(flatten)]
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "term", rename_all = "lowercase")]
pub enum TermKind {
    Directive(Directive),
    Modifier(Modifier),
}

/// `directive = [ qualifier ] mechanism` (RFC 7208 §4.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Directive {
    pub qualifier: Qualifier,
    /// Whether the qualifier was written out (`+all`) or implied (`all`).
    pub qualifier_written: bool,
    pub mechanism: Mechanism,
}

/// The mechanisms of RFC 7208 §5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "mechanism", rename_all = "lowercase")]
pub enum Mechanism {
    All,
    Include {
        domain: MacroString,
    },
    A {
        domain: Option<MacroString>,
        cidr: DualCidr,
    },
    Mx {
        domain: Option<MacroString>,
        cidr: DualCidr,
    },
    Ptr {
        domain: Option<MacroString>,
    },
    Ip4 {
        network: Ipv4Addr,
        prefix: u8,
    },
    Ip6 {
        network: Ipv6Addr,
        prefix: u8,
    },
    Exists {
        domain: MacroString,
    },
}

impl Mechanism {
    pub fn name(&self) -> &'static str {
        match self {
            Mechanism::All => "all",
            Mechanism::Include { .. } => "include",
            Mechanism::A { .. } => "a",
            Mechanism::Mx { .. } => "mx",
            Mechanism::Ptr { .. } => "ptr",
            Mechanism::Ip4 { .. } => "ip4",
            Mechanism::Ip6 { .. } => "ip6",
            Mechanism::Exists { .. } => "exists",
        }
    }

    /// Whether the term counts against the 10-lookup limit (RFC 7208 §4.6.4).
    pub fn queries_dns(&self) -> bool {
        !matches!(
            self,
            Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. }
        )
    }
}

/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]` (RFC 7208 §5.6): the
/// prefix lengths an "a" or "mx" term compares with; 32 and 128 when not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DualCidr {
    pub ip4: u8,
    pub ip6: u8,
}

impl Default for DualCidr {
    fn default() -> Self {
        DualCidr { ip4: 32, ip6: 128 }
    }
}

/// The modifiers of RFC 7208 §6, and the unknown ones it says to ignore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "modifier", rename_all = "lowercase")]
pub enum Modifier {
    Redirect(MacroString),
    #[serde(rename = "exp")]
    Explanation(MacroString),
    Unknown {
        name: String,
        value: MacroString,
    },
}

/// A `macro-string` (RFC 7208 §7.1): literal text and macros, kept with their spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MacroString {
    /// The text as written, shared with the record it is part of.
    pub text: RecordText,
    pub span: Span,
    pub parts: Vec<MacroPart>,
}

impl MacroString {
    /// Whether expanding it needs anything but the text itself.
    pub fn has_macros(&self) -> bool {
        self.parts
            .iter()
            .any(|part| matches!(part, MacroPart::Macro(_)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(tag = "part", rename_all = "lowercase")]
pub enum MacroPart {
    /// Literal text, with `%%`, `%_` and `%-` already turned into `%`, space and `%20`.
    Literal {
        text: RecordText,
    },
    Macro(MacroExpand),
}

/// `"%{" macro-letter transformers *delimiter "}"` (RFC 7208 §7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MacroExpand {
    pub letter: MacroLetter,
    /// An upper-case letter: URL-escape the value (RFC 7208 §7.3).
    pub url_escape: bool,
    /// Keep only this many right-hand parts.
    pub keep_parts: Option<u32>,
    pub reverse: bool,
    /// Characters to split on; `.` when none are written.
    pub delimiters: String,
    pub span: Span,
}

/// `macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MacroLetter {
    /// `s`: the sender, `local-part@domain`.
    Sender,
    /// `l`: the sender's local-part.
    LocalPart,
    /// `o`: the sender's domain.
    SenderDomain,
    /// `d`: the domain being checked.
    Domain,
    /// `i`: the IP, dotted quad or dot-separated nibbles.
    Ip,
    /// `p`: the validated domain name of the IP (discouraged, RFC 7208 §7.3).
    ValidatedName,
    /// `v`: `in-addr` or `ip6`.
    IpVersion,
    /// `h`: the HELO/EHLO name.
    Helo,
    /// `c`: the IP in its usual text form (explanations only).
    ClientIp,
    /// `r`: the receiving host (explanations only).
    Receiver,
    /// `t`: the time, in seconds since the epoch (explanations only).
    Timestamp,
}

impl MacroLetter {
    pub fn from_char(letter: char) -> Option<Self> {
        Some(match letter.to_ascii_lowercase() {
            's' => MacroLetter::Sender,
            'l' => MacroLetter::LocalPart,
            'o' => MacroLetter::SenderDomain,
            'd' => MacroLetter::Domain,
            'i' => MacroLetter::Ip,
            'p' => MacroLetter::ValidatedName,
            'v' => MacroLetter::IpVersion,
            'h' => MacroLetter::Helo,
            'c' => MacroLetter::ClientIp,
            'r' => MacroLetter::Receiver,
            't' => MacroLetter::Timestamp,
            _ => return None,
        })
    }

    /// `c`, `r` and `t` are allowed only in explanation strings (RFC 7208 §7.1).
    pub fn explanation_only(self) -> bool {
        matches!(
            self,
            MacroLetter::ClientIp | MacroLetter::Receiver | MacroLetter::Timestamp
        )
    }
}

/// Why a record is not valid SPF, and where. In the report: `{"kind", "message", "detail",
/// "record_span"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// The bytes at fault, in the record text (`record_span` in the report).
    pub span: Span,
}

impl Serialize for ParseError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut error = serializer.serialize_struct("ParseError", 4)?;
        error.serialize_field("kind", &self.kind)?;
        error.serialize_field("message", &self.kind.to_string())?;
        error.serialize_field("detail", &None::<&str>)?;
        error.serialize_field("record_span", &self.span)?;
        error.end()
    }
}

/// The JSON shape of [`ParseError`], for its schema only.
#[cfg(not(target_arch = "wasm32"))]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct ParseErrorShape {
    kind: ParseErrorKind,
    message: String,
    detail: Option<String>,
    /// The bytes at fault, in the record text.
    record_span: Span,
}

#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for ParseError {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SpfParseError".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ParseErrorShape::json_schema(generator)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at bytes {}..{})",
            self.kind, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The record holds a byte outside printable US-ASCII and space (RFC 7208 §3.1, §4.6.1).
    NonAscii,
    /// A term is not a known mechanism nor a well-formed modifier.
    UnknownMechanism,
    /// A mechanism's argument does not follow its grammar.
    BadMechanism,
    /// A domain-spec does not end in a macro or a valid top label (RFC 7208 §7.1).
    BadDomainSpec,
    /// A CIDR prefix length is malformed or out of range (RFC 7208 §5.6).
    BadCidr,
    /// An `ip4:` or `ip6:` network is not an address.
    BadNetwork,
    /// A `%` not starting a valid macro (RFC 7208 §7.1).
    BadMacro,
    /// `c`, `r` or `t` outside an explanation string (RFC 7208 §7.1).
    ExplanationOnlyMacro,
    /// `redirect=` or `exp=` appears twice (RFC 7208 §6).
    DuplicateModifier,
    /// The record does not start with `v=spf1`.
    NotSpf,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseErrorKind::NonAscii => "the record holds a byte that is not printable ASCII",
            ParseErrorKind::UnknownMechanism => "unknown mechanism or malformed modifier",
            ParseErrorKind::BadMechanism => "the mechanism's argument is malformed",
            ParseErrorKind::BadDomainSpec => {
                "the domain does not end in a macro or a valid top-level label"
            }
            ParseErrorKind::BadCidr => "the prefix length is malformed or out of range",
            ParseErrorKind::BadNetwork => "the network is not a valid IP address",
            ParseErrorKind::BadMacro => "a % does not start a valid macro",
            ParseErrorKind::ExplanationOnlyMacro => {
                "the macros c, r and t are allowed only in explanation text"
            }
            ParseErrorKind::DuplicateModifier => "redirect= or exp= appears more than once",
            ParseErrorKind::NotSpf => "the record does not start with v=spf1",
        })
    }
}

/// Which identity a check is about (RFC 7208 §2.3, §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    /// The MAIL FROM address, or `postmaster@` the HELO name when MAIL FROM is empty.
    MailFrom,
    Helo,
}

/// Where the explanation of a `fail` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ExplanationSource {
    /// The domain's `exp=` modifier (RFC 7208 §6.2), text the domain owner wrote.
    Record,
    /// mailspect's default text: the record had no usable `exp=`.
    Default,
}

/// The report on one SPF check: the verdict, why, and the whole evaluation tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SpfReport {
    pub identity: Identity,
    /// The identity checked, `local-part@domain`.
    pub sender: String,
    /// The domain whose record was evaluated first.
    pub domain: String,
    pub ip: IpAddr,
    pub helo: Option<String>,
    pub result: SpfResult,
    /// Why, as a stable code.
    pub outcome: SpfOutcome,
    /// One sentence on why.
    pub reason: String,
    /// For `fail` only (RFC 7208 §6.2), `null` otherwise. Written by the domain owner when the
    /// source is `record`: untrusted text.
    pub explanation: Option<String>,
    pub explanation_source: Option<ExplanationSource>,
    /// DNS-querying terms used, out of [`MAX_DNS_TERMS`].
    pub lookups_used: u32,
    pub lookup_limit: u32,
    pub void_lookups: u32,
    pub void_lookup_limit: u32,
    /// The term that decided the result, if one matched.
    pub decided_by: Option<DecidingTerm>,
    /// The evaluation tree; absent when no record lookup was made (e.g. a malformed domain).
    pub trace: Option<TraceNode>,
}

/// The SPF part of a message report: the MAIL FROM check (falling back to postmaster@HELO) and
/// the HELO check, each when the envelope allows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MessageSpf {
    /// The result of the MAIL FROM identity; `none` when it could not be checked.
    pub result: SpfResult,
    /// Why, as a stable code (`no-ip` and `no-sender` when nothing could be checked).
    pub outcome: SpfOutcome,
    pub reason: String,
    /// The MAIL FROM domain checked; `null` when none could be.
    pub domain: Option<String>,
    /// The connecting IP evaluated; `null` when none is known.
    pub ip: Option<IpAddr>,
    pub mail_from: Option<SpfReport>,
    pub helo: Option<SpfReport>,
}

#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod tests;
