//! ARC chain validation (RFC 8617 §5.2): the decisions and, through DKIM's code, the
//! cryptography.
//!
//! [`verify_message`] is the only function that asks DNS: it looks every key name up once, all
//! at the same time, and then everything is decided by pure functions: [`check_structure`]
//! (steps 1 to 3), [`super::signature`] (one seal or message signature each, given the DNS
//! answers), and [`chain_verdict`] (steps 4 to 7).

use std::collections::{BTreeMap, BTreeSet};

use crate::sorted_map::SortedMap;

use crate::auth_results::{parse_authentication_results, ResultsKind};
use crate::crypto::Crypto;
use crate::dkim::verify as dkim_verify;
use crate::dns::{Answer, DnsError, RecordType, Resolver};
use crate::message::{unfold_value, HeaderField, Message};
use crate::report::{Finding, Severity};

use super::parse::{self, ArcParseError, MessageSignature, Seal};
use super::signature::{message_signature_report, precheck, seal_report};
use super::{
    AarReport, ArcInstance, ArcReport, ArcResult, ChainOutcome, ChainValidation, SignatureResult,
    MAX_INSTANCE,
};

/// At most this many ARC header fields are read: three for each of the 50 sets RFC 8617 allows.
/// A message with more cannot have a valid chain (§5.2 step 1), and is not worth a key lookup.
pub const MAX_ARC_FIELDS: usize = 3 * MAX_INSTANCE as usize;

const RFC8617_VALIDATION: &str = "https://www.rfc-editor.org/rfc/rfc8617#section-5.2";
const RFC8617_INSTANCE: &str = "https://www.rfc-editor.org/rfc/rfc8617#section-4.2.1";

/// The three ARC header fields (RFC 8617 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Seal,
    MessageSignature,
    AuthenticationResults,
}

impl FieldKind {
    /// The kind of a header field, by name; `None` for a field that is not ARC's.
    pub fn of(field: &HeaderField) -> Option<FieldKind> {
        let name = field.name.as_str();
        if name.eq_ignore_ascii_case("ARC-Seal") {
            Some(FieldKind::Seal)
        } else if name.eq_ignore_ascii_case("ARC-Message-Signature") {
            Some(FieldKind::MessageSignature)
        } else if name.eq_ignore_ascii_case("ARC-Authentication-Results") {
            Some(FieldKind::AuthenticationResults)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Seal => "ARC-Seal",
            FieldKind::MessageSignature => "ARC-Message-Signature",
            FieldKind::AuthenticationResults => "ARC-Authentication-Results",
        }
    }
}

/// The fields of one instance, top first (duplicates included: they break the chain).
#[derive(Debug, Clone, Default)]
pub struct SetFields<'m> {
    pub seals: Vec<&'m HeaderField>,
    pub message_signatures: Vec<&'m HeaderField>,
    pub authentication_results: Vec<&'m HeaderField>,
}

/// The ARC header fields of a message, by instance.
#[derive(Debug, Clone, Default)]
pub struct Collected<'m> {
    pub sets: BTreeMap<u32, SetFields<'m>>,
    /// Fields whose instance cannot be read, with why.
    pub unplaced: Vec<(FieldKind, &'m HeaderField, ArcParseError)>,
}

/// Sorts the ARC header fields into sets by their instance (RFC 8617 §5.2 step 1).
pub fn collect<'m>(message: &'m Message, fields: &[(FieldKind, &'m HeaderField)]) -> Collected<'m> {
    let mut collected = Collected::default();
    for &(kind, field) in fields {
        let value = message.value_bytes(field);
        let instance = match kind {
            FieldKind::AuthenticationResults => parse::aar_instance(value),
            FieldKind::Seal | FieldKind::MessageSignature => parse::field_instance(value),
        };
        match instance {
            Ok(instance) => {
                let set = collected.sets.entry(instance).or_default();
                match kind {
                    FieldKind::Seal => set.seals.push(field),
                    FieldKind::MessageSignature => set.message_signatures.push(field),
                    FieldKind::AuthenticationResults => set.authentication_results.push(field),
                }
            }
            Err(error) => collected.unplaced.push((kind, field, error)),
        }
    }
    collected
}

/// Why the chain fails before any signature is checked.
pub type StructureFailure = (ChainOutcome, String);

/// RFC 8617 §5.2 steps 1 to 3: every field in a set, the newest seal not `cv=fail`, exactly
/// one field of each kind per set, instances 1..N without a gap, and `cv=none` at i=1 and
/// `cv=pass` above.
pub fn check_structure(
    message: &Message,
    collected: &Collected<'_>,
) -> Result<(), StructureFailure> {
    if let Some((kind, _, error)) = collected.unplaced.first() {
        return Err((
            ChainOutcome::InstanceUnreadable,
            format!(
                "an {} field cannot be placed in any ARC Set: {}",
                kind.name(),
                error.message
            ),
        ));
    }
    let Some((&newest, newest_set)) = collected.sets.last_key_value() else {
        return Err((
            ChainOutcome::NoArcSets,
            "the message has no ARC header field".into(),
        ));
    };
    let cv_of = |field: &HeaderField| parse::field_chain_validation(message.value_bytes(field));
    if newest_set.seals.first().and_then(|seal| cv_of(seal)) == Some(ChainValidation::Fail) {
        return Err((
            ChainOutcome::NewestSealRecordsFail,
            format!(
                "the newest ARC-Seal (i={newest}) says cv=fail: its sealer found the chain \
                 already broken (RFC 8617 §5.2 step 2)"
            ),
        ));
    }
    for (&instance, set) in &collected.sets {
        let kinds = [
            (
                FieldKind::AuthenticationResults,
                set.authentication_results.len(),
            ),
            (FieldKind::MessageSignature, set.message_signatures.len()),
            (FieldKind::Seal, set.seals.len()),
        ];
        for (kind, count) in kinds {
            if count == 0 {
                return Err((
                    ChainOutcome::IncompleteSet,
                    format!("ARC Set i={instance} has no {} field", kind.name()),
                ));
            }
            if count > 1 {
                return Err((
                    ChainOutcome::DuplicateField,
                    format!("ARC Set i={instance} has {count} {} fields", kind.name()),
                ));
            }
        }
    }
    if let Some(missing) = (1..=newest).find(|instance| !collected.sets.contains_key(instance)) {
        return Err((
            ChainOutcome::InstanceGap,
            format!("there is no ARC Set i={missing}, yet the chain reaches i={newest}"),
        ));
    }
    for (&instance, set) in &collected.sets {
        let required = if instance == 1 {
            ChainValidation::None
        } else {
            ChainValidation::Pass
        };
        let found = set.seals.first().and_then(|seal| cv_of(seal));
        if found != Some(required) {
            let word = |cv: ChainValidation| match cv {
                ChainValidation::None => "none",
                ChainValidation::Pass => "pass",
                ChainValidation::Fail => "fail",
            };
            return Err((
                ChainOutcome::WrongChainValidation,
                format!(
                    "the ARC-Seal of i={instance} has {}, where cv={} is required (RFC 8617 \
                     §5.2 step 3)",
                    found.map_or("no readable cv=".into(), |cv| format!("cv={}", word(cv))),
                    word(required)
                ),
            ));
        }
    }
    Ok(())
}

/// RFC 8617 §5.2 steps 4 to 7, once every signature has a result: the newest message signature,
/// then every seal from the newest down. Returns the result, its code, the reason and the
/// oldest-pass instance (step 5; `None` unless the chain passes).
pub fn chain_verdict(
    instances: &[ArcInstance],
    structure: Result<(), StructureFailure>,
) -> (ArcResult, ChainOutcome, String, Option<u32>) {
    if let Err((outcome, reason)) = structure {
        let result = if outcome == ChainOutcome::NoArcSets {
            ArcResult::None
        } else {
            ArcResult::Fail
        };
        return (result, outcome, reason, None);
    }
    let Some(newest) = instances.last() else {
        let reason = "the message has no ARC header field".to_string();
        return (ArcResult::None, ChainOutcome::NoArcSets, reason, None);
    };
    let signature_result = |instance: &ArcInstance| {
        instance
            .message_signature
            .as_ref()
            .map_or(SignatureResult::NotChecked, |signature| signature.result)
    };
    let body_not_checked = match &newest.message_signature {
        Some(signature) if signature.result == SignatureResult::Pass => false,
        Some(signature) if signature.result == SignatureResult::Neutral => true,
        signature => {
            let why = signature
                .as_ref()
                .map_or("it is missing", |signature| signature.reason.as_str());
            return (
                ArcResult::Fail,
                ChainOutcome::NewestMessageSignatureFailed,
                format!(
                    "the newest ARC-Message-Signature (i={}) does not validate: {why}",
                    newest.instance
                ),
                None,
            );
        }
    };
    for instance in instances.iter().rev() {
        match &instance.seal {
            Some(seal) if seal.result == SignatureResult::Pass => {}
            seal => {
                let why = seal
                    .as_ref()
                    .map_or("it is missing", |seal| seal.reason.as_str());
                return (
                    ArcResult::Fail,
                    ChainOutcome::SealFailed,
                    format!(
                        "the ARC-Seal of i={} ({}) does not validate: {why}",
                        instance.instance,
                        instance.sealer.as_deref().unwrap_or("unknown sealer")
                    ),
                    None,
                );
            }
        }
    }
    if body_not_checked {
        return (
            ArcResult::Neutral,
            ChainOutcome::BodyNotChecked,
            format!(
                "every ARC-Seal validates and the newest ARC-Message-Signature (i={}) verifies \
                 over the headers, but only headers were given, so its body hash was not checked",
                newest.instance
            ),
            None,
        );
    }
    let oldest_pass = instances
        .iter()
        .rev()
        .take_while(|instance| signature_result(instance) == SignatureResult::Pass)
        .last()
        .map(|instance| instance.instance);
    let sealers: Vec<&str> = instances
        .iter()
        .map(|instance| instance.sealer.as_deref().unwrap_or("?"))
        .collect();
    (
        ArcResult::Pass,
        ChainOutcome::Pass,
        format!(
            "the chain of {} ARC Set{} validates (sealed by {})",
            instances.len(),
            if instances.len() == 1 { "" } else { "s" },
            sealers.join(", then ")
        ),
        oldest_pass,
    )
}

/// Validates the ARC chain of `message` (RFC 8617 §5.2).
///
/// `now` is the time of checking for the message signatures' `x=`, in seconds since the Unix
/// epoch. Every key is looked up once, all lookups at the same time.
#[cfg(feature = "rust-crypto")]
pub async fn verify_message<R: Resolver>(message: &Message, resolver: &R, now: u64) -> ArcReport {
    verify_message_with(message, resolver, &crate::crypto::RustCrypto, now).await
}

/// [`verify_message`] with the cryptography of `crypto` (the browser's WebCrypto in the page).
pub async fn verify_message_with<R: Resolver, C: Crypto>(
    message: &Message,
    resolver: &R,
    crypto: &C,
    now: u64,
) -> ArcReport {
    let fields: Vec<(FieldKind, &HeaderField)> = message
        .fields
        .iter()
        .filter_map(|field| FieldKind::of(field).map(|kind| (kind, field)))
        .collect();
    if fields.len() > MAX_ARC_FIELDS {
        return ArcReport {
            result: ArcResult::Fail,
            outcome: ChainOutcome::TooManyFields,
            reason: format!(
                "the message has {} ARC header fields; 50 ARC Sets hold at most {MAX_ARC_FIELDS} \
                 (RFC 8617 §5.2 step 1)",
                fields.len()
            ),
            instances: Vec::new(),
            oldest_pass: None,
            findings: Vec::new(),
        };
    }
    let collected = collect(message, &fields);
    let structure = check_structure(message, &collected);
    let chain_intact = structure.is_ok();

    let signatures: Vec<(u32, &HeaderField, Result<MessageSignature, ArcParseError>)> = collected
        .sets
        .iter()
        .filter_map(|(&instance, set)| set.message_signatures.first().map(|f| (instance, *f)))
        .map(|(instance, field)| {
            let parsed = parse::arc_message_signature(message.value_bytes(field));
            (instance, field, parsed)
        })
        .collect();
    // Seals sign the whole chain up to themselves, so they can be checked only when the chain
    // has its shape; RFC 8617 §5.2 stops before them otherwise.
    let seals: Vec<(u32, &HeaderField, Result<Seal, ArcParseError>)> = collected
        .sets
        .iter()
        .filter(|_| chain_intact)
        .filter_map(|(&instance, set)| set.seals.first().map(|f| (instance, *f)))
        .map(|(instance, field)| (instance, field, parse::arc_seal(message.value_bytes(field))))
        .collect();

    let mut names = BTreeSet::new();
    for (_, _, parsed) in &signatures {
        if let Ok(parsed) = parsed {
            if precheck(&parsed.signature, now).is_ok() {
                names.insert(dkim_verify::key_name(&parsed.signature));
            }
        }
    }
    for (_, _, parsed) in &seals {
        if let Ok(parsed) = parsed {
            if precheck(&parsed.signature, now).is_ok() {
                names.insert(dkim_verify::key_name(&parsed.signature));
            }
        }
    }
    let lookups = names
        .iter()
        .map(|name| resolver.lookup(name, RecordType::Txt));
    let answers = crate::join::join_all(lookups).await;
    let keys: SortedMap<String, Result<Answer, DnsError>> =
        names.into_iter().zip(answers).collect();

    let chain: Vec<[&HeaderField; 3]> = collected
        .sets
        .values()
        .filter_map(|set| {
            Some([
                *set.authentication_results.first()?,
                *set.message_signatures.first()?,
                *set.seals.first()?,
            ])
        })
        .collect();
    let mut instances: Vec<ArcInstance> = collected
        .sets
        .iter()
        .map(|(&instance, set)| describe_instance(message, instance, set))
        .collect();
    for instance in &mut instances {
        let number = instance.instance;
        if let Some((_, field, parsed)) = signatures.iter().find(|(i, _, _)| *i == number) {
            instance.message_signature =
                Some(message_signature_report(crypto, message, field, parsed, &keys, now).await);
        }
        if let Some((_, field, parsed)) = seals.iter().find(|(i, _, _)| *i == number) {
            let position = usize::try_from(number.saturating_sub(1)).unwrap_or(usize::MAX);
            instance.seal = Some(
                seal_report(crypto, message, &chain, position, field, parsed, &keys, now).await,
            );
        }
    }
    let (result, outcome, reason, oldest_pass) = chain_verdict(&instances, structure);
    let findings = findings(&collected, &instances, result, oldest_pass);
    ArcReport {
        result,
        outcome,
        reason,
        instances,
        oldest_pass,
        findings,
    }
}

fn findings(
    collected: &Collected<'_>,
    instances: &[ArcInstance],
    result: ArcResult,
    oldest_pass: Option<u32>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (kind, field, error) in &collected.unplaced {
        findings.push(
            Finding::new(
                Severity::Error,
                "arc.instance-unreadable",
                format!(
                    "This {} field belongs to no ARC Set: {}.",
                    kind.name(),
                    error.message
                ),
            )
            .with_rfc(RFC8617_INSTANCE)
            .with_span(field.span()),
        );
    }
    for instance in instances {
        for span in &instance.duplicate_spans {
            findings.push(
                Finding::new(
                    Severity::Error,
                    "arc.duplicate-field",
                    format!(
                        "ARC Set i={} has a second field of this kind; a set has exactly one \
                         of each, so the chain fails.",
                        instance.instance
                    ),
                )
                .with_rfc(RFC8617_VALIDATION)
                .with_span(*span),
            );
        }
    }
    if let (ArcResult::Pass, Some(oldest)) = (result, oldest_pass) {
        if oldest > 1 {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "arc.modified-in-transit",
                    format!(
                        "The message was changed after the sealer of i={} handled it: the \
                         ARC-Message-Signatures before i={oldest} no longer validate. The seals \
                         still vouch for what each sealer recorded.",
                        oldest - 1
                    ),
                )
                .with_rfc(RFC8617_VALIDATION),
            );
        }
    }
    findings
}

/// What a set says before any check: its sealer, `cv=`, results, and the fields beyond the first
/// of each kind.
fn describe_instance(message: &Message, instance: u32, set: &SetFields<'_>) -> ArcInstance {
    let seal_value = set.seals.first().map(|field| message.value_bytes(field));
    let lower = |text: String| text.to_ascii_lowercase();
    let duplicate_spans = [
        &set.seals,
        &set.message_signatures,
        &set.authentication_results,
    ]
    .iter()
    .flat_map(|fields| fields.iter().skip(1).map(|field| field.span()))
    .collect();
    ArcInstance {
        instance,
        sealer: seal_value.and_then(|value| parse::readable_tag(value, "d").map(lower)),
        selector: seal_value.and_then(|value| parse::readable_tag(value, "s").map(lower)),
        cv: seal_value.and_then(parse::field_chain_validation),
        seal: None,
        message_signature: None,
        authentication_results: set
            .authentication_results
            .first()
            .map(|field| aar_report(message, field)),
        duplicate_spans,
    }
}

fn aar_report(message: &Message, field: &HeaderField) -> AarReport {
    let value = unfold_value(message.value_bytes(field));
    let parsed = parse_authentication_results(&value, ResultsKind::ArcAuthenticationResults);
    AarReport {
        authserv_id: parsed.authserv_id,
        results: parsed.results,
        problems: parsed.problems,
        value: value.trim().to_string(),
        span: field.span(),
    }
}
