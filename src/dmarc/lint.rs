//! Lint: what is wrong or weak in a published DMARC record, each finding with where it is, a
//! fix, and a corrected record to publish. Needs no DNS; the audit adds what lookups show.

use serde::Serialize;

use super::parse::{parse_record, ParseErrorKind, OBSOLETE_TAGS};
use super::{AlignmentMode, FailureOption, Policy, Psd, Record, TagProblemKind};
use crate::report::{Finding, Severity, Span};

const RFC_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.7";
const RFC_OBSOLETE: &str = "https://www.rfc-editor.org/rfc/rfc9989#appendix-A";
const RFC_MONITOR: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-5.5.4";

/// The lint of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RecordLint {
    /// Each with `domain`, `record_span` and `fix` (see docs/report.md).
    pub findings: Vec<Finding>,
    /// The record to publish instead, when a fix changes it; `null` when nothing to change.
    pub fixed_record: Option<String>,
}

fn finding(
    domain: &str,
    severity: Severity,
    code: &'static str,
    message: String,
    rfc: &'static str,
    record_span: Option<Span>,
    fix: Option<&str>,
) -> Finding {
    let mut finding = Finding::new(severity, code, message)
        .with_rfc(rfc)
        .about_record(domain);
    finding.record_span = record_span;
    finding.fix = fix.map(str::to_string);
    finding
}

/// Lints the record `text` published at `_dmarc.<domain>`.
pub fn lint_record(domain: &str, text: &str) -> RecordLint {
    let record = match parse_record(text) {
        Ok(record) => record,
        Err(error) => {
            let (code, fix) = match error.kind {
                ParseErrorKind::WrongVersion => (
                    "dmarc.wrong-version",
                    "Write the version exactly as v=DMARC1 (upper case).",
                ),
                _ if crate::find::contains(&text.to_ascii_lowercase(), "v=dmarc1") => (
                    "dmarc.version-not-first",
                    "Move v=DMARC1 to the very start of the record: receivers discard records \
                     that do not begin with it.",
                ),
                _ => ("dmarc.no-version", "Begin the record with v=DMARC1."),
            };
            return RecordLint {
                findings: vec![finding(
                    domain,
                    Severity::Error,
                    code,
                    format!("Not a DMARC record: {}.", error.message),
                    RFC_RECORD,
                    Some(error.record_span),
                    Some(fix),
                )],
                fixed_record: None,
            };
        }
    };
    let findings = lint_parsed(domain, &record);
    // Only the fixes that the record itself can take: `dmarc.no-rua` needs the owner's mailbox
    // and `dmarc.policy-none` a decision, so they do not make a corrected record.
    let changes = findings
        .iter()
        .any(|finding| REWRITING.contains(&finding.code));
    RecordLint {
        findings,
        fixed_record: changes.then(|| fixed_record(&record)),
    }
}

/// The findings whose fix [`fixed_record`] applies.
const REWRITING: [&str; 10] = [
    "dmarc.invalid-value",
    "dmarc.duplicate-tag",
    "dmarc.malformed-tag",
    "dmarc.unknown-tag",
    "dmarc.version-repeated",
    "dmarc.obsolete-tag",
    "dmarc.tag-case",
    "dmarc.no-policy",
    "dmarc.bad-uri",
    "dmarc.uri-size-limit",
];

pub(crate) fn lint_parsed(domain: &str, record: &Record) -> Vec<Finding> {
    let mut findings = Vec::new();
    for problem in &record.problems {
        let (code, fix) = match problem.kind {
            TagProblemKind::DuplicateTag => ("dmarc.duplicate-tag", "Remove the repeated tag."),
            TagProblemKind::MissingEquals => {
                ("dmarc.malformed-tag", "Write each tag as name=value.")
            }
            _ => (
                "dmarc.invalid-value",
                "Use one of the values the tag allows.",
            ),
        };
        findings.push(finding(
            domain,
            Severity::Error,
            code,
            problem.message.clone(),
            RFC_RECORD,
            Some(problem.record_span),
            Some(fix),
        ));
    }
    for tag in record.tags.iter().skip(1) {
        let lower = tag.name.to_ascii_lowercase();
        if !tag.known {
            findings.push(finding(
                domain,
                Severity::Warning,
                "dmarc.unknown-tag",
                format!("{}= is not a DMARC tag; receivers ignore it.", tag.name),
                RFC_RECORD,
                Some(tag.record_span),
                Some("Remove it, or correct its spelling."),
            ));
        } else if lower == "v" {
            findings.push(finding(
                domain,
                Severity::Warning,
                "dmarc.version-repeated",
                "v= appears again after the start of the record.".into(),
                RFC_RECORD,
                Some(tag.record_span),
                Some("Remove the second v= tag."),
            ));
        } else if OBSOLETE_TAGS.contains(&lower.as_str()) {
            let fix = if lower == "pct" {
                "Remove pct=; to test a policy without full effect, use t=y instead."
            } else {
                "Remove it: RFC 9989 dropped it and receivers ignore it."
            };
            findings.push(finding(
                domain,
                Severity::Info,
                "dmarc.obsolete-tag",
                format!(
                    "{}= is from RFC 7489 and was removed by RFC 9989.",
                    tag.name
                ),
                RFC_OBSOLETE,
                Some(tag.record_span),
                Some(fix),
            ));
        } else if tag.name != lower {
            findings.push(finding(
                domain,
                Severity::Warning,
                "dmarc.tag-case",
                format!(
                    "{}= is written in upper case; tag names are lower case.",
                    tag.name
                ),
                RFC_RECORD,
                Some(tag.record_span),
                Some("Write the tag name in lower case."),
            ));
        }
    }
    match &record.policy {
        None => findings.push(finding(
            domain,
            Severity::Error,
            "dmarc.no-policy",
            if record.has_valid_rua() {
                "The record has no valid p= tag; with a valid rua= receivers act as if it said \
                 p=none."
                    .into()
            } else {
                "The record has no valid p= tag and no valid rua=: receivers apply no DMARC \
                 processing."
                    .into()
            },
            RFC_RECORD,
            None,
            Some("Add p=none to start monitoring, then move to quarantine or reject."),
        )),
        Some(policy) if policy.value == Policy::None => findings.push(finding(
            domain,
            Severity::Warning,
            "dmarc.policy-none",
            "p=none only monitors: mail that fails DMARC is delivered as usual, so the domain is \
             not protected against spoofing."
                .into(),
            RFC_MONITOR,
            Some(policy.record_span),
            Some("When the aggregate reports show your mail passes, move to p=quarantine, then p=reject."),
        )),
        Some(_) => {}
    }
    if record.aggregate_uris.is_empty() {
        findings.push(finding(
            domain,
            Severity::Warning,
            "dmarc.no-rua",
            "The record has no rua=: nobody receives aggregate reports, so failures go unseen."
                .into(),
            RFC_RECORD,
            None,
            Some("Add rua=mailto:dmarc-reports@ and a mailbox of yours."),
        ));
    }
    for uri in record.aggregate_uris.iter().chain(&record.failure_uris) {
        if let Some(problem) = &uri.problem {
            findings.push(finding(
                domain,
                Severity::Error,
                "dmarc.bad-uri",
                format!("\"{}\" cannot receive reports: {problem}.", uri.uri),
                RFC_RECORD,
                Some(uri.record_span),
                Some("Use a mailto: URI with a full address, e.g. mailto:dmarc@example.com."),
            ));
        } else if uri.max_size.is_some() {
            findings.push(finding(
                domain,
                Severity::Info,
                "dmarc.uri-size-limit",
                format!(
                    "The !size suffix of \"{}\" is from RFC 7489; RFC 9989 dropped it.",
                    uri.uri
                ),
                RFC_OBSOLETE,
                Some(uri.record_span),
                Some("Remove the !size suffix."),
            ));
        }
    }
    if let Some(testing) = record.testing.as_ref().filter(|t| t.value) {
        findings.push(finding(
            domain,
            Severity::Info,
            "dmarc.testing",
            "t=y: the policy is in test mode, receivers apply one level less (reject as \
             quarantine, quarantine as none)."
                .into(),
            RFC_RECORD,
            Some(testing.record_span),
            Some("Remove t=y when the policy is ready to take full effect."),
        ));
    }
    findings
}

/// The record with the fixes applied: tags in the RFC's order, invalid, unknown and obsolete
/// tags removed, unusable URIs dropped, `p=none` added when there is no valid `p=`, `t=y` in
/// place of a `pct=` below 100.
pub fn fixed_record(record: &Record) -> String {
    let mut tags = vec!["v=DMARC1".to_string()];
    let policy = record.policy.as_ref().map_or(Policy::None, |p| p.value);
    tags.push(format!("p={}", policy.word()));
    if let Some(sp) = &record.subdomain_policy {
        tags.push(format!("sp={}", sp.value.word()));
    }
    if let Some(np) = &record.nonexistent_policy {
        tags.push(format!("np={}", np.value.word()));
    }
    if let Some(psd) = &record.public_suffix_domain {
        tags.push(
            match psd.value {
                Psd::Yes => "psd=y",
                Psd::No => "psd=n",
                Psd::Unknown => "psd=u",
            }
            .to_string(),
        );
    }
    let sampled = record.percent.as_ref().is_some_and(|p| p.value < 100);
    if record.testing.as_ref().is_some_and(|t| t.value) || sampled {
        tags.push("t=y".to_string());
    }
    let mode = |mode: AlignmentMode| match mode {
        AlignmentMode::Relaxed => "r",
        AlignmentMode::Strict => "s",
    };
    if let Some(adkim) = &record.dkim_alignment {
        tags.push(format!("adkim={}", mode(adkim.value)));
    }
    if let Some(aspf) = &record.spf_alignment {
        tags.push(format!("aspf={}", mode(aspf.value)));
    }
    let uris = |list: &[super::ReportUri]| -> Vec<String> {
        list.iter()
            .filter(|u| u.valid)
            .map(|u| u.uri.clone())
            .collect()
    };
    let rua = uris(&record.aggregate_uris);
    if !rua.is_empty() {
        tags.push(format!("rua={}", rua.join(",")));
    }
    let ruf = uris(&record.failure_uris);
    if !ruf.is_empty() {
        tags.push(format!("ruf={}", ruf.join(",")));
    }
    if let Some(fo) = &record.failure_options {
        let words: Vec<&str> = fo
            .value
            .iter()
            .map(|option| match option {
                FailureOption::AllFail => "0",
                FailureOption::AnyFail => "1",
                FailureOption::DkimFail => "d",
                FailureOption::SpfFail => "s",
            })
            .collect();
        tags.push(format!("fo={}", words.join(":")));
    }
    tags.join("; ")
}
