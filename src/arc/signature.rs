//! One ARC-Seal or ARC-Message-Signature, checked with the DNS answers already in hand (RFC 8617
//! §5.2 steps 4 to 6): pure functions over DKIM's canonicalization and cryptography, which the
//! unit tests call directly.

use crate::crypto::{Crypto, CryptoError};
use crate::dkim::verify::{self as dkim_verify, PublicKey, Rejection, MINIMUM_RSA_BITS};
use crate::dkim::{self, canon, Algorithm, Canonicalization, DkimResult};
use crate::dns::{Answer, DnsError};
use crate::message::{HeaderField, Message};
use crate::report::Span;
use crate::sorted_map::SortedMap;

use super::parse::{self, ArcParseError, MessageSignature, Seal};
use super::{
    CanonicalizationReport, FieldError, FieldErrorKind, KeyReport, MessageSignatureReport,
    SealReport, SignatureOutcome, SignatureResult, TagSpan,
};

/// A range of a field's value in message coordinates.
fn message_span(field: &HeaderField, range: &std::ops::Range<usize>) -> Span {
    let at = |offset: usize| {
        field
            .value
            .start
            .saturating_add(offset)
            .min(field.value.end)
    };
    Span::new(at(range.start), at(range.end))
}

fn field_error(field: &HeaderField, error: &ArcParseError) -> FieldError {
    FieldError {
        kind: error.kind,
        message: error.message.clone(),
        detail: error.detail.clone(),
        span: message_span(field, &error.range),
    }
}

fn tag_spans(field: &HeaderField, value: &[u8]) -> Vec<TagSpan> {
    parse::readable_tags(value)
        .into_iter()
        .map(|(name, range)| TagSpan {
            name: name.into_owned().into(),
            span: message_span(field, &range),
        })
        .collect()
}

/// A signature's result, code and reason when it does not pass.
type Failure = (SignatureResult, SignatureOutcome, String);

/// What a rejection from DKIM's code means here.
fn rejection_words(rejection: &Rejection) -> (SignatureResult, SignatureOutcome) {
    let result = match rejection.result {
        DkimResult::Pass => SignatureResult::Pass,
        DkimResult::Fail | DkimResult::Policy => SignatureResult::Fail,
        DkimResult::Neutral => SignatureResult::Neutral,
        DkimResult::Temperror => SignatureResult::Temperror,
        DkimResult::Permerror => SignatureResult::Permerror,
        DkimResult::None => SignatureResult::NotChecked,
    };
    let outcome = match rejection.outcome {
        dkim::Outcome::Pass => SignatureOutcome::Pass,
        dkim::Outcome::HeaderSignatureValidBodyNotChecked => {
            SignatureOutcome::HeaderSignatureValidBodyNotChecked
        }
        dkim::Outcome::SignatureMismatch => SignatureOutcome::SignatureMismatch,
        dkim::Outcome::BodyHashMismatch => SignatureOutcome::BodyHashMismatch,
        dkim::Outcome::BodyShorterThanLength => SignatureOutcome::BodyShorterThanLength,
        dkim::Outcome::Sha1NotAcceptable => SignatureOutcome::Sha1NotAcceptable,
        dkim::Outcome::KeyTooWeak => SignatureOutcome::KeyTooWeak,
        dkim::Outcome::Expired => SignatureOutcome::Expired,
        dkim::Outcome::KeyNotFound => SignatureOutcome::KeyNotFound,
        dkim::Outcome::KeyLookupFailed => SignatureOutcome::KeyLookupFailed,
        _ => SignatureOutcome::KeyUnusable,
    };
    (result, outcome)
}

/// The checks before a key is fetched: no rsa-sha1 (RFC 8301 §3.1, which ARC inherits from
/// DKIM), and for a message signature `x=` not past and `h=` without ARC-Seal.
pub(crate) fn precheck(
    signature: &dkim::Signature,
    now: u64,
) -> Result<(), (SignatureOutcome, String)> {
    if signature.algorithm == Algorithm::RsaSha1 {
        return Err((
            SignatureOutcome::Sha1NotAcceptable,
            "a=rsa-sha1 is not acceptable (RFC 8301 §3.1)".into(),
        ));
    }
    if signature
        .signed_headers
        .iter()
        .any(|name| name.eq_ignore_ascii_case("arc-seal"))
    {
        return Err((
            SignatureOutcome::SignsArcSeal,
            "h= names ARC-Seal, which an ARC-Message-Signature must not sign (RFC 8617 §4.1.2)"
                .into(),
        ));
    }
    if let Some(expiration) = signature.expiration {
        if expiration < now {
            return Err((
                SignatureOutcome::Expired,
                format!(
                    "the signature expired at {expiration} (x=), before the time of checking {now}"
                ),
            ));
        }
    }
    Ok(())
}

/// The key for `signature` from the answers, checked as DKIM checks it; the key report either way.
fn usable_key(
    signature: &dkim::Signature,
    keys: &SortedMap<String, Result<Answer, DnsError>>,
) -> (Option<KeyReport>, Result<PublicKey, Failure>) {
    let name = dkim_verify::key_name(signature);
    let Some(answer) = keys.get(&name) else {
        let reason = format!("the key at {name} was not looked up");
        return (
            None,
            Err((
                SignatureResult::NotChecked,
                SignatureOutcome::NotChecked,
                reason,
            )),
        );
    };
    match dkim_verify::read_key(&name, answer.as_ref(), signature) {
        Err((key_report, rejection)) => {
            let (result, outcome) = rejection_words(&rejection);
            (key_report, Err((result, outcome, rejection.reason)))
        }
        Ok((key_report, key)) => {
            if matches!(key, PublicKey::Rsa(_)) && key.bits() < MINIMUM_RSA_BITS {
                let reason = format!(
                    "the RSA key has {} bits; keys under {MINIMUM_RSA_BITS} bits are not \
                     accepted (RFC 8301 §3.2)",
                    key.bits()
                );
                return (
                    Some(key_report),
                    Err((SignatureResult::Fail, SignatureOutcome::KeyTooWeak, reason)),
                );
            }
            (Some(key_report), Ok(key))
        }
    }
}

/// A check the cryptography could not make: `temperror`, never `fail`.
fn crypto_failure(error: &CryptoError) -> Failure {
    (
        SignatureResult::Temperror,
        SignatureOutcome::CryptoUnavailable,
        format!("the signature could not be checked: {error}"),
    )
}

fn parse_failure(error: &ArcParseError, what: &str) -> Failure {
    let outcome = if error.kind == FieldErrorKind::Unsupported {
        SignatureOutcome::Unsupported
    } else {
        SignatureOutcome::FieldSyntax
    };
    (
        SignatureResult::Permerror,
        outcome,
        format!("the {what} cannot be used: {}", error.message),
    )
}

/// Validates one ARC-Message-Signature (RFC 8617 §5.2 step 4, §4.1.2): DKIM's header selection,
/// canonicalization, body hash and signature check, with the DNS answers given.
pub async fn message_signature_report<C: Crypto>(
    crypto: &C,
    message: &Message,
    field: &HeaderField,
    parsed: &Result<MessageSignature, ArcParseError>,
    keys: &SortedMap<String, Result<Answer, DnsError>>,
    now: u64,
) -> MessageSignatureReport {
    let value = message.value_bytes(field);
    let lower = |text: String| text.to_ascii_lowercase();
    let mut report = MessageSignatureReport {
        result: SignatureResult::NotChecked,
        outcome: SignatureOutcome::NotChecked,
        reason: String::new(),
        domain: parse::readable_tag(value, "d").map(lower),
        selector: parse::readable_tag(value, "s").map(lower),
        algorithm: parse::readable_tag(value, "a"),
        canonicalization: None,
        signed_headers: Vec::new(),
        body_length: None,
        timestamp: None,
        expiration: None,
        body_checked: false,
        header_signature_valid: false,
        span: field.span(),
        error: None,
        tags: tag_spans(field, value),
        key: None,
    };
    let reject = |report: &mut MessageSignatureReport, (result, outcome, reason)| {
        report.result = result;
        report.outcome = outcome;
        report.reason = reason;
    };
    let signature = match parsed {
        Ok(parsed) => &parsed.signature,
        Err(error) => {
            report.error = Some(field_error(field, error));
            reject(&mut report, parse_failure(error, "ARC-Message-Signature"));
            return report;
        }
    };
    report.canonicalization = Some(CanonicalizationReport {
        header: signature.header_canonicalization,
        body: signature.body_canonicalization,
    });
    report.signed_headers = signature.signed_headers.clone();
    report.body_length = signature.body_length;
    report.timestamp = signature.timestamp;
    report.expiration = signature.expiration;
    if let Err((outcome, reason)) = precheck(signature, now) {
        reject(&mut report, (SignatureResult::Fail, outcome, reason));
        return report;
    }
    let (key_report, key) = usable_key(signature, keys);
    report.key = key_report;
    let key = match key {
        Ok(key) => key,
        Err(failure) => {
            reject(&mut report, failure);
            return report;
        }
    };
    let selected = canon::select_headers(message, &signature.signed_headers, field);
    let header_data = canon::header_data(
        message,
        signature.header_canonicalization,
        &selected,
        field,
        signature.b_region.clone(),
    );
    let checked = match dkim_verify::check_body_with(crypto, signature, message.body(), None).await
    {
        Ok(body) => dkim_verify::verify_header_signature(crypto, &key, signature, &header_data)
            .await
            .map(|valid| (body, valid)),
        Err(error) => Err(error),
    };
    let (body, valid) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            reject(&mut report, crypto_failure(&error));
            return report;
        }
    };
    report.header_signature_valid = valid;
    report.body_checked = !matches!(body, dkim_verify::BodyCheck::NotChecked);
    match dkim_verify::decide(signature, report.header_signature_valid, &body) {
        Ok(()) => reject(
            &mut report,
            (
                SignatureResult::Pass,
                SignatureOutcome::Pass,
                format!(
                    "the signature by {} verifies over the signed headers and the body",
                    signature.domain
                ),
            ),
        ),
        Err(rejection) => {
            let (result, outcome) = rejection_words(&rejection);
            reject(&mut report, (result, outcome, rejection.reason));
        }
    }
    report
}

/// The header data an ARC-Seal signs (RFC 8617 §5.1.1): every ARC Set up to and including its
/// own, oldest first, each as ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, with
/// relaxed canonicalization; the seal itself last, its `b=` emptied, without a final CRLF.
///
/// `chain` holds each set's `[results, message signature, seal]` in instance order, and
/// `position` is the seal's set (instance − 1).
pub fn seal_header_data(
    message: &Message,
    chain: &[[&HeaderField; 3]],
    position: usize,
    b_region: std::ops::Range<usize>,
) -> Option<Vec<u8>> {
    let own = chain.get(position)?;
    let mut selected: Vec<&HeaderField> =
        chain.get(..position)?.iter().flatten().copied().collect();
    selected.extend_from_slice(&own[..2]);
    Some(canon::header_data(
        message,
        Canonicalization::Relaxed,
        &selected,
        own[2],
        b_region,
    ))
}

/// Validates one ARC-Seal (RFC 8617 §5.2 step 6), with the DNS answers given.
#[allow(clippy::too_many_arguments)]
pub async fn seal_report<C: Crypto>(
    crypto: &C,
    message: &Message,
    chain: &[[&HeaderField; 3]],
    position: usize,
    field: &HeaderField,
    parsed: &Result<Seal, ArcParseError>,
    keys: &SortedMap<String, Result<Answer, DnsError>>,
    now: u64,
) -> SealReport {
    let value = message.value_bytes(field);
    let lower = |text: String| text.to_ascii_lowercase();
    let mut report = SealReport {
        result: SignatureResult::NotChecked,
        outcome: SignatureOutcome::NotChecked,
        reason: String::new(),
        domain: parse::readable_tag(value, "d").map(lower),
        selector: parse::readable_tag(value, "s").map(lower),
        algorithm: parse::readable_tag(value, "a"),
        timestamp: None,
        span: field.span(),
        error: None,
        tags: tag_spans(field, value),
        key: None,
    };
    let reject = |report: &mut SealReport, (result, outcome, reason)| {
        report.result = result;
        report.outcome = outcome;
        report.reason = reason;
    };
    let signature = match parsed {
        Ok(parsed) => &parsed.signature,
        Err(error) => {
            report.error = Some(field_error(field, error));
            let mut failure = parse_failure(error, "ARC-Seal");
            if error.kind == FieldErrorKind::ForbiddenTag {
                failure.1 = SignatureOutcome::SealHasHeaderList;
            }
            reject(&mut report, failure);
            return report;
        }
    };
    report.timestamp = signature.timestamp;
    if let Err((outcome, reason)) = precheck(signature, now) {
        reject(&mut report, (SignatureResult::Fail, outcome, reason));
        return report;
    }
    let (key_report, key) = usable_key(signature, keys);
    report.key = key_report;
    let key = match key {
        Ok(key) => key,
        Err(failure) => {
            reject(&mut report, failure);
            return report;
        }
    };
    let Some(header_data) = seal_header_data(message, chain, position, signature.b_region.clone())
    else {
        let reason = "the chain is incomplete, so the seal's data cannot be built".to_string();
        reject(
            &mut report,
            (
                SignatureResult::NotChecked,
                SignatureOutcome::NotChecked,
                reason,
            ),
        );
        return report;
    };
    let valid =
        match dkim_verify::verify_header_signature(crypto, &key, signature, &header_data).await {
            Ok(valid) => valid,
            Err(error) => {
                reject(&mut report, crypto_failure(&error));
                return report;
            }
        };
    if valid {
        let reason = format!(
            "the seal by {} verifies over the ARC Sets up to i={}",
            signature.domain,
            position + 1
        );
        reject(
            &mut report,
            (SignatureResult::Pass, SignatureOutcome::Pass, reason),
        );
    } else {
        let reason = "the seal does not verify: an ARC header field was changed after sealing, \
                      or the key is not the one it was sealed with"
            .to_string();
        reject(
            &mut report,
            (
                SignatureResult::Fail,
                SignatureOutcome::SignatureMismatch,
                reason,
            ),
        );
    }
    report
}
