//! The DNS Tree Walk of RFC 9989 §4.10: which `_dmarc` names to ask, and what the answers say
//! about where an organisation ends. [`walk_targets`] and [`select_organizational_domain`] are
//! pure; [`tree_walk`] is the lookup loop between them.

use serde::Serialize;

use super::is_within;
use crate::dmarc::parse::record_psd;
use crate::dmarc::Psd;
use crate::dns::{DnsError, RecordType, Resolver};

const RFC_TREE_WALK: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.10";

/// A walk makes at most this many queries (RFC 9989 §4.10: "Author Domains with more than
/// eight labels do not result in more than eight DNS queries").
pub const MAX_WALK_QUERIES: usize = 8;

/// What one `_dmarc.<name>` TXT lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum WalkOutcome {
    /// No TXT record starting with `v=DMARC1` (NXDOMAIN, NODATA or other TXT records only).
    NoRecord,
    /// Exactly one DMARC record.
    Record,
    /// More than one DMARC record: all are discarded (RFC 9989 §4.10 step 2).
    SeveralRecords,
    /// The lookup failed in a way that may go away (SERVFAIL, timeout, transport).
    Temperror,
}

/// One name of a walk and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct WalkStep {
    /// The domain asked about (the query is `_dmarc.` and this name).
    pub domain: String,
    pub outcome: WalkOutcome,
    /// The texts of the TXT records that start with `v=DMARC1`, strings joined.
    pub records: Vec<String>,
    /// `psd=` of the single record; `null` when absent, not parsed, or not one record.
    pub psd: Option<Psd>,
    /// The DNS error, for `temperror`; `null` otherwise.
    pub error: Option<String>,
}

impl WalkStep {
    /// Whether the walk stops after this step (RFC 9989 §4.10): a single record with `psd=y`
    /// or `psd=n`, or a temporary DNS failure, after which nothing can be concluded.
    pub(crate) fn ends_walk(&self) -> bool {
        self.outcome == WalkOutcome::Temperror
            || (self.outcome == WalkOutcome::Record
                && matches!(self.psd, Some(Psd::Yes) | Some(Psd::No)))
    }

    /// The single record's text, for `record` steps.
    pub fn record(&self) -> Option<&str> {
        match self.outcome {
            WalkOutcome::Record => self.records.first().map(String::as_str),
            _ => None,
        }
    }
}

/// The input of [`select_organizational_domain`] for one name: the record found, if one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkRecord<'a> {
    pub domain: &'a str,
    pub psd: Option<Psd>,
}

/// How the organisational domain was chosen (the three rules of RFC 9989 §4.10.2 and the
/// fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum OrgDomainReason {
    /// A record with `psd=n` says this name is the organisational domain.
    PsdNo,
    /// A record with `psd=y` above says its child on the way is the organisational domain.
    BelowPsdYes,
    /// No `psd=y`/`psd=n`: the record found at the name with the fewest labels.
    FewestLabels,
    /// No record was found: the name the walk started from.
    StartingDomain,
    /// A lookup failed temporarily before the walk could finish: undetermined.
    Temperror,
}

/// The organisational domain a walk selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OrgDomainSelection {
    /// `null` when undetermined (`temperror`).
    pub domain: Option<String>,
    pub reason: OrgDomainReason,
    /// The name whose record has `psd=y`, if the walk found one: the Public Suffix Domain.
    pub public_suffix_domain: Option<String>,
}

/// A whole walk: the names asked, in order, and what they say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TreeWalk {
    /// The name the walk started from, canonical.
    pub start: String,
    pub steps: Vec<WalkStep>,
    pub organizational_domain: OrgDomainSelection,
    /// Names between the start and the seventh label from the right that the walk skipped
    /// because the start has more than eight labels.
    pub skipped: Vec<String>,
    pub rfc: &'static str,
}

/// The names a full walk asks about, in order (RFC 9989 §4.10 steps 1–7): the start, then, if
/// it has eight labels or more, the name of its rightmost seven labels, else its parent; then
/// one label fewer each time down to the top-level domain. Never more than eight names. The
/// start is expected in canonical form (`to_ascii`).
pub fn walk_targets(start: &str) -> Vec<String> {
    target_names(start)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect()
}

/// [`walk_targets`] as slices of `start` when it has no empty label (a canonical name never
/// has one): each target is then a suffix of `start`, and the walk copies a name only for the
/// step that keeps it. With empty labels, the names are joined as [`walk_targets`] joins them.
pub(crate) fn target_names(start: &str) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    // An empty label: an empty name, a dot at either end or two in a row.
    if start.is_empty()
        || start.starts_with('.')
        || start.ends_with('.')
        || crate::find::contains(start, "..")
    {
        return joined_targets(start).into_iter().map(Cow::Owned).collect();
    }
    let count = label_count(start);
    // Step 4: from eight labels up, jump to seven; otherwise remove one. The name after the
    // n-th dot has `count - 1 - n` labels: the first `count - 1 - next` of them are skipped.
    let next = if count >= MAX_WALK_QUERIES {
        MAX_WALK_QUERIES - 1
    } else {
        count - 1
    };
    let mut targets = Vec::with_capacity(next + 1);
    targets.push(Cow::Borrowed(start));
    targets.extend(
        start
            .match_indices('.')
            .skip(count - 1 - next)
            .map(|(at, _)| Cow::Borrowed(start.get(at + 1..).unwrap_or_default())),
    );
    targets
}

/// [`walk_targets`] by joining the non-empty labels.
pub(super) fn joined_targets(start: &str) -> Vec<String> {
    let labels: Vec<&str> = start.split('.').filter(|label| !label.is_empty()).collect();
    let count = labels.len();
    let mut targets = Vec::new();
    if count == 0 {
        return targets;
    }
    targets.push(labels.join("."));
    // Step 4: from eight labels up, jump to seven; otherwise remove one.
    let next = if count >= MAX_WALK_QUERIES {
        MAX_WALK_QUERIES - 1
    } else {
        count - 1
    };
    for length in (1..=next).rev() {
        // `length` ≤ next < count, so the slice is within `labels`.
        if let Some(tail) = labels.get(count - length..) {
            targets.push(tail.join("."));
        }
    }
    targets
}

/// The names a walk from `start` skips (between the start and its rightmost seven labels).
fn skipped_names(start: &str) -> Vec<String> {
    // Nothing is skipped below eight labels: the common case, without a list of the labels.
    if label_count(start) <= MAX_WALK_QUERIES {
        return Vec::new();
    }
    let labels: Vec<&str> = start.split('.').collect();
    let count = labels.len();
    (MAX_WALK_QUERIES..count)
        .rev()
        .filter_map(|length| labels.get(count - length..).map(|tail| tail.join(".")))
        .collect()
}

/// RFC 9989 §4.10.2: from the records a walk from `start` found (any order), the organisational
/// domain. Longest name first: `psd=n` makes that name the organisational domain; `psd=y` on a
/// name other than the start makes its child on the way to `start` the organisational domain;
/// otherwise the name with the fewest labels that has a record; with no record, `start`.
pub fn select_organizational_domain(start: &str, found: &[WalkRecord<'_>]) -> OrgDomainSelection {
    let mut records: Vec<&WalkRecord<'_>> = found
        .iter()
        .filter(|record| is_within(start, record.domain))
        .collect();
    crate::sort::sort_by_key(&mut records, |record| {
        std::cmp::Reverse(label_count(record.domain))
    });
    let public_suffix_domain = records
        .iter()
        .find(|record| record.psd == Some(Psd::Yes))
        .map(|record| record.domain.to_string());
    for record in &records {
        match record.psd {
            Some(Psd::No) => {
                return OrgDomainSelection {
                    domain: Some(record.domain.to_string()),
                    reason: OrgDomainReason::PsdNo,
                    public_suffix_domain,
                }
            }
            Some(Psd::Yes) if record.domain != start => {
                return OrgDomainSelection {
                    domain: Some(child_toward(start, record.domain)),
                    reason: OrgDomainReason::BelowPsdYes,
                    public_suffix_domain,
                }
            }
            _ => {}
        }
    }
    match records.last() {
        Some(shortest) => OrgDomainSelection {
            domain: Some(shortest.domain.to_string()),
            reason: OrgDomainReason::FewestLabels,
            public_suffix_domain,
        },
        None => OrgDomainSelection {
            domain: Some(start.to_string()),
            reason: OrgDomainReason::StartingDomain,
            public_suffix_domain,
        },
    }
}

/// How many labels `name.split('.')` gives, by counting the dots.
fn label_count(name: &str) -> usize {
    name.bytes().filter(|byte| *byte == b'.').count() + 1
}

/// The name one label below `ancestor` on the way to `start` (`a.mail.example.com`,
/// `example.com` → `mail.example.com`). `start` is below `ancestor` here.
fn child_toward(start: &str, ancestor: &str) -> String {
    let labels: Vec<&str> = start.split('.').collect();
    let want = label_count(ancestor) + 1;
    let skip = labels.len().saturating_sub(want);
    labels.get(skip..).unwrap_or(&labels).join(".")
}

/// Classifies one TXT answer for the walk and for policy discovery.
pub(crate) fn classify(domain: &str, answer: Result<crate::dns::Answer, DnsError>) -> WalkStep {
    let mut step = WalkStep {
        domain: domain.to_string(),
        outcome: WalkOutcome::NoRecord,
        records: Vec::new(),
        psd: None,
        error: None,
    };
    match answer {
        Ok(answer) => {
            step.records = answer
                .records
                .iter()
                .filter_map(|record| record.data.txt_joined())
                // Valid UTF-8 (nearly every record) becomes the string without a second copy.
                .map(|bytes| {
                    String::from_utf8(bytes).unwrap_or_else(|error| {
                        String::from_utf8_lossy(error.as_bytes()).into_owned()
                    })
                })
                .filter(|text| crate::dmarc::parse::has_version(text))
                .collect();
            step.outcome = match step.records.len() {
                0 => WalkOutcome::NoRecord,
                1 => WalkOutcome::Record,
                _ => WalkOutcome::SeveralRecords,
            };
            if let Some(text) = step.record() {
                step.psd = record_psd(text);
            }
        }
        Err(error) if error.is_temporary() => {
            step.outcome = WalkOutcome::Temperror;
            step.error = Some(error.to_string());
        }
        Err(_) => {}
    }
    step
}

/// Asks `_dmarc.<name>` TXT for one name.
pub(crate) async fn ask<R: Resolver>(resolver: &R, domain: &str) -> WalkStep {
    let mut query = String::with_capacity("_dmarc.".len() + domain.len());
    query.push_str("_dmarc.");
    query.push_str(domain);
    classify(domain, resolver.lookup(&query, RecordType::Txt).await)
}

/// Runs the walk from `start` (canonical form), stopping where RFC 9989 §4.10 stops: at a
/// single record with `psd=y` or `psd=n`, or at a temporary DNS failure (after which nothing
/// can be concluded), or after the top-level domain.
pub async fn tree_walk<R: Resolver>(start: &str, resolver: &R) -> TreeWalk {
    let mut steps = Vec::new();
    for target in target_names(start) {
        let step = ask(resolver, &target).await;
        let stop = step.ends_walk();
        steps.push(step);
        if stop {
            break;
        }
    }
    finish_walk(start, steps)
}

/// The walk's result from its steps.
pub(crate) fn finish_walk(start: &str, steps: Vec<WalkStep>) -> TreeWalk {
    TreeWalk {
        start: start.to_string(),
        organizational_domain: select_from_steps(start, &steps),
        steps,
        skipped: skipped_names(start),
        rfc: RFC_TREE_WALK,
    }
}

/// The organisational domain a walk's steps select: undetermined after a temporary failure,
/// else [`select_organizational_domain`] over the steps with one record.
pub(crate) fn select_from_steps<'s>(
    start: &str,
    steps: impl IntoIterator<Item = &'s WalkStep> + Clone,
) -> OrgDomainSelection {
    if steps
        .clone()
        .into_iter()
        .any(|s| s.outcome == WalkOutcome::Temperror)
    {
        return OrgDomainSelection {
            domain: None,
            reason: OrgDomainReason::Temperror,
            public_suffix_domain: None,
        };
    }
    let found: Vec<WalkRecord<'_>> = steps
        .into_iter()
        .filter(|step| step.outcome == WalkOutcome::Record)
        .map(|step| WalkRecord {
            domain: &step.domain,
            psd: step.psd,
        })
        .collect();
    select_organizational_domain(start, &found)
}
