//! The cryptography DKIM and ARC verification need, as a trait answered at the edges, like DNS:
//! digests of the canonicalized body (RFC 6376 §3.7) and signature checks over the canonicalized
//! header data, RSASSA-PKCS1-v1_5 with SHA-256 or SHA-1 (RFC 8017 §8.2) and Ed25519 (RFC 8463).
//!
//! Natively (and in the page's audit module) [`RustCrypto`] answers, with rsa, sha1, sha2 and
//! ed25519-dalek (feature `rust-crypto`, on by default). The page's Message view answers with the
//! browser's WebCrypto (`src/wasm/subtle.rs`), so that its module carries no RSA arithmetic and no
//! hash code. The trait is async because WebCrypto is: every call returns a promise.
//!
//! What decides a verdict stays here, the same for both: keys are read by [`der`] and
//! [`crate::dkim::public_key`], and the Ed25519 checks that ed25519-dalek makes and WebCrypto
//! does not are in [`ed25519`].

pub mod der;
pub mod ed25519;
#[cfg(feature = "rust-crypto")]
pub(crate) mod rust;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;

use crate::dkim::{Algorithm, HashAlgorithm, PublicKey};

#[cfg(feature = "rust-crypto")]
pub use rust::{digest, digest_as_webcrypto, verify_as_webcrypto, RustCrypto};

/// The cryptography could not answer: the browser has no WebCrypto, refused a key or an
/// algorithm, and the fallback could not be loaded. Not a verdict on the signature: DKIM and ARC
/// report it as `temperror`, never as `fail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoError {
    /// What the implementation said, for the report's reason.
    pub reason: String,
}

impl CryptoError {
    pub fn new(reason: impl Into<String>) -> Self {
        CryptoError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.reason)
    }
}

impl std::error::Error for CryptoError {}

/// Digests and signature checks for DKIM and ARC.
pub trait Crypto {
    /// The hash of `data`. The data is given, not lent, so that an implementation that copies
    /// it elsewhere (the browser's WebCrypto) frees it before it waits: a large message's bodies,
    /// one per signature, are then not all held at once.
    fn digest(
        &self,
        hash: HashAlgorithm,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, CryptoError>>;

    /// Whether `signature` is `key`'s signature with `algorithm` over `data`, the canonicalized
    /// header data (RFC 6376 §3.7). The implementation hashes `data` itself: RSASSA-PKCS1-v1_5
    /// signs the hash with its DigestInfo, and Ed25519 signs the SHA-256 hash of `data` as its
    /// message (RFC 8463 §3). `Ok(false)` is a signature that does not verify; `Err` is a check
    /// that could not be made.
    ///
    /// Implementations that verify Ed25519 with the signature equation alone must first ask
    /// [`ed25519::passes_strict_checks`], as [`RustCrypto`]'s `verify_strict` does in effect.
    fn verify(
        &self,
        key: &PublicKey,
        algorithm: Algorithm,
        data: &[u8],
        signature: &[u8],
    ) -> impl Future<Output = Result<bool, CryptoError>>;
}

impl<C: Crypto> Crypto for &C {
    fn digest(
        &self,
        hash: HashAlgorithm,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, CryptoError>> {
        (**self).digest(hash, data)
    }

    fn verify(
        &self,
        key: &PublicKey,
        algorithm: Algorithm,
        data: &[u8],
        signature: &[u8],
    ) -> impl Future<Output = Result<bool, CryptoError>> {
        (**self).verify(key, algorithm, data, signature)
    }
}
