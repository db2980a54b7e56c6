//! DKIM: is each DKIM-Signature genuine, and what exactly did it sign (RFC 6376, RFC 8463,
//! RFC 8301).
//!
//! Sits after intake in the message pipeline: [`verify_message`] takes the exact bytes intake kept,
//! asks the [`crate::dns::Resolver`] for each key, and returns one [`DkimReport`] per signature in
//! header order (top first). [`parse`] is the grammar, [`canon`] the canonicalizations, and
//! [`verify`] the decisions and the cryptography; the decisions are pure functions that test
//! without a resolver.

pub mod canon;
mod findings;
mod key;
pub mod parse;
pub mod verify;

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::report::{quoted, Finding, Span};

pub use findings::{findings, signing_domains};
pub use key::{key_from_bytes, public_key, Ed25519PublicKey, PublicKey, RsaPublicKey};
#[cfg(feature = "rust-crypto")]
pub use verify::verify_message;
pub use verify::{verify_message_with, Verified};

/// The RFC 8601 §2.7.1 result words for DKIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DkimResult {
    /// The signature verified, header and body.
    Pass,
    /// The signature or the body hash did not verify, or the key is too weak to count.
    Fail,
    /// The signature could not be processed: a syntax error, something unsupported, a body that
    /// was not given.
    Neutral,
    /// The signature verified but uses something no longer acceptable (rsa-sha1, RFC 8301 §3.1).
    Policy,
    /// A DNS failure that may go away when asked again (RFC 6376 §6.1.2).
    Temperror,
    /// An error a later attempt will not fix: no key, a bad or revoked key, a key that does not
    /// fit the signature.
    Permerror,
    /// There is no signature.
    None,
}

impl DkimResult {
    pub fn word(self) -> &'static str {
        match self {
            DkimResult::Pass => "pass",
            DkimResult::Fail => "fail",
            DkimResult::Neutral => "neutral",
            DkimResult::Policy => "policy",
            DkimResult::Temperror => "temperror",
            DkimResult::Permerror => "permerror",
            DkimResult::None => "none",
        }
    }
}

impl fmt::Display for DkimResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a signature got its result: one stable code per case, finer than the RFC 8601 word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// Header signature and body hash verified.
    Pass,
    /// Only headers were given: the header signature (which covers `bh=`) verified, the body was
    /// not checked. Reported as `neutral`, never as pass or fail.
    HeaderSignatureValidBodyNotChecked,
    /// The header signature verified but uses rsa-sha1 (RFC 8301 §3.1): `policy`, never pass.
    Sha1NotAcceptable,
    /// The header signature verified and the body hash did not: the body changed after signing.
    BodyHashMismatch,
    /// The body is shorter than the `l=` count: it cannot be the body that was signed.
    BodyShorterThanLength,
    /// The signature over the headers did not verify.
    SignatureMismatch,
    /// The RSA key is under 1024 bits (RFC 8301 §3.2).
    KeyTooWeak,
    /// The DKIM-Signature field does not follow the grammar, or misses or repeats a tag.
    SignatureSyntax,
    /// `v=`, `a=`, `c=` or `q=` names something this verifier does not support.
    Unsupported,
    /// `h=` does not include From (RFC 6376 §5.4).
    FromNotSigned,
    /// The `i=` domain is not `d=` or a subdomain of it (RFC 6376 §3.5).
    IdentityNotInDomain,
    /// `x=` is in the past (RFC 6376 §3.5).
    Expired,
    /// `t=` is in the future (RFC 6376 §3.5).
    TimestampInFuture,
    /// The key name does not exist or has no TXT record.
    KeyNotFound,
    /// A temporary DNS failure fetching the key.
    KeyLookupFailed,
    /// The key record does not follow the grammar, or its key cannot be read.
    KeySyntax,
    /// `p=` is empty: the key was revoked (RFC 6376 §3.6.1).
    KeyRevoked,
    /// The key's `h=` does not allow the signature's hash.
    KeyHashNotAllowed,
    /// The key's `k=` is not the signature's key type.
    KeyTypeMismatch,
    /// The key has `t=s` and `i=` is a subdomain of `d=` (RFC 6376 §3.6.1).
    KeyStrictSubdomain,
    /// The key's `s=` does not include `email` or `*`.
    KeyServiceMismatch,
    /// The message has more signatures than are verified (see
    /// [`verify::MAX_SIGNATURES`]); this one was not checked.
    TooManySignatures,
    /// The cryptography could not check the signature: the browser refused the key or the
    /// algorithm and the page could not load its fallback (`temperror`, never `fail`).
    CryptoUnavailable,
}

/// A DKIM-Signature field read into validated values (RFC 6376 §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub algorithm: Algorithm,
    /// `b=`, decoded.
    pub signature: Vec<u8>,
    /// `bh=`, decoded.
    pub body_hash: Vec<u8>,
    pub header_canonicalization: Canonicalization,
    pub body_canonicalization: Canonicalization,
    /// `d=`, in lower case.
    pub domain: String,
    /// `s=`, in lower case.
    pub selector: String,
    /// `h=` as written, in order.
    pub signed_headers: Vec<String>,
    /// `i=` as written.
    pub identity: Option<String>,
    /// The domain of `i=`, in lower case.
    pub identity_domain: Option<String>,
    /// `l=`
    pub body_length: Option<u64>,
    /// `t=`
    pub timestamp: Option<u64>,
    /// `x=`
    pub expiration: Option<u64>,
    /// The bytes of the field value emptied when hashing: after `b=` up to its `;` (§3.7).
    pub b_region: Range<usize>,
    /// Every tag's name and the place of its value in the field value, in order.
    pub tags: Vec<(Cow<'static, str>, Range<usize>)>,
}

/// `a=`: the signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub enum Algorithm {
    #[serde(rename = "rsa-sha256")]
    RsaSha256,
    #[serde(rename = "rsa-sha1")]
    RsaSha1,
    #[serde(rename = "ed25519-sha256")]
    Ed25519Sha256,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "rsa-sha256",
            Algorithm::RsaSha1 => "rsa-sha1",
            Algorithm::Ed25519Sha256 => "ed25519-sha256",
        }
    }

    pub fn key_type(self) -> KeyType {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha1 => KeyType::Rsa,
            Algorithm::Ed25519Sha256 => KeyType::Ed25519,
        }
    }

    pub fn hash(self) -> HashAlgorithm {
        match self {
            Algorithm::RsaSha1 => HashAlgorithm::Sha1,
            Algorithm::RsaSha256 | Algorithm::Ed25519Sha256 => HashAlgorithm::Sha256,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Rsa,
    Ed25519,
}

impl KeyType {
    /// The name used in `k=` (RFC 6376 §3.6.1, RFC 8463 §4).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// `c=`: one of the two canonicalization algorithms (RFC 6376 §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Canonicalization {
    Simple,
    Relaxed,
}

/// A DKIM key record read into validated values (RFC 6376 §3.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `k=`, `rsa` when absent.
    pub key_type: KeyType,
    /// `h=`: the hashes the key may be used with; `None` when absent (any).
    pub hash_algorithms: Option<Vec<HashAlgorithm>>,
    /// `p=`, decoded; empty means revoked.
    pub public_key: Vec<u8>,
    /// `t=y`
    pub testing: bool,
    /// `t=s`
    pub strict: bool,
    /// `s=` includes `email` or `*` (or is absent).
    pub services_allow_email: bool,
    /// `n=`
    pub notes: Option<String>,
}

/// A grammar error with the place it is about. Not itself in the report: the report carries
/// its sentence in `reason` and its place as `error_span` (or `key.error_record_span`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// Offsets into the parsed bytes; [`DkimReport::error_span`] gives them in the message.
    pub range: Range<usize>,
}

impl ParseError {
    pub fn new(kind: ParseErrorKind, range: Range<usize>) -> Self {
        ParseError { kind, range }
    }
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text is not a `tag=value; …` list at this place (RFC 6376 §3.2).
    TagSyntax,
    /// A tag appears twice (RFC 6376 §3.2).
    DuplicateTag(String),
    /// A required tag is missing (RFC 6376 §3.5, §3.6.1).
    MissingTag(&'static str),
    /// A tag's value does not follow its grammar.
    InvalidValue { tag: String, why: &'static str },
    /// `v=` is not `1` (signature) or `DKIM1` (key).
    UnsupportedVersion(String),
    /// `a=` names an algorithm this verifier does not know.
    UnsupportedAlgorithm(String),
    /// `c=` names a canonicalization this verifier does not know.
    UnsupportedCanonicalization(String),
    /// `q=` does not include `dns/txt`.
    UnsupportedQueryMethod(String),
    /// The key record's `k=` names a key type this verifier does not know.
    UnsupportedKeyType(String),
    /// The tag-list is longer than anything real.
    TooLong,
}

impl ParseErrorKind {
    /// Whether this is something unsupported rather than something malformed.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            ParseErrorKind::UnsupportedVersion(_)
                | ParseErrorKind::UnsupportedAlgorithm(_)
                | ParseErrorKind::UnsupportedCanonicalization(_)
                | ParseErrorKind::UnsupportedQueryMethod(_)
                | ParseErrorKind::UnsupportedKeyType(_)
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::TagSyntax => f.write_str("not a tag=value list at this place"),
            ParseErrorKind::DuplicateTag(name) => write!(f, "tag {name}= appears twice"),
            ParseErrorKind::MissingTag(name) => write!(f, "required tag {name}= is missing"),
            ParseErrorKind::InvalidValue { tag, why } => write!(f, "the value of {tag}= {why}"),
            ParseErrorKind::UnsupportedVersion(v) => {
                write!(f, "version {} is not supported", quoted(v))
            }
            ParseErrorKind::UnsupportedAlgorithm(a) => {
                write!(f, "algorithm {} is not supported", quoted(a))
            }
            ParseErrorKind::UnsupportedCanonicalization(c) => {
                write!(f, "canonicalization {} is not supported", quoted(c))
            }
            ParseErrorKind::UnsupportedQueryMethod(q) => {
                write!(f, "query method {} does not include dns/txt", quoted(q))
            }
            ParseErrorKind::UnsupportedKeyType(k) => {
                write!(f, "key type {} is not supported", quoted(k))
            }
            ParseErrorKind::TooLong => f.write_str("the tag list is too long"),
        }
    }
}

impl std::error::Error for ParseError {}

/// The report on one DKIM-Signature field.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DkimReport {
    /// `d=` (as far as it could be read; empty when absent).
    pub domain: String,
    /// `s=` (as far as it could be read; empty when absent).
    pub selector: String,
    /// `a=` as written.
    pub algorithm: String,
    /// The RFC 8601 result word.
    pub result: DkimResult,
    /// The specific reason code behind `result`.
    pub outcome: Outcome,
    /// One or two sentences for a person.
    pub reason: String,
    /// The DKIM-Signature field in the message.
    pub span: Span,
    /// Where a syntax error is, in the message.
    pub error_span: Option<Span>,
    /// `i=` as written.
    pub identity: Option<String>,
    /// `c=` header and body algorithms.
    pub canonicalization: Option<CanonicalizationReport>,
    /// Every tag of the field and where its value is, for the page to point at.
    pub tags: Vec<TagSpan>,
    /// `h=` as written, in order.
    pub signed_headers: Vec<String>,
    /// For the fields that matter to a reader (From, Subject, To, Date, Reply-To, Content-Type):
    /// whether they are signed, and whether a copy could be added above without breaking the
    /// signature.
    pub header_coverage: Vec<HeaderCoverage>,
    /// `l=`: the body is signed only up to this many canonicalized bytes.
    pub body_length: Option<u64>,
    /// `t=`
    pub timestamp: Option<u64>,
    /// `x=`
    pub expiration: Option<u64>,
    /// Whether the verdict rests on a body-hash check: false when only headers were given, or
    /// when the check stopped before (no key, an expired signature).
    pub body_checked: bool,
    /// Whether the cryptographic signature over the headers verified (also true for `fail` when
    /// only the body changed, which tells an expert where the message was altered).
    pub header_signature_valid: bool,
    /// The key as DNS served it, when it was fetched.
    pub key: Option<KeyReport>,
    /// What a reader should know even when the signature passes (l=, t=y, a short key), each
    /// also in the message report's findings.
    pub findings: Vec<Finding>,
    /// The exact bytes that were hashed, when asked for.
    pub canonicalized: Option<Canonicalized>,
    /// Set only by the verifier, for a signature that passed (or passed its header part).
    #[serde(skip)]
    pub verified: Option<Verified>,
}

/// One tag of a DKIM-Signature field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TagSpan {
    pub name: Cow<'static, str>,
    /// The tag's value in the message.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CanonicalizationReport {
    pub header: Canonicalization,
    pub body: Canonicalization,
}

/// How well a field that matters is protected by one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct HeaderCoverage {
    pub name: &'static str,
    /// How many copies the message has.
    pub present: usize,
    /// How many times `h=` names it.
    pub signed: usize,
    pub status: CoverageStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// Named in `h=` more often than present: no copy can be added without breaking the
    /// signature (RFC 6376 §8.15).
    OverSigned,
    /// Every copy is signed, but a further copy can be added above and some readers would show it.
    SignedNotOverSigned,
    /// Some or all copies are not signed: what a reader sees may not be what was signed.
    NotSigned,
    /// Absent and not named in `h=`: one can be added without breaking the signature.
    AbsentNotSigned,
}

/// The key record as fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct KeyReport {
    /// The DNS name asked, `selector._domainkey.domain`.
    pub name: String,
    /// The TXT record, strings joined.
    pub record: String,
    pub ttl: u32,
    /// The resolver's AD flag on the answer (DNSSEC-validated).
    pub authenticated: bool,
    pub key_type: Option<KeyType>,
    /// Key size in bits (256 for ed25519).
    pub bits: Option<usize>,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `t=s`: `i=` must be exactly `d=`.
    pub strict: bool,
    /// Where the record's syntax error is, as byte offsets into `record`.
    pub error_record_span: Option<Span>,
}

/// The exact canonicalized bytes each hash covered (lossy UTF-8 for display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Canonicalized {
    /// The selected header fields and the DKIM-Signature field with `b=` emptied, as hashed.
    pub headers: String,
    /// The body as hashed (after `l=` truncation); absent when no body was given.
    pub body: Option<String>,
}

#[cfg(test)]
mod tests;
