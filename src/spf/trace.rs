//! The evaluation tree: every record fetched, every term evaluated, every DNS query with its
//! answer, and the running lookup counts. The page draws it; the CLI prints it indented.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::Serialize;

use super::{ParseError, Qualifier, SpfOutcome, SpfResult};
use crate::dns::QueryTrace;
use crate::report::Span;

/// One `check_host()` call: the domain, its record and its terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TraceNode {
    pub domain: String,
    /// The TXT lookup that fetched the record.
    pub queries: Vec<QueryTrace>,
    /// The SPF record, strings joined; non-ASCII bytes shown as U+FFFD. Every `record_span`
    /// below this node is a byte range in it.
    // Shared with the parsed record and its terms' text (`Arc`), not copied.
    pub record: Option<Arc<str>>,
    /// Why the record is not valid SPF, when it is not.
    pub parse_error: Option<ParseError>,
    /// How many TXT records of the domain start with `v=spf1`; more than one is `permerror`.
    pub spf_record_count: usize,
    /// The lengths of the record's TXT strings, for lint (RFC 7208 §3.3).
    #[serde(skip)]
    pub(super) string_lengths: Vec<usize>,
    pub terms: Vec<TermTrace>,
    pub result: SpfResult,
    /// Why this `check_host()` gave its result: a stable code beside the RFC word.
    pub outcome: SpfOutcome,
    pub reason: String,
    /// The lookup of the `exp=` text, when the result is `fail` at the top; `[]` otherwise.
    pub explanation_queries: Vec<QueryTrace>,
}

impl TraceNode {
    pub(super) fn new(domain: String) -> Self {
        TraceNode {
            domain,
            queries: Vec::new(),
            record: None,
            parse_error: None,
            spf_record_count: 0,
            string_lengths: Vec::new(),
            terms: Vec::new(),
            result: SpfResult::None,
            outcome: SpfOutcome::NoRecord,
            reason: String::new(),
            explanation_queries: Vec::new(),
        }
    }

    /// Every node of the tree, this one first, depth first.
    pub fn nodes(&self) -> Vec<&TraceNode> {
        let mut out = vec![self];
        for term in &self.terms {
            if let Some(child) = &term.child {
                out.extend(child.nodes());
            }
        }
        out
    }
}

/// One term of a record, as evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TermTrace {
    /// The term as written.
    pub text: RecordText,
    /// Where it is in the record text of the node it belongs to.
    pub record_span: Span,
    /// `all`, `include`, …, `redirect`, `exp`, or the unknown modifier's name.
    pub name: Cow<'static, str>,
    /// The qualifier of a mechanism; `null` for a modifier.
    pub qualifier: Option<Qualifier>,
    /// The domain after macro expansion, for terms that have one.
    pub target: Option<String>,
    pub queries: Vec<QueryTrace>,
    /// DNS-querying terms used so far in the whole evaluation, this one included.
    pub lookups_used: u32,
    /// Void lookups so far in the whole evaluation.
    pub void_lookups: u32,
    /// This term's own lookup found no such name or no records, and counted as void.
    pub void_lookup: bool,
    pub outcome: TermOutcome,
    /// The error this term ran into (a processing limit, a DNS failure, an include's error);
    /// in an audit, which goes on past errors, also for terms whose outcome is not an error.
    pub error: Option<SpfOutcome>,
    /// What a person should know about this step.
    pub note: Option<String>,
    /// The record an `include` or `redirect` evaluated.
    pub child: Option<Box<TraceNode>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TermOutcome {
    /// The mechanism matched: its qualifier is the result.
    Match,
    NoMatch,
    /// A modifier that was applied (`redirect=` followed).
    Applied,
    /// A modifier with no effect here (`exp=` on a result other than fail, unknown modifiers).
    Ignored,
    Temperror,
    Permerror,
}

/// The term that decided the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DecidingTerm {
    /// The domain whose record holds the term.
    pub domain: String,
    pub term: String,
    /// Where the term is in that domain's record text.
    pub record_span: Span,
    /// The domains from the checked one down to `domain`, through include and redirect.
    pub path: Vec<String>,
}

/// A span of a record's text, sharing the text rather than copying it: a provider's record has
/// dozens of terms, and a copy of each term's text was an allocation per term evaluated.
/// Reads, compares and serializes as the text itself.
#[derive(Clone)]
pub struct RecordText {
    record: Arc<str>,
    /// The span's ends, as `u32` to keep terms small (they are moved a lot): a TXT answer
    /// fits in one DNS message, 65,535 bytes.
    start: u32,
    end: u32,
}

impl RecordText {
    /// `span` of `record`; text outside it (which the parser never gives) reads as empty.
    pub fn new(record: &Arc<str>, span: Span) -> Self {
        // Out of range (never, see above), the text reads as empty rather than cut short.
        let end = u32::try_from(span.end).unwrap_or(u32::MAX);
        RecordText {
            record: Arc::clone(record),
            start: u32::try_from(span.start).unwrap_or(end),
            end,
        }
    }

    /// Text of its own, not from a record (an `exp=` TXT record, an unescaped literal).
    pub fn owned(text: String) -> Self {
        let record: Arc<str> = text.into();
        RecordText::new(&record, Span::new(0, record.len()))
    }

    pub fn as_str(&self) -> &str {
        let (start, end) = (self.start as usize, self.end as usize);
        self.record.get(start..end).unwrap_or("")
    }
}

impl PartialEq for RecordText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RecordText {}

impl Deref for RecordText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for RecordText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RecordText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for RecordText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RecordText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RecordText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A string in the schema, as the text it stands for.
#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for RecordText {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}
