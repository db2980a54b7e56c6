//! The MTA-STS policy file (RFC 8461 §3.2): `key: value` lines, and the MX pattern matching of
//! §4.1.
//!
//! ```text
//! sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP)
//!                     [sts-policy-term]
//! sts-policy-term   = LF / CRLF
//! sts-policy-field-delim = ":" *WSP
//! ```
//!
//! Field names are case-sensitive (`%s"mode"`). "If any non-repeated field -- i.e., all fields
//! excluding "mx" -- is duplicated, all entries except for the first SHOULD be ignored", and
//! unknown fields are ignored.

use serde::Serialize;

use super::super::tags::is_field_name;
use super::super::{finding, too_long};
use crate::report::{quoted, Finding, Severity, Span};

const RFC_POLICY: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-3.2";
const RFC_MX: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-4.1";

/// The largest `max_age` (RFC 8461 §3.2: "maximum value of 31557600", a year).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
/// A day: below this a policy is refetched so often that an attacker at refresh time has many
/// chances; the RFC expects "weeks or greater".
pub const MAX_AGE_DAY: u64 = 86_400;
/// A week.
pub const MAX_AGE_WEEK: u64 = 604_800;

/// `mode:`: what a sender does when an MX host fails validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StsMode {
    /// Do not deliver to an MX host that fails validation.
    Enforce,
    /// Deliver anyway, and report the failure (TLS-RPT).
    Testing,
    /// No policy: senders stop applying a cached one.
    None,
}

impl StsMode {
    pub fn word(self) -> &'static str {
        match self {
            StsMode::Enforce => "enforce",
            StsMode::Testing => "testing",
            StsMode::None => "none",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        [StsMode::Enforce, StsMode::Testing, StsMode::None]
            .into_iter()
            .find(|mode| mode.word() == word)
    }
}

/// How the policy's lines end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LineEnding {
    Lf,
    Crlf,
    /// Some lines end in LF, others in CRLF (allowed, but a sign of hand editing).
    Mixed,
    /// A single line without a terminator.
    None,
}

/// One `key: value` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PolicyField {
    /// As written.
    pub key: String,
    /// As written, without white space around it.
    pub value: String,
    /// The line's number, from 1.
    pub line: usize,
    /// The whole line without its terminator, in the policy's text.
    pub record_span: Span,
    pub value_span: Span,
}

/// One `mx:` pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MxPattern {
    /// As written.
    pub pattern: String,
    /// `*.` in front: matches one label in its place (§4.1).
    pub wildcard: bool,
    /// `["*."] Domain`; an invalid pattern matches nothing.
    pub valid: bool,
    pub record_span: Span,
}

/// The policy file, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StsPolicy {
    /// `version:` (only `STSv1` exists); `null` when absent.
    pub version: Option<String>,
    /// `mode:`; `null` when absent or not one of the three words.
    pub mode: Option<StsMode>,
    /// `max_age:` in seconds; `null` when absent or invalid.
    pub max_age: Option<u64>,
    /// Every `mx:` line, in order.
    pub mx: Vec<MxPattern>,
    /// Every line that reads as `key: value`, in order (known and unknown keys).
    pub fields: Vec<PolicyField>,
    pub line_ending: LineEnding,
}

/// Whether one of the domain's MX hosts is covered by the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MxCheck {
    /// The MX host, as given.
    pub host: String,
    /// The first pattern that matches it; `null` when none does.
    pub matched_by: Option<String>,
}

/// The lint of a policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsPolicyReport {
    /// What could be read; `null` when the text is empty or too large to be a policy.
    pub policy: Option<StsPolicy>,
    /// Whether a sender would apply the policy: the required fields are there and valid.
    pub valid: bool,
    /// One per MX host given; `[]` when none were.
    pub mx_checks: Vec<MxCheck>,
    pub findings: Vec<Finding>,
    /// The policy to publish instead, when a fix changes it; `null` when nothing to change.
    pub fixed_policy: Option<String>,
}

/// Whether the MX host `host` matches the policy's `mx:` pattern `pattern` (RFC 8461 §4.1):
/// names compare without case and without a trailing dot, and `*.` stands for exactly one whole
/// left-most label ("`*.example.com` matches `mail.example.com` but not `example.com` or
/// `foo.bar.example.com`").
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

/// `sts-policy-mx-value = ["*."] Domain`, `Domain = sub-domain *("." sub-domain)` (RFC 5321).
fn is_mx_pattern(pattern: &str) -> bool {
    let domain = pattern.strip_prefix("*.").unwrap_or(pattern);
    domain.len() <= 253
        && !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The policy as a sender applies it, or the findings that make senders treat the domain as
/// having no policy.
pub fn parse_policy(text: &str) -> Result<StsPolicy, Vec<Finding>> {
    let report = lint_policy(text, None);
    match report.policy {
        Some(policy) if report.valid => Ok(policy),
        _ => Err(report
            .findings
            .into_iter()
            .filter(|finding| finding.severity == Severity::Error)
            .collect()),
    }
}

/// One line of the text: where it is and how it ends.
struct Line<'a> {
    text: &'a str,
    start: usize,
    crlf: bool,
    terminated: bool,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = text.get(start..).unwrap_or("");
        let (body, terminated) = match rest.find('\n') {
            Some(end) => (rest.get(..end).unwrap_or(""), true),
            None => (rest, false),
        };
        let crlf = terminated && body.ends_with('\r');
        let trimmed = if crlf {
            body.get(..body.len() - 1).unwrap_or("")
        } else {
            body
        };
        lines.push(Line {
            text: trimmed,
            start,
            crlf,
            terminated,
        });
        start += body.len() + usize::from(terminated);
    }
    lines
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Lints the policy file `text`. With `mx_hosts` (the domain's MX hosts), checks that each is
/// covered by an `mx:` pattern: in `enforce` mode an uncovered host cannot receive mail from
/// senders that apply the policy.
pub fn lint_policy(text: &str, mx_hosts: Option<&[String]>) -> MtaStsPolicyReport {
    let mut findings = Vec::new();
    let empty = |findings| MtaStsPolicyReport {
        policy: None,
        valid: false,
        mx_checks: Vec::new(),
        findings,
        fixed_policy: None,
    };
    if text.len() > super::MAX_POLICY_BYTES {
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.too-large",
            format!(
                "The policy is {} bytes long; senders stop reading at {} (a policy is a few lines).",
                text.len(),
                super::MAX_POLICY_BYTES
            ),
            RFC_POLICY,
            None,
            None,
        ));
        return empty(findings);
    }
    if let Some(finding) = too_long(text, "mta-sts-policy.too-large", RFC_POLICY) {
        return empty(vec![finding]);
    }
    if text.trim().is_empty() {
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.empty",
            "The policy is empty.",
            RFC_POLICY,
            None,
            Some(super::super::generate::mta_sts_policy(
                StsMode::Testing,
                &[],
                MAX_AGE_WEEK,
            )),
        ));
        return empty(findings);
    }
    let lines = lines(text);
    let mut policy = StsPolicy {
        version: None,
        mode: None,
        max_age: None,
        mx: Vec::new(),
        fields: Vec::new(),
        line_ending: match (
            lines.iter().any(|line| line.crlf),
            lines.iter().any(|line| line.terminated && !line.crlf),
        ) {
            (true, true) => LineEnding::Mixed,
            (true, false) => LineEnding::Crlf,
            (false, true) => LineEnding::Lf,
            (false, false) => LineEnding::None,
        },
    };
    if policy.line_ending == LineEnding::Mixed {
        findings.push(finding(
            Severity::Info,
            "mta-sts-policy.mixed-line-endings",
            "Some lines end in CRLF and others in LF; both are allowed, but not every parser \
             takes a mix.",
            RFC_POLICY,
            None,
            None,
        ));
    }
    let last_content = lines.iter().rposition(|line| !line.text.trim().is_empty());
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        let span = Span::new(line.start, line.start + line.text.len());
        if line.text.trim_matches(is_wsp).is_empty() {
            if last_content.is_some_and(|last| index < last) || !line.text.is_empty() {
                findings.push(finding(
                    Severity::Warning,
                    "mta-sts-policy.blank-line",
                    format!(
                        "Line {number} is blank; the grammar has no blank lines between fields."
                    ),
                    RFC_POLICY,
                    Some(span),
                    None,
                ));
            }
            continue;
        }
        read_line(&mut policy, &mut findings, line, number, span);
    }
    let fixed = required_fields(&policy, &mut findings);
    let mut mx_checks = Vec::new();
    let mut uncovered = Vec::new();
    for host in mx_hosts.unwrap_or(&[]) {
        let matched_by = policy
            .mx
            .iter()
            .filter(|pattern| pattern.valid)
            .find(|pattern| mx_matches(&pattern.pattern, host))
            .map(|pattern| pattern.pattern.clone());
        if matched_by.is_none() {
            uncovered.push(host.trim_end_matches('.').to_ascii_lowercase());
        }
        mx_checks.push(MxCheck {
            host: host.clone(),
            matched_by,
        });
    }
    let mut fixed_text = fixed.then(|| fixed_policy(&policy, &[]));
    if !uncovered.is_empty() {
        let (severity, consequence) = match policy.mode {
            Some(StsMode::Enforce) => (
                Severity::Error,
                "senders that apply the policy will not deliver to it",
            ),
            Some(StsMode::Testing) => (
                Severity::Warning,
                "in enforce mode senders would not deliver to it; now they report it",
            ),
            _ => (Severity::Info, "it would fail validation in another mode"),
        };
        let fixed = fixed_policy(&policy, &uncovered);
        for host in &uncovered {
            findings.push(finding(
                severity,
                "mta-sts-policy.mx-not-covered",
                format!("The MX host {host} matches no mx: pattern of the policy: {consequence}."),
                RFC_MX,
                None,
                Some(fixed.clone()),
            ));
        }
        fixed_text = Some(fixed);
    }
    let valid = policy_usable(&policy);
    MtaStsPolicyReport {
        valid,
        policy: Some(policy),
        mx_checks,
        findings,
        fixed_policy: fixed_text,
    }
}

/// Whether a sender would apply the policy whatever else is wrong in it: version, mode and
/// max_age read, and an mx pattern unless the mode is none. (A finding about an MX host the
/// policy does not cover is an error for the domain, not a reason to ignore the policy.)
fn policy_usable(policy: &StsPolicy) -> bool {
    policy.version.as_deref() == Some("STSv1")
        && policy.mode.is_some()
        && policy.max_age.is_some()
        && (policy.mode == Some(StsMode::None) || policy.mx.iter().any(|mx| mx.valid))
}

/// Reads one non-blank line into the policy.
fn read_line(
    policy: &mut StsPolicy,
    findings: &mut Vec<Finding>,
    line: &Line<'_>,
    number: usize,
    span: Span,
) {
    let Some(colon) = line.text.find(':') else {
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.malformed-line",
            format!(
                "Line {number} is not \"key: value\": {}.",
                quoted(line.text)
            ),
            RFC_POLICY,
            Some(span),
            None,
        ));
        return;
    };
    let key = line.text.get(..colon).unwrap_or("");
    let raw = line.text.get(colon + 1..).unwrap_or("");
    let leading = raw.len() - raw.trim_start_matches(is_wsp).len();
    let value = raw.trim_matches(is_wsp);
    let value_start = span.start + colon + 1 + leading;
    let value_span = Span::new(value_start, value_start + value.len());
    let known = ["version", "mode", "max_age", "mx"];
    if !is_field_name(key) {
        let hint = known
            .iter()
            .find(|name| key.trim().eq_ignore_ascii_case(name))
            .map_or(String::new(), |name| {
                format!(" Write it \"{name}:\", lower case, with nothing before the colon.")
            });
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.malformed-line",
            format!("Line {number}: {} is not a key.{hint}", quoted(key)),
            RFC_POLICY,
            Some(span),
            None,
        ));
        return;
    }
    let repeated = key != "mx" && policy.fields.iter().any(|field| field.key == key);
    policy.fields.push(PolicyField {
        key: key.to_string(),
        value: value.to_string(),
        line: number,
        record_span: span,
        value_span,
    });
    if repeated {
        findings.push(finding(
            Severity::Warning,
            "mta-sts-policy.duplicate-field",
            format!("Line {number}: {key}: appears again; senders use the first one."),
            RFC_POLICY,
            Some(span),
            None,
        ));
        return;
    }
    let invalid = |what: String| {
        finding(
            Severity::Error,
            "mta-sts-policy.invalid-value",
            format!("Line {number}: {what}"),
            RFC_POLICY,
            Some(value_span),
            None,
        )
    };
    match key {
        "version" => {
            if value == "STSv1" {
                policy.version = Some(value.to_string());
            } else {
                findings.push(invalid(format!(
                    "the version is {}; it must be exactly STSv1.",
                    quoted(value)
                )));
            }
        }
        "mode" => match StsMode::from_word(value) {
            Some(mode) => policy.mode = Some(mode),
            None => findings.push(invalid(format!(
                "mode {} is not enforce, testing or none (lower case).",
                quoted(value)
            ))),
        },
        "max_age" => read_max_age(policy, findings, value, number, value_span),
        "mx" => {
            let valid = is_mx_pattern(value);
            if !valid {
                findings.push(finding(
                    Severity::Error,
                    "mta-sts-policy.invalid-mx",
                    format!(
                        "Line {number}: {} is not a host name or a \"*.\" pattern; it matches \
                         nothing.",
                        quoted(value)
                    ),
                    RFC_MX,
                    Some(value_span),
                    None,
                ));
            }
            policy.mx.push(MxPattern {
                pattern: value.to_string(),
                wildcard: value.starts_with("*."),
                valid,
                record_span: value_span,
            });
        }
        _ => {
            let hint = known
                .iter()
                .find(|name| {
                    key.to_ascii_lowercase().replace(['-', '_'], "") == name.replace('_', "")
                })
                .map_or(String::new(), |name| format!(" Did you mean \"{name}:\"?"));
            let severity = if hint.is_empty() {
                Severity::Info
            } else {
                Severity::Warning
            };
            findings.push(finding(
                severity,
                "mta-sts-policy.unknown-field",
                format!("Line {number}: {key}: is not a field RFC 8461 defines; senders ignore it.{hint}"),
                RFC_POLICY,
                Some(span),
                None,
            ));
        }
    }
}

/// `sts-policy-max-age-value = 1*10(DIGIT)`, at most [`MAX_AGE_LIMIT`].
fn read_max_age(
    policy: &mut StsPolicy,
    findings: &mut Vec<Finding>,
    value: &str,
    number: usize,
    value_span: Span,
) {
    let seconds =
        (!value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit()))
            .then(|| value.parse::<u64>().ok())
            .flatten()
            .filter(|seconds| *seconds <= MAX_AGE_LIMIT);
    let Some(seconds) = seconds else {
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.invalid-value",
            format!(
                "Line {number}: max_age {} is not a number of seconds from 0 to {MAX_AGE_LIMIT}.",
                quoted(value)
            ),
            RFC_POLICY,
            Some(value_span),
            None,
        ));
        return;
    };
    policy.max_age = Some(seconds);
    let advice = if seconds < MAX_AGE_DAY {
        Some((Severity::Warning, "less than a day"))
    } else if seconds < MAX_AGE_WEEK {
        Some((Severity::Info, "less than a week"))
    } else {
        None
    };
    if let Some((severity, how_short)) = advice {
        findings.push(finding(
            severity,
            "mta-sts-policy.short-max-age",
            format!(
                "max_age {seconds} is {how_short}: senders refetch the policy that often, and an \
                 attacker who blocks the refetch needs only wait for it to expire. RFC 8461 \
                 expects weeks or more; 604800 (a week) at least, 86400 at the very least while \
                 testing."
            ),
            RFC_POLICY,
            Some(value_span),
            Some(format!("max_age: {MAX_AGE_WEEK}")),
        ));
    }
}

/// Findings for absent required fields; whether a fixed policy can be written from the rest.
fn required_fields(policy: &StsPolicy, findings: &mut Vec<Finding>) -> bool {
    let mut fixable = false;
    let mut missing = |field: &str, why: &str, fix: &str| {
        findings.push(finding(
            Severity::Error,
            "mta-sts-policy.missing-field",
            format!("The policy has no valid {field}: line; {why}"),
            RFC_POLICY,
            None,
            Some(fix.to_string()),
        ));
    };
    if policy.version.is_none() {
        missing("version", "senders ignore it.", "version: STSv1");
        fixable = true;
    }
    if policy.mode.is_none() {
        missing(
            "mode",
            "senders ignore it.",
            "mode: testing (then enforce once TLS-RPT reports show no failures)",
        );
    }
    if policy.max_age.is_none() {
        missing("max_age", "senders ignore it.", "max_age: 604800");
        fixable = true;
    }
    if policy.mode != Some(StsMode::None) && !policy.mx.iter().any(|mx| mx.valid) {
        missing(
            "mx",
            "no MX host can be validated, so in enforce mode no mail is delivered.",
            "mx: followed by each MX host name (or a *.example.com pattern)",
        );
    }
    fixable
        || findings.iter().any(|finding| {
            matches!(
                finding.code,
                "mta-sts-policy.duplicate-field"
                    | "mta-sts-policy.short-max-age"
                    | "mta-sts-policy.invalid-mx"
                    | "mta-sts-policy.unknown-field"
                    | "mta-sts-policy.blank-line"
            ) && finding.severity != Severity::Info
        })
}

/// The policy with its fixes applied: the fields in the usual order, `version: STSv1`,
/// the mode as read (`testing` when unreadable), the valid `mx:` patterns, then `max_age` at least
/// a week, with CRLF line ends as RFC 8461's examples use.
fn fixed_policy(policy: &StsPolicy, extra_hosts: &[String]) -> String {
    let mut hosts: Vec<String> = policy
        .mx
        .iter()
        .filter(|mx| mx.valid)
        .map(|mx| mx.pattern.clone())
        .collect();
    for host in extra_hosts {
        if !hosts.iter().any(|known| known.eq_ignore_ascii_case(host)) {
            hosts.push(host.clone());
        }
    }
    super::super::generate::mta_sts_policy(
        policy.mode.unwrap_or(StsMode::Testing),
        &hosts,
        policy.max_age.unwrap_or(MAX_AGE_WEEK).max(MAX_AGE_WEEK),
    )
}
