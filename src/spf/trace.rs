//! The evaluation tree: every record fetched, every term evaluated, every DNS query with its
//! answer, and the running lookup counts. The page draws it; the CLI prints it indented.

use std::borrow::Cow;
use std::fmt::Write;

use serde::Serialize;

use super::{ParseError, Qualifier, SpfResult};
use crate::dns::{Answer, DnsError, RecordData, RecordType};
use crate::report::Span;

/// One `check_host()` call: the domain, its record and its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceNode {
    pub domain: String,
    /// The TXT lookup that fetched the record.
    pub queries: Vec<DnsQueryTrace>,
    /// The SPF record, strings joined; non-ASCII bytes shown as U+FFFD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<ParseError>,
    /// How many TXT records of the domain start with `v=spf1`; more than one is `permerror`.
    pub spf_record_count: usize,
    /// The lengths of the record's TXT strings, for lint (RFC 7208 §3.3).
    #[serde(skip)]
    pub(super) string_lengths: Vec<usize>,
    pub terms: Vec<TermTrace>,
    pub result: SpfResult,
    pub reason: String,
    /// The lookup of the `exp=` text, when the result is `fail` at the top.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation_queries: Vec<DnsQueryTrace>,
}

impl TraceNode {
    pub(super) fn new(domain: &str) -> Self {
        TraceNode {
            domain: domain.to_string(),
            queries: Vec::new(),
            record: None,
            parse_error: None,
            spf_record_count: 0,
            string_lengths: Vec::new(),
            terms: Vec::new(),
            result: SpfResult::None,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermTrace {
    /// The term as written.
    pub text: String,
    /// Where it is in the record.
    pub span: Span,
    /// `all`, `include`, …, `redirect`, `exp`, or the unknown modifier's name.
    pub name: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    /// The domain after macro expansion, for terms that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub queries: Vec<DnsQueryTrace>,
    /// DNS-querying terms used so far in the whole evaluation, this one included.
    pub lookups_used: u32,
    /// Void lookups so far in the whole evaluation.
    pub void_lookups: u32,
    /// This term's own lookup found no such name or no records, and counted as void.
    pub void_lookup: bool,
    pub outcome: TermOutcome,
    /// What a person should know about this step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The record an `include` or `redirect` evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Box<TraceNode>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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

/// One DNS question and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsQueryTrace {
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// The answers in zone-file presentation, e.g. `10 mx.example.com` or `"v=spf1 -all"`.
    pub answers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<DnsError>,
    /// NXDOMAIN or no records: counts as a void lookup when it is a term's own query.
    pub void: bool,
}

impl DnsQueryTrace {
    pub(super) fn new(
        name: &str,
        record_type: RecordType,
        answer: &Result<Answer, DnsError>,
    ) -> Self {
        let (answers, error) = match answer {
            Ok(answer) => (
                answer
                    .records
                    .iter()
                    .map(|record| presentation(&record.data))
                    .collect(),
                None,
            ),
            Err(error) => (Vec::new(), Some(error.clone())),
        };
        DnsQueryTrace {
            name: name.to_string(),
            record_type,
            answers,
            void: matches!(answer, Err(DnsError::NxDomain | DnsError::NoData)),
            error,
        }
    }
}

/// A record's data the way a zone file writes it.
fn presentation(data: &RecordData) -> String {
    match data {
        RecordData::A { address } => address.to_string(),
        RecordData::Aaaa { address } => address.to_string(),
        RecordData::Cname { target } => target.clone(),
        RecordData::Mx {
            preference,
            exchange,
        } => format!("{preference} {exchange}"),
        RecordData::Ptr { target } => target.clone(),
        RecordData::Txt { strings } => {
            // Quotes and a space per string, and the text itself: one allocation for the usual
            // record, which is long and all printable.
            let length = strings.iter().map(|string| string.len() + 3).sum();
            let mut out = String::with_capacity(length);
            for (index, string) in strings.iter().enumerate() {
                if index > 0 {
                    out.push(' ');
                }
                quote_character_string(string, &mut out);
            }
            out
        }
        other => format!("{other:?}"),
    }
}

/// A character-string as a zone file writes it (RFC 1035 §5.1): in double quotes, with `"` and
/// `\\` escaped and any byte outside printable ASCII as `\DDD`, so that hostile bytes show as
/// what they are.
fn quote_character_string(bytes: &[u8], out: &mut String) {
    out.push('"');
    let mut rest = bytes;
    while !rest.is_empty() {
        // Runs of plain printable ASCII are copied whole; they are nearly all of a record.
        let plain = rest
            .iter()
            .position(|&byte| !matches!(byte, b' '..=b'~') || matches!(byte, b'"' | b'\\'))
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(plain);
        // Printable ASCII, hence UTF-8.
        out.push_str(std::str::from_utf8(run).unwrap_or_default());
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\{byte:03}");
            }
        }
        rest = tail;
    }
    out.push('"');
}

/// The term that decided the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingTerm {
    /// The domain whose record holds the term.
    pub domain: String,
    pub term: String,
    pub span: Span,
    /// The domains from the checked one down to `domain`, through include and redirect.
    pub path: Vec<String>,
}
