//! The grade and the summary: pure functions of the findings and sections, so that a reader can
//! redo the arithmetic. Every finding costs the points of [`POINTS`] (or of its severity when it
//! is not listed); the score is 100 minus their sum, never below 0; [`BANDS`] turn the score
//! into a letter. `docs/domain-audit.md` prints the same table, and a test keeps the two equal.

use serde::Serialize;

use crate::dmarc::Policy;
use crate::report::{Finding, Severity};
use crate::spf::SpfResult;

use super::mx::MxKind;

/// What a finding costs, by code, when not what its severity costs ([`severity_points`]). The
/// heaviest are the ones that let anyone forge the domain's mail.
pub const POINTS: &[(&str, u32)] = &[
    ("dmarc.no-record", 35),
    ("dmarc.several-records", 30),
    ("dmarc.no-policy", 25),
    ("dmarc.policy-none", 25),
    ("dmarc.testing-weakens", 10),
    ("dmarc.subdomain-policy-weaker", 8),
    ("dmarc.quarantine", 5),
    ("dmarc.sampled", 5),
    ("spf.no-record", 25),
    ("spf.pass-all", 25),
    ("spf.multiple-records", 20),
    ("spf.too-many-lookups", 15),
    ("spf.neutral-all", 10),
    ("mx.domain-missing", 50),
    ("mx.null-mx", 0),
    ("mta-sts.none", 8),
    ("dnssec.unsigned", 5),
    ("dkim.key-too-short", 15),
    ("dkim.key-weak", 5),
    ("tlsrpt.none", 2),
    ("bimi.dmarc-not-enforced", 1),
    // What the SMTP probe saw (`--probe`): a relay for anyone and a server without TLS cost
    // most; a certificate problem on port 25 is a warning's 3 unless MTA-STS enforces it.
    ("probe.open-relay", 40),
    ("probe.starttls-missing", 15),
    ("probe.auth-plaintext", 10),
    ("probe.dane-mismatch", 20),
    // The audit's own `mta-sts-policy.mx-not-covered` already costs the policy's points for the
    // same host: the probe's finding says it again from the server's side, for free.
    ("probe.mta-sts-mx-not-covered", 0),
    ("probe.mta-sts-certificate-rejected", 15),
];

/// The points of a finding whose code [`POINTS`] does not list.
pub fn severity_points(severity: Severity) -> u32 {
    match severity {
        Severity::Error => 10,
        Severity::Warning => 3,
        Severity::Info => 0,
    }
}

/// What `finding` costs.
pub fn points(finding: &Finding) -> u32 {
    POINTS
        .iter()
        .find(|(code, _)| *code == finding.code)
        .map_or_else(|| severity_points(finding.severity), |(_, points)| *points)
}

/// A letter grade; A is best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub enum GradeLetter {
    A,
    B,
    C,
    D,
    F,
}

/// The lowest score of each letter, best first.
pub const BANDS: [(GradeLetter, u32); 5] = [
    (GradeLetter::A, 90),
    (GradeLetter::B, 80),
    (GradeLetter::C, 65),
    (GradeLetter::D, 50),
    (GradeLetter::F, 0),
];

/// One letter's lowest score, as the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct GradeBand {
    pub letter: GradeLetter,
    pub minimum_score: u32,
}

/// The points one finding cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Deduction {
    /// The finding's code and domain, as in `findings`.
    pub code: &'static str,
    pub domain: Option<String>,
    pub severity: Severity,
    pub points: u32,
    pub message: String,
}

/// The grade, with its arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Grade {
    /// `null` when the domain could not be audited (not a domain name), or when a lookup the
    /// grade rests on failed: a record that could not be read is not scored as absent.
    pub letter: Option<GradeLetter>,
    /// 100 minus the deductions, at least 0.
    pub score: u32,
    pub maximum_score: u32,
    /// Every finding that cost points, in the order of `findings`.
    pub deductions: Vec<Deduction>,
    /// The letters' lowest scores.
    pub bands: Vec<GradeBand>,
    /// False when a lookup the grade rests on failed temporarily, or the MTA-STS policy could
    /// not be read (not fetched, or refused by the browser): the grade may change once known.
    pub complete: bool,
}

impl Default for Grade {
    fn default() -> Self {
        Grade {
            letter: None,
            score: 0,
            maximum_score: 100,
            deductions: Vec::new(),
            bands: bands(),
            complete: false,
        }
    }
}

fn bands() -> Vec<GradeBand> {
    BANDS
        .iter()
        .map(|&(letter, minimum_score)| GradeBand {
            letter,
            minimum_score,
        })
        .collect()
}

/// The letter of a score.
pub fn letter(score: u32) -> GradeLetter {
    BANDS
        .iter()
        .find(|(_, minimum)| score >= *minimum)
        .map_or(GradeLetter::F, |(letter, _)| *letter)
}

/// Codes of failed lookups that leave the grade undecided.
const LOOKUP_FAILED: &[&str] = &[
    "mx.lookup-failed",
    "spf.lookup-failed",
    "dmarc.temperror",
    "mta-sts.lookup-failed",
];

const INCOMPLETE: &[&str] = &[
    "mx.lookup-failed",
    "spf.lookup-failed",
    "dmarc.temperror",
    "mta-sts.lookup-failed",
    // The policy was not read (a zone-file audit, the browser's CORS): its checks are unknown.
    "mta-sts-policy.not-fetched",
    "mta-sts-policy.blocked-by-browser",
    // A host the probe could not finish with is not scored as a good one.
    "probe.unreachable",
    "probe.timeout",
    "probe.temporary-failure",
    "probe.service-unavailable",
];

/// The grade of `findings`.
pub fn grade(findings: &[Finding]) -> Grade {
    let deductions: Vec<Deduction> = findings
        .iter()
        .filter_map(|finding| {
            let points = points(finding);
            (points > 0).then(|| Deduction {
                code: finding.code,
                domain: finding.domain.clone(),
                severity: finding.severity,
                points,
                message: finding.message.clone(),
            })
        })
        .collect();
    let lost: u32 = deductions.iter().map(|deduction| deduction.points).sum();
    let score = 100u32.saturating_sub(lost);
    // A failed lookup is not an absent record: scoring it as one would show a guess as a fact,
    // so there is no letter until the DNS answers. An unread MTA-STS policy only makes the
    // grade incomplete.
    let lookup_failed = findings
        .iter()
        .any(|finding| LOOKUP_FAILED.contains(&finding.code));
    Grade {
        letter: (!lookup_failed).then(|| letter(score)),
        score,
        maximum_score: 100,
        deductions,
        bands: bands(),
        complete: !findings
            .iter()
            .any(|finding| INCOMPLETE.contains(&finding.code)),
    }
}

/// What a summary line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SummaryTopic {
    /// Can someone send mail that claims to be from the domain?
    Spoofing,
    /// Can someone read or redirect mail sent to the domain?
    Transport,
    /// Does mail to the domain arrive?
    Delivery,
    /// What the DKIM probe found.
    Dkim,
}

/// One sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SummaryLine {
    pub topic: SummaryTopic,
    /// `error`: an attack works today; `warning`: partly; `info`: protected or nothing to do.
    pub severity: Severity,
    pub text: String,
}

/// What the summary is made from: a few facts the sections established.
pub struct SummaryFacts<'a> {
    pub domain: &'a str,
    pub mx_kind: MxKind,
    pub spf_result: SpfResult,
    /// What receivers apply after `t=y`; `None` without a usable DMARC record.
    pub dmarc_enforced: Option<Policy>,
    /// The subdomain policy, when weaker than the domain's.
    pub weaker_subdomains: Option<Policy>,
    pub dkim_keys_found: usize,
    pub dkim_selectors_asked: usize,
    pub mta_sts_enforced: bool,
    pub mta_sts_testing: bool,
    pub dane_effective: bool,
    /// The DMARC lookup failed: whether a policy exists is unknown, not "none".
    pub dmarc_lookup_failed: bool,
}

fn line(topic: SummaryTopic, severity: Severity, text: String) -> SummaryLine {
    SummaryLine {
        topic,
        severity,
        text,
    }
}

/// The summary lines: spoofing first, then delivery, transport and DKIM.
pub fn summary(facts: &SummaryFacts<'_>) -> Vec<SummaryLine> {
    let domain = facts.domain;
    let mut lines = Vec::new();
    let strict_spf = facts.spf_result == SpfResult::Fail;
    lines.push(match facts.dmarc_enforced {
        None if facts.dmarc_lookup_failed => line(SummaryTopic::Spoofing, Severity::Warning, format!("Whether receivers refuse mail forged in {domain}'s name is unknown: the DMARC lookup failed. Check again once the DNS answers.")),
        None => line(SummaryTopic::Spoofing, Severity::Error, format!("Anyone can send mail as {domain} and most receivers will deliver it: there is no DMARC policy to tell them otherwise.")),
        Some(Policy::None) if !strict_spf => line(SummaryTopic::Spoofing, Severity::Error, format!("Anyone can send mail as {domain} and most receivers will deliver it: DMARC asks for nothing (p=none) and SPF does not ask receivers to refuse unknown servers.")),
        Some(Policy::None) => line(SummaryTopic::Spoofing, Severity::Error, format!("Mail forged in {domain}'s name is delivered by most receivers: DMARC asks for nothing (p=none), and SPF's -all stops only forgers who also use {domain} in the envelope.")),
        Some(Policy::Quarantine) => line(SummaryTopic::Spoofing, Severity::Warning, format!("Mail forged in {domain}'s name goes to spam folders rather than being refused (p=quarantine).")),
        Some(Policy::Reject) => line(SummaryTopic::Spoofing, Severity::Info, format!("Receivers that check DMARC refuse mail forged in {domain}'s name (p=reject).")),
    });
    if let Some(weaker) = facts.weaker_subdomains {
        lines.push(line(
            SummaryTopic::Spoofing,
            Severity::Warning,
            format!(
                "Subdomains of {domain} (anything.{domain}) are weaker: the policy for them is {}.",
                weaker.word()
            ),
        ));
    }
    let receives_mail = matches!(facts.mx_kind, MxKind::Hosts | MxKind::Implicit);
    match facts.mx_kind {
        MxKind::NullMx => lines.push(line(
            SummaryTopic::Delivery,
            Severity::Info,
            format!(
                "{domain} says it accepts no mail (null MX): senders bounce mail to it at once."
            ),
        )),
        MxKind::NoMail => lines.push(line(
            SummaryTopic::Delivery,
            Severity::Warning,
            format!("Mail to {domain} cannot be delivered: it has no MX records and no address."),
        )),
        MxKind::DomainMissing => lines.push(line(
            SummaryTopic::Delivery,
            Severity::Error,
            format!("{domain} does not exist in the DNS."),
        )),
        MxKind::LookupFailed => lines.push(line(
            SummaryTopic::Delivery,
            Severity::Warning,
            format!(
                "The MX records of {domain} could not be read; senders queue mail until they can."
            ),
        )),
        MxKind::Implicit => lines.push(line(
            SummaryTopic::Delivery,
            Severity::Warning,
            format!(
                "{domain} has no MX records: senders deliver to its web address (implicit MX)."
            ),
        )),
        MxKind::Hosts | MxKind::NotChecked => {}
    }
    if receives_mail {
        lines.push(if facts.mta_sts_enforced || facts.dane_effective {
            let by = match (facts.mta_sts_enforced, facts.dane_effective) {
                (true, true) => "MTA-STS or DANE",
                (true, false) => "MTA-STS",
                _ => "DANE",
            };
            line(SummaryTopic::Transport, Severity::Info, format!("Senders that support {by} refuse to deliver mail to {domain} over plaintext or to an impostor's server."))
        } else if facts.mta_sts_testing {
            line(SummaryTopic::Transport, Severity::Warning, format!("Mail to {domain} can be downgraded to plaintext by anyone on the path: MTA-STS is in testing mode, so senders report the attack but still deliver."))
        } else {
            line(SummaryTopic::Transport, Severity::Error, format!("Mail to {domain} can be downgraded to plaintext by anyone on the path: there is no MTA-STS policy in enforce mode and no DNSSEC-validated DANE."))
        });
    }
    lines.push(if facts.dkim_keys_found == 0 {
        line(SummaryTopic::Dkim, Severity::Info, format!("No DKIM key was found under the {} common selectors asked; that proves nothing, because selectors cannot be listed.", facts.dkim_selectors_asked))
    } else {
        line(SummaryTopic::Dkim, Severity::Info, format!("{} DKIM selector(s) of {domain} have keys; others may exist.", facts.dkim_keys_found))
    });
    lines
}
