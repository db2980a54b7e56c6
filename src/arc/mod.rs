//! ARC: the Authenticated Received Chain of RFC 8617, which lets a forwarder (a mailing list, a
//! forwarding service) vouch for what it saw when the message reached it.
//!
//! Sits beside DKIM in the message pipeline and reuses its machinery: an ARC-Message-Signature
//! is a DKIM-Signature under another name ([`crate::dkim::canon`] canonicalizes it, and
//! [`crate::dkim::verify`] fetches its key and checks its cryptography), and an ARC-Seal signs
//! the ARC header fields themselves. [`verify_message`] collects the ARC Sets, validates the
//! chain as RFC 8617 §5.2 prescribes and returns one [`ArcReport`]; [`parse`] is the grammar,
//! [`verify`] the chain's decisions, [`signature`] each seal's and signature's, and [`forwarder`] the pure RFC 8617 §7.2 question the DMARC stage
//! asks ("could a trusted forwarder explain this failure?").

pub mod forwarder;
pub mod parse;
pub mod signature;
pub mod verify;

use serde::Serialize;

use crate::auth_results::MethodResult;
pub use crate::dkim::{CanonicalizationReport, KeyReport, TagSpan};
use crate::report::{Finding, Span};

pub use forwarder::{forwarder_for, trusted_forwarder, ForwarderMethod, TrustedForwarder};
pub use parse::MAX_INSTANCE;
#[cfg(feature = "rust-crypto")]
pub use verify::verify_message;
pub use verify::{chain_verdict, verify_message_with, MAX_ARC_FIELDS};

const RFC8617_VALIDATION: &str = "https://www.rfc-editor.org/rfc/rfc8617#section-5.2";

/// The chain's entry in the message report's findings: a chain that does not hold.
pub fn message_findings(report: &ArcReport) -> Vec<Finding> {
    let mut findings = report.findings.clone();
    if report.result == ArcResult::Fail {
        findings.push(
            crate::report::Finding::new(
                crate::report::Severity::Warning,
                "arc.fail",
                format!(
                    "The ARC chain does not hold: {}. What forwarders recorded in it cannot be \
                     relied on.",
                    report.reason.trim_end_matches('.')
                ),
            )
            .with_rfc(RFC8617_VALIDATION),
        );
    }
    findings
}

/// The chain validation status (RFC 8617 §4.4, the `arc` method of RFC 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ArcResult {
    /// The message has no ARC header fields.
    None,
    /// Every seal verifies and the newest ARC-Message-Signature verifies.
    Pass,
    /// The chain is broken: a structural rule, a seal or the newest message signature failed.
    Fail,
    /// Only headers were given: every seal and the newest message signature's header signature
    /// verify, but its body hash could not be checked. Never reported as pass or fail, as DKIM
    /// does for the same case (`header-signature-valid-body-not-checked`).
    Neutral,
}

/// Why the chain got its result: one stable code per step of RFC 8617 §5.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChainOutcome {
    /// No ARC header field (§5.2 step 1).
    NoArcSets,
    /// The chain validates (§5.2 step 7).
    Pass,
    /// Seals verify, the newest message signature's headers verify, the body was not given.
    BodyNotChecked,
    /// More ARC header fields than 50 sets can hold (§5.2 step 1).
    TooManyFields,
    /// An ARC header field whose instance (`i=`) cannot be read, so no set can hold it (§4.2.1).
    InstanceUnreadable,
    /// The newest ARC-Seal says `cv=fail`: a sealer already found the chain broken (§5.2 step 2).
    NewestSealRecordsFail,
    /// A set lacks one of its three fields (§5.2 step 3.1).
    IncompleteSet,
    /// A set has two fields of one kind (§5.2 step 3.1).
    DuplicateField,
    /// The instances do not run 1..N without a gap (§5.2 step 3.2).
    InstanceGap,
    /// A seal's `cv=` is not what its place requires: `none` at i=1, `pass` above (§5.2 step 3.3).
    WrongChainValidation,
    /// The newest ARC-Message-Signature does not validate (§5.2 step 4).
    NewestMessageSignatureFailed,
    /// An ARC-Seal does not validate (§5.2 step 6).
    SealFailed,
}

/// `cv=`: what a sealer found the chain to be when it sealed (RFC 8617 §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChainValidation {
    None,
    Pass,
    Fail,
}

/// The result of one seal or message signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SignatureResult {
    /// It verifies.
    Pass,
    /// The cryptography or the body hash does not verify, or the key or algorithm is too weak.
    Fail,
    /// The header signature verifies but the body was not given.
    Neutral,
    /// A DNS failure that may go away when asked again.
    Temperror,
    /// An error a later attempt will not fix: bad syntax, no key, an unusable key.
    Permerror,
    /// Not checked: validation stopped before it (RFC 8617 §5.2 stops at the first failure).
    NotChecked,
}

/// Why a seal or message signature got its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SignatureOutcome {
    Pass,
    /// Only headers were given: the header signature verified, the body was not checked.
    HeaderSignatureValidBodyNotChecked,
    /// The signature over the headers did not verify.
    SignatureMismatch,
    /// The header signature verified, the body hash did not: the body changed after signing.
    BodyHashMismatch,
    /// The body is shorter than `l=`.
    BodyShorterThanLength,
    /// The field does not follow its grammar, or misses or repeats a tag.
    FieldSyntax,
    /// `a=` or `c=` names something this validator does not support.
    Unsupported,
    /// `a=rsa-sha1`, which RFC 8301 §3.1 forbids.
    Sha1NotAcceptable,
    /// The RSA key is under 1024 bits (RFC 8301 §3.2).
    KeyTooWeak,
    /// An ARC-Message-Signature whose `h=` names ARC-Seal (RFC 8617 §4.1.2).
    SignsArcSeal,
    /// An ARC-Seal with an `h=` tag (RFC 8617 §4.1.3).
    SealHasHeaderList,
    /// `x=` is in the past.
    Expired,
    /// The key name does not exist or has no TXT record.
    KeyNotFound,
    /// A temporary DNS failure fetching the key.
    KeyLookupFailed,
    /// The key record cannot be read, was revoked, or does not fit the signature.
    KeyUnusable,
    /// Validation stopped before this signature.
    NotChecked,
    /// The cryptography could not check the signature: the browser refused the key or the
    /// algorithm and the page could not load its fallback (`temperror`, never `fail`).
    CryptoUnavailable,
}

/// The report on a message's ARC chain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ArcReport {
    pub result: ArcResult,
    pub outcome: ChainOutcome,
    /// One or two sentences for a person.
    pub reason: String,
    /// The ARC Sets by instance, oldest (i=1) first.
    pub instances: Vec<ArcInstance>,
    /// RFC 8617 §5.2 step 5: the oldest instance from which every ARC-Message-Signature up to
    /// the newest validates, i.e. the earliest hop after which the message is unchanged. `null`
    /// unless the chain passes. (In an Authentication-Results `arc.oldest-pass` property the RFC
    /// writes `0` when every signature validates; here that is `1`.)
    pub oldest_pass: Option<u32>,
    /// ARC header fields that belong to no set (their `i=` cannot be read), and other things
    /// worth knowing.
    pub findings: Vec<Finding>,
}

/// One ARC Set: the three fields one sealer added.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ArcInstance {
    /// `i=`, 1 to 50.
    pub instance: u32,
    /// The ARC-Seal's `d=`: who sealed this set (lower case, as far as it could be read).
    pub sealer: Option<String>,
    /// The ARC-Seal's `s=`.
    pub selector: Option<String>,
    /// The ARC-Seal's `cv=`, as far as it could be read.
    pub cv: Option<ChainValidation>,
    /// The ARC-Seal as checked; `null` when the set has none, or when validation stopped at a
    /// structural error before any signature was checked (see the report's `outcome`).
    pub seal: Option<SealReport>,
    /// The ARC-Message-Signature as checked; `null` when the set has none, or when validation
    /// stopped at a structural error before any signature was checked.
    pub message_signature: Option<MessageSignatureReport>,
    /// The ARC-Authentication-Results: what the sealer recorded about the message as it arrived.
    pub authentication_results: Option<AarReport>,
    /// Further fields of a kind the set already has (a structural error, RFC 8617 §5.2 step 3.1).
    pub duplicate_spans: Vec<Span>,
}

/// An ARC-Seal (RFC 8617 §4.1.3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SealReport {
    pub result: SignatureResult,
    pub outcome: SignatureOutcome,
    pub reason: String,
    /// `d=`, lower case (as far as it could be read).
    pub domain: Option<String>,
    /// `s=`, lower case.
    pub selector: Option<String>,
    /// `a=` as written.
    pub algorithm: Option<String>,
    /// `t=`
    pub timestamp: Option<u64>,
    /// The ARC-Seal field in the message.
    pub span: Span,
    /// Where the field's syntax error is.
    pub error: Option<FieldError>,
    /// Every tag and where its value is in the message.
    pub tags: Vec<TagSpan>,
    /// The key as DNS served it, when it was fetched.
    pub key: Option<KeyReport>,
}

/// An ARC-Message-Signature (RFC 8617 §4.1.2).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MessageSignatureReport {
    pub result: SignatureResult,
    pub outcome: SignatureOutcome,
    pub reason: String,
    /// `d=`, lower case (as far as it could be read).
    pub domain: Option<String>,
    /// `s=`, lower case.
    pub selector: Option<String>,
    /// `a=` as written.
    pub algorithm: Option<String>,
    /// `c=` header and body algorithms, once the field could be read.
    pub canonicalization: Option<CanonicalizationReport>,
    /// `h=` as written, in order.
    pub signed_headers: Vec<String>,
    /// `l=`
    pub body_length: Option<u64>,
    /// `t=`
    pub timestamp: Option<u64>,
    /// `x=`
    pub expiration: Option<u64>,
    /// Whether the body hash was checked (false when only headers were given, or when the
    /// check stopped before).
    pub body_checked: bool,
    /// Whether the signature over the headers verified.
    pub header_signature_valid: bool,
    /// The ARC-Message-Signature field in the message.
    pub span: Span,
    pub error: Option<FieldError>,
    pub tags: Vec<TagSpan>,
    pub key: Option<KeyReport>,
}

/// An ARC-Authentication-Results field (RFC 8617 §4.1.1), read with the RFC 8601 parser.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AarReport {
    /// `authserv-id`: who recorded these results.
    pub authserv_id: Option<String>,
    /// The results as the sealer recorded them, lower case.
    pub results: Vec<MethodResult>,
    /// The field's value, unfolded.
    pub value: String,
    /// What did not follow RFC 8601.
    pub problems: Vec<crate::report::Problem>,
    /// The field in the message.
    pub span: Span,
}

/// A grammar error in an ARC field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct FieldError {
    pub kind: FieldErrorKind,
    /// One lower-case clause for a person.
    pub message: String,
    /// The tag or value concerned, when the kind does not say it all.
    pub detail: Option<String>,
    /// Where the error is, in the message.
    pub span: Span,
}

/// The kinds of [`FieldError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// Not a `tag=value; …` list at this place (RFC 6376 §3.2).
    TagSyntax,
    /// A tag appears twice.
    DuplicateTag,
    /// A required tag is missing.
    MissingTag,
    /// A tag's value does not follow its grammar.
    InvalidValue,
    /// `i=` is missing, not a number, or outside 1 to 50 (RFC 8617 §4.2.1).
    InvalidInstance,
    /// A tag the field must not have (`h=` in an ARC-Seal).
    ForbiddenTag,
    /// `a=` or `c=` names something not supported.
    Unsupported,
    /// The field is longer than anything real.
    TooLong,
}

#[cfg(test)]
mod tests;
