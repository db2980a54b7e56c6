//! End-to-end protection: S/MIME (RFC 8551) and OpenPGP (RFC 3156, RFC 9580) signatures and
//! encryption in a message, after intake and beside DKIM.
//!
//! Transport security ends at each server; only these protect a message from its author to its
//! reader. [`detect`] finds them with a small MIME walk and no cryptography, so that the page's
//! Message view module stays small; `verify` (the `e2e` feature, in the native CLI and the page's
//! lazily loaded `pkg-e2e` module) parses the CMS or OpenPGP data, checks the signature, reads the
//! signer's certificate and lists the recipients of an encrypted message. Nothing is ever
//! decrypted.

#[cfg(feature = "e2e")]
mod cert;
mod detect;
mod findings;
pub mod mime;
#[cfg(feature = "e2e")]
mod openpgp;
#[cfg(feature = "e2e")]
mod smime;
#[cfg(feature = "e2e")]
mod verify;

use serde::Serialize;

use crate::report::{Finding, Span};

pub use detect::{detect, locate, Located};
pub use findings::{detection_findings, dkim_findings};
#[cfg(feature = "e2e")]
pub use verify::check;

/// MIME nesting deeper than this is not walked.
pub const MAX_DEPTH: usize = 8;
/// At most this many MIME parts are read.
pub const MAX_PARTS: usize = 200;
/// At most this many signatures (CMS SignerInfos, OpenPGP signature packets) are read.
pub const MAX_SIGNATURES: usize = 16;
/// At most this many recipients of an encrypted message are listed.
pub const MAX_RECIPIENTS: usize = 64;
/// At most this many certificates of a CMS SignedData or of the user's roots are read.
pub const MAX_CERTIFICATES: usize = 64;

/// What the reader gives for the checks: trust anchors and OpenPGP keys. Both empty: signatures
/// are checked with the certificate the message carries, trust is "not checked", and OpenPGP
/// signatures are parsed but not verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct E2eOptions {
    /// PEM certificates (`-----BEGIN CERTIFICATE-----`) the reader trusts as S/MIME roots.
    pub roots_pem: String,
    /// Armored OpenPGP public keys (`-----BEGIN PGP PUBLIC KEY BLOCK-----`), one or more.
    pub openpgp_keys: String,
}

/// The report's `e2e` object.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct E2eReport {
    pub kind: E2eKind,
    /// The message carries a signature (S/MIME SignedData, an OpenPGP signature).
    pub signed: bool,
    /// The message is encrypted (S/MIME EnvelopedData, PGP/MIME or an armored PGP MESSAGE).
    pub encrypted: bool,
    /// How the protection is carried; `null` for `none`.
    pub format: Option<E2eFormat>,
    /// The bytes the signature covers, when they are a part of this message (a detached
    /// signature); `null` when the signed content is inside the signature (`signed-data`).
    pub signed_part: Option<Span>,
    /// Whether the signed or encrypted part is the whole body; `false` when it is one part among
    /// others that nothing protects (a footer a list added, an attachment). `null` for `none`.
    pub covers_whole_body: Option<bool>,
    /// Header fields inside the protected part (RFC 8551 §3.1 message/rfc822 wrapping, or the
    /// `protected-headers="v1"` convention) beside the outer fields a reader sees.
    pub protected_headers: Vec<ProtectedHeader>,
    /// Whether the signature was checked and the recipients read. `false` in the page's first
    /// report (its Message view module only detects; the page's e2e module checks) and for
    /// `none`.
    pub checked: bool,
    /// The first signature, checked; `null` when not signed or not checked.
    #[cfg_attr(not(feature = "e2e"), serde(serialize_with = "unchecked::none"))]
    pub signature: Option<E2eSignature>,
    /// How many signatures the message carries (CMS SignerInfos, OpenPGP signature packets).
    pub signature_count: usize,
    /// Who can decrypt an encrypted message, as the message names them.
    #[cfg_attr(not(feature = "e2e"), serde(serialize_with = "unchecked::empty"))]
    pub recipients: Vec<Recipient>,
    /// The findings about end-to-end protection; they are in the report's `findings` too.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum E2eKind {
    Smime,
    Openpgp,
    #[default]
    None,
}

/// Where the protection sits in the MIME structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum E2eFormat {
    /// `multipart/signed` (RFC 1847): the content in clear, the signature beside it.
    MultipartSigned,
    /// `application/pkcs7-mime` (RFC 8551 §3.2): signed-data, enveloped-data or
    /// authEnveloped-data, content inside.
    Pkcs7Mime,
    /// `multipart/encrypted` (RFC 1847, RFC 3156 §4).
    MultipartEncrypted,
    /// An armored OpenPGP block in a text body (`-----BEGIN PGP SIGNED MESSAGE-----`,
    /// `-----BEGIN PGP MESSAGE-----`).
    Inline,
}

/// One header field inside the protected part, with the outer field of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ProtectedHeader {
    pub name: String,
    /// The protected value, unfolded.
    pub protected: String,
    /// The outer value the reader's mail client shows, unfolded; `null` when there is none.
    pub outer: Option<String>,
    /// Whether the two differ (white space runs compared as one space).
    pub differs: bool,
}

/// The outcome of checking a signature, in the words DKIM uses where they fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SignatureResult {
    /// The signature verifies over the content with the signer's key.
    Pass,
    /// It does not: the content, a signed attribute or the signature was changed, or the key
    /// is not the signer's.
    Fail,
    /// Parsed, but no key to verify with (an OpenPGP signature without the signer's public key).
    NotVerified,
    /// The signature cannot be read, or uses an algorithm mailspect does not check.
    Error,
}

/// One signature, checked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct E2eSignature {
    /// `true` only for `result: pass`.
    pub valid: bool,
    pub result: SignatureResult,
    /// Why, in plain words.
    pub reason: String,
    /// The signature algorithm: `rsa-pkcs1v15`, `rsa-pss`, `ecdsa-p256`, `ecdsa-p384`,
    /// `ed25519`, or for OpenPGP the public-key algorithm's name.
    pub algorithm: Option<String>,
    /// `sha-1`, `sha-256`, `sha-384`, `sha-512`, …
    pub digest_algorithm: Option<String>,
    /// The signing key's size in bits (RSA modulus, curve order).
    pub key_bits: Option<usize>,
    /// When the signer says it signed: the CMS signing-time attribute, the OpenPGP creation
    /// time; seconds since the Unix epoch.
    pub signing_time: Option<i64>,
    /// S/MIME: the signed attributes' checks (RFC 5652 §5.4, §11).
    pub signed_attributes: Option<SignedAttributeChecks>,
    /// S/MIME: the signer's certificate.
    pub signer: Option<Signer>,
    /// S/MIME: whether the signer's certificate leads to a root the reader trusts.
    pub trust: Option<Trust>,
    /// OpenPGP: the signature packet's details.
    pub openpgp: Option<OpenPgpSignature>,
}

/// What the signed attributes say beside the content.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SignedAttributeChecks {
    /// `true` when the message-digest attribute equals the digest of the signed content.
    pub message_digest_matches: bool,
    /// `true` when the content-type attribute equals the encapsulated content's type.
    pub content_type_matches: bool,
    /// Whether signed attributes were present at all (without them the signature is over the
    /// content directly).
    pub present: bool,
}

/// The signer's certificate, as it reads.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Signer {
    /// The subject's distinguished name (RFC 4514 form).
    pub subject: String,
    pub issuer: String,
    /// The serial number in hexadecimal.
    pub serial: String,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The time validity was judged at: the message's Date, or the analysis clock without one.
    pub checked_at: i64,
    pub validity: Validity,
    /// Key usage bits set (RFC 5280 §4.2.1.3), e.g. `digital-signature`, `non-repudiation`.
    pub key_usage: Vec<String>,
    /// Extended key usages (RFC 5280 §4.2.1.12) by name where known (`email-protection`), by OID
    /// otherwise.
    pub extended_key_usage: Vec<String>,
    /// Whether the certificate may sign mail: no extended key usage, or one that includes
    /// emailProtection or anyExtendedKeyUsage (RFC 8550 §4.4.4).
    pub email_protection: bool,
    /// The e-mail addresses the certificate names (SAN rfc822Name, subject emailAddress).
    pub emails: Vec<String>,
    /// Whether one of them is the From address (case-insensitive); `null` without a From.
    pub from_matches: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    Valid,
    Expired,
    NotYetValid,
}

/// Trust in the signer's issuer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Trust {
    pub status: TrustStatus,
    pub reason: String,
    /// The chain found, signer first, as subjects; empty unless `trusted`.
    pub chain: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TrustStatus {
    /// No roots were given: "not checked against a trust store".
    NotChecked,
    /// The certificate chains to one of the given roots, each link's signature verified.
    Trusted,
    /// Roots were given and no chain to them was found.
    Untrusted,
}

/// An OpenPGP signature packet (RFC 9580 §5.2).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OpenPgpSignature {
    /// Issuer key IDs (hexadecimal, upper case).
    pub issuer_key_ids: Vec<String>,
    /// Issuer fingerprints (hexadecimal, upper case).
    pub issuer_fingerprints: Vec<String>,
    /// The signature type, e.g. `binary`, `text`.
    pub signature_type: Option<String>,
    /// The fingerprint of the given key that verified it, when one did.
    pub verified_with: Option<String>,
    /// The user IDs of that key.
    pub key_user_ids: Vec<String>,
}

/// One recipient of an encrypted message, as it names itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Recipient {
    pub kind: RecipientKind,
    /// S/MIME issuer-and-serial: the certificate issuer's name.
    pub issuer: Option<String>,
    /// S/MIME issuer-and-serial: the serial number in hexadecimal.
    pub serial: Option<String>,
    /// S/MIME: the subject key identifier in hexadecimal.
    pub subject_key_identifier: Option<String>,
    /// OpenPGP: the key ID (hexadecimal, upper case); all zeros for a hidden recipient.
    pub key_id: Option<String>,
    /// OpenPGP v6: the key's fingerprint.
    pub fingerprint: Option<String>,
    /// The key-encryption algorithm, by name or OID.
    pub algorithm: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RecipientKind {
    /// CMS KeyTransRecipientInfo (RSA).
    KeyTransport,
    /// CMS KeyAgreeRecipientInfo (ECDH).
    KeyAgreement,
    /// CMS KEKRecipientInfo, PasswordRecipientInfo or another kind: no public key names it.
    Other,
    /// An OpenPGP public-key encrypted session key packet.
    OpenpgpKey,
}

/// A build without the checks (the page's Message view module) never has a signature or
/// recipients to write: writing `null` and `[]` directly keeps the serialisation of those types
/// out of that module, whose size is budgeted (BENCHMARKS.md, "Size").
#[cfg(not(feature = "e2e"))]
mod unchecked {
    use serde::ser::{SerializeSeq, Serializer};

    pub fn none<T, S: Serializer>(_: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_none()
    }

    pub fn empty<T, S: Serializer>(_: &[T], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_seq(Some(0))?.end()
    }
}

impl E2eReport {
    /// The report of a message without end-to-end protection.
    pub fn none() -> Self {
        E2eReport::default()
    }
}

#[cfg(test)]
mod tests;
