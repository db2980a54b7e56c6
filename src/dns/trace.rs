//! The query trace: every lookup of an analysis, with its answer or error, its timing and
//! whether a cache answered it. It is part of the report, for the page's DNS waterfall and so
//! that a verdict can be explained by the exact answers it rested on.

use std::cell::RefCell;

use serde::Serialize;

use super::{normalize_name, Answer, DnsError, RecordData, RecordType, Resolver};
use crate::report::{Finding, Severity};

/// One lookup as the report shows it: the one shape of a DNS lookup everywhere in a report (the
/// top-level `dns` list, the SPF tree, DKIM keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct QueryTrace {
    /// The name asked for, lower case, without the trailing dot.
    pub name: String,
    pub record_type: RecordType,
    /// `{"answer": …}` or `{"error": …}`.
    pub outcome: TraceOutcome,
    /// When the lookup started, in milliseconds on the resolver's clock (the page's
    /// `Date.now()`, the CLI's system clock); absent when the resolver has no clock (zone files).
    pub start_ms: Option<f64>,
    /// How long the lookup took; absent when the resolver has no clock.
    pub duration_ms: Option<f64>,
    pub cache: CacheUse,
    /// The DoH endpoint that answered (or last failed); absent for zone files.
    pub source: Option<String>,
    /// HTTP requests this lookup sent: 0 when a cache or an identical lookup in flight answered,
    /// 2 when the first provider failed and the second was asked.
    pub requests: u32,
    /// Asked ahead of need (SPF asks a record's names at once, then evaluates in order): a
    /// later lookup of the same name found this answer. Speculative lookups whose answer no
    /// term used still count here, so the cost of asking ahead shows.
    pub speculative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TraceOutcome {
    Answer(Answer),
    Error(DnsError),
}

/// Where the answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CacheUse {
    /// The resolver has no cache (zone files answer from memory).
    None,
    /// Asked over the network.
    Miss,
    /// Answered from the cache, within the answer's TTL.
    Hit,
    /// An identical lookup was already in flight; this one waited for its answer.
    Merged,
}

impl QueryTrace {
    /// A trace without timing, for resolvers that have no clock.
    pub fn untimed(name: &str, record_type: RecordType, result: Result<Answer, DnsError>) -> Self {
        QueryTrace {
            name: normalize_name(name),
            record_type,
            outcome: result.into(),
            start_ms: None,
            duration_ms: None,
            cache: CacheUse::None,
            source: None,
            requests: 0,
            speculative: false,
        }
    }

    /// NXDOMAIN or no records: what RFC 7208 §4.6.4 counts as a void lookup.
    pub fn is_void(&self) -> bool {
        matches!(
            self.outcome,
            TraceOutcome::Error(DnsError::NxDomain | DnsError::NoData)
        )
    }

    /// The lookup's answer, if it had one.
    pub fn answer(&self) -> Option<&Answer> {
        match &self.outcome {
            TraceOutcome::Answer(answer) => Some(answer),
            TraceOutcome::Error(_) => None,
        }
    }

    /// The lookup's result, as `Resolver::lookup` returns it.
    pub fn result(&self) -> Result<Answer, DnsError> {
        match &self.outcome {
            TraceOutcome::Answer(answer) => Ok(answer.clone()),
            TraceOutcome::Error(error) => Err(error.clone()),
        }
    }
}

impl From<Result<Answer, DnsError>> for TraceOutcome {
    fn from(result: Result<Answer, DnsError>) -> Self {
        match result {
            Ok(answer) => TraceOutcome::Answer(answer),
            Err(error) => TraceOutcome::Error(error),
        }
    }
}

/// At most this many lookups per analysis, whatever the resolver: later ones fail with
/// [`DnsError::BudgetExhausted`] without being asked. Every protocol has its own limits (SPF's
/// ten DNS terms, 32 DKIM signatures, 50 ARC sets, the DMARC tree walk's eight names), which
/// together allow a few hundred lookups at the very worst; this is the backstop that holds for
/// all of them at once, and the same number as the DoH resolvers' request budget.
pub const MAX_QUERIES_PER_ANALYSIS: usize = 200;

/// The largest answer any resolver may give: what fits in one DNS message (RFC 1035 §4.2.2,
/// RFC 8484 §6). DoH answers are held to it when they are decoded; the recorder holds every
/// other resolver (zone files, the page's) to it too, by the answer's size in wire form.
pub const MAX_ANSWER_BYTES: usize = super::wire::MAX_MESSAGE;

/// A resolver that records every lookup it passes on. The analysis wraps the caller's resolver
/// in one, hands it to every stage, and puts [`Recorder::into_trace`] in the report. It keeps
/// the analysis to [`MAX_QUERIES_PER_ANALYSIS`] lookups and [`MAX_ANSWER_BYTES`] per answer.
pub struct Recorder<'r, R> {
    inner: &'r R,
    /// One slot per lookup, taken when it starts and filled when it ends, so that the trace is
    /// in starting order without a clock (zone files have none) and without sorting.
    trace: RefCell<Vec<Option<QueryTrace>>>,
}

impl<'r, R: Resolver> Recorder<'r, R> {
    pub fn new(inner: &'r R) -> Self {
        Recorder {
            inner,
            trace: RefCell::new(Vec::new()),
        }
    }

    /// The findings for the limits the lookups so far have hit: the query budget, and answers
    /// too large to use.
    pub fn limit_findings(&self) -> Vec<Finding> {
        let trace = self.trace.borrow();
        let count = |kind: &DnsError| {
            trace
                .iter()
                .flatten()
                .filter(
                    |lookup| matches!(&lookup.outcome, TraceOutcome::Error(error) if error == kind),
                )
                .count()
        };
        let refused = count(&DnsError::BudgetExhausted);
        let too_large = count(&DnsError::TooLarge);
        [
            (refused > 0).then(|| {
                Finding::new(
                    Severity::Error,
                    "dns.query-budget-exhausted",
                    format!(
                        "The analysis reached its limit of {MAX_QUERIES_PER_ANALYSIS} DNS \
                         lookups; {refused} further lookups were not made, and the results \
                         that needed them are temporary errors."
                    ),
                )
            }),
            (too_large > 0).then(|| {
                Finding::new(
                    Severity::Error,
                    "dns.answer-too-large",
                    format!(
                        "{too_large} DNS answers were larger than the {MAX_ANSWER_BYTES} bytes \
                         one DNS message can hold, and were not used."
                    ),
                )
            }),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Takes a slot for a lookup, or `None` when the budget is spent.
    fn slot(&self) -> Option<usize> {
        let mut trace = self.trace.borrow_mut();
        if trace.len() >= MAX_QUERIES_PER_ANALYSIS {
            return None;
        }
        trace.push(None);
        Some(trace.len() - 1)
    }

    /// The lookups in the order they started. A lookup abandoned before it ended (its future
    /// dropped) has no outcome and is left out.
    pub fn into_trace(self) -> Vec<QueryTrace> {
        self.trace.into_inner().into_iter().flatten().collect()
    }
}

impl<R: Resolver> Resolver for Recorder<'_, R> {
    /// [`Recorder::lookup_traced`]'s result, without the copy of the trace that method returns:
    /// the trace goes into the slot as it is.
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        let Some(slot) = self.slot() else {
            let refused = QueryTrace::untimed(name, record_type, Err(DnsError::BudgetExhausted));
            self.trace.borrow_mut().push(Some(refused));
            return Err(DnsError::BudgetExhausted);
        };
        let lookup = within_size(self.inner.lookup_traced(name, record_type).await);
        let result = lookup.result();
        if let Some(entry) = self.trace.borrow_mut().get_mut(slot) {
            *entry = Some(lookup);
        }
        result
    }

    fn prefetches(&self) -> bool {
        self.inner.prefetches()
    }

    async fn prefetch(&self, name: &str, record_type: RecordType) -> Option<QueryTrace> {
        if !self.inner.prefetches() {
            return None;
        }
        // Asking ahead is an optimisation: with the budget spent, the lookup itself will say so.
        let slot = self.slot()?;
        let lookup = self
            .inner
            .prefetch(name, record_type)
            .await
            .map(within_size);
        if let Some(entry) = self.trace.borrow_mut().get_mut(slot) {
            *entry = lookup.clone();
        }
        lookup
    }

    async fn lookup_traced(&self, name: &str, record_type: RecordType) -> QueryTrace {
        // Each borrow ends within its statement, never across the await.
        let Some(slot) = self.slot() else {
            let refused = QueryTrace::untimed(name, record_type, Err(DnsError::BudgetExhausted));
            self.trace.borrow_mut().push(Some(refused.clone()));
            return refused;
        };
        let lookup = within_size(self.inner.lookup_traced(name, record_type).await);
        if let Some(entry) = self.trace.borrow_mut().get_mut(slot) {
            *entry = Some(lookup.clone());
        }
        lookup
    }
}

/// The lookup, or [`DnsError::TooLarge`] in place of an answer larger than one DNS message.
fn within_size(mut lookup: QueryTrace) -> QueryTrace {
    if lookup
        .answer()
        .is_some_and(|answer| wire_size(answer) > MAX_ANSWER_BYTES)
    {
        lookup.outcome = TraceOutcome::Error(DnsError::TooLarge);
    }
    lookup
}

/// About how many bytes the answer takes in a DNS message, names uncompressed: what a hostile
/// zone could make large is TXT data, and that is counted exactly.
fn wire_size(answer: &Answer) -> usize {
    answer
        .records
        .iter()
        .chain(&answer.cnames)
        .map(|record| {
            let data = match &record.data {
                RecordData::Txt { strings } => strings.iter().map(|string| string.len() + 1).sum(),
                RecordData::Tlsa { data, .. } => data.len() + 3,
                RecordData::Cname { target } | RecordData::Ptr { target } => target.len() + 2,
                RecordData::Ns { host } => host.len() + 2,
                RecordData::Mx { exchange, .. } => exchange.len() + 4,
                RecordData::Soa { mname, rname, .. } => mname.len() + rname.len() + 24,
                RecordData::A { .. } => 4,
                RecordData::Aaaa { .. } => 16,
            };
            // The owner name, type, class, TTL and RDLENGTH.
            record.name.len() + 2 + 10 + data
        })
        .sum()
}
