//! DKIM keys (RFC 6376 §3.6): the DNS name of a signature's key, its lookup, and the key record
//! read into a key ready to verify with. ARC fetches its keys the same way (RFC 8617 §4.1.2).

use rsa::pkcs8::SubjectPublicKeyInfoRef;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};

use sha1::Sha1;
use sha2::Sha256;

use crate::dns::{Answer, DnsError, RecordType, Resolver};
use crate::report::Span;

use super::verify::{check_key, syntax_rejection, Rejection, MAXIMUM_RSA_BITS};
use super::{parse, Algorithm, DkimResult, KeyRecord, KeyReport, KeyType, Outcome, Signature};

/// A public key ready to verify with.
#[derive(Debug, Clone)]
pub enum PublicKey {
    Rsa(RsaPublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
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
            PublicKey::Rsa(key) => key.n().bits(),
            PublicKey::Ed25519(_) => 256,
        }
    }

    /// Verifies `signature` over the hash of the header data (RFC 6376 §3.3; for ed25519 the
    /// signed message is the SHA-256 hash itself, RFC 8463 §3).
    pub fn verify(&self, algorithm: Algorithm, hash: &[u8], signature: &[u8]) -> bool {
        match (self, algorithm) {
            (PublicKey::Rsa(key), Algorithm::RsaSha256) => key
                .verify(Pkcs1v15Sign::new::<Sha256>(), hash, signature)
                .is_ok(),
            (PublicKey::Rsa(key), Algorithm::RsaSha1) => key
                .verify(Pkcs1v15Sign::new::<Sha1>(), hash, signature)
                .is_ok(),
            (PublicKey::Ed25519(key), Algorithm::Ed25519Sha256) => {
                ed25519_dalek::Signature::from_slice(signature)
                    .is_ok_and(|signature| key.verify_strict(hash, &signature).is_ok())
            }
            _ => false,
        }
    }
}

/// Reads `p=` as a key of the record's type.
///
/// RSA keys are SubjectPublicKeyInfo DER (RFC 6376 §3.6.1); a bare RSAPublicKey (PKCS#1) is also
/// accepted because some publishers use it and other verifiers accept it. Ed25519 keys are the
/// raw 32 bytes (RFC 8463 §4).
pub fn public_key(record: &KeyRecord) -> Result<PublicKey, String> {
    match record.key_type {
        KeyType::Rsa => rsa_public_key(&record.public_key).map(PublicKey::Rsa),
        KeyType::Ed25519 => {
            let bytes: [u8; 32] = record.public_key.as_slice().try_into().map_err(|_| {
                format!(
                    "p= holds {} bytes; an ed25519 key is 32 (RFC 8463 §4)",
                    record.public_key.len()
                )
            })?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(PublicKey::Ed25519)
                .map_err(|_| "p= is not a valid ed25519 point".to_string())
        }
    }
}

/// An RSA key from SubjectPublicKeyInfo DER, or from a bare RSAPublicKey (PKCS#1).
fn rsa_public_key(der: &[u8]) -> Result<RsaPublicKey, String> {
    use rsa::pkcs1::der::Decode;
    let pkcs1 = match SubjectPublicKeyInfoRef::try_from(der) {
        Ok(info) => info.subject_public_key.as_bytes().ok_or_else(|| {
            "p= is a SubjectPublicKeyInfo whose key is not a whole number of bytes".to_string()
        })?,
        Err(_) => der,
    };
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1)
        .map_err(|error| format!("p= is not an RSA public key ({error})"))?;
    let modulus = BigUint::from_bytes_be(key.modulus.as_bytes());
    let exponent = BigUint::from_bytes_be(key.public_exponent.as_bytes());
    RsaPublicKey::new_with_max_size(modulus, exponent, MAXIMUM_RSA_BITS)
        .map_err(|error| format!("p= is not a usable RSA public key ({error})"))
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
