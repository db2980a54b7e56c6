//! DKIM keys (RFC 6376 §3.6): the DNS name of a signature's key, its lookup, and the key record
//! read into a key ready to verify with. ARC fetches its keys the same way (RFC 8617 §4.1.2).

use crate::crypto::der;
#[cfg(not(feature = "rust-crypto"))]
use crate::crypto::ed25519;
use crate::dns::{Answer, DnsError, RecordType, Resolver};
use crate::report::Span;

use super::verify::{check_key, syntax_rejection, Rejection, MAXIMUM_RSA_BITS};
use super::{parse, DkimResult, KeyRecord, KeyReport, KeyType, Outcome, Signature};

/// A public key read from `p=` and checked, ready to verify with: its numbers, not a crate's
/// key object, so that the [`crate::crypto::Crypto`] at hand (Rust natively, WebCrypto in the
/// browser) can import it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa(RsaPublicKey),
    Ed25519(Ed25519PublicKey),
}

/// An RSA public key that passed the checks rsa 0.9 makes (modulus odd and at most
/// [`MAXIMUM_RSA_BITS`], exponent odd, from 3 to 2^33 − 1 and below the modulus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RsaPublicKey {
    /// The modulus n, big-endian, without leading zero bytes.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The public exponent e, big-endian, without leading zero bytes.
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// The length of the modulus in bits (RFC 8301 §3.2 counts these).
    pub fn bits(&self) -> usize {
        bit_length(&self.modulus)
    }

    /// The key as a SubjectPublicKeyInfo (rsaEncryption), whatever form `p=` had.
    pub fn spki(&self) -> Vec<u8> {
        der::rsa_spki(der::RsaKeyParts {
            modulus: &self.modulus,
            exponent: &self.exponent,
        })
    }
}

/// An Ed25519 public key: 32 bytes that decode to a point of the curve (RFC 8032 §5.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519PublicKey([u8; 32]);

impl Ed25519PublicKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The bits of a big-endian number without leading zero bytes.
fn bit_length(number: &[u8]) -> usize {
    match number.first() {
        None => 0,
        Some(first) => number.len() * 8 - first.leading_zeros() as usize,
    }
}

impl PublicKey {
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Rsa(_) => KeyType::Rsa,
            PublicKey::Ed25519(_) => KeyType::Ed25519,
        }
    }

    pub fn bits(&self) -> usize {
        match self {
            PublicKey::Rsa(key) => key.bits(),
            PublicKey::Ed25519(_) => 256,
        }
    }

    /// Verifies `signature` over the hash of the header data (RFC 6376 §3.3; for ed25519 the
    /// signed message is the SHA-256 hash itself, RFC 8463 §3), with the Rust crates.
    #[cfg(feature = "rust-crypto")]
    pub fn verify(&self, algorithm: super::Algorithm, hash: &[u8], signature: &[u8]) -> bool {
        crate::crypto::rust::verify_hash(self, algorithm, hash, signature)
    }
}

/// Reads `p=` as a key of the record's type.
///
/// RSA keys are SubjectPublicKeyInfo DER (RFC 6376 §3.6.1); a bare RSAPublicKey (PKCS#1) is also
/// accepted because some publishers use it and other verifiers accept it. Ed25519 keys are the
/// raw 32 bytes (RFC 8463 §4).
pub fn public_key(record: &KeyRecord) -> Result<PublicKey, String> {
    key_from_bytes(record.key_type, &record.public_key)
}

/// [`public_key`] of `p=`'s decoded bytes, for a key of type `key_type`.
pub fn key_from_bytes(key_type: KeyType, key: &[u8]) -> Result<PublicKey, String> {
    match key_type {
        KeyType::Rsa => rsa_public_key(key).map(PublicKey::Rsa),
        KeyType::Ed25519 => {
            let bytes: [u8; 32] = key.try_into().map_err(|_| {
                format!(
                    "p= holds {} bytes; an ed25519 key is 32 (RFC 8463 §4)",
                    key.len()
                )
            })?;
            // The same decision both ways (crypto::tests compares them); natively the crate's own
            // decoding, which the verification repeats anyway.
            #[cfg(feature = "rust-crypto")]
            let valid = ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_ok();
            #[cfg(not(feature = "rust-crypto"))]
            let valid = ed25519::is_valid_point(&bytes);
            if valid {
                Ok(PublicKey::Ed25519(Ed25519PublicKey(bytes)))
            } else {
                Err("p= is not a valid ed25519 point".to_string())
            }
        }
    }
}

/// An RSA key from SubjectPublicKeyInfo DER, or from a bare RSAPublicKey (PKCS#1), with the
/// checks of rsa 0.9's `RsaPublicKey::new_with_max_size`, in its order, so that a key the
/// browser takes is one the CLI takes.
fn rsa_public_key(der: &[u8]) -> Result<RsaPublicKey, String> {
    let parts = der::rsa_key_from_record(der).map_err(|error| match error.kind {
        der::DerErrorKind::PartialByte => {
            "p= is a SubjectPublicKeyInfo whose key is not a whole number of bytes".to_string()
        }
        _ => format!("p= is not an RSA public key ({error})"),
    })?;
    let unusable = |why: &str| format!("p= is not a usable RSA public key ({why})");
    let (modulus, exponent) = (parts.modulus, parts.exponent);
    if bit_length(modulus) > MAXIMUM_RSA_BITS {
        return Err(unusable(&format!(
            "the modulus has {} bits, more than {MAXIMUM_RSA_BITS}",
            bit_length(modulus)
        )));
    }
    if exponent.len() > 8 {
        return Err(unusable("the public exponent is too large"));
    }
    // Both are minimal big-endian numbers: the longer is the larger, and at equal lengths the
    // bytes compare as the numbers do.
    let exponent_below_modulus = (exponent.len(), exponent) < (modulus.len(), modulus);
    let odd = |number: &[u8]| number.last().is_some_and(|last| last & 1 == 1);
    if !exponent_below_modulus || !odd(modulus) {
        return Err(unusable("the modulus is even, or not above the exponent"));
    }
    if !odd(exponent) {
        return Err(unusable("the public exponent is even"));
    }
    let value = exponent
        .iter()
        .fold(0u64, |value, byte| (value << 8) | u64::from(*byte));
    if value < 2 {
        return Err(unusable("the public exponent is below 2"));
    }
    if value > (1 << 33) - 1 {
        return Err(unusable("the public exponent is above 2^33 - 1"));
    }
    Ok(RsaPublicKey {
        modulus: modulus.to_vec(),
        exponent: exponent.to_vec(),
    })
}

/// The DNS name of a signature's key (RFC 6376 §3.6.2.1).
pub fn key_name(signature: &Signature) -> String {
    format!("{}._domainkey.{}", signature.selector, signature.domain)
}

/// Fetches and reads the key (RFC 6376 §6.1.2). On failure, the key report (when a record was
/// found) and the rejection.
pub(super) async fn fetch_key<R: Resolver>(
    resolver: &R,
    signature: &Signature,
) -> Result<(KeyReport, PublicKey), (Option<KeyReport>, Rejection)> {
    let name = key_name(signature);
    let answer = resolver.lookup(&name, RecordType::Txt).await;
    read_key(&name, answer.as_ref(), signature)
}

/// Reads the key for `signature` from the answer to the lookup of `name` (RFC 6376 §6.1.2): the
/// half of [`fetch_key`] after DNS, for callers that look a name up once for several signatures
/// (ARC seals and message signatures often share one key).
// The error keeps the key report beside the rejection, as `fetch_key` does; it is built once
// per signature, so its size costs nothing worth a box.
#[allow(clippy::result_large_err)]
pub(crate) fn read_key(
    name: &str,
    answer: Result<&Answer, &DnsError>,
    signature: &Signature,
) -> Result<(KeyReport, PublicKey), (Option<KeyReport>, Rejection)> {
    let name = name.to_string();
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => return Err((None, dns_rejection(&name, error))),
    };
    // Several TXT records: the first that reads as a key record is used (§3.6.2.2 leaves the
    // choice to the verifier); if none does, the first one's error is reported.
    let mut first_failure = None;
    for record in answer.records.iter() {
        let Some(text) = record.data.txt_joined() else {
            continue;
        };
        let mut key_report = KeyReport {
            name: name.clone(),
            record: String::from_utf8_lossy(&text).into_owned(),
            ttl: record.ttl,
            authenticated: answer.authenticated,
            key_type: None,
            bits: None,
            testing: false,
            strict: false,
            error_record_span: None,
        };
        let key_record = match parse::key_record(&text) {
            Ok(key_record) => key_record,
            Err(error) => {
                key_report.error_record_span = Some(Span::new(error.range.start, error.range.end));
                first_failure.get_or_insert((
                    key_report,
                    syntax_rejection(&error, "the key record cannot be used", true),
                ));
                continue;
            }
        };
        key_report.key_type = Some(key_record.key_type);
        key_report.testing = key_record.testing;
        key_report.strict = key_record.strict;
        if let Err(rejection) = check_key(signature, &key_record) {
            return Err((Some(key_report), rejection));
        }
        return match public_key(&key_record) {
            Ok(key) => {
                key_report.bits = Some(key.bits());
                Ok((key_report, key))
            }
            Err(why) => Err((
                Some(key_report),
                Rejection::new(DkimResult::Permerror, Outcome::KeySyntax, why),
            )),
        };
    }
    Err(match first_failure {
        Some((key_report, rejection)) => (Some(key_report), rejection),
        None => (
            None,
            Rejection::new(
                DkimResult::Permerror,
                Outcome::KeyNotFound,
                format!("{name} has no TXT record"),
            ),
        ),
    })
}

/// NXDOMAIN and NODATA mean there is no key: permerror; anything else may pass: temperror
/// (RFC 6376 §6.1.2).
pub fn dns_rejection(name: &str, error: &DnsError) -> Rejection {
    if error.is_temporary() {
        Rejection::new(
            DkimResult::Temperror,
            Outcome::KeyLookupFailed,
            format!("the key at {name} could not be fetched: {error}"),
        )
    } else {
        Rejection::new(
            DkimResult::Permerror,
            Outcome::KeyNotFound,
            format!("there is no key at {name}: {error}"),
        )
    }
}
