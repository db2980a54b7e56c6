//! The entry points and their report types: [`evaluate_message`] for a message,
//! [`audit_domain`] for a domain's published record.

use std::sync::Arc;

use serde::Serialize;

use super::align::{
    applicable_policy, author_domain, combined_dkim, disposition, dmarc_result, signature_check,
    spf_check, AlignmentCheck, AlignmentResult, AppliedPolicy, AuthorDomain, DispositionDetail,
    DkimInput, FromInput, SpfInput, Undetermined,
};
use super::discover::{
    discover_policy, domain_exists, Discovery, DiscoveryResult, PolicySource, WalkCache,
};
use super::lint::{lint_record, RecordLint};
use super::report_auth::{authorize_destinations, ReportDestination};
use super::{AlignmentMode, Disposition, DmarcResult, Record};
use crate::dns::{QueryTrace, RecordType, Recorder, Resolver};
use crate::org_domain::to_ascii;
use crate::org_domain::walk::target_names;
use crate::report::{Finding, Severity};

/// The DMARC part of a message report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DmarcReport {
    /// The author domain (From), canonical; `null` when there is not exactly one.
    pub domain: Option<String>,
    /// Its organisational domain by the RFC 9989 DNS tree walk; `null` when undetermined.
    pub org_domain: Option<String>,
    /// Its organisational domain by the RFC 7489 Public Suffix List.
    pub org_domain_psl: Option<String>,
    pub result: DmarcResult,
    /// One sentence on why.
    pub reason: String,
    /// The policy that applies (`p`, `sp`, `np`, or `p=none` for a record with only `rua`).
    pub policy: Option<AppliedPolicy>,
    /// What the policy asks for this message (after `t=y`).
    pub disposition: Disposition,
    /// How the disposition follows from the policy, `t=` and RFC 7489's `pct=`.
    pub disposition_detail: DispositionDetail,
    pub spf_aligned: AlignmentResult,
    pub dkim_aligned: AlignmentResult,
    /// The SPF identifier's alignment; `null` when DMARC did not get that far.
    pub spf: Option<AlignmentCheck>,
    /// Each DKIM signature's alignment, in the order given.
    pub dkim: Vec<AlignmentCheck>,
    /// The record whose policy applies.
    // Shared with `discovery`'s: one record, not a copy (the schema's description is the line
    // above alone).
    pub record: Option<Arc<Record>>,
    /// Where that record is published (`_dmarc.` and this name).
    pub record_domain: Option<String>,
    pub policy_source: Option<PolicySource>,
    /// Whether the author domain exists (A, AAAA or MX), asked only when `np=` could apply;
    /// `null` when not asked or undetermined.
    pub author_exists: Option<bool>,
    pub discovery: Option<Discovery>,
    pub findings: Vec<Finding>,
    /// Every DNS lookup DMARC made, in order.
    pub dns: Vec<QueryTrace>,
}

impl DmarcReport {
    fn empty(result: DmarcResult, reason: String) -> Self {
        DmarcReport {
            domain: None,
            org_domain: None,
            org_domain_psl: None,
            result,
            reason,
            policy: None,
            disposition: Disposition::None,
            disposition_detail: disposition(result, None, None),
            spf_aligned: AlignmentResult::None,
            dkim_aligned: AlignmentResult::None,
            spf: None,
            dkim: Vec::new(),
            record: None,
            record_domain: None,
            policy_source: None,
            author_exists: None,
            discovery: None,
            findings: Vec::new(),
            dns: Vec::new(),
        }
    }
}

/// Evaluates DMARC for a message: the From domains intake read, the SPF result and the DKIM
/// results, with policy discovery over `resolver`. The same as [`discover_for_message`] followed
/// by [`decide`]; the message pipeline calls the two apart, so that discovery's lookups go out
/// beside those of DKIM and SPF.
pub async fn evaluate_message<R: Resolver>(
    from: &FromInput,
    spf: &SpfInput,
    dkim: &[DkimInput],
    resolver: &R,
) -> DmarcReport {
    // Only a resolver that asks ahead reads the list.
    let ahead: Vec<String> = if resolver.prefetches() {
        spf.domain
            .iter()
            .cloned()
            .chain(dkim.iter().map(|signature| signature.domain.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let discovered = discover_for_message(from, &ahead, resolver).await;
    decide(discovered, spf, dkim).await
}

/// At most this many `_dmarc` names are asked ahead of the tree walks.
const MAX_NAMES_AHEAD: usize = 24;

/// What policy discovery found for a message, before SPF and DKIM results are known.
pub struct Discovered<'r, R> {
    recorder: Recorder<'r, R>,
    state: DiscoveredState,
}

enum DiscoveredState {
    /// DMARC's answer is already known: no usable author domain, no record, a DNS failure.
    Decided(Box<DmarcReport>),
    /// A record applies; the report so far, with the author domain and the record's domain.
    Found {
        record: Arc<Record>,
        report: Box<DmarcReport>,
    },
}

/// The author domain (RFC 5322 From) and its policy: everything DMARC asks DNS that does not
/// depend on SPF or DKIM (the tree walk, the record, whether the author domain exists when
/// `np=` could apply).
///
/// `ahead` names the domains whose tree walks relaxed alignment will probably want (the MAIL
/// FROM or HELO domain, each DKIM `d=`). With a resolver that gains from it
/// ([`Resolver::prefetches`]), every name of those walks and of the author domain's is asked at
/// once, so that the walks, which go up the tree one name at a time, find their answers there.
pub async fn discover_for_message<'r, R: Resolver>(
    from: &FromInput,
    ahead: &[String],
    resolver: &'r R,
) -> Discovered<'r, R> {
    let recorder = Recorder::new(resolver);
    let author = author_domain(from);
    let mut names: Vec<String> = Vec::new();
    if resolver.prefetches() {
        let author = match &author.0 {
            AuthorDomain::One(author) => Some(author.clone()),
            AuthorDomain::Unusable(_) => None,
        };
        let starts = author
            .into_iter()
            .chain(ahead.iter().filter_map(|domain| to_ascii(domain).ok()));
        for start in starts {
            for target in target_names(&start) {
                let name = format!("_dmarc.{target}");
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        // A hostile message could list many signatures: bound what is asked ahead.
        names.truncate(MAX_NAMES_AHEAD);
    }
    let asking_ahead = crate::join::join_all(
        names
            .iter()
            .map(|name| recorder.prefetch(name, RecordType::Txt)),
    );
    let (state, _) =
        futures_util::future::join(discover_state(author, &recorder), asking_ahead).await;
    Discovered { recorder, state }
}

/// Discovery for the author domain as [`author_domain`] found it, with its notes.
async fn discover_state<R: Resolver>(
    (author, notes): (AuthorDomain, Vec<Finding>),
    recorder: &Recorder<'_, R>,
) -> DiscoveredState {
    let author = match author {
        AuthorDomain::One(author) => author,
        AuthorDomain::Unusable(finding) => {
            let mut report = DmarcReport::empty(DmarcResult::Permerror, finding.message.clone());
            report.findings.push(finding);
            return DiscoveredState::Decided(Box::new(report));
        }
    };
    let discovery = discover_policy(&author, recorder).await;
    let mut report = DmarcReport::empty(DmarcResult::None, String::new());
    report.org_domain = discovery.org_domain.clone();
    report.org_domain_psl = Some(discovery.org_domain_psl.clone());
    report.findings = notes;
    report.findings.extend(discovery.findings.iter().cloned());
    report.record_domain = discovery.record_domain.clone();
    report.policy_source = discovery.source;
    // The report holds the record twice (here and in `discovery`), shared: `decide` gets it in
    // the state and puts it in the report when it is done with it.
    let found = discovery
        .record
        .clone()
        .filter(|_| discovery.record_domain.is_some());
    let result = discovery.result;
    report.discovery = Some(discovery);
    let record = match (result, found) {
        (DiscoveryResult::Temperror, found) => {
            report.record = found;
            report.result = DmarcResult::Temperror;
            report.reason = "A DNS failure stopped policy discovery.".into();
            report.domain = Some(author);
            return DiscoveredState::Decided(Box::new(report));
        }
        (DiscoveryResult::Found, Some(record)) => record,
        (_, found) => {
            report.record = found;
            report.reason =
                format!("{author} and its parents publish no DMARC record: DMARC does not apply.");
            report.domain = Some(author);
            return DiscoveredState::Decided(Box::new(report));
        }
    };
    let record_domain = report.record_domain.as_deref().unwrap_or_default();
    if record_domain != author && record.nonexistent_policy.is_some() {
        report.author_exists = domain_exists(&author, recorder).await;
        if report.author_exists.is_none() {
            report.findings.push(Finding::new(
                Severity::Warning,
                "dmarc.existence-unknown",
                format!("Whether {author} exists could not be determined (DNS failure), so np= is not applied."),
            ).with_rfc(super::discover::RFC_NON_EXISTENT));
        }
    }
    report.domain = Some(author);
    DiscoveredState::Found {
        record,
        report: Box::new(report),
    }
}

/// DMARC's result for the message, from what discovery found and the SPF and DKIM results:
/// the policy that applies, alignment of each identifier (with tree walks for relaxed mode),
/// the result and the disposition.
pub async fn decide<R: Resolver>(
    discovered: Discovered<'_, R>,
    spf: &SpfInput,
    dkim: &[DkimInput],
) -> DmarcReport {
    let Discovered { recorder, state } = discovered;
    let (record, mut report) = match state {
        DiscoveredState::Decided(mut report) => {
            report.dns = recorder.into_trace();
            return *report;
        }
        DiscoveredState::Found { record, report } => (record, *report),
    };
    // Both are set in the `Found` state: borrowed from the report, not copied.
    let author = report.domain.as_deref().unwrap_or_default();
    let record_domain = report.record_domain.as_deref().unwrap_or_default();
    let Some(policy) = applicable_policy(&record, record_domain, author, report.author_exists)
    else {
        report.record = Some(record);
        report.reason = format!(
            "The record at _dmarc.{record_domain} has no valid p= and no valid rua=: no DMARC \
             processing applies."
        );
        report.findings.push(
            Finding::new(
                Severity::Error,
                "dmarc.no-usable-policy",
                report.reason.clone(),
            )
            .with_rfc("https://www.rfc-editor.org/rfc/rfc9989#section-4.10.1"),
        );
        report.dns = recorder.into_trace();
        return report;
    };
    // The identifiers, canonical, once: the walks and the checks read the same names.
    let spf_identifier = spf.domain.as_deref().and_then(|d| to_ascii(d).ok());
    let dkim_identifiers: Vec<Option<String>> =
        dkim.iter().map(|s| to_ascii(&s.domain).ok()).collect();
    // Organisational domains of the identifiers, by tree walks sharing one cache and the author
    // domain's walk; `None` when undetermined. The author domain's is the report's.
    let mut relaxed: Vec<&str> = Vec::new();
    if record.spf_mode() == AlignmentMode::Relaxed {
        relaxed.extend(spf_identifier.as_deref());
    }
    if record.dkim_mode() == AlignmentMode::Relaxed {
        relaxed.extend(dkim_identifiers.iter().flatten().map(String::as_str));
    }
    let known = report
        .discovery
        .as_ref()
        .map_or(&[][..], |discovery| discovery.walk.steps.as_slice());
    let mut cache = WalkCache::default();
    let mut orgs: Vec<(&str, Option<String>)> = Vec::new();
    for name in relaxed {
        if name != author && !orgs.iter().any(|(walked, _)| *walked == name) {
            let org = cache.organizational_domain(name, &recorder, known).await;
            orgs.push((name, org));
        }
    }
    let org_of = |name: &str| {
        if name == author {
            report.org_domain.as_deref()
        } else {
            orgs.iter()
                .find(|(walked, _)| *walked == name)
                .and_then(|(_, org)| org.as_deref())
        }
        .ok_or(Undetermined)
    };
    let spf_check = spf_check(
        spf,
        spf_identifier.as_deref(),
        record.spf_mode(),
        author,
        &org_of,
    );
    let dkim_checks: Vec<AlignmentCheck> = dkim
        .iter()
        .zip(&dkim_identifiers)
        .map(|(signature, identifier)| {
            signature_check(
                signature,
                identifier.as_deref(),
                record.dkim_mode(),
                author,
                &org_of,
            )
        })
        .collect();
    report.spf_aligned = spf_check.result;
    report.dkim_aligned = combined_dkim(&dkim_checks);
    report.result = dmarc_result(report.spf_aligned, report.dkim_aligned);
    report.reason = match report.result {
        DmarcResult::Pass => format!("An authenticated identifier aligns with {author}."),
        DmarcResult::Temperror => "A DNS failure left alignment undetermined.".into(),
        _ => format!("Neither SPF nor DKIM gave a pass aligned with {author}."),
    };
    report.disposition_detail = disposition(report.result, Some(&policy), Some(&record));
    report.disposition = report.disposition_detail.disposition;
    report.policy = Some(policy);
    report.spf = Some(spf_check);
    report.dkim = dkim_checks;
    report.record = Some(record);
    report.dns = recorder.into_trace();
    report
}

/// DMARC's entries in the message report's findings: its own notes, and the result when it is
/// one a reader must not miss.
pub fn message_findings(report: &DmarcReport) -> Vec<Finding> {
    const RESULTS: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.8";
    let mut findings = report.findings.clone();
    let domain = report.domain.as_deref().unwrap_or("the From domain");
    let result = match (report.result, report.disposition) {
        (DmarcResult::Fail, Disposition::Reject | Disposition::Quarantine) => Some((
            Severity::Error,
            "dmarc.fail",
            format!(
                "DMARC fails for {domain}: nothing aligned with the From address passed, and its \
                 policy asks receivers to {} such mail.",
                report.disposition.word()
            ),
        )),
        (DmarcResult::Fail, Disposition::None) => Some((
            Severity::Warning,
            "dmarc.fail",
            format!(
                "DMARC fails for {domain}: nothing aligned with the From address passed; its \
                 policy (none) asks receivers to deliver it anyway."
            ),
        )),
        (DmarcResult::None, _) if report.domain.is_some() => Some((
            Severity::Warning,
            "dmarc.none",
            format!(
                "{domain} publishes no DMARC policy: receivers have no rule for mail that claims \
                 to be from it."
            ),
        )),
        (DmarcResult::Temperror, _) => Some((
            Severity::Warning,
            "dmarc.temperror",
            format!(
                "DMARC for {domain} could not be evaluated: {}",
                report.reason
            ),
        )),
        _ => None,
    };
    if let Some((severity, code, message)) = result {
        findings.push(Finding::new(severity, code, message).with_rfc(RESULTS));
    }
    findings
}

/// Why a domain could not be audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditError {
    /// `invalid-domain`
    pub kind: &'static str,
    pub message: String,
    pub detail: Option<String>,
}

/// The record check of one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DmarcAudit {
    /// The domain audited, canonical (as given when it is not a valid name).
    pub domain: String,
    pub error: Option<AuditError>,
    pub discovery: Option<Discovery>,
    /// The record that applies to the domain, its own or inherited.
    pub record: Option<Arc<Record>>,
    pub record_domain: Option<String>,
    /// The lint of the record that applies, or of the domain's own unusable TXT records.
    pub lint: Vec<RecordLint>,
    /// Each `rua=`/`ruf=` destination and whether it accepts the reports.
    pub destinations: Vec<ReportDestination>,
    pub findings: Vec<Finding>,
    pub dns: Vec<QueryTrace>,
}

/// Audits `domain`: discovery, lint of the record found (and of TXT records at
/// `_dmarc.<domain>` that look like DMARC but are discarded), and external report
/// destinations' authorisation.
pub async fn audit_domain<R: Resolver>(domain: &str, resolver: &R) -> DmarcAudit {
    let mut audit = DmarcAudit {
        domain: domain.to_string(),
        error: None,
        discovery: None,
        record: None,
        record_domain: None,
        lint: Vec::new(),
        destinations: Vec::new(),
        findings: Vec::new(),
        dns: Vec::new(),
    };
    let domain = match to_ascii(domain) {
        Ok(domain) => domain,
        Err(error) => {
            audit.error = Some(AuditError {
                kind: "invalid-domain",
                message: format!("\"{domain}\" is not a domain name"),
                detail: Some(error.to_string()),
            });
            return audit;
        }
    };
    audit.domain = domain.clone();
    let recorder = Recorder::new(resolver);
    // The domain's own TXT records, to point at those that look like DMARC but would be
    // discarded (a version tag not first, `v=dmarc1`).
    let own = recorder
        .lookup_traced(&format!("_dmarc.{domain}"), RecordType::Txt)
        .await;
    if let Ok(answer) = own.result() {
        for record in answer.records.iter() {
            let Some(bytes) = record.data.txt_joined() else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if !super::parse::has_version(&text)
                && crate::find::contains(&text.to_ascii_lowercase(), "dmarc1")
            {
                audit.lint.push(lint_record(&domain, &text));
            }
        }
    }
    let discovery = discover_policy(&domain, &recorder).await;
    audit.findings = discovery.findings.clone();
    if let (Some(record), Some(record_domain)) = (&discovery.record, &discovery.record_domain) {
        audit.lint.push(lint_record(record_domain, &record.text));
        audit.destinations = authorize_destinations(record_domain, record, &recorder).await;
        if record_domain != &domain {
            audit.findings.push(Finding::new(
                Severity::Info,
                "dmarc.inherited-policy",
                format!("{domain} has no DMARC record of its own; the record of {record_domain} applies to it."),
            ));
        }
    } else if discovery.result == DiscoveryResult::NoRecord {
        audit.findings.push(
            Finding::new(
                Severity::Error,
                "dmarc.no-record",
                format!("Neither {domain} nor its parents publish a DMARC record: anyone can send mail in its name without a policy to stop it."),
            )
            .with_rfc("https://www.rfc-editor.org/rfc/rfc9989#section-5.5"),
        );
    }
    audit.record = discovery.record.clone();
    audit.record_domain = discovery.record_domain.clone();
    audit.discovery = Some(discovery);
    audit.dns = recorder.into_trace();
    audit
}
