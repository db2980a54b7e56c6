//! Merging the reports: per source IP across every aggregate report (messages by disposition,
//! DMARC's aligned results and the raw ones, the domains and reporters seen, the dates), per
//! day, and the TLS failures by type and sending organisation. Each source IP is classified by
//! what its failing messages show, with the action its class calls for.
//!
//! The classes are a reading of the evidence, not a verdict: a report says what a receiver
//! saw, never who sent it. `likely-forgery` says "likely" for that reason.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::aggregate::{AggregateRecord, AggregateReport};
use super::tls::TlsReport;
use crate::org_domain::organisation;

/// The merged view.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Summary {
    /// Messages all aggregate records count.
    pub messages: u64,
    /// Of those, the ones that passed DMARC (an aligned DKIM or SPF pass).
    pub dmarc_pass: u64,
    /// The policy domains reported on.
    pub domains: Vec<String>,
    /// The reporting organisations.
    pub organisations: Vec<String>,
    /// The earliest begin and latest end of the reports' date ranges (Unix seconds, UTC).
    pub date_begin: Option<u64>,
    pub date_end: Option<u64>,
    /// Per source IP, most messages first.
    pub sources: Vec<SourceSummary>,
    /// Per class: how many sources and messages.
    pub classes: Vec<ClassSummary>,
    /// Per UTC day of a report's begin date, oldest first.
    pub days: Vec<DaySummary>,
    /// Source IPs grouped by the organisational domain of their PTR name; empty until PTR
    /// names are looked up (`mailspect reports --ptr`, the page's "Look up names").
    pub ptr_groups: Vec<PtrGroup>,
    /// TLS sessions over every TLS report.
    pub tls_successful_sessions: u64,
    pub tls_failed_sessions: u64,
    /// TLS failures by sending organisation, policy domain and result type, most first.
    pub tls_failures: Vec<TlsFailureSummary>,
}

/// What a source IP's messages show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SourceClass {
    /// Every message passed DMARC.
    Aligned,
    /// Failing messages passed SPF or DKIM for another domain: a service sending for the
    /// domain that is not set up to align (or a forger using a service's own domain).
    OwnServiceUnaligned,
    /// Failing messages show forwarding: the receiver's override reason (`forwarded`,
    /// `mailing_list`, `trusted_forwarder`, an `arc=pass` comment), a broken DKIM signature of
    /// the domain itself, or a PTR name of a known forwarding service.
    Forwarded,
    /// Failing messages passed nothing for any domain.
    LikelyForgery,
}

impl SourceClass {
    pub fn word(self) -> &'static str {
        match self {
            SourceClass::Aligned => "aligned",
            SourceClass::OwnServiceUnaligned => "own-service-unaligned",
            SourceClass::Forwarded => "forwarded",
            SourceClass::LikelyForgery => "likely-forgery",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SourceSummary {
    pub source_ip: String,
    pub messages: u64,
    pub dmarc_pass: u64,
    /// Messages by the disposition applied: `none`, `quarantine`, `reject`, `pass` (RFC 9990).
    pub dispositions: BTreeMap<String, u64>,
    /// Messages with DMARC's aligned DKIM pass, and aligned SPF pass.
    pub dkim_aligned_pass: u64,
    pub spf_aligned_pass: u64,
    /// Raw DKIM results: messages per signing domain and result.
    pub dkim_results: Vec<ResultCount>,
    /// Raw SPF results: messages per domain and result.
    pub spf_results: Vec<ResultCount>,
    pub header_from: Vec<String>,
    pub envelope_from: Vec<String>,
    pub reporters: Vec<String>,
    /// The override reasons the receivers gave, each once.
    pub reasons: Vec<String>,
    pub date_begin: Option<u64>,
    pub date_end: Option<u64>,
    pub class: SourceClass,
    /// What to do about it, for the domain's owner.
    pub action: String,
    /// PTR names, once looked up.
    pub ptr_names: Vec<String>,
    /// The organisational domain of the first PTR name.
    pub ptr_organisation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ResultCount {
    pub domain: Option<String>,
    pub result: Option<String>,
    pub messages: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ClassSummary {
    pub class: SourceClass,
    pub sources: usize,
    pub messages: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DaySummary {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub messages: u64,
    pub dmarc_pass: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PtrGroup {
    /// The organisational domain of the PTR names, `null` for IPs without a PTR name.
    pub organisation: Option<String>,
    pub sources: Vec<String>,
    pub messages: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsFailureSummary {
    pub organisation: Option<String>,
    pub policy_domain: Option<String>,
    pub result_type: Option<String>,
    pub sessions: u64,
}

/// Everything merged; the classes and actions over the aggregate records.
pub fn summarize(aggregate: &[AggregateReport], tls: &[TlsReport]) -> Summary {
    let mut summary = Summary::default();
    let mut domains = BTreeSet::new();
    let mut organisations = BTreeSet::new();
    let mut sources: BTreeMap<String, Accumulator> = BTreeMap::new();
    let mut days: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for report in aggregate {
        let policy_domain = report.policy.domain.clone();
        domains.extend(policy_domain.clone());
        organisations.extend(report.org_name.clone());
        summary.date_begin = min_option(summary.date_begin, report.date_begin);
        summary.date_end = report.date_end.max(summary.date_end);
        for record in &report.records {
            let pass = if record.dmarc_pass() { record.count } else { 0 };
            summary.messages = summary.messages.saturating_add(record.count);
            summary.dmarc_pass = summary.dmarc_pass.saturating_add(pass);
            if let Some(begin) = report.date_begin {
                let day = days.entry(begin / 86_400).or_default();
                day.0 = day.0.saturating_add(record.count);
                day.1 = day.1.saturating_add(pass);
            }
            sources.entry(record.source_ip.clone()).or_default().add(
                report,
                policy_domain.as_deref(),
                record,
            );
        }
    }
    summary.domains = domains.into_iter().collect();
    summary.organisations = organisations.into_iter().collect();
    summary.sources = sources
        .into_iter()
        .map(|(ip, accumulator)| accumulator.finish(ip))
        .collect();
    summary.sources.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then(a.source_ip.cmp(&b.source_ip))
    });
    summary.classes = classes(&summary.sources);
    summary.days = days
        .into_iter()
        .map(|(day, (messages, dmarc_pass))| {
            let (year, month, date) = crate::records::generate::civil_from_days(day);
            DaySummary {
                day: format!("{year:04}-{month:02}-{date:02}"),
                messages,
                dmarc_pass,
            }
        })
        .collect();
    tls_summary(&mut summary, tls);
    summary
}

/// Per class, in the enum's order.
pub fn classes(sources: &[SourceSummary]) -> Vec<ClassSummary> {
    let mut by_class: BTreeMap<SourceClass, (usize, u64)> = BTreeMap::new();
    for source in sources {
        let entry = by_class.entry(source.class).or_default();
        entry.0 += 1;
        entry.1 = entry.1.saturating_add(source.messages);
    }
    by_class
        .into_iter()
        .map(|(class, (sources, messages))| ClassSummary {
            class,
            sources,
            messages,
        })
        .collect()
}

/// Sending organisation, policy domain, result type.
type FailureKey = (Option<String>, Option<String>, Option<String>);

fn tls_summary(summary: &mut Summary, tls: &[TlsReport]) {
    let mut failures: BTreeMap<FailureKey, u64> = BTreeMap::new();
    for report in tls {
        for policy in &report.policies {
            summary.tls_successful_sessions = summary
                .tls_successful_sessions
                .saturating_add(policy.successful_sessions);
            summary.tls_failed_sessions = summary
                .tls_failed_sessions
                .saturating_add(policy.failed_sessions);
            for detail in &policy.failure_details {
                let key = (
                    report.organization_name.clone(),
                    policy.policy_domain.clone(),
                    detail.result_type.clone(),
                );
                let sessions = failures.entry(key).or_default();
                *sessions = sessions.saturating_add(detail.failed_session_count);
            }
        }
    }
    summary.tls_failures = failures
        .into_iter()
        .map(
            |((organisation, policy_domain, result_type), sessions)| TlsFailureSummary {
                organisation,
                policy_domain,
                result_type,
                sessions,
            },
        )
        .collect();
    summary
        .tls_failures
        .sort_by_key(|entry| std::cmp::Reverse(entry.sessions));
}

fn min_option(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether `domain` is aligned with `with` in relaxed mode (RFC 7489 §3.1: the same
/// organisational domain).
pub fn aligned(domain: &str, with: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let with = with.trim_end_matches('.').to_ascii_lowercase();
    domain == with
        || match (organisation(&domain), organisation(&with)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
}

/// What one source IP's records add up to.
#[derive(Debug, Default)]
struct Accumulator {
    messages: u64,
    dmarc_pass: u64,
    dispositions: BTreeMap<String, u64>,
    dkim_aligned_pass: u64,
    spf_aligned_pass: u64,
    dkim_results: BTreeMap<(Option<String>, Option<String>), u64>,
    spf_results: BTreeMap<(Option<String>, Option<String>), u64>,
    header_from: BTreeSet<String>,
    envelope_from: BTreeSet<String>,
    reporters: BTreeSet<String>,
    reasons: BTreeSet<String>,
    date_begin: Option<u64>,
    date_end: Option<u64>,
    /// Evidence from the failing messages.
    failing: u64,
    forwarding_sign: bool,
    passes_elsewhere: Vec<(&'static str, String)>,
    policy: Option<String>,
}

impl Accumulator {
    fn add(
        &mut self,
        report: &AggregateReport,
        policy_domain: Option<&str>,
        record: &AggregateRecord,
    ) {
        let count = record.count;
        self.messages = self.messages.saturating_add(count);
        let pass = record.dmarc_pass();
        if pass {
            self.dmarc_pass = self.dmarc_pass.saturating_add(count);
        }
        let disposition = record
            .disposition
            .clone()
            .unwrap_or_else(|| "unknown".into());
        *self.dispositions.entry(disposition).or_default() += count;
        if record.dkim.as_deref() == Some("pass") {
            self.dkim_aligned_pass = self.dkim_aligned_pass.saturating_add(count);
        }
        if record.spf.as_deref() == Some("pass") {
            self.spf_aligned_pass = self.spf_aligned_pass.saturating_add(count);
        }
        for dkim in &record.dkim_results {
            *self
                .dkim_results
                .entry((dkim.domain.clone(), dkim.result.clone()))
                .or_default() += count;
        }
        for spf in &record.spf_results {
            *self
                .spf_results
                .entry((spf.domain.clone(), spf.result.clone()))
                .or_default() += count;
        }
        self.header_from.extend(record.header_from.clone());
        self.envelope_from.extend(record.envelope_from.clone());
        self.reporters.extend(report.org_name.clone());
        for reason in &record.reasons {
            self.reasons.extend(reason.kind.clone());
        }
        self.date_begin = min_option(self.date_begin, report.date_begin);
        self.date_end = report.date_end.max(self.date_end);
        if self.policy.is_none() {
            self.policy = report.policy.p.clone();
        }
        if pass {
            return;
        }
        self.failing = self.failing.saturating_add(count);
        let from = record
            .header_from
            .as_deref()
            .or(policy_domain)
            .unwrap_or_default();
        self.forwarding_sign |= shows_forwarding(record, from);
        for dkim in &record.dkim_results {
            if let (Some(domain), Some("pass")) = (&dkim.domain, dkim.result.as_deref()) {
                if !aligned(domain, from) {
                    self.note_pass("dkim", domain);
                }
            }
        }
        for spf in &record.spf_results {
            if let (Some(domain), Some("pass")) = (&spf.domain, spf.result.as_deref()) {
                if !aligned(domain, from) {
                    self.note_pass("spf", domain);
                }
            }
        }
    }

    fn note_pass(&mut self, method: &'static str, domain: &str) {
        let entry = (method, domain.to_owned());
        if self.passes_elsewhere.len() < 8 && !self.passes_elsewhere.contains(&entry) {
            self.passes_elsewhere.push(entry);
        }
    }

    fn finish(self, source_ip: String) -> SourceSummary {
        let domain = self
            .header_from
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "your domain".into());
        let class = if self.failing == 0 {
            SourceClass::Aligned
        } else if self.forwarding_sign {
            SourceClass::Forwarded
        } else if !self.passes_elsewhere.is_empty() {
            SourceClass::OwnServiceUnaligned
        } else {
            SourceClass::LikelyForgery
        };
        let action = action(
            class,
            &domain,
            &self.passes_elsewhere,
            self.policy.as_deref(),
        );
        let counts = |map: BTreeMap<(Option<String>, Option<String>), u64>| {
            let mut counts: Vec<ResultCount> = map
                .into_iter()
                .map(|((domain, result), messages)| ResultCount {
                    domain,
                    result,
                    messages,
                })
                .collect();
            counts.sort_by_key(|entry| std::cmp::Reverse(entry.messages));
            counts
        };
        SourceSummary {
            source_ip,
            messages: self.messages,
            dmarc_pass: self.dmarc_pass,
            dispositions: self.dispositions,
            dkim_aligned_pass: self.dkim_aligned_pass,
            spf_aligned_pass: self.spf_aligned_pass,
            dkim_results: counts(self.dkim_results),
            spf_results: counts(self.spf_results),
            header_from: self.header_from.into_iter().collect(),
            envelope_from: self.envelope_from.into_iter().collect(),
            reporters: self.reporters.into_iter().collect(),
            reasons: self.reasons.into_iter().collect(),
            date_begin: self.date_begin,
            date_end: self.date_end,
            class,
            action,
            ptr_names: Vec::new(),
            ptr_organisation: None,
        }
    }
}

/// Signs of forwarding in a failing record: the receiver's override reason, an `arc=pass`
/// comment (Google and Microsoft write it under `local_policy`), or a DKIM signature of the
/// domain itself that no longer verifies (a forwarder or list changed the message).
fn shows_forwarding(record: &AggregateRecord, from: &str) -> bool {
    let by_reason = record.reasons.iter().any(|reason| {
        matches!(
            reason.kind.as_deref(),
            Some("forwarded" | "trusted_forwarder" | "mailing_list")
        ) || reason
            .comment
            .as_deref()
            .is_some_and(|comment| comment.to_ascii_lowercase().contains("arc=pass"))
    });
    let broken_own_signature = record.dkim_results.iter().any(|dkim| {
        dkim.result.as_deref() == Some("fail")
            && dkim
                .domain
                .as_deref()
                .is_some_and(|domain| aligned(domain, from))
    });
    by_reason || broken_own_signature
}

/// The action for a class, in the owner's terms.
pub fn action(
    class: SourceClass,
    domain: &str,
    passes_elsewhere: &[(&'static str, String)],
    policy: Option<&str>,
) -> String {
    match class {
        SourceClass::Aligned => "Nothing to do: its messages pass DMARC.".into(),
        SourceClass::Forwarded => format!(
            "Nothing to change in {domain}'s records: a forwarder or mailing list broke SPF or \
             DKIM on the way. Sign all of {domain}'s mail with DKIM (plain forwarding keeps \
             signatures intact); receivers that trust the forwarder's ARC seal may accept it."
        ),
        SourceClass::OwnServiceUnaligned => {
            let mut steps = Vec::new();
            for (method, other) in passes_elsewhere {
                match *method {
                    "dkim" => steps.push(format!(
                        "it signs with d={other}: ask the provider to sign with d={domain} (it \
                         gives you a DKIM key to publish under {domain})"
                    )),
                    _ => steps.push(format!(
                        "its SPF passes for {other}: have it use a MAIL FROM (bounce) address \
                         under {domain} and add the provider's SPF to {domain}'s record (for \
                         example `include:{other}`, if {other}'s record lists only its servers)"
                    )),
                }
            }
            format!(
                "If this is a service you use, {}. If it is not yours, someone sends as \
                 {domain} through that provider: tell the provider.",
                steps.join("; ")
            )
        }
        SourceClass::LikelyForgery => {
            let next = match policy {
                Some("reject") => format!(
                    "{domain}'s policy is already p=reject: receivers that apply it refuse \
                     these messages. Nothing to do."
                ),
                Some("quarantine") => format!(
                    "Move {domain} to p=reject once every service of yours aligns, so that \
                     receivers refuse these messages rather than file them as spam."
                ),
                _ => format!(
                    "With p=none receivers deliver these messages: once every service of \
                     yours aligns, move {domain} to p=quarantine, then p=reject."
                ),
            };
            format!("Not your mail, most likely: SPF and DKIM pass for no domain. {next}")
        }
    }
}
