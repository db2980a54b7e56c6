//! The domain audit: a domain's record, its whole include/redirect tree with the lookups a
//! receiver would make when nothing matches (the most any message costs), and lint findings.
//! No IP is involved, so address mechanisms never match.

use serde::Serialize;

use super::address::placeholder_ip;
use super::eval::Evaluator;
use super::lint::{lint_finding, lint_record, RFC_LIMITS};
use super::macros::MacroValues;
use super::trace::{TermOutcome, TraceNode};
use super::{SpfResult, MAX_DNS_TERMS, MAX_VOID_LOOKUPS};
use crate::dns::{DnsError, QueryTrace, RecordType, Resolver, TraceOutcome};
use crate::report::{quoted, Finding, Severity};

const RFC_RECORD_TYPE: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-3.1";
const RFC_INCLUDE: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-5.2";
const RFC_TEMPERROR: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-2.6.6";
const RFC_SELECTION: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.5";

/// The audit of one domain's SPF.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DomainAudit {
    pub domain: String,
    /// The domain's own record, if it has exactly one.
    pub record: Option<String>,
    /// The result for a host the record does not list: what a forger gets.
    pub result: SpfResult,
    pub reason: String,
    /// DNS-querying terms a full evaluation uses, out of `lookup_limit`.
    pub lookups_used: u32,
    pub lookup_limit: u32,
    pub void_lookups: u32,
    pub void_lookup_limit: u32,
    /// The query for the obsolete SPF RR type (99), which should no longer be published.
    pub spf_type_query: QueryTrace,
    pub trace: TraceNode,
    /// Most severe first.
    pub findings: Vec<Finding>,
}

/// Audits `domain`: evaluates its record as a receiver would for a host it does not list,
/// continuing past errors so that every problem shows, then lints every record in the tree.
pub async fn audit_domain<R: Resolver>(resolver: &R, domain: &str) -> DomainAudit {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let values = MacroValues {
        sender: format!("postmaster@{domain}"),
        local_part: "postmaster".into(),
        sender_domain: domain.clone(),
        domain: domain.clone(),
        ip: placeholder_ip(),
        helo: domain.clone(),
        validated_name: None,
        receiver: None,
        timestamp: 0,
    };
    let mut evaluator = Evaluator::new(resolver, values, true);
    let outcome = evaluator.check_host(domain.clone()).await;
    let spf_type_query = resolver.lookup_traced(&domain, RecordType::Spf).await;
    let mut findings = tree_findings(&outcome.node);
    if evaluator.lookups > MAX_DNS_TERMS {
        findings.push(lint_finding(
            Severity::Error,
            "spf.too-many-lookups",
            &domain,
            format!("Evaluating the record takes {} DNS-querying terms; more than {MAX_DNS_TERMS} is permerror, so receivers reject or ignore it.", evaluator.lookups),
            "Flatten includes into ip4:/ip6: ranges, or drop senders you no longer use.",
            RFC_LIMITS,
        ));
    } else if evaluator.lookups + 1 >= MAX_DNS_TERMS {
        findings.push(lint_finding(
            Severity::Warning,
            "spf.lookups-near-limit",
            &domain,
            format!("{} of {MAX_DNS_TERMS} DNS lookups used: one more include in the tree (yours or a provider's) breaks the record.", evaluator.lookups),
            "Keep headroom: flatten an include into ip4:/ip6: ranges.",
            RFC_LIMITS,
        ));
    }
    if evaluator.void_lookups > MAX_VOID_LOOKUPS {
        findings.push(lint_finding(
            Severity::Error,
            "spf.too-many-void-lookups",
            &domain,
            format!("{} lookups find no such name or no records; more than {MAX_VOID_LOOKUPS} is permerror.", evaluator.void_lookups),
            "Remove the terms whose names do not exist.",
            RFC_LIMITS,
        ));
    }
    if let Some(answer) = spf_type_query.answer() {
        if !answer.records.is_empty() {
            findings.push(lint_finding(
                Severity::Warning,
                "spf.spf-record-type",
                &domain,
                "The domain publishes the obsolete SPF record type (99); receivers read only TXT."
                    .into(),
                "Delete the SPF-type record and keep the TXT record.",
                RFC_RECORD_TYPE,
            ));
        }
    }
    crate::sort::sort_by_key(&mut findings, |finding| std::cmp::Reverse(finding.severity));
    let (result, reason) = match outcome.result {
        SpfResult::None => (SpfResult::None, outcome.node.reason.clone()),
        result => (
            result,
            format!(
                "a host the record does not list gets {result}: {}",
                outcome.node.reason
            ),
        ),
    };
    DomainAudit {
        record: outcome.node.record.as_deref().map(str::to_string),
        domain,
        result,
        reason,
        lookups_used: evaluator.lookups,
        lookup_limit: MAX_DNS_TERMS,
        void_lookups: evaluator.void_lookups,
        void_lookup_limit: MAX_VOID_LOOKUPS,
        spf_type_query,
        trace: outcome.node,
        findings,
    }
}

/// Findings from every record of the tree and from the lookups that fetched them.
fn tree_findings(root: &TraceNode) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut linted = crate::sorted_map::SortedMap::new();
    for node in root.nodes() {
        if let Some(query) = node.queries.first() {
            if let TraceOutcome::Error(error) = &query.outcome {
                if !matches!(error, DnsError::NxDomain | DnsError::NoData)
                    && linted.insert(node.domain.clone(), ()).is_none()
                {
                    findings.push(lint_finding(
                        Severity::Warning,
                        "spf.lookup-failed",
                        &node.domain,
                        format!(
                            "The TXT lookup for {} failed ({error}); receivers get temperror.",
                            node.domain
                        ),
                        "Check the domain's name servers.",
                        RFC_TEMPERROR,
                    ));
                }
            }
        }
        if node.spf_record_count > 1 {
            findings.push(lint_finding(
                Severity::Error,
                "spf.multiple-records",
                &node.domain,
                format!("{}: receivers get permerror.", node.reason),
                "Merge the records into one TXT record starting with v=spf1.",
                RFC_SELECTION,
            ));
        }
        if let Some(record) = &node.record {
            if linted.insert(node.domain.clone(), ()).is_none() {
                let strings =
                    node_strings(node).unwrap_or_else(|| vec![record.as_bytes().to_vec()]);
                findings.extend(lint_record(&node.domain, &strings));
            }
        }
        for term in &node.terms {
            // The term's own lookup is its last query (any `%{p}` lookups come first).
            let counted = term.queries.last().filter(|_| term.void_lookup);
            if let Some(query) = counted {
                findings.push(
                    lint_finding(
                        Severity::Warning,
                        "spf.void-lookup",
                        &node.domain,
                        format!("{} looks up {} {}, which {}; receivers allow only {MAX_VOID_LOOKUPS} such lookups.", quoted(&term.text), query.record_type, query.name, match query.outcome { TraceOutcome::Error(DnsError::NxDomain) => "does not exist", _ => "has no records of that type" }),
                        "Remove the term, or publish the records it expects.",
                        RFC_LIMITS,
                    )
                    .with_record_span(term.record_span),
                );
            }
            let Some(child) = &term.child else { continue };
            if term.name == "include"
                && child.result == SpfResult::None
                && term.outcome == TermOutcome::Permerror
            {
                findings.push(
                    lint_finding(
                        Severity::Error,
                        "spf.include-without-spf",
                        &node.domain,
                        format!("{} names {}, which has no SPF record: every receiver gets permerror when it reaches this term.", quoted(&term.text), child.domain),
                        "Remove the include, or correct the domain name (providers document the exact name to include).",
                        RFC_INCLUDE,
                    )
                    .with_record_span(term.record_span),
                );
            }
        }
    }
    findings
}

/// The TXT strings of a node's SPF record as published, unjoined.
fn node_strings(node: &TraceNode) -> Option<Vec<Vec<u8>>> {
    let record = node.record.as_ref()?.as_bytes();
    let mut strings = Vec::new();
    let mut start = 0;
    for &length in &node.string_lengths {
        strings.push(record.get(start..start + length)?.to_vec());
        start += length;
    }
    (start == record.len() && !strings.is_empty()).then_some(strings)
}
