//! DMARC: does the author domain of a message (the RFC 5322 From domain) stand behind it, and
//! what does its owner ask receivers to do when it does not (RFC 9989, which obsoletes RFC 7489;
//! the tags RFC 7489 had and RFC 9989 dropped are read and reported as obsolete).
//!
//! Sits after SPF and DKIM in the message pipeline. [`evaluate_message`] takes the From domains
//! intake read, the SPF result and the DKIM results, discovers the policy over the
//! [`crate::dns::Resolver`] ([`discover`]), decides alignment and the policy that applies
//! ([`align`], pure), and returns a [`DmarcReport`]. [`audit_domain`] is the record check of
//! one domain: discovery, [`lint`] and the authorisation of external report destinations
//! ([`report_auth`]). [`parse`] is the record grammar. Organisational domains come from
//! [`crate::org_domain`]: the RFC 9989 DNS Tree Walk decides, the RFC 7489 Public Suffix List
//! answer is shown beside it.

pub mod align;
pub mod discover;
pub mod lint;
pub mod parse;
mod report;
pub mod report_auth;

use serde::Serialize;

use crate::report::Span;

pub use align::{AlignmentCheck, AuthorDomain, DkimInput, FromInput, SpfInput};
pub use discover::{discover_policy, Discovery, DiscoveryResult, PolicySource};
pub use lint::lint_record;
pub use parse::{parse_record, ParseError, ParseErrorKind};
pub use report::{
    audit_domain, decide, discover_for_message, evaluate_message, message_findings, AuditError,
    Discovered, DmarcAudit, DmarcReport,
};
pub use report_auth::{ReportAuthorization, ReportDestination};

/// `p=`, `sp=`, `np=`: what the domain owner asks for mail that fails DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    None,
    Quarantine,
    Reject,
}

impl Policy {
    pub fn word(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        [Policy::None, Policy::Quarantine, Policy::Reject]
            .into_iter()
            .find(|policy| policy.word().eq_ignore_ascii_case(word))
    }
}

/// `adkim=`, `aspf=`: `r` relaxed (same organisational domain), `s` strict (same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AlignmentMode {
    #[default]
    Relaxed,
    Strict,
}

/// `psd=`: whether the domain is a Public Suffix Domain (RFC 9989 §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Psd {
    /// `psd=y`: a public suffix; its children are organisational domains.
    Yes,
    /// `psd=n`: this domain is an organisational domain.
    No,
    /// `psd=u` (the default): unknown, let the tree walk decide.
    Unknown,
}

/// `fo=`: when failure reports are asked for (RFC 9989 §4.7, the failure-reporting document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FailureOption {
    /// `0`: when all mechanisms fail to give an aligned pass.
    AllFail,
    /// `1`: when any mechanism fails to give an aligned pass.
    AnyFail,
    /// `d`: when a DKIM signature fails, aligned or not.
    DkimFail,
    /// `s`: when SPF fails, aligned or not.
    SpfFail,
}

/// One tag of a record, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Tag {
    /// As written.
    pub name: String,
    pub value: String,
    /// The whole `name=value`, in the record's text.
    pub record_span: Span,
    /// The value, in the record's text.
    pub value_span: Span,
    /// Whether RFC 9989 or RFC 7489 defines the tag.
    pub known: bool,
}

/// A parsed tag value and the place of its `name=value` in the record's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Tagged<T> {
    pub value: T,
    pub record_span: Span,
}

/// One URI of `rua=` or `ruf=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReportUri {
    /// As written, without a `!size` suffix.
    pub uri: String,
    /// The `mailto:` address's domain, lower case; `null` for other schemes or when unreadable.
    pub domain: Option<String>,
    /// RFC 7489's size limit (`!10m`) in bytes; RFC 9989 dropped it.
    pub max_size: Option<u64>,
    /// Whether the URI can be used: a `mailto:` URI with an address (RFC 9989 §4.7).
    pub valid: bool,
    /// What is wrong with it, when not valid; `null` otherwise.
    pub problem: Option<String>,
    pub record_span: Span,
}

/// A problem with one tag that does not stop the record from being read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TagProblem {
    /// `invalid-value`, `duplicate-tag`, `empty-tag`, `missing-equals`.
    pub kind: TagProblemKind,
    pub message: String,
    /// The tag's name as written.
    pub tag: String,
    pub record_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TagProblemKind {
    /// The value is not one the tag allows.
    InvalidValue,
    /// The tag appears again; the first one counts.
    DuplicateTag,
    /// A part between two `;` that is not `name=value`.
    MissingEquals,
}

/// A DMARC record, read tag by tag. Invalid values do not make the record unreadable: they
/// are listed in `problems` and the tag counts as absent, which is what RFC 9989 §4.8 asks of
/// a receiver (an invalid `p=` with a valid `rua=` acts as `p=none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Record {
    /// The record's text, TXT strings joined.
    pub text: String,
    pub tags: Vec<Tag>,
    /// `p=`
    pub policy: Option<Tagged<Policy>>,
    /// `sp=`
    pub subdomain_policy: Option<Tagged<Policy>>,
    /// `np=` (RFC 9989)
    pub nonexistent_policy: Option<Tagged<Policy>>,
    /// `psd=` (RFC 9989)
    pub public_suffix_domain: Option<Tagged<Psd>>,
    /// `t=y` (RFC 9989): testing, receivers apply one level less.
    pub testing: Option<Tagged<bool>>,
    /// `adkim=`
    pub dkim_alignment: Option<Tagged<AlignmentMode>>,
    /// `aspf=`
    pub spf_alignment: Option<Tagged<AlignmentMode>>,
    /// `rua=`: aggregate reports.
    pub aggregate_uris: Vec<ReportUri>,
    /// `ruf=`: failure reports.
    pub failure_uris: Vec<ReportUri>,
    /// `fo=`
    pub failure_options: Option<Tagged<Vec<FailureOption>>>,
    /// `pct=` (RFC 7489 only; obsolete in RFC 9989).
    pub percent: Option<Tagged<u8>>,
    /// `rf=` (RFC 7489 only).
    pub report_format: Option<Tagged<String>>,
    /// `ri=` (RFC 7489 only), seconds.
    pub report_interval: Option<Tagged<u32>>,
    pub problems: Vec<TagProblem>,
}

impl Record {
    pub fn psd(&self) -> Option<Psd> {
        self.public_suffix_domain.as_ref().map(|tag| tag.value)
    }

    pub fn dkim_mode(&self) -> AlignmentMode {
        self.dkim_alignment
            .as_ref()
            .map(|tag| tag.value)
            .unwrap_or_default()
    }

    pub fn spf_mode(&self) -> AlignmentMode {
        self.spf_alignment
            .as_ref()
            .map(|tag| tag.value)
            .unwrap_or_default()
    }

    /// Whether `rua=` holds at least one usable URI (RFC 9989 §4.8: then a record without a
    /// valid `p=` acts as `p=none`).
    pub fn has_valid_rua(&self) -> bool {
        self.aggregate_uris.iter().any(|uri| uri.valid)
    }

    /// The text of a span of this record.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// The RFC 8601 result words for DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DmarcResult {
    /// An aligned SPF or DKIM pass.
    Pass,
    /// A policy applies and nothing aligned passed.
    Fail,
    /// No policy applies (no record, several records, no usable `p=`).
    None,
    /// A DNS failure that may go away.
    Temperror,
    /// The message cannot be evaluated as it is: no From domain, or several.
    Permerror,
}

/// What the policy asks the receiver to do with this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Disposition {
    None,
    Quarantine,
    Reject,
}

impl Disposition {
    pub fn word(self) -> &'static str {
        match self {
            Disposition::None => "none",
            Disposition::Quarantine => "quarantine",
            Disposition::Reject => "reject",
        }
    }
}

#[cfg(test)]
mod tests;
