//! DKIM's and ARC's cryptography in the browser: [`Crypto`] over an object with WebCrypto's
//! `importKey`, `verify` and `digest` (`crypto.subtle` itself, or the page's `www/crypto.js`,
//! which falls back to the audit module's Rust code where WebCrypto is missing or refuses).
//!
//! The object is handed in as the `crypto` option of `analyzeMessage`, as DoH goes out through
//! `fetch`: by plain calls through js_sys, no web-sys features. What decides a verdict stays in
//! the core: the key was read and checked by [`crate::dkim::public_key`], and Ed25519's strict
//! checks run here before WebCrypto's equation ([`ed25519::passes_strict_checks`]). A promise
//! that rejects is a [`CryptoError`] (temperror), never a signature that does not verify.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::crypto::{ed25519, Crypto, CryptoError};
use crate::dkim::{Algorithm, HashAlgorithm, PublicKey};

/// WebCrypto, or an object shaped like it; `None` when the page has none.
#[derive(Debug, Clone)]
pub struct PageCrypto {
    subtle: Option<JsValue>,
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
        Ok(Some(PageCrypto {
            subtle: Some(value),
        }))
    }

    /// `globalThis.crypto.subtle`, which exists only in a secure context (https, localhost).
    pub fn global() -> Self {
        let subtle = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
            .ok()
            .filter(JsValue::is_object)
            .and_then(|crypto| Reflect::get(&crypto, &JsValue::from_str("subtle")).ok())
            .filter(JsValue::is_object);
        PageCrypto { subtle }
    }

    /// `subtle[method](...arguments)`, awaited.
    async fn call(&self, method: &str, arguments: &[JsValue]) -> Result<JsValue, CryptoError> {
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
        JsFuture::from(js_sys::Promise::resolve(&promise))
            .await
            .map_err(|error| rejection(method, &error))
    }

    async fn verify_with(
        &self,
        format: &str,
        key: Vec<u8>,
        algorithm: &JsValue,
        signature: &[u8],
        data: &[u8],
    ) -> Result<bool, CryptoError> {
        let usages: Array = std::iter::once(JsValue::from_str("verify")).collect();
        let key = self
            .call(
                "importKey",
                &[
                    JsValue::from_str(format),
                    bytes(&key),
                    algorithm.clone(),
                    JsValue::FALSE,
                    usages.into(),
                ],
            )
            .await?;
        let valid = self
            .call(
                "verify",
                &[algorithm.clone(), key, bytes(signature), bytes(data)],
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

/// `{ name, hash }`, WebCrypto's algorithm parameters.
fn algorithm_object(name: &str, hash: Option<&str>) -> JsValue {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &"name".into(), &name.into());
    if let Some(hash) = hash {
        let _ = Reflect::set(&object, &"hash".into(), &hash.into());
    }
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
                let parameters =
                    algorithm_object("RSASSA-PKCS1-v1_5", Some(hash_name(algorithm.hash())));
                self.verify_with("spki", key.spki(), &parameters, signature, data)
                    .await
            }
            (PublicKey::Ed25519(key), Algorithm::Ed25519Sha256) => {
                if !ed25519::passes_strict_checks(key.bytes(), signature) {
                    return Ok(false);
                }
                // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the header data.
                let hash = self.digest(HashAlgorithm::Sha256, data.to_vec()).await?;
                let parameters = algorithm_object("Ed25519", None);
                self.verify_with("raw", key.bytes().to_vec(), &parameters, signature, &hash)
                    .await
            }
            _ => Ok(false),
        }
    }
}
