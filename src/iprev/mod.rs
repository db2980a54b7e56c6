//! `iprev` (RFC 8601 §3): does the connecting IP address have a reverse DNS name that maps back
//! to it? Also called forward-confirmed reverse DNS; Gmail and Yahoo require it of every sender.
//!
//! Where it sits in the pipeline: given the IP of a hop (usually the border hop found by
//! [`crate::received`]), [`check`] asks the PTR records of its reverse name (`in-addr.arpa`,
//! `ip6.arpa`), then the A or AAAA records of each name found, concurrently, through a
//! [`crate::dns::Resolver`]. [`decide`] turns those answers into the RFC 8601 §2.7.3 result word;
//! it is a pure function, so the decision is testable without a resolver.

use std::net::IpAddr;

use serde::Serialize;

use crate::dns::{normalized, DnsError, QueryTrace, RecordData, RecordType, Resolver};
use crate::join::join_all;
use crate::report::{quoted, Finding, Severity};
use crate::spf::address::{address_type, addresses, canonical_ip, reverse_name};

/// PTR names whose addresses are looked up, at most. RFC 8601 §3 requires a limit ("limited so
/// as not to be unduly taxing to the DNS infrastructure") without fixing one, and points at the
/// 10 of RFC 7208 §4.6.4 as an example; we take that one, as SPF's `ptr` mechanism here does.
pub const MAX_PTR_NAMES: usize = 10;

const RFC_8601_IPREV: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-3";

/// The `iprev` result words of RFC 8601 §2.7.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum IprevResult {
    /// "the 'reverse' and 'forward' lookup results were returned and were in agreement".
    Pass,
    /// "the 'reverse' and 'forward' lookups each produced results, but they were not in
    /// agreement, or the 'forward' query completed but produced no result" (NXDOMAIN, or NOERROR
    /// with no answers).
    Fail,
    /// "some error that is likely transient in nature, such as a temporary DNS error" (SERVFAIL
    /// and the like): a later attempt may give a final result.
    Temperror,
    /// "no PTR data are published for the connecting IP address" (NXDOMAIN, or NOERROR with no
    /// answers, for the PTR query): a later attempt is unlikely to give a final result.
    Permerror,
}

impl IprevResult {
    /// The RFC word, e.g. `temperror`.
    pub fn word(self) -> &'static str {
        match self {
            IprevResult::Pass => "pass",
            IprevResult::Fail => "fail",
            IprevResult::Temperror => "temperror",
            IprevResult::Permerror => "permerror",
        }
    }
}

/// Why the check gave its result: one stable code per case, finer than the RFC 8601 word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IprevOutcome {
    /// A PTR name has an address record holding the IP: `pass`.
    NameMapsBack,
    /// PTR names exist, every forward lookup completed, and none gave the IP: `fail`.
    NoNameMapsBack,
    /// The PTR query answered NXDOMAIN or no records: `permerror` (RFC 8601 §2.7.3). This is not
    /// `fail`: RFC 8601 keeps "no PTR data" apart from "names that do not map back".
    NoPtr,
    /// The PTR query failed in a way that may go away: `temperror`.
    PtrLookupFailed,
    /// No name mapped back, and the forward lookup of at least one name failed in a way that may
    /// go away, so that name might have: `temperror`.
    ForwardLookupFailed,
}

impl IprevOutcome {
    /// The result word this outcome gives.
    pub fn result(self) -> IprevResult {
        match self {
            IprevOutcome::NameMapsBack => IprevResult::Pass,
            IprevOutcome::NoNameMapsBack => IprevResult::Fail,
            IprevOutcome::NoPtr => IprevResult::Permerror,
            IprevOutcome::PtrLookupFailed | IprevOutcome::ForwardLookupFailed => {
                IprevResult::Temperror
            }
        }
    }
}

/// One name of the PTR answer and what its forward lookup gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct IprevName {
    /// The PTR target, lower case, without the trailing dot.
    pub name: String,
    /// The addresses of the IP's family (A for IPv4, AAAA for IPv6) the name has; `[]` when the
    /// lookup failed or found none.
    pub addresses: Vec<IpAddr>,
    /// Whether `addresses` holds the IP checked.
    pub matches: bool,
    /// Why the forward lookup gave no addresses; `null` when it answered.
    pub error: Option<DnsError>,
}

/// The report of one `iprev` check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct IprevReport {
    /// The address checked. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is checked, and
    /// given here, as the IPv4 address it maps: its PTR is in `in-addr.arpa`, as the
    /// connection's would be (the rule of RFC 7208 §5 for SPF).
    pub ip: IpAddr,
    pub result: IprevResult,
    pub outcome: IprevOutcome,
    /// One or two sentences for a person.
    pub reason: String,
    /// The PTR names whose addresses were looked up (at most [`MAX_PTR_NAMES`]), in answer order.
    pub names: Vec<IprevName>,
    /// The PTR lookup, then each forward lookup, in that order.
    pub queries: Vec<QueryTrace>,
    pub findings: Vec<Finding>,
}

/// The `iprev` check of RFC 8601 §3 for `ip`: "the list of names to which I maps (after a 'PTR'
/// query) is the set N, and the union of IP addresses to which each member of N maps (after
/// corresponding 'A' and 'AAAA' queries) is L, then this test is successful if I is an element
/// of L". Only the type of the IP's own family is asked: the other can never hold it.
pub async fn check<R: Resolver>(ip: IpAddr, resolver: &R) -> IprevReport {
    let ip = canonical_ip(ip);
    let ptr_trace = resolver
        .lookup_traced(&reverse_name(ip), RecordType::Ptr)
        .await;
    let mut findings = Vec::new();
    let names =
        match ptr_trace.result() {
            Ok(answer) => {
                let all = ptr_names(answer.records.iter().filter_map(
                    |record| match &record.data {
                        RecordData::Ptr { target } => Some(target.as_str()),
                        _ => None,
                    },
                ));
                if all.len() > MAX_PTR_NAMES {
                    findings.push(names_limited(all.len()));
                }
                Ok(all.into_iter().take(MAX_PTR_NAMES).collect::<Vec<_>>())
            }
            Err(error) => Err(error),
        };
    let mut queries = vec![ptr_trace];
    let checked = match &names {
        Ok(names) => {
            let record_type = address_type(ip);
            let lookups = names
                .iter()
                .map(|name| resolver.lookup_traced(name, record_type));
            let traces = join_all(lookups).await;
            let checked = names
                .iter()
                .zip(&traces)
                .map(|(name, trace)| forward_result(ip, name, trace))
                .collect();
            queries.extend(traces);
            checked
        }
        Err(_) => Vec::new(),
    };
    let ptr_error = names.as_ref().err();
    let outcome = decide(ptr_error, &checked);
    IprevReport {
        ip,
        result: outcome.result(),
        outcome,
        reason: reason(ip, outcome, ptr_error, &checked),
        names: checked,
        queries,
        findings,
    }
}

/// The result of the answers (RFC 8601 §2.7.3): `ptr_error` is the PTR query's error, if it
/// failed; `names` the forward lookups of the names it gave.
///
/// A match passes whatever else failed: one name mapping back is what the test asks. Without
/// one, a temporary failure of any forward lookup gives `temperror` rather than `fail`, because
/// that name might have mapped back (RFC 8601 §2.7.3: "A later attempt may produce a final
/// result"). A PTR answer without any usable name is "no PTR data", `permerror`, like NODATA.
pub fn decide(ptr_error: Option<&DnsError>, names: &[IprevName]) -> IprevOutcome {
    if let Some(error) = ptr_error {
        return if error.is_temporary() {
            IprevOutcome::PtrLookupFailed
        } else {
            IprevOutcome::NoPtr
        };
    }
    if names.is_empty() {
        IprevOutcome::NoPtr
    } else if names.iter().any(|name| name.matches) {
        IprevOutcome::NameMapsBack
    } else if names
        .iter()
        .any(|name| name.error.as_ref().is_some_and(DnsError::is_temporary))
    {
        IprevOutcome::ForwardLookupFailed
    } else {
        IprevOutcome::NoNameMapsBack
    }
}

/// The PTR targets, canonical, each once, in answer order. A name given twice would only be
/// asked twice.
fn ptr_names<'a>(targets: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for target in targets {
        let name = normalized(target);
        if !names.iter().any(|seen| *seen == name) {
            names.push(name.into_owned());
        }
    }
    names
}

fn forward_result(ip: IpAddr, name: &str, trace: &QueryTrace) -> IprevName {
    match trace.result() {
        Ok(answer) => {
            let found = addresses(&answer);
            IprevName {
                name: name.to_string(),
                matches: found.contains(&ip),
                addresses: found,
                error: None,
            }
        }
        Err(error) => IprevName {
            name: name.to_string(),
            addresses: Vec::new(),
            matches: false,
            error: Some(error),
        },
    }
}

fn names_limited(count: usize) -> Finding {
    Finding::new(
        Severity::Info,
        "iprev.names-limited",
        format!(
            "The PTR answer lists {count} names; only the first {MAX_PTR_NAMES} were looked up. \
             RFC 8601 §3 requires a limit and gives RFC 7208's 10 as an example."
        ),
    )
    .with_rfc(RFC_8601_IPREV)
}

fn reason(
    ip: IpAddr,
    outcome: IprevOutcome,
    ptr_error: Option<&DnsError>,
    names: &[IprevName],
) -> String {
    let listed = || {
        names
            .iter()
            .map(|name| quoted(&name.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match outcome {
        IprevOutcome::NameMapsBack => {
            let matching = names
                .iter()
                .filter(|name| name.matches)
                .map(|name| quoted(&name.name))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{ip} has the reverse DNS name {matching}, which maps back to it.")
        }
        IprevOutcome::NoNameMapsBack => format!(
            "{ip} has the reverse DNS name(s) {}, but none of them has an address record \
             holding {ip}.",
            listed()
        ),
        IprevOutcome::NoPtr => match ptr_error {
            Some(error) => format!("{ip} has no reverse DNS name: the PTR lookup said {error}."),
            None => format!("{ip} has no reverse DNS name: the PTR answer held no name."),
        },
        IprevOutcome::PtrLookupFailed => match ptr_error {
            Some(error) => format!("The PTR lookup for {ip} failed ({error}); try again later."),
            None => format!("The PTR lookup for {ip} failed; try again later."),
        },
        IprevOutcome::ForwardLookupFailed => format!(
            "None of the reverse DNS names of {ip} ({}) was confirmed to map back, and the \
             address lookup of at least one failed; try again later.",
            listed()
        ),
    }
}

#[cfg(test)]
mod tests;
