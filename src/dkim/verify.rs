//! DKIM verification (RFC 6376 §6): the decisions and the cryptography.
//!
//! [`verify_message`] is the only function that asks DNS. Everything it decides goes through pure
//! functions ([`check_signature`], [`check_key`], [`public_key`], [`check_body`], [`decide`], and
//! the canonicalization and header selection in [`super::canon`]) that the unit tests call
//! directly.

use crate::crypto::{Crypto, CryptoError};
use crate::dns::Resolver;
use crate::message::{HeaderField, Message};
use crate::report::{Finding, Severity, Span};

use super::key::fetch_key;
pub(crate) use super::key::read_key;
pub use super::key::{dns_rejection, key_name, public_key, PublicKey};

use super::{
    canon, parse, Algorithm, CanonicalizationReport, Canonicalized, DkimReport, DkimResult,
    KeyRecord, Outcome, ParseError, Signature, TagSpan,
};

/// At most this many signatures of a message are verified, top first; the others are reported
/// as not checked. Real messages carry a handful; a message made of thousands would otherwise
/// cost thousands of key lookups and RSA operations.
pub const MAX_SIGNATURES: usize = 32;

/// RSA keys shorter than this are not accepted (RFC 8301 §3.2).
pub const MINIMUM_RSA_BITS: usize = 1024;
/// RSA keys under this many bits get a warning: RFC 8301 §3.2 says signers SHOULD use 2048 bits
/// or more.
pub const RECOMMENDED_RSA_BITS: usize = 2048;

const RFC6376_TAGS: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.5";
const RFC6376_BODY_LENGTH: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-8.2";
const RFC6376_KEY_RECORD: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1";
const RFC8301_KEY_SIZE: &str = "https://www.rfc-editor.org/rfc/rfc8301#section-3.2";

/// RSA keys longer than this are refused. RFC 8301 §3.2 asks verifiers to handle up to 4096 bits;
/// 8192 is accepted too, as mail-auth does, since such keys are published. rsa's own limit (4096)
/// is lifted for that, and the work stays bounded.
pub const MAXIMUM_RSA_BITS: usize = 8192;

/// How far `t=` may be ahead of the time of checking before the signature is set aside. Signers
/// whose clock runs on local time while claiming UTC are off by up to 14 hours (the widest UTC
/// offset), and a real facebookmail signature in the conformance suite is dated 5.3 hours ahead;
/// a day covers both and still catches a signature made to look fresh for later replay.
pub const ALLOWED_CLOCK_SKEW: u64 = 24 * 60 * 60;

/// Proof that a signature verified, header and body. Only this module can make one, so code
/// downstream (DMARC alignment) can take a `&Verified` and know it is not a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    domain: String,
    selector: String,
    identity_domain: String,
    algorithm: Algorithm,
    testing: bool,
}

impl Verified {
    /// `d=`, in lower case: the domain that takes responsibility.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The domain of `i=` (or `d=` when `i=` is absent), in lower case.
    pub fn identity_domain(&self) -> &str {
        &self.identity_domain
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key says the domain is testing DKIM (`t=y`).
    pub fn testing(&self) -> bool {
        self.testing
    }
}

/// Why a signature cannot pass: the RFC 8601 word, a code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub result: DkimResult,
    pub outcome: Outcome,
    pub reason: String,
}

impl Rejection {
    pub(crate) fn new(result: DkimResult, outcome: Outcome, reason: impl Into<String>) -> Self {
        Rejection {
            result,
            outcome,
            reason: reason.into(),
        }
    }
}

#[cfg(feature = "rust-crypto")]
pub use crate::crypto::digest;

/// A check the cryptography could not make (the browser refused a key or an algorithm, and its
/// fallback could not be loaded): `temperror`, since another try may pass, and never `fail`.
pub fn crypto_rejection(error: &CryptoError) -> Rejection {
    Rejection::new(
        DkimResult::Temperror,
        Outcome::CryptoUnavailable,
        format!("the signature could not be checked: {error}"),
    )
}

/// Whether `child` is `parent` or a subdomain of it (both in lower case).
fn is_same_or_subdomain(child: &str, parent: &str) -> bool {
    child == parent
        || child
            .strip_suffix(parent)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// The checks on a signature before any key is fetched (RFC 6376 §6.1.1): From signed, `i=`
/// within `d=`, the time window against `now`. Returns findings for a signature that may go on
/// (their spans are set by the caller, which knows where the field is).
pub fn check_signature(signature: &Signature, now: u64) -> Result<Vec<Finding>, Rejection> {
    if !signature
        .signed_headers
        .iter()
        .any(|name| name.eq_ignore_ascii_case("from"))
    {
        return Err(Rejection::new(
            DkimResult::Permerror,
            Outcome::FromNotSigned,
            "h= does not include From, which every signature must sign (RFC 6376 §5.4)",
        ));
    }
    if let Some(identity_domain) = &signature.identity_domain {
        if !is_same_or_subdomain(identity_domain, &signature.domain) {
            return Err(Rejection::new(
                DkimResult::Permerror,
                Outcome::IdentityNotInDomain,
                format!(
                    "i= domain {identity_domain} is neither d={} nor a subdomain of it (RFC 6376 §3.5)",
                    signature.domain
                ),
            ));
        }
    }
    if let Some(expiration) = signature.expiration {
        if expiration < now {
            return Err(Rejection::new(
                DkimResult::Permerror,
                Outcome::Expired,
                format!(
                    "the signature expired at {expiration} (x=), before the time of checking {now}"
                ),
            ));
        }
    }
    let mut findings = Vec::new();
    if let Some(timestamp) = signature.timestamp {
        if timestamp > now.saturating_add(ALLOWED_CLOCK_SKEW) {
            // RFC 6376 §3.5 lets verifiers ignore such signatures; a later check may accept it,
            // so it is neutral rather than an error.
            return Err(Rejection::new(
                DkimResult::Neutral,
                Outcome::TimestampInFuture,
                format!(
                    "the signature is dated {timestamp} (t=), more than a day after the time of \
                     checking {now} (RFC 6376 §3.5)"
                ),
            ));
        }
        if timestamp > now {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "dkim.timestamp-ahead",
                    format!(
                        "t={timestamp} is {} seconds after the time of checking: the signer's \
                         clock is ahead, or the time of checking is wrong.",
                        timestamp - now
                    ),
                )
                .with_rfc(RFC6376_TAGS),
            );
        }
    }
    if let Some(length) = signature.body_length {
        findings.push(
            Finding::new(
                Severity::Warning,
                "dkim.body-length-limit",
                format!(
                    "l={length}: only the first {length} bytes of the body are signed; anything \
                     can be appended after them without breaking the signature."
                ),
            )
            .with_rfc(RFC6376_BODY_LENGTH),
        );
    }
    Ok(findings)
}

/// The checks of a key record against the signature (RFC 6376 §6.1.2, §3.6.1).
pub fn check_key(signature: &Signature, key: &KeyRecord) -> Result<(), Rejection> {
    let permerror =
        |outcome, reason: String| Err(Rejection::new(DkimResult::Permerror, outcome, reason));
    if key.public_key.is_empty() {
        return permerror(
            Outcome::KeyRevoked,
            "the key record has an empty p=: the key was revoked (RFC 6376 §3.6.1)".into(),
        );
    }
    if !key.services_allow_email {
        return permerror(
            Outcome::KeyServiceMismatch,
            "the key's s= does not include email or * (RFC 6376 §3.6.1)".into(),
        );
    }
    if key.key_type != signature.algorithm.key_type() {
        return permerror(
            Outcome::KeyTypeMismatch,
            format!(
                "the key is k={} but the signature uses {} (RFC 6376 §6.1.2)",
                key.key_type.name(),
                signature.algorithm.name()
            ),
        );
    }
    if let Some(allowed) = &key.hash_algorithms {
        if !allowed.contains(&signature.algorithm.hash()) {
            return permerror(
                Outcome::KeyHashNotAllowed,
                format!(
                    "the key's h= does not allow the hash of {} (RFC 6376 §3.6.1)",
                    signature.algorithm.name()
                ),
            );
        }
    }
    if key.strict {
        if let Some(identity_domain) = &signature.identity_domain {
            if *identity_domain != signature.domain {
                return permerror(
                    Outcome::KeyStrictSubdomain,
                    format!(
                        "the key has t=s, so i= must be in d={} itself, not in {identity_domain} \
                         (RFC 6376 §3.6.1)",
                        signature.domain
                    ),
                );
            }
        }
    }
    Ok(())
}

/// What the body hash says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyCheck {
    Matches,
    Mismatch,
    /// The `l=` count is larger than the canonicalized body.
    ShorterThanLength {
        length: u64,
        actual: usize,
    },
    /// No body was given and `bh=` is not the hash of an empty body.
    NotChecked,
}

/// Checks `bh=` against the body (RFC 6376 §3.7, §6.1.3), appending the hashed bytes to
/// `hashed` when it is `Some`.
///
/// With no body given, a `bh=` that equals the hash of an empty body is taken as checked: intake
/// reads a body of only blank lines as "no body", and both canonicalizations reduce such a body
/// to the empty body's form.
#[cfg(feature = "rust-crypto")]
pub fn check_body(
    signature: &Signature,
    body: Option<&[u8]>,
    hashed: Option<&mut Vec<u8>>,
) -> BodyCheck {
    match signed_body(signature, body) {
        Ok(signed) => {
            record_hashed(body, &signed, hashed);
            body_outcome(
                body,
                &digest(signature.algorithm.hash(), &signed),
                signature,
            )
        }
        Err(check) => check,
    }
}

/// [`check_body`] with the hash from `crypto`.
pub async fn check_body_with<C: Crypto>(
    crypto: &C,
    signature: &Signature,
    body: Option<&[u8]>,
    hashed: Option<&mut Vec<u8>>,
) -> Result<BodyCheck, CryptoError> {
    Ok(match signed_body(signature, body) {
        Ok(signed) => {
            record_hashed(body, &signed, hashed);
            let hash = crypto.digest(signature.algorithm.hash(), signed).await?;
            body_outcome(body, &hash, signature)
        }
        Err(check) => check,
    })
}

/// The canonicalized body up to `l=`: the bytes `bh=` is the hash of, or the check's outcome
/// when `l=` rules them out.
fn signed_body(signature: &Signature, body: Option<&[u8]>) -> Result<Vec<u8>, BodyCheck> {
    let mut canonical = Vec::with_capacity(body.map_or(2, <[u8]>::len));
    canon::body(
        signature.body_canonicalization,
        body.unwrap_or_default(),
        &mut canonical,
    );
    if let Some(length) = signature.body_length {
        match usize::try_from(length) {
            Ok(length) if length <= canonical.len() => canonical.truncate(length),
            // Without a body, the empty body standing in for it says nothing about l=.
            _ if body.is_none() => return Err(BodyCheck::NotChecked),
            _ => {
                return Err(BodyCheck::ShorterThanLength {
                    length,
                    actual: canonical.len(),
                })
            }
        }
    }
    Ok(canonical)
}

/// Appends the hashed bytes to `hashed`, when asked and there was a body.
fn record_hashed(body: Option<&[u8]>, signed: &[u8], hashed: Option<&mut Vec<u8>>) {
    if let (Some(_), Some(hashed)) = (body, hashed) {
        hashed.extend_from_slice(signed);
    }
}

fn body_outcome(body: Option<&[u8]>, hash: &[u8], signature: &Signature) -> BodyCheck {
    match (body, hash == signature.body_hash) {
        (_, true) => BodyCheck::Matches,
        (Some(_), false) => BodyCheck::Mismatch,
        (None, false) => BodyCheck::NotChecked,
    }
}

/// Whether `signature`'s `b=` is `key`'s signature over `header_data`, as `crypto` checks it.
pub async fn verify_header_signature<C: Crypto>(
    crypto: &C,
    key: &PublicKey,
    signature: &Signature,
    header_data: &[u8],
) -> Result<bool, CryptoError> {
    crypto
        .verify(key, signature.algorithm, header_data, &signature.signature)
        .await
}

/// The decision once the key is known and usable: crypto result plus body check.
pub fn decide(
    signature: &Signature,
    header_signature_valid: bool,
    body: &BodyCheck,
) -> Result<(), Rejection> {
    match (header_signature_valid, body) {
        (false, BodyCheck::Mismatch) => Err(Rejection::new(
            DkimResult::Fail,
            Outcome::SignatureMismatch,
            "neither the signature over the headers nor the body hash verified: the message \
             was changed after signing, or the key is not the one it was signed with",
        )),
        (false, _) => Err(Rejection::new(
            DkimResult::Fail,
            Outcome::SignatureMismatch,
            "the signature over the headers did not verify: a signed header field was changed \
             after signing, or the key is not the one it was signed with",
        )),
        (true, BodyCheck::Mismatch) => Err(Rejection::new(
            DkimResult::Fail,
            Outcome::BodyHashMismatch,
            "the signed headers are intact but the body hash (bh=) does not match: the body was \
             changed after signing",
        )),
        (true, BodyCheck::ShorterThanLength { length, actual }) => Err(Rejection::new(
            DkimResult::Fail,
            Outcome::BodyShorterThanLength,
            format!(
                "l={length} but the canonicalized body has only {actual} bytes: this is not the \
                 body that was signed"
            ),
        )),
        (true, BodyCheck::NotChecked) => Err(Rejection::new(
            DkimResult::Neutral,
            Outcome::HeaderSignatureValidBodyNotChecked,
            "header signature valid, body not checked: only headers were given; the signature \
             covers the headers and the claimed body hash, but whether the body matches it is \
             unknown",
        )),
        (true, BodyCheck::Matches) if signature.algorithm == Algorithm::RsaSha1 => {
            Err(Rejection::new(
                DkimResult::Policy,
                Outcome::Sha1NotAcceptable,
                "the signature verifies, but rsa-sha1 is no longer acceptable (RFC 8301 §3.1)",
            ))
        }
        (true, BodyCheck::Matches) => Ok(()),
    }
}

/// Verifies every DKIM-Signature field of `message`, top first, and reports on each.
///
/// `now` is the time of checking for `t=` and `x=`, in seconds since the Unix epoch;
/// `include_canonicalized` adds the exact hashed bytes to each report. Keys are fetched
/// concurrently.
#[cfg(feature = "rust-crypto")]
pub async fn verify_message<R: Resolver>(
    message: &Message,
    resolver: &R,
    now: u64,
    include_canonicalized: bool,
) -> Vec<DkimReport> {
    verify_message_with(
        message,
        resolver,
        &crate::crypto::RustCrypto,
        now,
        include_canonicalized,
    )
    .await
}

/// [`verify_message`] with the cryptography of `crypto` (the browser's WebCrypto in the page).
pub async fn verify_message_with<R: Resolver, C: Crypto>(
    message: &Message,
    resolver: &R,
    crypto: &C,
    now: u64,
    include_canonicalized: bool,
) -> Vec<DkimReport> {
    let fields: Vec<&HeaderField> = message.fields_named("DKIM-Signature").collect();
    let (checked, unchecked) = fields.split_at(fields.len().min(MAX_SIGNATURES));
    let checks = checked
        .iter()
        .map(|field| verify_field(message, field, resolver, crypto, now, include_canonicalized));
    let mut reports = crate::join::join_all(checks).await;
    reports.extend(unchecked.iter().map(|field| {
        let mut report = skeleton(field);
        describe_unusable(&mut report, message.value_bytes(field));
        reject(
            &mut report,
            Rejection::new(
                DkimResult::Neutral,
                Outcome::TooManySignatures,
                format!(
                    "not checked: only the first {MAX_SIGNATURES} DKIM signatures of a message \
                     are verified"
                ),
            ),
        );
        report
    }));
    reports
}

fn message_span(field: &HeaderField, range: &std::ops::Range<usize>) -> Span {
    let start = field
        .value
        .start
        .saturating_add(range.start)
        .min(field.value.end);
    let end = field
        .value
        .start
        .saturating_add(range.end)
        .min(field.value.end);
    Span::new(start, end)
}

/// A report before any decision: only its place in the message.
fn skeleton(field: &HeaderField) -> DkimReport {
    DkimReport {
        domain: String::new(),
        selector: String::new(),
        algorithm: String::new(),
        result: DkimResult::Neutral,
        outcome: Outcome::SignatureSyntax,
        reason: String::new(),
        span: field.span(),
        error_span: None,
        identity: None,
        canonicalization: None,
        tags: Vec::new(),
        signed_headers: Vec::new(),
        header_coverage: Vec::new(),
        body_length: None,
        timestamp: None,
        expiration: None,
        body_checked: false,
        header_signature_valid: false,
        key: None,
        findings: Vec::new(),
        canonicalized: None,
        verified: None,
    }
}

/// Fills in what can be read of a signature that cannot be used: `d=`, `s=` and `a=` (the first
/// of each, should a tag be repeated; nothing after a syntax error).
fn describe_unusable(report: &mut DkimReport, value: &[u8]) {
    for tag in parse::tag_specs(value).0.iter().rev() {
        let text = String::from_utf8_lossy(tag.value).into_owned();
        match tag.name {
            b"d" => report.domain = text,
            b"s" => report.selector = text,
            b"a" => report.algorithm = text,
            _ => {}
        }
    }
}

fn reject(report: &mut DkimReport, rejection: Rejection) {
    report.result = rejection.result;
    report.outcome = rejection.outcome;
    report.reason = rejection.reason;
}

pub(super) fn syntax_rejection(error: &ParseError, what: &str, key: bool) -> Rejection {
    let (result, outcome) = match (key, error.kind.is_unsupported()) {
        (true, _) => (DkimResult::Permerror, Outcome::KeySyntax),
        (false, true) => (DkimResult::Neutral, Outcome::Unsupported),
        (false, false) => (DkimResult::Neutral, Outcome::SignatureSyntax),
    };
    Rejection::new(result, outcome, format!("{what}: {error}"))
}

async fn verify_field<R: Resolver, C: Crypto>(
    message: &Message,
    field: &HeaderField,
    resolver: &R,
    crypto: &C,
    now: u64,
    include_canonicalized: bool,
) -> DkimReport {
    let mut report = skeleton(field);
    let value = message.value_bytes(field);
    let mut signature = match parse::signature(value) {
        Ok(signature) => signature,
        Err(error) => {
            describe_unusable(&mut report, value);
            report.error_span = Some(message_span(field, &error.range));
            reject(
                &mut report,
                syntax_rejection(&error, "the DKIM-Signature field cannot be used", false),
            );
            return report;
        }
    };
    describe_signature(&mut report, message, field, &mut signature);
    // What the signature covers, computed before any check so that an expert sees the hashed
    // bytes whatever goes wrong later (an expired signature, a missing key).
    let selected = canon::select_headers(message, &signature.signed_headers, field);
    let header_data = canon::header_data(
        message,
        signature.header_canonicalization,
        &selected,
        field,
        signature.b_region.clone(),
    );
    let mut hashed_body = include_canonicalized.then(Vec::new);
    let body = check_body_with(crypto, &signature, message.body(), hashed_body.as_mut()).await;
    if include_canonicalized {
        report.canonicalized = Some(Canonicalized {
            headers: String::from_utf8_lossy(&header_data).into_owned(),
            body: message
                .body()
                .and(hashed_body)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        });
    }
    match check_signature(&signature, now) {
        Ok(findings) => {
            report.findings = findings
                .into_iter()
                .map(|finding| finding.with_span(report.span))
                .collect();
        }
        Err(rejection) => {
            reject(&mut report, rejection);
            return report;
        }
    }
    let (key_report, key) = match fetch_key(resolver, &signature).await {
        Ok(found) => found,
        Err((key_report, rejection)) => {
            report.key = key_report;
            reject(&mut report, rejection);
            return report;
        }
    };
    report.key = Some(key_report);
    if let Some(key_report) = &report.key {
        if key_report.testing {
            report.findings.push(
                Finding::new(
                    Severity::Info,
                    "dkim.testing-key",
                    "The key has t=y: the domain is testing DKIM, and receivers may treat this \
                     signature as if unsigned.",
                )
                .with_rfc(RFC6376_KEY_RECORD)
                .with_span(report.span),
            );
        }
    }
    if let PublicKey::Rsa(_) = key {
        if (MINIMUM_RSA_BITS..RECOMMENDED_RSA_BITS).contains(&key.bits()) {
            report.findings.push(
                Finding::new(
                    Severity::Warning,
                    "dkim.rsa-key-short",
                    format!(
                        "The RSA key has {} bits; signers SHOULD use at least \
                         {RECOMMENDED_RSA_BITS} (RFC 8301 §3.2). Keys this short are within \
                         reach of a well-funded attacker.",
                        key.bits()
                    ),
                )
                .with_rfc(RFC8301_KEY_SIZE)
                .with_span(report.span),
            );
        }
        if key.bits() < MINIMUM_RSA_BITS {
            reject(
                &mut report,
                Rejection::new(
                    DkimResult::Fail,
                    Outcome::KeyTooWeak,
                    format!(
                        "the RSA key has {} bits; keys under {MINIMUM_RSA_BITS} bits are not \
                         accepted (RFC 8301 §3.2)",
                        key.bits()
                    ),
                ),
            );
            return report;
        }
    }

    let body = match body {
        Ok(body) => body,
        Err(error) => {
            reject(&mut report, crypto_rejection(&error));
            return report;
        }
    };
    match verify_header_signature(crypto, &key, &signature, &header_data).await {
        Ok(valid) => report.header_signature_valid = valid,
        Err(error) => {
            reject(&mut report, crypto_rejection(&error));
            return report;
        }
    }
    report.body_checked = !matches!(body, BodyCheck::NotChecked);
    match decide(&signature, report.header_signature_valid, &body) {
        Ok(()) => {
            report.result = DkimResult::Pass;
            report.outcome = Outcome::Pass;
            report.reason = format!(
                "the signature by {} verifies over the signed headers and the body",
                signature.domain
            );
            report.verified = Some(Verified {
                identity_domain: signature
                    .identity_domain
                    .clone()
                    .unwrap_or_else(|| signature.domain.clone()),
                domain: signature.domain,
                selector: signature.selector,
                algorithm: signature.algorithm,
                testing: report.key.as_ref().is_some_and(|key| key.testing),
            });
        }
        Err(rejection) => reject(&mut report, rejection),
    }
    report
}

/// Fills the report with what the parsed signature says.
///
/// The tag list moves into the report: nothing after this needs it.
fn describe_signature(
    report: &mut DkimReport,
    message: &Message,
    field: &HeaderField,
    signature: &mut Signature,
) {
    report.tags = std::mem::take(&mut signature.tags)
        .into_iter()
        .map(|(name, range)| TagSpan {
            span: message_span(field, &range),
            name,
        })
        .collect();
    report.domain = signature.domain.clone();
    report.selector = signature.selector.clone();
    report.algorithm = signature.algorithm.name().to_string();
    report.identity = signature.identity.clone();
    report.canonicalization = Some(CanonicalizationReport {
        header: signature.header_canonicalization,
        body: signature.body_canonicalization,
    });
    report.signed_headers = signature.signed_headers.clone();
    report.header_coverage = canon::header_coverage(message, &signature.signed_headers);
    report.body_length = signature.body_length;
    report.timestamp = signature.timestamp;
    report.expiration = signature.expiration;
}
