//! Policy discovery (RFC 9989 §4.10.1) over the [`Resolver`], with the RFC 7489 §3.2 Public
//! Suffix List answer beside the RFC 9989 tree walk, and the existence check for `np=`.

use std::sync::Arc;

use serde::Serialize;

use super::parse::parse_record;
use super::Record;
use crate::dns::{DnsError, RecordType, Resolver};
use crate::org_domain::walk::{ask, finish_walk, select_from_steps, target_names};
use crate::org_domain::{organizational_domain_psl, tree_walk, TreeWalk, WalkOutcome, WalkStep};
use crate::report::{Finding, Severity};

const RFC_DISCOVERY: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.10.1";
const RFC_PSL: &str = "https://www.rfc-editor.org/rfc/rfc7489#section-3.2";
const RFC_NXDOMAIN: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-3.2.8";

/// Where the policy record came from (RFC 9989 §4.10.1, in order of preference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PolicySource {
    AuthorDomain,
    OrganizationalDomain,
    PublicSuffixDomain,
}

/// How discovery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DiscoveryResult {
    /// A record was found (its policy may still be unusable: see `applied_policy`).
    Found,
    /// No record anywhere on the walk: DMARC does not apply.
    NoRecord,
    /// A lookup failed temporarily before a record was found.
    Temperror,
}

/// What discovery found for one author domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Discovery {
    /// The author domain, canonical.
    pub domain: String,
    pub result: DiscoveryResult,
    /// The domain whose `_dmarc` record applies; `null` without one.
    pub record_domain: Option<String>,
    pub source: Option<PolicySource>,
    pub record: Option<Arc<Record>>,
    /// The RFC 9989 organisational domain (tree walk); `null` when a DNS failure left it
    /// undetermined.
    pub org_domain: Option<String>,
    /// The RFC 7489 organisational domain (Public Suffix List); the domain itself when it is a
    /// public suffix.
    pub org_domain_psl: String,
    /// The tree walk from the author domain.
    pub walk: TreeWalk,
    pub findings: Vec<Finding>,
}

/// `_dmarc` answers by name, so that the walks of one evaluation (author domain, SPF domain,
/// DKIM domains) ask each name once. A list searched in order, not a map: an evaluation asks
/// a few names (at most eight a walk), and comparing them costs less than hashing them.
#[derive(Debug, Default)]
pub struct WalkCache {
    steps: Vec<WalkStep>,
}

impl WalkCache {
    /// The tree walk from `start` (canonical), asking only names not asked before.
    pub async fn walk<R: Resolver>(&mut self, start: &str, resolver: &R) -> TreeWalk {
        let mut steps = Vec::new();
        for target in target_names(start) {
            let at = self.step_at(&[], &target, resolver).await;
            let Some(step) = self.steps.get(at.index) else {
                break;
            };
            let stop = step.ends_walk();
            steps.push(step.clone());
            if stop {
                break;
            }
        }
        finish_walk(start, steps)
    }

    /// The organisational domain of `start` (canonical) by its tree walk, `None` when a DNS
    /// failure left it undetermined. Steps come from `known` (the author domain's walk, which
    /// the report keeps), else from the cache, else from DNS; none is copied.
    pub(crate) async fn organizational_domain<R: Resolver>(
        &mut self,
        start: &str,
        resolver: &R,
        known: &[WalkStep],
    ) -> Option<String> {
        let mut taken: Vec<StepAt> = Vec::new();
        for target in target_names(start) {
            let at = self.step_at(known, &target, resolver).await;
            let Some(step) = at.get(known, &self.steps) else {
                break;
            };
            let stop = step.ends_walk();
            taken.push(at);
            if stop {
                break;
            }
        }
        let steps = taken.iter().filter_map(|at| at.get(known, &self.steps));
        select_from_steps(start, steps).domain
    }

    /// Where the step of `target` is, asking DNS when neither `known` nor the cache has it.
    async fn step_at<R: Resolver>(
        &mut self,
        known: &[WalkStep],
        target: &str,
        resolver: &R,
    ) -> StepAt {
        if let Some(index) = known.iter().position(|step| step.domain == target) {
            return StepAt { known: true, index };
        }
        if let Some(index) = self.steps.iter().position(|step| step.domain == target) {
            return StepAt {
                known: false,
                index,
            };
        }
        self.steps.push(ask(resolver, target).await);
        StepAt {
            known: false,
            index: self.steps.len() - 1,
        }
    }
}

/// A step of a walk: in the known steps or in the cache, at `index`.
#[derive(Clone, Copy)]
struct StepAt {
    known: bool,
    index: usize,
}

impl StepAt {
    fn get<'s>(&self, known: &'s [WalkStep], cached: &'s [WalkStep]) -> Option<&'s WalkStep> {
        if self.known { known } else { cached }.get(self.index)
    }
}

/// Discovers the policy for `author` (canonical form) as RFC 9989 §4.10.1 says: the author
/// domain's own record, else the organisational domain's, else the public suffix domain's.
/// The walk is the first of an evaluation, so it asks every name itself; the walks relaxed
/// alignment makes later find its steps in the report ([`WalkCache::organizational_domain`]).
pub async fn discover_policy<R: Resolver>(author: &str, resolver: &R) -> Discovery {
    let walk = tree_walk(author, resolver).await;
    let org_domain_psl = organizational_domain_psl(author)
        .ok()
        .flatten()
        .unwrap_or_else(|| author.to_string());
    let mut discovery = Discovery {
        domain: author.to_string(),
        result: DiscoveryResult::NoRecord,
        record_domain: None,
        source: None,
        record: None,
        org_domain: walk.organizational_domain.domain.clone(),
        org_domain_psl,
        walk,
        findings: Vec::new(),
    };
    for step in &discovery.walk.steps {
        if step.outcome == WalkOutcome::SeveralRecords {
            discovery.findings.push(
                Finding::new(
                    Severity::Error,
                    "dmarc.several-records",
                    format!(
                        "_dmarc.{} has {} DMARC records; all of them are discarded, as if it \
                         had none.",
                        step.domain,
                        step.records.len()
                    ),
                )
                .with_rfc("https://www.rfc-editor.org/rfc/rfc9989#section-4.10"),
            );
        }
    }
    match policy_step(&discovery.walk) {
        Some((step, source)) => {
            discovery.result = DiscoveryResult::Found;
            discovery.record_domain = Some(step.domain.clone());
            discovery.source = Some(source);
            discovery.record = step
                .record()
                .and_then(|text| parse_record(text).ok())
                .map(Arc::new);
        }
        None if discovery
            .walk
            .steps
            .iter()
            .any(|s| s.outcome == WalkOutcome::Temperror) =>
        {
            discovery.result = DiscoveryResult::Temperror;
            discovery.findings.push(
                Finding::new(
                    Severity::Warning,
                    "dmarc.temperror",
                    "A DNS lookup of a _dmarc record failed temporarily, so the policy could not \
                     be discovered; the receiver may try again later.",
                )
                .with_rfc(RFC_DISCOVERY),
            );
        }
        None => {}
    }
    if let Some(org) = &discovery.org_domain {
        if *org != discovery.org_domain_psl {
            discovery.findings.push(
                Finding::new(
                    Severity::Info,
                    "dmarc.org-domain-differs",
                    format!(
                        "The organisational domain of {author} is {org} by the RFC 9989 DNS tree \
                         walk but {} by the Public Suffix List of RFC 7489: receivers of either \
                         kind may align identifiers differently.",
                        discovery.org_domain_psl
                    ),
                )
                .with_rfc(RFC_PSL),
            );
        }
    }
    discovery
}

/// The step whose record applies, and where it is on the walk: the author domain's own
/// record, else the organisational domain's, else the public suffix domain's; none after a
/// temporary failure at the author domain.
fn policy_step(walk: &TreeWalk) -> Option<(&WalkStep, PolicySource)> {
    let steps = &walk.steps;
    match steps.first() {
        Some(step) if step.outcome == WalkOutcome::Record => {
            Some((step, PolicySource::AuthorDomain))
        }
        Some(step) if step.outcome == WalkOutcome::Temperror => None,
        _ => {
            let at = |domain: &Option<String>| {
                steps.iter().find(|step| {
                    step.outcome == WalkOutcome::Record && Some(&step.domain) == domain.as_ref()
                })
            };
            let selection = &walk.organizational_domain;
            at(&selection.domain)
                .map(|step| (step, PolicySource::OrganizationalDomain))
                .or_else(|| {
                    at(&selection.public_suffix_domain)
                        .map(|step| (step, PolicySource::PublicSuffixDomain))
                })
        }
    }
}

/// Whether `domain` exists for `np=` (RFC 9989 §3.2.8: a non-existent domain has NXDOMAIN or
/// NODATA for A, AAAA and MX). `None` when a lookup failed temporarily.
pub async fn domain_exists<R: Resolver>(domain: &str, resolver: &R) -> Option<bool> {
    let mut unknown = false;
    for record_type in [RecordType::A, RecordType::Aaaa, RecordType::Mx] {
        match resolver.lookup_traced(domain, record_type).await.result() {
            Ok(_) => return Some(true),
            Err(DnsError::NxDomain | DnsError::NoData | DnsError::InvalidName(_)) => {}
            Err(_) => unknown = true,
        }
    }
    (!unknown).then_some(false)
}

pub(crate) const RFC_NON_EXISTENT: &str = RFC_NXDOMAIN;
