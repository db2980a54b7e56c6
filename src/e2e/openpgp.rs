//! OpenPGP with rpgp: signature packets (RFC 9580 §5.2) of PGP/MIME (RFC 3156 §5) and of inline
//! cleartext signatures (RFC 9580 §7), verified with the public keys the reader gives; and the
//! recipients (PKESK packets, RFC 9580 §5.1) of an encrypted message.

use std::io::{Cursor, Read};

use pgp::composed::{CleartextSignedMessage, Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::{Packet, PacketParser, Signature};
use pgp::types::KeyDetails;

use super::cert::hex;
use super::{
    E2eSignature, OpenPgpSignature, Recipient, RecipientKind, SignatureResult, MAX_RECIPIENTS,
    MAX_SIGNATURES,
};

/// At most this many public keys are read from what the reader gives.
const MAX_KEYS: usize = 16;
/// An armored block larger than this is not decoded.
const MAX_ARMORED_BYTES: usize = 16 * 1024 * 1024;

/// The signatures found and the first one checked.
pub struct Outcome {
    pub signature: E2eSignature,
    pub count: usize,
    pub weak: Vec<String>,
}

/// Reads the public keys of `armored` (one or more `PUBLIC KEY BLOCK`s).
pub fn read_keys(armored: &str) -> Result<Vec<SignedPublicKey>, String> {
    if armored.trim().is_empty() {
        return Ok(Vec::new());
    }
    let (keys, _) = SignedPublicKey::from_armor_many(Cursor::new(armored.as_bytes().to_vec()))
        .map_err(|error| format!("the OpenPGP key cannot be read: {error}"))?;
    let keys: Vec<SignedPublicKey> = keys.take(MAX_KEYS).filter_map(Result::ok).collect();
    if keys.is_empty() {
        return Err("no OpenPGP public key in what was given".into());
    }
    Ok(keys)
}

/// A detached signature (the second part of PGP/MIME `multipart/signed`) over `data`.
pub fn check_detached(
    signature_part: &[u8],
    data: &[u8],
    keys: &[SignedPublicKey],
) -> Result<Outcome, String> {
    let signatures = read_signatures(signature_part)?;
    let first = signatures
        .first()
        .ok_or("the signature part holds no signature packet")?;
    Ok(outcome(first, signatures.len(), keys, |key_verify| {
        key_verify(first, data)
    }))
}

/// An inline cleartext-signed block (`-----BEGIN PGP SIGNED MESSAGE-----`), checked with
/// `keys`.
pub fn check_cleartext(block: &str, keys: &[SignedPublicKey]) -> Result<Outcome, String> {
    let (message, _) = CleartextSignedMessage::from_string(block)
        .map_err(|error| format!("the cleartext signature cannot be read: {error}"))?;
    let signatures = message.signatures();
    let first = signatures
        .first()
        .ok_or("the cleartext block holds no signature")?;
    let text = message.signed_text();
    Ok(outcome(first, signatures.len(), keys, |key_verify| {
        key_verify(first, text.as_bytes())
    }))
}

fn dearmor(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let text = bytes.trim_ascii_start();
    if !text.starts_with(b"-----BEGIN PGP") {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    pgp::armor::Dearmor::new(text)
        .take(MAX_ARMORED_BYTES as u64)
        .read_to_end(&mut out)
        .map_err(|error| format!("the armored OpenPGP data cannot be decoded: {error}"))?;
    Ok(out)
}

fn read_signatures(bytes: &[u8]) -> Result<Vec<Signature>, String> {
    let binary = dearmor(bytes)?;
    let mut signatures = Vec::new();
    for packet in PacketParser::new(binary.as_slice()).take(MAX_SIGNATURES * 4) {
        if let Ok(Packet::Signature(signature)) = packet {
            signatures.push(signature);
            if signatures.len() >= MAX_SIGNATURES {
                break;
            }
        }
    }
    if signatures.is_empty() {
        // One more way in: rpgp's own reader of a detached signature.
        let (signature, _) = DetachedSignature::from_armor_single(Cursor::new(bytes.to_vec()))
            .map_err(|error| format!("no OpenPGP signature packet can be read: {error}"))?;
        signatures.push(signature.signature);
    }
    Ok(signatures)
}

/// The recipients named by the PKESK packets of an encrypted message, armored or binary.
pub fn recipients(bytes: &[u8]) -> Result<Vec<Recipient>, String> {
    let binary = dearmor(bytes)?;
    let mut out = Vec::new();
    for packet in PacketParser::new(binary.as_slice()).take(MAX_RECIPIENTS * 2) {
        match packet {
            Ok(Packet::PublicKeyEncryptedSessionKey(pkesk)) => out.push(Recipient {
                kind: RecipientKind::OpenpgpKey,
                issuer: None,
                serial: None,
                subject_key_identifier: None,
                key_id: pkesk.id().ok().map(|id| hex(id.as_ref())),
                fingerprint: pkesk
                    .fingerprint()
                    .ok()
                    .flatten()
                    .map(|fingerprint| hex(fingerprint.as_bytes())),
                algorithm: pkesk
                    .algorithm()
                    .ok()
                    .map(|algorithm| format!("{algorithm:?}").to_ascii_lowercase()),
            }),
            // The session keys come first (RFC 9580 §10.3); the encrypted data ends the list.
            Ok(
                Packet::SymEncryptedProtectedData(_)
                | Packet::SymEncryptedData(_)
                | Packet::GnupgAeadData(_),
            ) => break,
            _ => {}
        }
        if out.len() >= MAX_RECIPIENTS {
            break;
        }
    }
    Ok(out)
}

type Verify<'a> = dyn Fn(&Signature, &[u8]) -> bool + 'a;

/// The report of `signature`, verified with the first of `keys` (primary key or subkey) that
/// verifies it; `check` runs the verification with a given key-trying closure.
fn outcome(
    signature: &Signature,
    count: usize,
    keys: &[SignedPublicKey],
    check: impl Fn(&Verify<'_>) -> bool,
) -> Outcome {
    let config = signature.config();
    let hash = config.map(|config| format!("{:?}", config.hash_alg));
    let mut weak = Vec::new();
    if hash.as_deref() == Some("Sha1") || hash.as_deref() == Some("Md5") {
        weak.push(hash.clone().unwrap_or_default().to_ascii_uppercase());
    }
    let mut details = OpenPgpSignature {
        issuer_key_ids: signature
            .issuer_key_id()
            .iter()
            .map(|id| hex(id.as_ref()))
            .collect(),
        issuer_fingerprints: signature
            .issuer_fingerprint()
            .iter()
            .map(|fingerprint| hex(fingerprint.as_bytes()))
            .collect(),
        signature_type: signature
            .typ()
            .map(|typ| format!("{typ:?}").to_ascii_lowercase()),
        verified_with: None,
        key_user_ids: Vec::new(),
    };
    let mut result = SignatureResult::NotVerified;
    let mut reason =
        "not verified: give the signer's OpenPGP public key to check the signature".to_string();
    if !keys.is_empty() {
        result = SignatureResult::Fail;
        reason = "the signature does not verify with any of the given keys".into();
        for key in keys {
            let primary = |signature: &Signature, data: &[u8]| {
                signature
                    .verify(&key.primary_key, Cursor::new(data))
                    .is_ok()
            };
            let subkeys = |signature: &Signature, data: &[u8]| {
                key.public_subkeys
                    .iter()
                    .any(|subkey| signature.verify(&subkey.key, Cursor::new(data)).is_ok())
            };
            if check(&primary) || check(&subkeys) {
                result = SignatureResult::Pass;
                reason = "the signature verifies with the given key".into();
                details.verified_with = Some(hex(key.primary_key.fingerprint().as_bytes()));
                details.key_user_ids = key
                    .details
                    .users
                    .iter()
                    .map(|user| String::from_utf8_lossy(user.id.id()).into_owned())
                    .collect();
                break;
            }
        }
    }
    Outcome {
        signature: E2eSignature {
            valid: result == SignatureResult::Pass,
            result,
            reason,
            algorithm: config.map(|config| format!("{:?}", config.pub_alg).to_ascii_lowercase()),
            digest_algorithm: hash.map(|hash| hash.to_ascii_lowercase()),
            key_bits: None,
            signing_time: signature.created().map(|time| i64::from(time.as_secs())),
            signed_attributes: None,
            signer: None,
            trust: None,
            openpgp: Some(details),
        },
        count,
        weak,
    }
}
