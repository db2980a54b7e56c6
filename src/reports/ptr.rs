//! PTR names for the source IPs of a [`Summary`], over the core's [`Resolver`] (DoH in the page
//! and the CLI, zone files in tests), and the sources grouped by the organisational domain of
//! their names: `mail-*.outbound.protection.outlook.com` and `*.google.com` become two lines,
//! not hundreds of IPs.
//!
//! Bounded: the [`MAX_PTR_SOURCES`] sources with most messages are asked, [`PTR_CONCURRENCY`]
//! lookups in flight at a time, so that a report with 10,000 IPs neither floods the resolver
//! nor waits on one lookup at a time.

use std::collections::BTreeMap;
use std::net::IpAddr;

use futures_util::future::join_all;

use super::summary::{self, PtrGroup, SourceClass, Summary};
use crate::dns::{RecordData, RecordType, Resolver};
use crate::org_domain::organisation;
use crate::report::{Finding, Severity};
use crate::spf::address::reverse_name;

/// Sources looked up, most messages first.
pub const MAX_PTR_SOURCES: usize = 1000;
/// Lookups in flight at once.
pub const PTR_CONCURRENCY: usize = 16;
/// Names kept per IP.
const MAX_NAMES: usize = 4;

/// Organisational domains of services whose business is forwarding mail to another mailbox:
/// a failing source named under one of them is classed as forwarded, not as forgery. Kept
/// short on purpose: a large mailbox provider both forwards and originates, so its name says
/// nothing either way.
pub const KNOWN_FORWARDERS: &[&str] = &[
    "pobox.com",
    "forwardemail.net",
    "improvmx.com",
    "simplelogin.co",
    "duck.com",
];

/// Looks up the PTR names of the summary's sources, fills `ptr_names`, `ptr_organisation` and
/// `ptr_groups`, and reclasses failing sources named under a known forwarder. Returns findings
/// for what was left out.
pub async fn add_ptr_names<R: Resolver>(summary: &mut Summary, resolver: &R) -> Vec<Finding> {
    let mut findings = Vec::new();
    let wanted: Vec<(usize, IpAddr)> = summary
        .sources
        .iter()
        .enumerate()
        .filter_map(|(index, source)| Some((index, source.source_ip.parse::<IpAddr>().ok()?)))
        .take(MAX_PTR_SOURCES)
        .collect();
    if summary.sources.len() > MAX_PTR_SOURCES {
        findings.push(Finding::new(
            Severity::Info,
            "reports.ptr-limited",
            format!(
                "PTR names were looked up for the {MAX_PTR_SOURCES} sources with most messages \
                 of {}.",
                summary.sources.len()
            ),
        ));
    }
    let mut failed = 0usize;
    for wave in wanted.chunks(PTR_CONCURRENCY) {
        let names: Vec<String> = wave.iter().map(|(_, ip)| reverse_name(*ip)).collect();
        let lookups = names
            .iter()
            .map(|name| resolver.lookup(name, RecordType::Ptr));
        let answers = join_all(lookups).await;
        for ((index, _), answer) in wave.iter().zip(answers) {
            let names: Vec<String> = match answer {
                Ok(answer) => answer
                    .records
                    .iter()
                    .filter_map(|record| match &record.data {
                        RecordData::Ptr { target } => {
                            Some(target.trim_end_matches('.').to_ascii_lowercase())
                        }
                        _ => None,
                    })
                    .take(MAX_NAMES)
                    .collect(),
                Err(error) => {
                    if error.is_temporary() {
                        failed += 1;
                    }
                    Vec::new()
                }
            };
            if let Some(source) = summary.sources.get_mut(*index) {
                source.ptr_organisation = names.first().and_then(|name| organisation(name));
                source.ptr_names = names;
            }
        }
    }
    if failed > 0 {
        findings.push(Finding::new(
            Severity::Warning,
            "reports.ptr-failed",
            format!(
                "The PTR lookup failed for {failed} source IPs (not a missing name: an error)."
            ),
        ));
    }
    for source in &mut summary.sources {
        let forwarder = source
            .ptr_organisation
            .as_deref()
            .is_some_and(|org| KNOWN_FORWARDERS.contains(&org));
        if forwarder
            && matches!(
                source.class,
                SourceClass::LikelyForgery | SourceClass::OwnServiceUnaligned
            )
        {
            source.class = SourceClass::Forwarded;
            let domain = source
                .header_from
                .first()
                .map_or("your domain", String::as_str);
            source.action = summary::action(SourceClass::Forwarded, domain, &[], None);
        }
    }
    summary.classes = summary::classes(&summary.sources);
    summary.ptr_groups = groups(summary);
    findings
}

fn groups(summary: &Summary) -> Vec<PtrGroup> {
    let mut by_org: BTreeMap<Option<String>, (Vec<String>, u64)> = BTreeMap::new();
    for source in &summary.sources {
        let entry = by_org.entry(source.ptr_organisation.clone()).or_default();
        entry.0.push(source.source_ip.clone());
        entry.1 = entry.1.saturating_add(source.messages);
    }
    let mut groups: Vec<PtrGroup> = by_org
        .into_iter()
        .map(|(organisation, (sources, messages))| PtrGroup {
            organisation,
            sources,
            messages,
        })
        .collect();
    groups.sort_by_key(|entry| std::cmp::Reverse(entry.messages));
    groups
}
