//! [`Crypto`] in Rust: rsa 0.9, sha1, sha2 0.11 for SHA-256, ed25519-dalek's `verify_strict`.
//! The CLI, the tests, the benches and the page's audit module (the Message view's fallback when
//! the browser has no WebCrypto, `www/crypto.js`) verify with it.

use rsa::{BigUint, Pkcs1v15Sign};
use sha1::{Digest as _, Sha1};
use sha2_v011::Digest as _;

use super::{Crypto, CryptoError};
use crate::dkim::verify::MAXIMUM_RSA_BITS;
use crate::dkim::{Algorithm, HashAlgorithm, KeyType, PublicKey};

/// The crates' cryptography, synchronous under the async trait.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCrypto;

/// The hash of `data`. SHA-256 comes from sha2 0.11, several times faster than 0.10 here (see
/// Cargo.toml); the RSA padding still names 0.10's `Sha256` for its DigestInfo prefix, which is
/// the same for both.
pub fn digest(hash: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha256 => sha2_v011::Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha1 => Sha1::digest(data).to_vec(),
    }
}

/// Verifies `signature` over `hash`, the hash of the header data (RFC 6376 §3.3; for ed25519 the
/// signed message is the SHA-256 hash itself, RFC 8463 §3). A key or signature the crates refuse
/// does not verify.
pub(crate) fn verify_hash(
    key: &PublicKey,
    algorithm: Algorithm,
    hash: &[u8],
    signature: &[u8],
) -> bool {
    match (key, algorithm) {
        (PublicKey::Rsa(key), Algorithm::RsaSha256 | Algorithm::RsaSha1) => {
            let modulus = BigUint::from_bytes_be(key.modulus());
            let exponent = BigUint::from_bytes_be(key.exponent());
            // `public_key` made the same checks as rsa's, so the key is always accepted here.
            let Ok(key) = rsa::RsaPublicKey::new_with_max_size(modulus, exponent, MAXIMUM_RSA_BITS)
            else {
                return false;
            };
            let padding = if algorithm == Algorithm::RsaSha1 {
                Pkcs1v15Sign::new::<sha1::Sha1>()
            } else {
                Pkcs1v15Sign::new::<sha2::Sha256>()
            };
            key.verify(padding, hash, signature).is_ok()
        }
        (PublicKey::Ed25519(key), Algorithm::Ed25519Sha256) => {
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key.bytes()) else {
                return false;
            };
            ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(hash, &signature).is_ok())
        }
        _ => false,
    }
}

impl Crypto for RustCrypto {
    async fn digest(&self, hash: HashAlgorithm, data: Vec<u8>) -> Result<Vec<u8>, CryptoError> {
        Ok(digest(hash, &data))
    }

    async fn verify(
        &self,
        key: &PublicKey,
        algorithm: Algorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        Ok(verify_hash(
            key,
            algorithm,
            &digest(algorithm.hash(), data),
            signature,
        ))
    }
}

/// WebCrypto's `verify` in Rust, for the page's fallback (`www/crypto.js` through the audit
/// module): `algorithm` is `RSASSA-PKCS1-v1_5` (with `hash` `SHA-256` or `SHA-1`) over the
/// message `data`, or `Ed25519` over `data` itself; `key` is what `importKey` took (`spki` for
/// RSA, `raw` for Ed25519), read and checked as `p=` is.
pub fn verify_as_webcrypto(
    algorithm: &str,
    hash: &str,
    key: &[u8],
    signature: &[u8],
    data: &[u8],
) -> Result<bool, String> {
    let (key_type, algorithm) = match (algorithm, hash) {
        ("RSASSA-PKCS1-v1_5", "SHA-256") => (KeyType::Rsa, Algorithm::RsaSha256),
        ("RSASSA-PKCS1-v1_5", "SHA-1") => (KeyType::Rsa, Algorithm::RsaSha1),
        ("Ed25519", _) => (KeyType::Ed25519, Algorithm::Ed25519Sha256),
        _ => {
            return Err(format!(
                "{algorithm} with {hash} is not an algorithm DKIM uses"
            ))
        }
    };
    let key = crate::dkim::key_from_bytes(key_type, key)?;
    Ok(match key {
        PublicKey::Rsa(_) => {
            verify_hash(&key, algorithm, &digest(algorithm.hash(), data), signature)
        }
        PublicKey::Ed25519(_) => verify_hash(&key, algorithm, data, signature),
    })
}

/// WebCrypto's `digest` in Rust, for the page's fallback: `SHA-256` or `SHA-1`.
pub fn digest_as_webcrypto(algorithm: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    match algorithm {
        "SHA-256" => Ok(digest(HashAlgorithm::Sha256, data)),
        "SHA-1" => Ok(digest(HashAlgorithm::Sha1, data)),
        _ => Err(format!("{algorithm} is not a hash DKIM uses")),
    }
}
