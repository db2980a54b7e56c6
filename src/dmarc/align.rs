//! Identifier alignment and the policy that applies: pure decisions over what discovery found
//! (RFC 9989 §4.4, §4.8; RFC 7489 §3.1, §6.6).

use crate::auth_results::{Method, ResultWord};
use serde::Serialize;

use super::{AlignmentMode, Disposition, DmarcResult, Policy, Record, TagProblemKind};
use crate::dkim::{DkimReport, DkimResult};
use crate::message::{Mailbox, Summary};
use crate::org_domain::{to_ascii, NameError};
use crate::report::{Finding, Severity, Span};
use crate::spf::{MessageSpf, SpfResult};

const RFC_AUTHOR: &str = "https://www.rfc-editor.org/rfc/rfc9989#section-4.4";
const RFC_FROM_COUNT: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6";

/// The From field(s) as intake read them: the caller passes what it has, DMARC decides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FromInput {
    /// How many From fields the header has (RFC 5322 §3.6 allows exactly one).
    pub field_count: usize,
    /// The mailboxes of the topmost From field; `address` is `None` for a group or a display
    /// name without an address.
    pub mailboxes: Vec<Mailbox>,
    /// The topmost From field in the message, when known.
    pub span: Option<Span>,
}

impl FromInput {
    /// From intake's summary (which decodes the topmost From field) and the number of From
    /// fields in the header.
    pub fn from_summary(summary: &Summary, field_count: usize) -> Self {
        FromInput {
            field_count,
            mailboxes: summary.from.clone(),
            span: None,
        }
    }

    /// A single address, for tests and for callers that have only that.
    pub fn address(address: &str) -> Self {
        FromInput {
            field_count: 1,
            mailboxes: vec![Mailbox {
                name: None,
                address: Some(address.to_string()),
            }],
            span: None,
        }
    }
}

/// The SPF side of alignment: the result of the SPF check and the domain it authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfInput {
    pub result: SpfResult,
    /// The MAIL FROM domain, or the HELO name when MAIL FROM was empty; `None` when neither.
    pub domain: Option<String>,
    /// Whether `domain` is the HELO name (MAIL FROM empty).
    pub from_helo: bool,
}

impl SpfInput {
    /// From the SPF part of a message report. `MessageSpf.domain` is already the MAIL FROM
    /// domain, or the HELO name when MAIL FROM was empty (checked as `postmaster@HELO`).
    pub fn from_message_spf(spf: &MessageSpf) -> Self {
        let from_helo = spf.mail_from.as_ref().is_some_and(|report| {
            report.helo.as_deref() == Some(report.domain.as_str())
                && report.sender == format!("postmaster@{}", report.domain)
        });
        SpfInput {
            result: spf.result,
            domain: spf.domain.clone(),
            from_helo,
        }
    }
}

/// One DKIM signature's side of alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimInput {
    pub result: DkimResult,
    /// `d=`
    pub domain: String,
    pub selector: String,
}

impl DkimInput {
    pub fn from_reports(reports: &[DkimReport]) -> Vec<Self> {
        reports
            .iter()
            .map(|report| DkimInput {
                result: report.result,
                domain: report.domain.clone(),
                selector: report.selector.clone(),
            })
            .collect()
    }
}

/// The author domain, or why there is not exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorDomain {
    /// One domain, canonical (lower-case A-labels).
    One(String),
    /// No domain to evaluate: the finding says why.
    Unusable(Finding),
}

/// RFC 9989 §4.4: the author domain of the From field. Never a guess: no From, several From
/// fields, a group without addresses, or several different domains give a finding and no
/// domain. Several addresses of one domain are that domain (with a note).
pub fn author_domain(from: &FromInput) -> (AuthorDomain, Vec<Finding>) {
    let mut notes = Vec::new();
    let unusable = |code, message: String| {
        let mut finding = Finding::new(Severity::Error, code, message).with_rfc(RFC_AUTHOR);
        if let Some(span) = from.span {
            finding = finding.with_span(span);
        }
        (AuthorDomain::Unusable(finding), Vec::new())
    };
    if from.field_count == 0 {
        return unusable(
            "dmarc.no-from",
            "The message has no From field, so there is no author domain to evaluate.".into(),
        );
    }
    if from.field_count > 1 {
        return unusable(
            "dmarc.several-from-fields",
            format!(
                "The message has {} From fields; RFC 5322 allows one, and receivers commonly \
                 reject such messages rather than choose one.",
                from.field_count
            ),
        );
    }
    let addresses: Vec<&str> = from
        .mailboxes
        .iter()
        .filter_map(|mailbox| mailbox.address.as_deref())
        .collect();
    if addresses.is_empty() {
        return unusable(
            "dmarc.from-without-address",
            "The From field has no address (a group such as \"undisclosed-recipients:;\" or a \
             name alone), so there is no author domain."
                .into(),
        );
    }
    let mut domains: Vec<String> = Vec::new();
    for address in &addresses {
        let Some((_, domain)) = address.rsplit_once('@') else {
            return unusable(
                "dmarc.from-without-domain",
                format!("The From address \"{address}\" has no domain."),
            );
        };
        let domain = domain.trim_start_matches('[').trim_end_matches(']');
        let canonical = match to_ascii(domain) {
            Ok(canonical) => canonical,
            Err(NameError::AddressLiteral) => {
                return unusable(
                    "dmarc.from-address-literal",
                    format!("The From address \"{address}\" has an address literal, not a domain."),
                )
            }
            Err(error) => {
                return unusable(
                    "dmarc.from-invalid-domain",
                    format!("The From domain \"{domain}\" cannot be evaluated: {error}."),
                )
            }
        };
        if !domain.is_ascii() {
            notes.push(
                Finding::new(
                    Severity::Info,
                    "dmarc.from-u-label",
                    format!(
                        "The From domain \"{domain}\" is written in Unicode; DMARC compares it \
                         as its A-label form \"{canonical}\"."
                    ),
                )
                .with_rfc("https://www.rfc-editor.org/rfc/rfc5890#section-2.3.2.1"),
            );
        }
        if !domains.contains(&canonical) {
            domains.push(canonical);
        }
    }
    if domains.len() == 1 {
        if let Some(one) = domains.pop() {
            if addresses.len() > 1 {
                notes.push(
                    Finding::new(
                        Severity::Warning,
                        "dmarc.several-from-addresses",
                        format!(
                            "The From field has {} addresses, all at {one}: that domain is \
                             evaluated once.",
                            addresses.len()
                        ),
                    )
                    .with_rfc(RFC_FROM_COUNT),
                );
            }
            return (AuthorDomain::One(one), notes);
        }
    }
    unusable(
        "dmarc.several-author-domains",
        format!(
            "The From field has addresses at several domains ({}); RFC 9989 leaves the choice \
                 to the receiver, so mailspect does not pick one. Many receivers reject such mail.",
            domains.join(", ")
        ),
    )
}

/// Alignment of one identifier (RFC 9989 §4.4 and the definitions of RFC 9989 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum AlignmentResult {
    /// The mechanism passed with an aligned identifier.
    Pass,
    /// Nothing aligned passed.
    Fail,
    /// The mechanism gave no identifier (no SPF domain, no DKIM signature).
    None,
    Temperror,
    Permerror,
}

/// The alignment of one authenticated identifier with the author domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AlignmentCheck {
    /// `spf` or `dkim`.
    pub mechanism: Method,
    /// The identifier: the SPF domain, or the DKIM `d=`; `null` when none.
    pub identifier: Option<String>,
    /// `s=` of the signature, for DKIM; `null` for SPF.
    pub selector: Option<String>,
    /// The mechanism's own result (`pass`, `fail`, …).
    pub mechanism_result: ResultWord,
    pub mode: AlignmentMode,
    /// The identifier's organisational domain (RFC 9989 tree walk), for relaxed mode.
    pub org_domain: Option<String>,
    /// Whether the identifier is aligned, as a name, whatever the mechanism's result.
    pub aligned: bool,
    pub result: AlignmentResult,
    pub reason: String,
}

impl AlignmentCheck {
    /// A check of `identifier` in `mode` before alignment is decided: an SPF check until the
    /// caller says otherwise.
    fn unchecked(identifier: Option<&str>, mode: AlignmentMode) -> Self {
        AlignmentCheck {
            mechanism: Method::Spf,
            identifier: identifier.map(str::to_string),
            selector: None,
            mechanism_result: ResultWord::None,
            mode,
            org_domain: None,
            aligned: false,
            result: AlignmentResult::None,
            reason: String::new(),
        }
    }

    /// Decides whether `identifier` aligns with `author` in the check's mode, noting the
    /// identifier's organisational domain for relaxed mode.
    fn align(
        &mut self,
        identifier: &str,
        author: &str,
        org_of: OrgLookup<'_>,
    ) -> Result<bool, Undetermined> {
        if self.mode == AlignmentMode::Relaxed {
            self.org_domain = org_of(identifier).ok().map(str::to_string);
        }
        let aligned = names_aligned(self.mode, author, identifier, org_of);
        self.aligned = aligned == Ok(true);
        aligned
    }
}

/// An organisational domain left undetermined by a temporary DNS failure in its tree walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undetermined;

/// Organisational domains as discovery found them, borrowed from where they are kept.
pub type OrgLookup<'a> = &'a dyn Fn(&str) -> Result<&'a str, Undetermined>;

/// Whether `identifier` is aligned with `author` in `mode`: strict needs the same name,
/// relaxed the same organisational domain. `Err(Undetermined)` when an organisational domain is
/// undetermined.
pub fn names_aligned(
    mode: AlignmentMode,
    author: &str,
    identifier: &str,
    org_of: OrgLookup<'_>,
) -> Result<bool, Undetermined> {
    if author == identifier {
        return Ok(true);
    }
    match mode {
        AlignmentMode::Strict => Ok(false),
        AlignmentMode::Relaxed => Ok(org_of(author)? == org_of(identifier)?),
    }
}

/// SPF alignment (RFC 9989 §4.4.2).
pub fn spf_alignment(
    spf: &SpfInput,
    mode: AlignmentMode,
    author: &str,
    org_of: OrgLookup<'_>,
) -> AlignmentCheck {
    let identifier = spf
        .domain
        .as_deref()
        .and_then(|domain| to_ascii(domain).ok());
    spf_check(spf, identifier.as_deref(), mode, author, org_of)
}

/// [`spf_alignment`] with the SPF domain already canonical (`None` when it has none or it is
/// not a domain name).
pub(crate) fn spf_check(
    spf: &SpfInput,
    identifier: Option<&str>,
    mode: AlignmentMode,
    author: &str,
    org_of: OrgLookup<'_>,
) -> AlignmentCheck {
    let mut check = AlignmentCheck {
        mechanism: Method::Spf,
        selector: None,
        mechanism_result: ResultWord::from(spf.result),
        result: AlignmentResult::None,
        ..AlignmentCheck::unchecked(identifier, mode)
    };
    let which = if spf.from_helo {
        "HELO name"
    } else {
        "MAIL FROM domain"
    };
    let Some(identifier) = identifier else {
        check.reason = "SPF gave no domain to align (no MAIL FROM and no HELO name).".into();
        return check;
    };
    let aligned = check.align(identifier, author, org_of);
    (check.result, check.reason) = match (spf.result, aligned) {
        (SpfResult::Pass, Ok(true)) => (
            AlignmentResult::Pass,
            format!("SPF passed for the {which} {identifier}, which aligns with {author}."),
        ),
        (SpfResult::Pass, Ok(false)) => (
            AlignmentResult::Fail,
            format!(
                "SPF passed for the {which} {identifier}, which does not align with {author} \
                 ({} alignment).",
                mode_word(mode)
            ),
        ),
        (SpfResult::Pass, Err(Undetermined)) => (
            AlignmentResult::Temperror,
            "SPF passed, but a DNS failure left an organisational domain undetermined.".into(),
        ),
        (SpfResult::Temperror, _) => (
            AlignmentResult::Temperror,
            "SPF could not be evaluated (temporary DNS failure).".into(),
        ),
        (SpfResult::Permerror, _) => (
            AlignmentResult::Permerror,
            "SPF could not be evaluated (permanent error in the record).".into(),
        ),
        (SpfResult::None, _) => (
            AlignmentResult::None,
            format!("SPF found no record for the {which} {identifier}."),
        ),
        (other, _) => (
            AlignmentResult::Fail,
            format!(
                "SPF did not pass ({}) for the {which} {identifier}.",
                other.as_str()
            ),
        ),
    };
    check
}

fn mode_word(mode: AlignmentMode) -> &'static str {
    match mode {
        AlignmentMode::Relaxed => "relaxed",
        AlignmentMode::Strict => "strict",
    }
}

/// DKIM alignment of each signature (RFC 9989 §4.4.1).
pub fn dkim_alignment(
    signatures: &[DkimInput],
    mode: AlignmentMode,
    author: &str,
    org_of: OrgLookup<'_>,
) -> Vec<AlignmentCheck> {
    signatures
        .iter()
        .map(|signature| {
            let identifier = to_ascii(&signature.domain).ok();
            signature_check(signature, identifier.as_deref(), mode, author, org_of)
        })
        .collect()
}

/// The alignment of one signature, its `d=` already canonical (`None` when it is not a domain
/// name).
pub(crate) fn signature_check(
    signature: &DkimInput,
    identifier: Option<&str>,
    mode: AlignmentMode,
    author: &str,
    org_of: OrgLookup<'_>,
) -> AlignmentCheck {
    let mut check = AlignmentCheck {
        mechanism: Method::Dkim,
        selector: Some(signature.selector.clone()),
        mechanism_result: ResultWord::from(signature.result),
        result: AlignmentResult::Fail,
        ..AlignmentCheck::unchecked(identifier, mode)
    };
    let Some(identifier) = identifier else {
        check.result = AlignmentResult::Permerror;
        check.reason = "The signature has no usable d= domain.".into();
        return check;
    };
    let aligned = check.align(identifier, author, org_of);
    (check.result, check.reason) = match (signature.result, aligned) {
        (DkimResult::Pass, Ok(true)) => (
            AlignmentResult::Pass,
            format!("The signature of d={identifier} verified and aligns with {author}."),
        ),
        (DkimResult::Pass, Ok(false)) => (
            AlignmentResult::Fail,
            format!(
                "The signature of d={identifier} verified but does not align with \
                         {author} ({} alignment).",
                mode_word(mode)
            ),
        ),
        (DkimResult::Pass, Err(Undetermined)) => (
            AlignmentResult::Temperror,
            "The signature verified, but a DNS failure left an organisational domain \
                     undetermined."
                .into(),
        ),
        (DkimResult::Temperror, _) => (
            AlignmentResult::Temperror,
            format!("The signature of d={identifier} could not be checked (DNS failure)."),
        ),
        (other, _) => (
            AlignmentResult::Fail,
            format!(
                "The signature of d={identifier} did not pass ({}).",
                other.word()
            ),
        ),
    };
    check
}

/// The DKIM side as one word: `pass` if any signature passed aligned, else `temperror` if one
/// might have, else `fail` if there were signatures, else `none`.
pub fn combined_dkim(checks: &[AlignmentCheck]) -> AlignmentResult {
    if checks.is_empty() {
        AlignmentResult::None
    } else if checks.iter().any(|c| c.result == AlignmentResult::Pass) {
        AlignmentResult::Pass
    } else if checks
        .iter()
        .any(|c| c.result == AlignmentResult::Temperror)
    {
        AlignmentResult::Temperror
    } else if checks
        .iter()
        .all(|c| c.result == AlignmentResult::Permerror)
    {
        AlignmentResult::Permerror
    } else {
        AlignmentResult::Fail
    }
}

/// The DMARC result from the two sides, when a policy applies (RFC 9989 §4.8): a pass on
/// either side passes; otherwise a temporary failure on either side could have been a pass.
pub fn dmarc_result(spf: AlignmentResult, dkim: AlignmentResult) -> DmarcResult {
    if spf == AlignmentResult::Pass || dkim == AlignmentResult::Pass {
        DmarcResult::Pass
    } else if spf == AlignmentResult::Temperror || dkim == AlignmentResult::Temperror {
        DmarcResult::Temperror
    } else {
        DmarcResult::Fail
    }
}

/// Which tag supplied the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PolicyTag {
    /// `p=`: the record is the author domain's own, or no `sp=`/`np=` applied.
    P,
    /// `sp=`: the author domain is an existing subdomain of the record's domain.
    Sp,
    /// `np=`: the author domain is a subdomain that does not exist.
    Np,
    /// No valid `p=` (or an invalid `sp=`/`np=`), but a valid `rua=`: act as `p=none`.
    RuaOnly,
}

/// The policy that applies to the message and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AppliedPolicy {
    pub tag: PolicyTag,
    pub requested: Policy,
    pub reason: String,
}

/// RFC 9989 §4.8: the policy of `record`, published at `record_domain`, for `author`.
/// `author_exists` is `None` when unknown (not asked, or DNS failed): then `sp=` is used.
/// `None` when the record gives no policy at all (no valid `p=` and no valid `rua=`).
pub fn applicable_policy(
    record: &Record,
    record_domain: &str,
    author: &str,
    author_exists: Option<bool>,
) -> Option<AppliedPolicy> {
    let invalid = |tag: &str| {
        record.problems.iter().any(|problem| {
            problem.kind == TagProblemKind::InvalidValue && problem.tag.eq_ignore_ascii_case(tag)
        })
    };
    let broken = record.policy.is_none() || invalid("sp") || invalid("np");
    if broken {
        return record.has_valid_rua().then(|| AppliedPolicy {
            tag: PolicyTag::RuaOnly,
            requested: Policy::None,
            reason: "The record has no valid p= (or an invalid sp= or np=) but a valid rua=, so \
                     it acts as p=none (RFC 9989 §4.8)."
                .into(),
        });
    }
    let p = record.policy.as_ref()?.value;
    if author == record_domain {
        return Some(AppliedPolicy {
            tag: PolicyTag::P,
            requested: p,
            reason: format!("The record is {author}'s own, so p= applies."),
        });
    }
    if author_exists == Some(false) {
        if let Some(np) = &record.nonexistent_policy {
            return Some(AppliedPolicy {
                tag: PolicyTag::Np,
                requested: np.value,
                reason: format!(
                    "{author} does not exist (no A, AAAA or MX record), so np= of \
                     {record_domain} applies (RFC 9989 §4.7)."
                ),
            });
        }
    }
    let exists = match author_exists {
        Some(true) => "exists",
        Some(false) => "does not exist but the record has no np=",
        None => "may exist (its existence could not be determined)",
    };
    Some(match &record.subdomain_policy {
        Some(sp) => AppliedPolicy {
            tag: PolicyTag::Sp,
            requested: sp.value,
            reason: format!(
                "{author} is a subdomain of {record_domain} and {exists}, so sp= applies."
            ),
        },
        None => AppliedPolicy {
            tag: PolicyTag::P,
            requested: p,
            reason: format!(
                "{author} is a subdomain of {record_domain} and {exists}; the record has no sp=, \
                 so p= applies."
            ),
        },
    })
}

/// What a receiver is asked to do (RFC 9989 §4.7 `t=`; RFC 7489 §6.6.4 `pct=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DispositionDetail {
    /// Under RFC 9989: the policy, one level lower with `t=y`.
    pub disposition: Disposition,
    /// `t=y`: the owner is testing the policy.
    pub testing: bool,
    /// RFC 7489 `pct=`; `null` when absent.
    pub percent: Option<u8>,
    /// RFC 7489 receivers apply the policy to `percent` % of failing mail and this to the rest
    /// (one level lower, §6.6.4); `null` without `pct=` below 100.
    pub outside_percent: Option<Disposition>,
    pub reason: String,
}

fn lower(policy: Policy) -> Disposition {
    match policy {
        Policy::Reject => Disposition::Quarantine,
        Policy::Quarantine | Policy::None => Disposition::None,
    }
}

fn as_disposition(policy: Policy) -> Disposition {
    match policy {
        Policy::Reject => Disposition::Reject,
        Policy::Quarantine => Disposition::Quarantine,
        Policy::None => Disposition::None,
    }
}

/// The disposition for a message with `result` under `policy` of `record`.
pub fn disposition(
    result: DmarcResult,
    policy: Option<&AppliedPolicy>,
    record: Option<&Record>,
) -> DispositionDetail {
    let testing = record
        .and_then(|r| r.testing.as_ref())
        .is_some_and(|t| t.value);
    let percent = record.and_then(|r| r.percent.as_ref()).map(|p| p.value);
    let mut detail = DispositionDetail {
        disposition: Disposition::None,
        testing,
        percent,
        outside_percent: None,
        reason: String::new(),
    };
    let Some(policy) = policy else {
        detail.reason = "No DMARC policy applies.".into();
        return detail;
    };
    if result != DmarcResult::Fail {
        detail.reason = format!(
            "DMARC did not fail ({}), so the policy does not apply.",
            result_word(result)
        );
        return detail;
    }
    if testing {
        detail.disposition = lower(policy.requested);
        detail.reason = format!(
            "The policy asks for {}, but t=y says the owner is testing: receivers apply one level \
             less (RFC 9989 §4.7).",
            policy.requested.word()
        );
    } else {
        detail.disposition = as_disposition(policy.requested);
        detail.reason = format!(
            "The message fails DMARC and the policy asks for {}.",
            policy.requested.word()
        );
    }
    if let Some(percent) = percent.filter(|p| *p < 100) {
        detail.outside_percent = Some(lower(policy.requested));
        detail.reason.push_str(&format!(
            " RFC 7489 receivers honour pct={percent}: the policy for {percent}% of failing \
             mail, one level less for the rest; RFC 9989 dropped pct."
        ));
    }
    detail
}

fn result_word(result: DmarcResult) -> &'static str {
    match result {
        DmarcResult::Pass => "pass",
        DmarcResult::Fail => "fail",
        DmarcResult::None => "none",
        DmarcResult::Temperror => "temperror",
        DmarcResult::Permerror => "permerror",
    }
}
