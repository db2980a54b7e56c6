//! `check_host()` (RFC 7208 §4–§6): fetch the record, evaluate its terms left to right with DNS
//! answers, follow include and redirect, enforce the processing limits (§4.6.4), and record
//! every step in a [`TraceNode`] tree.
//!
//! The decisions that need no DNS (CIDR matching, macro expansion, record selection) are plain
//! functions in `address` and `macros`; the loop below only asks questions and applies them.

use std::borrow::Cow;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use super::address::{
    address_type, addresses, checkable_domain, in_network, matches_any, within_domain,
};
use super::macros::{self, query_name, valid_query_name, MacroValues};
use super::parse::{self, Outline, OutlineKind, OutlineMechanism, OutlineTerm, RecordSelection};
use super::trace::{DecidingTerm, RecordText, TermOutcome, TermTrace, TraceNode};
use super::{
    DualCidr, MacroString, SpfOutcome, SpfResult, MAX_DNS_TERMS, MAX_NAMES_PER_LOOKUP,
    MAX_VOID_LOOKUPS,
};
use crate::dns::{Answer, DnsError, QueryTrace, RecordData, RecordType, Resolver};
use crate::report::Span;
use crate::report::{quoted, reveal};

mod ahead;
mod follow;
mod ptr;

/// What a `check_host()` call hands back up: the result, its node, and where to find the
/// explanation if the result ends up `fail`.
pub(super) struct HostOutcome {
    pub result: SpfResult,
    pub node: TraceNode,
    /// The `exp=` of the record that decided, and that record's domain for `%{d}`.
    pub explanation: Option<(MacroString, String)>,
    pub decided_by: Option<DecidingTerm>,
}

impl HostOutcome {
    /// An outcome no term decided: an error, `none`, or the default.
    fn ended(mut node: TraceNode, result: SpfResult, outcome: SpfOutcome, reason: String) -> Self {
        node.result = result;
        node.outcome = outcome;
        node.reason = reason;
        HostOutcome {
            result,
            node,
            explanation: None,
            decided_by: None,
        }
    }
}

/// How one mechanism turned out.
enum MechanismOutcome {
    Match,
    NoMatch,
    Error(SpfResult, SpfOutcome, String),
}

/// A processing limit or loop that ends the evaluation: its code and its sentence.
type Stop = (SpfOutcome, String);

/// The state of one evaluation: the counters of RFC 7208 §4.6.4 are shared by the whole tree.
pub(super) struct Evaluator<'r, R> {
    resolver: &'r R,
    pub values: MacroValues,
    pub lookups: u32,
    pub void_lookups: u32,
    /// Audit mode (no IP): address mechanisms never match and errors do not stop evaluation,
    /// so that every term and every lookup shows in the tree.
    pub audit: bool,
    validated_name_done: bool,
    /// The domains from the one checked first down to the current one, through include and
    /// redirect: one stack for the whole tree rather than a copy per include. Only the
    /// deciding term (outside includes) and an audit's loop check read it, so an evaluation
    /// keeps the domains inside includes off it.
    path: Vec<String>,
    /// The IP as the reasons write it, formatted once: formatting an address costs more than
    /// evaluating most terms.
    ip_text: String,
    /// How many includes the current record is inside. An include's outcome is only its
    /// result and its node, so below one no deciding term or explanation is built.
    include_depth: u32,
}

/// How far an audit follows includes past the limit, to show by how much it is exceeded.
const AUDIT_MAX_LOOKUPS: u32 = 5 * MAX_DNS_TERMS;

type BoxedOutcome<'a> = Pin<Box<dyn Future<Output = HostOutcome> + 'a>>;

impl<'r, R: Resolver> Evaluator<'r, R> {
    pub fn new(resolver: &'r R, values: MacroValues, audit: bool) -> Self {
        let ip_text = values.ip.to_string();
        Evaluator {
            resolver,
            values,
            lookups: 0,
            void_lookups: 0,
            audit,
            validated_name_done: false,
            path: Vec::new(),
            ip_text,
            include_depth: 0,
        }
    }

    async fn query(
        &self,
        name: &str,
        record_type: RecordType,
    ) -> (Result<Answer, DnsError>, QueryTrace) {
        let trace = self.resolver.lookup_traced(name, record_type).await;
        (trace.result(), trace)
    }

    /// One `check_host()` for `domain`, below the domains on `self.path`.
    pub fn check_host(&mut self, domain: String) -> BoxedOutcome<'_> {
        Box::pin(async move {
            if !checkable_domain(&domain) {
                let reason = format!(
                    "{} is not a domain name that can be checked (RFC 7208 §4.3)",
                    quoted(&domain)
                );
                let node = TraceNode::new(domain);
                let outcome = SpfOutcome::DomainNotCheckable;
                return HostOutcome::ended(node, SpfResult::None, outcome, reason);
            }
            let (answer, trace) = self.query(&domain, RecordType::Txt).await;
            let (record, node, outer, on_path) = match self.enter_record(domain, answer, trace) {
                Ok(entered) => entered,
                Err(outcome) => return outcome,
            };
            // Without asking ahead (zone files answer at once) the terms are evaluated alone:
            // joining them with an empty set of lookups cost a larger future to build and
            // move. Asking ahead is boxed apart: resolvers that do it have a network, where an
            // allocation is nothing beside a lookup, and the join inline made every record's
            // future larger.
            let mut outcome = if self.resolver.prefetches() {
                Box::pin(self.evaluate_asking_ahead(&record, node)).await
            } else {
                self.evaluate_record(&record, node).await
            };
            outcome.node.domain = std::mem::replace(&mut self.values.domain, outer);
            if on_path {
                self.path.pop();
            }
            // The node is the one handed in; it takes the text once the terms are done with it.
            outcome.node.record = Some(record.text);
            outcome
        })
    }

    /// What `check_host` does between the TXT lookup and the evaluation, apart (and not
    /// async) so that the answer and the node's making take no room in its future: a local
    /// once borrowed keeps its room in a future to the end, and the answer, the query's trace
    /// and the node held there made every record's future larger. Gives the record, the node,
    /// the domain of the `check_host()` above and whether the domain went on `self.path`; or
    /// the outcome that ends this one.
    ///
    /// `%{d}` and the default target of a, mx and ptr are the domain of the current
    /// check_host(), which include and redirect change (RFC 7208 §5.2, §6.1, §7.2). The node's
    /// domain is lent to the values while its terms are evaluated, and `check_host` gives it
    /// back when they are done: one string for both rather than a copy per record.
    // The outcome is large, but returned once per record and taken at once; boxing it would
    // cost an allocation on every early end.
    #[allow(clippy::result_large_err)]
    fn enter_record(
        &mut self,
        domain: String,
        answer: Result<Answer, DnsError>,
        trace: QueryTrace,
    ) -> Result<(Outline, TraceNode, String, bool), HostOutcome> {
        let mut node = TraceNode::new(domain);
        node.queries.push(trace);
        let record = match self.published_record(&mut node, answer) {
            Ok(record) => record,
            Err((result, outcome, reason)) => {
                return Err(HostOutcome::ended(node, result, outcome, reason))
            }
        };
        let on_path = self.audit || self.include_depth == 0;
        if on_path {
            self.path.push(node.domain.clone());
        }
        let outer = std::mem::replace(&mut self.values.domain, std::mem::take(&mut node.domain));
        Ok((record, node, outer, on_path))
    }

    /// The SPF record of a TXT answer, outlined (RFC 7208 §4.5, §4.6): one record starting
    /// with `v=spf1`, valid; otherwise the result that ends this `check_host()`.
    fn published_record(
        &self,
        node: &mut TraceNode,
        answer: Result<Answer, DnsError>,
    ) -> Result<Outline, (SpfResult, SpfOutcome, String)> {
        // Each TXT record's strings, with the same joined (RFC 7208 §3.3).
        let published: &[_] = match &answer {
            Ok(answer) => &answer.records,
            Err(DnsError::NxDomain | DnsError::NoData) => &[],
            Err(error) => {
                let reason = format!("the TXT lookup for {} failed: {error}", node.domain);
                return Err((SpfResult::Temperror, SpfOutcome::DnsFailure, reason));
            }
        };
        let txt = published.iter().filter_map(|record| match &record.data {
            RecordData::Txt { strings } => Some(strings),
            _ => None,
        });
        let chosen = match parse::select_one(txt, |strings| joined(strings)) {
            RecordSelection::None => {
                let reason = format!("{} publishes no SPF record", node.domain);
                return Err((SpfResult::None, SpfOutcome::NoRecord, reason));
            }
            RecordSelection::Multiple(count) => {
                node.spf_record_count = count;
                let reason = format!(
                    "{} publishes {count} SPF records; there must be one (RFC 7208 §4.5)",
                    node.domain
                );
                return Err((SpfResult::Permerror, SpfOutcome::SeveralRecords, reason));
            }
            RecordSelection::One(chosen) => chosen,
        };
        node.spf_record_count = 1;
        let (strings, bytes) = chosen;
        // Only an audit's lint reads the lengths (`audit::node_strings`).
        if self.audit {
            node.string_lengths = strings.iter().map(Vec::len).collect();
        }
        let bytes = &bytes[..];
        parse::outline(bytes).map_err(|error| {
            node.record = Some(String::from_utf8_lossy(bytes).into());
            let reason = format!("{}'s SPF record is invalid: {error}", node.domain);
            node.parse_error = Some(error);
            (SpfResult::Permerror, SpfOutcome::SyntaxError, reason)
        })
    }

    /// Evaluates the directives left to right, then `redirect=` (RFC 7208 §4.6.2, §6.1). The
    /// node's domain is in `self.values.domain` meanwhile (see `check_host`).
    pub(super) async fn evaluate_record(
        &mut self,
        record: &Outline,
        mut node: TraceNode,
    ) -> HostOutcome {
        node.terms.reserve_exact(record.terms.len());
        let mut first_error: Option<(SpfResult, SpfOutcome, String)> = None;
        for (term, qualifier, mechanism) in record.directives() {
            // The trace goes into the node at once and is filled in there: a term's trace is
            // large, and building it apart cost a second copy of it per term.
            node.terms.push(self.term_trace(record, term));
            let Some(trace) = node.terms.last_mut() else {
                continue; // Unreachable: it was pushed just above.
            };
            // Most terms of a provider's record are ip4 and ip6: decided here, without
            // building the future of a DNS-querying mechanism for each of them.
            let outcome = match self.address_mechanism(mechanism) {
                Some(outcome) => outcome,
                None => self.mechanism(&record.text, mechanism, trace).await,
            };
            trace.lookups_used = self.lookups;
            trace.void_lookups = self.void_lookups;
            let matched = matches!(outcome, MechanismOutcome::Match);
            match outcome {
                MechanismOutcome::Match => trace.outcome = TermOutcome::Match,
                MechanismOutcome::NoMatch => trace.outcome = TermOutcome::NoMatch,
                MechanismOutcome::Error(result, outcome, reason) => {
                    trace.outcome = if result == SpfResult::Temperror {
                        TermOutcome::Temperror
                    } else {
                        TermOutcome::Permerror
                    };
                    trace.error = Some(outcome);
                    trace.note = Some(reason.clone());
                    if !self.audit {
                        return HostOutcome::ended(node, result, outcome, reason);
                    }
                    first_error.get_or_insert((result, outcome, reason));
                    continue;
                }
            }
            if matched {
                let text = record.text_at(term.span);
                if let Some((result, outcome, reason)) = first_error {
                    // An audit went on past an error; a receiver would have stopped there.
                    return HostOutcome::ended(node, result, outcome, reason);
                }
                let result = qualifier.result();
                node.result = result;
                node.outcome = SpfOutcome::Matched;
                node.reason = self.matched_reason(text, &self.values.domain);
                if self.include_depth > 0 {
                    // The include above keeps only the result and the node.
                    return HostOutcome {
                        result,
                        node,
                        explanation: None,
                        decided_by: None,
                    };
                }
                let decided_by = DecidingTerm {
                    domain: self.values.domain.clone(),
                    term: text.to_string(),
                    record_span: term.span,
                    path: self.path.clone(),
                };
                // Validated with the record, so `spec_at` gives it; an error would read as no
                // `exp=`, as an unusable one does (RFC 7208 §6.2).
                let explanation = record
                    .explanation()
                    .and_then(|target| parse::spec_at(&record.text, target).ok())
                    .map(|target| (target, self.values.domain.clone()));
                return HostOutcome {
                    result,
                    node,
                    explanation,
                    decided_by: Some(decided_by),
                };
            }
        }
        self.modifiers(record, &mut node);
        if let Some((term, target)) = record.redirect() {
            // Boxed: the redirect's future holds a node and a term of its own, and inline it
            // made the future of every record larger, redirect or not.
            return self.redirect(record, term, target, node, first_error).await;
        }
        let (result, outcome, reason) = first_error.unwrap_or_else(|| {
            (SpfResult::Neutral, SpfOutcome::DefaultNeutral, format!("no term of {}'s SPF record matched and it has no redirect=, so the result is neutral (RFC 7208 §4.7)", self.values.domain))
        });
        HostOutcome::ended(node, result, outcome, reason)
    }

    /// Traces the modifiers other than `redirect=`, which only show in the tree.
    fn modifiers(&self, record: &Outline, node: &mut TraceNode) {
        for term in &record.terms {
            if matches!(
                term.kind,
                OutlineKind::Directive(..) | OutlineKind::Redirect(_)
            ) {
                continue;
            }
            let mut trace = self.term_trace(record, term);
            trace.outcome = TermOutcome::Ignored;
            trace.note = Some(match term.kind {
                OutlineKind::Explanation(_) => {
                    "applies only when the final result is fail; its lookup is under the top node's explanation_queries".into()
                }
                _ => "unknown modifier, ignored (RFC 7208 §6)".into(),
            });
            node.terms.push(trace);
        }
    }

    /// "192.0.2.1 matched "ip4:192.0.2.0/24" in the SPF record of example.com": the reason of
    /// every node a term decides, a dozen in a provider's tree, written in one allocation
    /// rather than with `format!` (`quoted(text)` in place).
    fn matched_reason(&self, term_text: &str, domain: &str) -> String {
        let term_text = reveal(term_text);
        [
            self.ip_text.as_str(),
            " matched \"",
            &term_text,
            "\" in the SPF record of ",
            domain,
        ]
        .concat()
    }

    fn term_trace(&self, record: &Outline, term: &OutlineTerm) -> TermTrace {
        let (name, qualifier) = match term.kind {
            OutlineKind::Directive(qualifier, _, mechanism) => {
                (Cow::Borrowed(mechanism.name()), Some(qualifier))
            }
            OutlineKind::Redirect(_) => (Cow::Borrowed("redirect"), None),
            OutlineKind::Explanation(_) => (Cow::Borrowed("exp"), None),
            OutlineKind::Unknown(value) => (
                Cow::Owned(record.modifier_name(term, value).to_string()),
                None,
            ),
        };
        TermTrace {
            text: RecordText::new(&record.text, term.span),
            record_span: term.span,
            name,
            qualifier,
            target: None,
            queries: Vec::new(),
            lookups_used: self.lookups,
            void_lookups: self.void_lookups,
            void_lookup: false,
            outcome: TermOutcome::NoMatch,
            error: None,
            note: None,
            child: None,
        }
    }

    /// Counts a DNS-querying term; more than ten is `permerror` (RFC 7208 §4.6.4).
    fn count_lookup(&mut self) -> Result<(), Stop> {
        count(&mut self.lookups, MAX_DNS_TERMS, "DNS-querying term")
            .map_err(|reason| (SpfOutcome::LookupLimitExceeded, reason))
    }

    /// Counts a void lookup (no such name, or no records); more than two is `permerror`
    /// (RFC 7208 §4.6.4).
    fn count_void(&mut self) -> Result<(), Stop> {
        count(
            &mut self.void_lookups,
            MAX_VOID_LOOKUPS,
            "void lookup (no such name or no records)",
        )
        .map_err(|reason| (SpfOutcome::VoidLookupLimitExceeded, reason))
    }

    /// Expands a domain-spec into the name to query, looking up `%{p}` first if it is used.
    async fn expand_domain(&mut self, spec: &MacroString, queries: &mut Vec<QueryTrace>) -> String {
        // An audit has no IP to look up; `%{p}` stays "unknown" there.
        if macros::needs_validated_name(spec) && !self.validated_name_done && !self.audit {
            self.validated_name_done = true;
            self.values.validated_name = self.validated_name(queries).await;
        }
        query_name(macros::expand(spec, &self.values))
    }

    /// The target of a mechanism: its domain-spec expanded, or the current domain. The term's
    /// trace takes it once the mechanism has used it (`trace.target`), rather than a copy.
    ///
    /// `None` in an audit when the name depends on the message (any macro but `%{d}`): the
    /// audit has no sender or IP, and a lookup with made-up values (a DNSBL-style
    /// `exists:%{ir}.list.example` would find nothing) would mislead. The term still counts
    /// against the lookup limit.
    async fn target(
        &mut self,
        record: &Arc<str>,
        spec: Option<Span>,
        trace: &mut TermTrace,
    ) -> Option<String> {
        match spec {
            None => Some(self.values.domain.clone()),
            Some(span) => match literal_spec(record, span) {
                // No macros: the text is its own expansion, without building the macro-string.
                Some(text) => Some(query_name(text.to_string())),
                // Boxed: expanding macros may look up `%{p}` first, and that future inline
                // made every record's evaluation larger to build and to move.
                None => self.macro_target(record, span, trace).await,
            },
        }
    }

    /// [`Self::target`] of a domain-spec with macros.
    async fn macro_target(
        &mut self,
        record: &Arc<str>,
        span: Span,
        trace: &mut TermTrace,
    ) -> Option<String> {
        // The record's outline checked it, so `spec_at` gives it.
        let spec = parse::spec_at(record, span).ok()?;
        if self.audit && macros::depends_on_message(&spec) {
            trace.note = Some(
                "the name depends on the message (macros), so an audit does not look it up".into(),
            );
            return None;
        }
        Some(self.expand_domain(&spec, &mut trace.queries).await)
    }

    /// The name a domain-spec of the record (`redirect=`'s) asks for: [`Self::expand_domain`],
    /// without building the macro-string when it has no macros.
    async fn expand_spec(
        &mut self,
        record: &Arc<str>,
        span: Span,
        queries: &mut Vec<QueryTrace>,
    ) -> String {
        if let Some(text) = literal_spec(record, span) {
            return query_name(text.to_string());
        }
        // The record's outline checked it, so `spec_at` gives it; were it not to, the empty
        // name would be refused as a name to follow.
        match parse::spec_at(record, span) {
            // Boxed, as in `target`.
            Ok(spec) => self.expand_domain(&spec, queries).await,
            Err(_) => String::new(),
        }
    }

    /// Whether an audit may follow an include or redirect to `name`. An evaluation is bounded
    /// by the lookup limit, but an audit goes on past it, so it stops at loops and after
    /// [`AUDIT_MAX_LOOKUPS`].
    fn may_follow(&self, name: &str) -> Result<(), Stop> {
        if !self.audit {
            return Ok(());
        }
        let path = &self.path;
        if path.iter().any(|above| above.eq_ignore_ascii_case(name)) {
            return Err((
                SpfOutcome::Loop,
                format!(
                    "{name} is already being evaluated ({} → {name}): a loop, which receivers \
                     end with permerror at the lookup limit",
                    path.join(" → ")
                ),
            ));
        }
        if self.lookups > AUDIT_MAX_LOOKUPS {
            return Err((
                SpfOutcome::AuditStopped,
                format!("the audit stops following includes after {AUDIT_MAX_LOOKUPS} lookups"),
            ));
        }
        Ok(())
    }

    /// Evaluates one mechanism (RFC 7208 §5).
    async fn mechanism(
        &mut self,
        record: &Arc<str>,
        mechanism: OutlineMechanism,
        trace: &mut TermTrace,
    ) -> MechanismOutcome {
        if mechanism.queries_dns() {
            if let Err((outcome, reason)) = self.count_lookup() {
                if !self.audit {
                    return MechanismOutcome::Error(SpfResult::Permerror, outcome, reason);
                }
                trace.error = Some(outcome);
                trace.note = Some(reason);
            }
        }
        match mechanism {
            OutlineMechanism::All | OutlineMechanism::Ip4(..) | OutlineMechanism::Ip6(..) => self
                .address_mechanism(mechanism)
                .unwrap_or(MechanismOutcome::NoMatch),
            OutlineMechanism::A(domain, cidr) => {
                let Some(name) = self.target(record, domain, trace).await else {
                    return MechanismOutcome::NoMatch;
                };
                let outcome = self.address_records(&name, cidr, trace).await;
                trace.target = Some(name);
                outcome
            }
            OutlineMechanism::Mx(domain, cidr) => {
                let Some(name) = self.target(record, domain, trace).await else {
                    return MechanismOutcome::NoMatch;
                };
                // Boxed: its loop over the hosts' lookups is the largest of the mechanisms'
                // futures, and a record has one `mx` at most, usually.
                let outcome = self.mx(&name, cidr, trace).await;
                trace.target = Some(name);
                outcome
            }
            OutlineMechanism::Ptr(domain) => {
                let Some(name) = self.target(record, domain, trace).await else {
                    return MechanismOutcome::NoMatch;
                };
                if self.audit {
                    trace.note = Some(
                        "depends on the reverse DNS of the connecting IP, which an audit does not have"
                            .into(),
                    );
                    trace.target = Some(name);
                    return MechanismOutcome::NoMatch;
                }
                // Boxed: `ptr` is rare and its lookups' future large.
                let names = self
                    .validated_names(&mut trace.queries, |ptr| within_domain(ptr, &name))
                    .await;
                trace.target = Some(name);
                self.address_match(!names.is_empty())
            }
            OutlineMechanism::Exists(domain) => {
                let Some(name) = self.target(record, Some(domain), trace).await else {
                    return MechanismOutcome::NoMatch;
                };
                let outcome = match self.primary_lookup(&name, RecordType::A, trace).await {
                    Ok(Some(_)) => self.address_match(true),
                    Ok(None) => MechanismOutcome::NoMatch,
                    Err(error) => error,
                };
                trace.target = Some(name);
                outcome
            }
            OutlineMechanism::Include(domain) => {
                let Some(name) = self.target(record, Some(domain), trace).await else {
                    return MechanismOutcome::NoMatch;
                };
                self.include(name, trace).await
            }
        }
    }

    /// `all`, `ip4` and `ip6`, which the IP alone decides (RFC 7208 §5.1, §5.6); `None` for
    /// the mechanisms that query DNS.
    fn address_mechanism(&self, mechanism: OutlineMechanism) -> Option<MechanismOutcome> {
        let ip = self.values.ip;
        match mechanism {
            OutlineMechanism::All => Some(MechanismOutcome::Match),
            OutlineMechanism::Ip4(network, prefix) => {
                Some(self.address_match(in_network(ip, IpAddr::V4(network), prefix)))
            }
            OutlineMechanism::Ip6(network, prefix) => {
                Some(self.address_match(in_network(ip, IpAddr::V6(network), prefix)))
            }
            _ => None,
        }
    }

    /// In audit mode nothing about the (absent) IP matches.
    fn address_match(&self, matched: bool) -> MechanismOutcome {
        if matched && !self.audit {
            MechanismOutcome::Match
        } else {
            MechanismOutcome::NoMatch
        }
    }

    /// A term's own query: `Ok(None)` for a void answer (counted), an error outcome for a
    /// temporary failure or the void limit. An invalid name is treated as non-existent without
    /// asking (RFC 7208 §4.8 leaves this case open; the suite accepts both readings).
    async fn primary_lookup(
        &mut self,
        name: &str,
        record_type: RecordType,
        trace: &mut TermTrace,
    ) -> Result<Option<Answer>, MechanismOutcome> {
        if !valid_query_name(name) {
            trace.note = Some(format!(
                "{} is not a valid domain name; treated as non-existent",
                quoted(name)
            ));
            return Ok(None);
        }
        let (answer, query) = self.query(name, record_type).await;
        trace.queries.push(query);
        match answer {
            Ok(answer) if !answer.records.is_empty() => Ok(Some(answer)),
            Ok(_) | Err(DnsError::NxDomain | DnsError::NoData) => {
                trace.void_lookup = true;
                match self.count_void() {
                    Ok(()) => Ok(None),
                    Err((outcome, reason)) if !self.audit => Err(MechanismOutcome::Error(
                        SpfResult::Permerror,
                        outcome,
                        reason,
                    )),
                    Err((outcome, reason)) => {
                        trace.error = Some(outcome);
                        trace.note = Some(reason);
                        Ok(None)
                    }
                }
            }
            Err(error) => Err(MechanismOutcome::Error(
                SpfResult::Temperror,
                SpfOutcome::DnsFailure,
                format!("the {record_type} lookup for {name} failed: {error}"),
            )),
        }
    }

    /// `a`: the target's A or AAAA records, each compared with the prefix length (RFC 7208 §5.3).
    async fn address_records(
        &mut self,
        name: &str,
        cidr: DualCidr,
        trace: &mut TermTrace,
    ) -> MechanismOutcome {
        let ip = self.values.ip;
        match self.primary_lookup(name, address_type(ip), trace).await {
            Ok(Some(answer)) => self.address_match(matches_any(ip, &addresses(&answer), cidr)),
            Ok(None) => MechanismOutcome::NoMatch,
            Err(error) => error,
        }
    }

    /// `mx`: the address records of each exchange, at most ten exchanges (RFC 7208 §5.4,
    /// §4.6.4: more is `permerror`). A null MX (RFC 7505) names no host.
    async fn mx(&mut self, name: &str, cidr: DualCidr, trace: &mut TermTrace) -> MechanismOutcome {
        let ip = self.values.ip;
        let answer = match self.primary_lookup(name, RecordType::Mx, trace).await {
            Ok(Some(answer)) => answer,
            Ok(None) => return MechanismOutcome::NoMatch,
            Err(error) => return error,
        };
        let mut exchanges: Vec<(u16, &str)> = answer
            .records
            .iter()
            .filter_map(|record| match &record.data {
                RecordData::Mx {
                    preference,
                    exchange,
                } => Some((*preference, exchange.trim_end_matches('.'))),
                _ => None,
            })
            .filter(|(_, exchange)| !exchange.is_empty())
            .collect();
        crate::sort::sort_by_key(&mut exchanges, |(preference, _)| *preference);
        for (index, (_, exchange)) in exchanges.iter().enumerate() {
            if index >= MAX_NAMES_PER_LOOKUP {
                let reason = format!("{name} has {} MX hosts; RFC 7208 §4.6.4 allows looking up {MAX_NAMES_PER_LOOKUP}", exchanges.len());
                if self.audit {
                    trace.error = Some(SpfOutcome::NamesLimitExceeded);
                    trace.note = Some(reason);
                    break;
                }
                return MechanismOutcome::Error(
                    SpfResult::Permerror,
                    SpfOutcome::NamesLimitExceeded,
                    reason,
                );
            }
            if !valid_query_name(exchange) {
                continue;
            }
            let (answer, query) = self.query(exchange, address_type(ip)).await;
            trace.queries.push(query);
            match answer {
                Ok(answer) if matches_any(ip, &addresses(&answer), cidr) && !self.audit => {
                    return MechanismOutcome::Match
                }
                Ok(_) | Err(DnsError::NxDomain | DnsError::NoData) => {}
                Err(error) if !self.audit => {
                    return MechanismOutcome::Error(
                        SpfResult::Temperror,
                        SpfOutcome::DnsFailure,
                        format!("the address lookup for MX host {exchange} failed: {error}"),
                    )
                }
                Err(_) => {}
            }
        }
        MechanismOutcome::NoMatch
    }

    /// The `exp=` text (RFC 7208 §6.2): any DNS error, no record, several records, non-ASCII
    /// bytes or a malformed explain-string means "as if there were no exp=". Its lookup counts
    /// against neither limit.
    pub async fn explanation(
        &mut self,
        target: &MacroString,
        queries: &mut Vec<QueryTrace>,
    ) -> Option<String> {
        let name = self.expand_domain(target, queries).await;
        if !valid_query_name(&name) {
            return None;
        }
        let (answer, trace) = self.query(&name, RecordType::Txt).await;
        queries.push(trace);
        let answer = answer.ok()?;
        let [record] = &answer.records[..] else {
            return None;
        };
        let bytes = record.data.txt_joined()?;
        if !bytes.iter().all(|b| (b' '..=b'~').contains(b)) {
            return None;
        }
        let text = String::from_utf8(bytes).ok()?;
        let string = parse::explain_string(&text).ok()?;
        if macros::needs_validated_name(&string) && !self.validated_name_done {
            self.validated_name_done = true;
            self.values.validated_name = self.validated_name(queries).await;
        }
        Some(macros::expand(&string, &self.values))
    }
}

/// The text of a domain-spec of `record` when it has no macros (no `%`, so that it is one
/// literal run): its expansion as it stands.
fn literal_spec(record: &Arc<str>, span: Span) -> Option<&str> {
    record
        .get(span.start..span.end)
        .filter(|text| !text.contains('%'))
}

/// A TXT record's strings joined with nothing between them (RFC 7208 §3.3); borrowed when
/// there is only one, as there usually is.
fn joined(strings: &[Vec<u8>]) -> Cow<'_, [u8]> {
    match strings {
        [one] => Cow::Borrowed(one),
        _ => Cow::Owned(strings.concat()),
    }
}

/// Adds one to a processing-limit counter; past the limit, says so.
fn count(counter: &mut u32, limit: u32, what: &str) -> Result<(), String> {
    *counter += 1;
    if *counter > limit {
        Err(format!(
            "this is {what} number {counter}; RFC 7208 §4.6.4 allows {limit}"
        ))
    } else {
        Ok(())
    }
}
