//! DKIM's and ARC's cryptography in the browser: [`Crypto`] over an object with WebCrypto's
//! `importKey`, `verify` and `digest` (`crypto.subtle` itself, or the page's `www/crypto.js`,
//! which falls back to the audit module's Rust code where WebCrypto is missing or refuses).
//!
//! The object is handed in as the `crypto` option of `analyzeMessage`, as DoH goes out through
//! `fetch`: by plain calls through js_sys, no web-sys features. What decides a verdict stays in
//! the core: the key was read and checked by [`crate::dkim::public_key`], and Ed25519's strict
//! checks run here before WebCrypto's equation ([`ed25519::passes_strict_checks`]). A promise
//! that rejects is a [`CryptoError`] (temperror), never a signature that does not verify.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::crypto::{ed25519, Crypto, CryptoError};
use crate::dkim::{Algorithm, HashAlgorithm, PublicKey};

/// WebCrypto, or an object shaped like it; `None` when the page has none.
///
/// One is made for each analysis, and it remembers the keys it imported: an ARC Set's
/// ARC-Message-Signature and ARC-Seal are usually made with one key, and each `importKey` is a
/// round trip to the browser's crypto thread.
#[derive(Debug, Clone)]
pub struct PageCrypto {
    subtle: Option<JsValue>,
    imported: Rc<RefCell<Vec<ImportedKey>>>,
}

/// An `importKey` of this analysis: what it was asked, and its promise, which every signature
/// made with that key awaits (a promise can be awaited again once settled, and a rejection is
/// the same for each).
#[derive(Debug)]
struct ImportedKey {
    format: &'static str,
    algorithm: &'static str,
    hash: Option<&'static str>,
    key: Vec<u8>,
    promise: Promise,
}

impl PageCrypto {
    /// The `crypto` option of `options`, when given: an object with `importKey`, `verify` and
    /// `digest` as `crypto.subtle` has them.
    pub fn from_options(options: &JsValue) -> Result<Option<Self>, String> {
        if !options.is_object() {
            return Ok(None);
        }
        let value = Reflect::get(options, &JsValue::from_str("crypto"))
            .map_err(|_| "crypto cannot be read".to_string())?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        if !value.is_object() {
            return Err("crypto must be an object like crypto.subtle".into());
        }
        Ok(Some(PageCrypto::new(Some(value))))
    }

    /// `globalThis.crypto.subtle`, which exists only in a secure context (https, localhost).
    pub fn global() -> Self {
        let subtle = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
            .ok()
            .filter(JsValue::is_object)
            .and_then(|crypto| Reflect::get(&crypto, &JsValue::from_str("subtle")).ok())
            .filter(JsValue::is_object);
        PageCrypto::new(subtle)
    }

    fn new(subtle: Option<JsValue>) -> Self {
        PageCrypto {
            subtle,
            imported: Rc::default(),
        }
    }

    /// `subtle[method](...arguments)`, awaited.
    async fn call(&self, method: &str, arguments: &[JsValue]) -> Result<JsValue, CryptoError> {
        let promise = self.start(method, arguments)?;
        JsFuture::from(promise)
            .await
            .map_err(|error| rejection(method, &error))
    }

    /// `subtle[method](...arguments)`, started and not awaited.
    fn start(&self, method: &str, arguments: &[JsValue]) -> Result<Promise, CryptoError> {
        let subtle = self.subtle.as_ref().ok_or_else(|| {
            CryptoError::new(
                "this page has no WebCrypto (crypto.subtle exists only on https:// pages and \
                 localhost)",
            )
        })?;
        let function = Reflect::get(subtle, &JsValue::from_str(method))
            .ok()
            .and_then(|function| function.dyn_into::<Function>().ok())
            .ok_or_else(|| CryptoError::new(format!("crypto.subtle has no {method}")))?;
        let arguments: Array = arguments.iter().collect();
        let promise = function
            .apply(subtle, &arguments)
            .map_err(|error| rejection(method, &error))?;
        Ok(Promise::resolve(&promise))
    }

    /// The promise of `key` imported for `algorithm` (with `hash`), started now or by an
    /// earlier signature of this analysis.
    fn import_key(
        &self,
        format: &'static str,
        key: Vec<u8>,
        algorithm: &'static str,
        hash: Option<&'static str>,
    ) -> Result<Promise, CryptoError> {
        let earlier = self.imported.borrow().iter().find_map(|imported| {
            (imported.format == format
                && imported.algorithm == algorithm
                && imported.hash == hash
                && imported.key == key)
                .then(|| imported.promise.clone())
        });
        if let Some(promise) = earlier {
            return Ok(promise);
        }
        let usages: Array = std::iter::once(JsValue::from_str("verify")).collect();
        let promise = self.start(
            "importKey",
            &[
                JsValue::from_str(format),
                bytes(&key),
                algorithm_object(algorithm, hash),
                JsValue::FALSE,
                usages.into(),
            ],
        )?;
        self.imported.borrow_mut().push(ImportedKey {
            format,
            algorithm,
            hash,
            key,
            promise: promise.clone(),
        });
        Ok(promise)
    }

    /// `verify` with the imported `key` once it is there.
    async fn verify_with(
        &self,
        key: JsFuture,
        algorithm: &'static str,
        signature: &[u8],
        data: &[u8],
    ) -> Result<bool, CryptoError> {
        let key = key.await.map_err(|error| rejection("importKey", &error))?;
        // The name alone: RSASSA-PKCS1-v1_5's hash is the imported key's (WebCrypto §20.8,
        // "verify" reads only the name), and a string spares the page an object to build and
        // the browser a dictionary to read, on every signature.
        let valid = self
            .call(
                "verify",
                &[
                    JsValue::from_str(algorithm),
                    key,
                    bytes(signature),
                    bytes(data),
                ],
            )
            .await?;
        valid
            .as_bool()
            .ok_or_else(|| CryptoError::new("crypto.subtle.verify did not answer true or false"))
    }
}

fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

/// WebCrypto's algorithm parameters: `{ name, hash }`, or with no hash the name alone, which
/// WebCrypto takes as `{ name }` (an AlgorithmIdentifier may be a string).
fn algorithm_object(name: &str, hash: Option<&str>) -> JsValue {
    let Some(hash) = hash else {
        return JsValue::from_str(name);
    };
    let object = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &"name".into(), &name.into());
    let _ = Reflect::set(&object, &"hash".into(), &hash.into());
    object.into()
}

fn hash_name(hash: HashAlgorithm) -> &'static str {
    match hash {
        HashAlgorithm::Sha256 => "SHA-256",
        HashAlgorithm::Sha1 => "SHA-1",
    }
}

/// The browser's words for a rejection: `NotSupportedError: …`.
fn rejection(method: &str, error: &JsValue) -> CryptoError {
    let field = |name: &str| {
        Reflect::get(error, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
            .filter(|text| !text.is_empty())
    };
    let words = match (field("name"), field("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => error
            .as_string()
            .unwrap_or_else(|| "no reason given".into()),
    };
    CryptoError::new(format!(
        "the browser's crypto.subtle.{method} failed ({words})"
    ))
}

impl Crypto for PageCrypto {
    async fn digest(&self, hash: HashAlgorithm, data: Vec<u8>) -> Result<Vec<u8>, CryptoError> {
        let copy = bytes(&data);
        // Copied into JS: the module's memory is free for the next signature's body while the
        // browser hashes.
        drop(data);
        let digest = self
            .call("digest", &[JsValue::from_str(hash_name(hash)), copy])
            .await?;
        if digest.is_instance_of::<js_sys::ArrayBuffer>() || digest.is_instance_of::<Uint8Array>() {
            Ok(Uint8Array::new(&digest).to_vec())
        } else {
            Err(CryptoError::new(
                "crypto.subtle.digest did not answer bytes",
            ))
        }
    }

    async fn verify(
        &self,
        key: &PublicKey,
        algorithm: Algorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        match (key, algorithm) {
            (PublicKey::Rsa(key), Algorithm::RsaSha256 | Algorithm::RsaSha1) => {
                let (name, hash) = ("RSASSA-PKCS1-v1_5", Some(hash_name(algorithm.hash())));
                let key = JsFuture::from(self.import_key("spki", key.spki(), name, hash)?);
                self.verify_with(key, name, signature, data).await
            }
            (PublicKey::Ed25519(key), Algorithm::Ed25519Sha256) => {
                if !ed25519::passes_strict_checks(key.bytes(), signature) {
                    return Ok(false);
                }
                // The key's import is under way while the header data is hashed: two round
                // trips to the crypto thread at once rather than one after the other. Awaited
                // from here on (JsFuture listens as it is made), so that a refused import is
                // never an unhandled rejection, even when the digest fails first.
                let key = JsFuture::from(self.import_key(
                    "raw",
                    key.bytes().to_vec(),
                    "Ed25519",
                    None,
                )?);
                // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the header data.
                let hash = self.digest(HashAlgorithm::Sha256, data.to_vec()).await?;
                self.verify_with(key, "Ed25519", signature, &hash).await
            }
            _ => Ok(false),
        }
    }
}
