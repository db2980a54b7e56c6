//! Certificates and signature algorithms for S/MIME: what a signer's certificate says (RFC 5280
//! §4.1, §4.2), the signature schemes CMS uses (RFC 5754, RFC 4056, RFC 5753, RFC 8419), and a
//! chain from the signer to roots the reader gives.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};
use x509_cert::Certificate;

use super::{Signer, Trust, TrustStatus, Validity, MAX_CERTIFICATES};

/// RSA keys larger than this are refused: verifying with one costs time out of proportion.
const MAXIMUM_RSA_BITS: usize = 8192;
/// A chain longer than this is not followed.
const MAX_CHAIN: usize = 8;

const fn oid(text: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(text)
}

const SHA1: ObjectIdentifier = oid("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = oid("2.16.840.1.101.3.4.2.3");
const MD5: ObjectIdentifier = oid("1.2.840.113549.2.5");
const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
const MD5_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.4");
const SHA1_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.5");
const RSASSA_PSS: ObjectIdentifier = oid("1.2.840.113549.1.1.10");
const SHA256_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.13");
const EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
const ECDSA_SHA1: ObjectIdentifier = oid("1.2.840.10045.4.1");
const ECDSA_SHA256: ObjectIdentifier = oid("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = oid("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = oid("1.2.840.10045.4.3.4");
const P256: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = oid("1.3.132.0.34");
const ED25519: ObjectIdentifier = oid("1.3.101.112");
const EMAIL_ADDRESS: ObjectIdentifier = oid("1.2.840.113549.1.9.1");
const EMAIL_PROTECTION: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.4");
const SERVER_AUTH: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.2");
const CODE_SIGNING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.3");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37.0");
const EXT_KEY_USAGE: ObjectIdentifier = oid("2.5.29.15");
const EXT_SUBJECT_ALT_NAME: ObjectIdentifier = oid("2.5.29.17");
const EXT_BASIC_CONSTRAINTS: ObjectIdentifier = oid("2.5.29.19");
const EXT_EXTENDED_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37");
const EXT_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = oid("2.5.29.14");

/// The digests CMS signatures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Hash, String> {
        match *oid {
            SHA1 => Ok(Hash::Sha1),
            SHA256 => Ok(Hash::Sha256),
            SHA384 => Ok(Hash::Sha384),
            SHA512 => Ok(Hash::Sha512),
            MD5 => Err("the digest algorithm is MD5, which is broken and not checked".into()),
            other => Err(format!(
                "the digest algorithm {other} is not one mailspect checks"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "sha-1",
            Hash::Sha256 => "sha-256",
            Hash::Sha384 => "sha-384",
            Hash::Sha512 => "sha-512",
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// A signature scheme with its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    RsaPkcs1(Hash),
    RsaPss { hash: Hash, salt_len: usize },
    Ecdsa(Hash),
    Ed25519,
}

impl Scheme {
    /// The scheme of `algorithm`; `digest` is the CMS digestAlgorithm, for the identifiers that
    /// leave the hash to it (`rsaEncryption`, RFC 3370 §3.2; `id-ecPublicKey`).
    pub fn from_algorithm(
        algorithm: &AlgorithmIdentifierOwned,
        digest: Option<Hash>,
    ) -> Result<Scheme, String> {
        let needs_digest = || digest.ok_or_else(|| "no digest algorithm is given".to_string());
        Ok(match algorithm.oid {
            RSA_ENCRYPTION => Scheme::RsaPkcs1(needs_digest()?),
            SHA1_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha1),
            SHA256_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha256),
            SHA384_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha384),
            SHA512_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha512),
            RSASSA_PSS => pss_scheme(algorithm)?,
            EC_PUBLIC_KEY => Scheme::Ecdsa(needs_digest()?),
            ECDSA_SHA1 => Scheme::Ecdsa(Hash::Sha1),
            ECDSA_SHA256 => Scheme::Ecdsa(Hash::Sha256),
            ECDSA_SHA384 => Scheme::Ecdsa(Hash::Sha384),
            ECDSA_SHA512 => Scheme::Ecdsa(Hash::Sha512),
            ED25519 => Scheme::Ed25519,
            MD5_WITH_RSA => {
                return Err("the signature uses MD5, which is broken and not checked".into())
            }
            other => {
                return Err(format!(
                    "the signature algorithm {other} is not one mailspect checks"
                ))
            }
        })
    }

    pub fn hash(self) -> Option<Hash> {
        match self {
            Scheme::RsaPkcs1(hash) | Scheme::RsaPss { hash, .. } | Scheme::Ecdsa(hash) => {
                Some(hash)
            }
            Scheme::Ed25519 => None,
        }
    }
}

/// `RSASSA-PSS-params` (RFC 4055 §3.1): the hash, and the salt length (20 when absent). The mask
/// generation function is taken to be MGF1 with the same hash, as RFC 8551 §2.2 asks of
/// senders; rsa's PSS verifier supports no other.
fn pss_scheme(algorithm: &AlgorithmIdentifierOwned) -> Result<Scheme, String> {
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or("RSASSA-PSS without parameters")?
        .to_der()
        .map_err(|error| format!("RSASSA-PSS parameters: {error}"))?;
    let params = rsa::pkcs1::RsaPssParams::from_der(&params)
        .map_err(|error| format!("RSASSA-PSS parameters cannot be read: {error}"))?;
    Ok(Scheme::RsaPss {
        hash: Hash::from_oid(&params.hash.oid)?,
        salt_len: usize::from(params.salt_len),
    })
}

/// The key's algorithm name and size in bits.
pub fn key_description(key: &SubjectPublicKeyInfoOwned) -> (String, Option<usize>) {
    match key.algorithm.oid {
        RSA_ENCRYPTION => ("rsa".into(), rsa_key(key).ok().map(|key| rsa_bits(&key))),
        EC_PUBLIC_KEY => match curve(key) {
            Some(P256) => ("ecdsa-p256".into(), Some(256)),
            Some(P384) => ("ecdsa-p384".into(), Some(384)),
            _ => ("ecdsa".into(), None),
        },
        ED25519 => ("ed25519".into(), Some(256)),
        other => (other.to_string(), None),
    }
}

fn rsa_bits(key: &rsa::RsaPublicKey) -> usize {
    use rsa::traits::PublicKeyParts;
    key.n().bits()
}

fn curve(key: &SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    key.algorithm
        .parameters
        .as_ref()
        .and_then(|params| params.decode_as::<ObjectIdentifier>().ok())
}

fn rsa_key(key: &SubjectPublicKeyInfoOwned) -> Result<rsa::RsaPublicKey, String> {
    let pkcs1 = rsa::pkcs1::RsaPublicKey::from_der(key.subject_public_key.raw_bytes())
        .map_err(|error| format!("the RSA key cannot be read: {error}"))?;
    let modulus = rsa::BigUint::from_bytes_be(pkcs1.modulus.as_bytes());
    let exponent = rsa::BigUint::from_bytes_be(pkcs1.public_exponent.as_bytes());
    rsa::RsaPublicKey::new_with_max_size(modulus, exponent, MAXIMUM_RSA_BITS)
        .map_err(|error| format!("the RSA key is not usable: {error}"))
}

/// The scheme's name as the report gives it.
pub fn scheme_name(scheme: Scheme, key: &SubjectPublicKeyInfoOwned) -> String {
    match scheme {
        Scheme::RsaPkcs1(_) => "rsa-pkcs1v15".into(),
        Scheme::RsaPss { .. } => "rsa-pss".into(),
        Scheme::Ecdsa(_) => key_description(key).0,
        Scheme::Ed25519 => "ed25519".into(),
    }
}

/// Verifies `signature` over `message` with `key` under `scheme`.
pub fn verify(
    key: &SubjectPublicKeyInfoOwned,
    scheme: Scheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    fn bad<E>(_: E) -> String {
        "the signature does not verify with the signer's key".to_string()
    }
    match scheme {
        Scheme::RsaPkcs1(hash) | Scheme::RsaPss { hash, .. } => {
            if key.algorithm.oid != RSA_ENCRYPTION && key.algorithm.oid != RSASSA_PSS {
                return Err("an RSA signature with a key that is not RSA".into());
            }
            let public = rsa_key(key)?;
            let hashed = hash.digest(message);
            match scheme {
                Scheme::RsaPss { salt_len, .. } => {
                    public.verify(pss(hash, salt_len), &hashed, signature)
                }
                _ => public.verify(pkcs1(hash), &hashed, signature),
            }
            .map_err(bad)
        }
        Scheme::Ecdsa(hash) => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let hashed = hash.digest(message);
            let point = key.subject_public_key.raw_bytes();
            match curve(key) {
                Some(P256) => {
                    let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| "the P-256 key cannot be read".to_string())?;
                    let signature = p256::ecdsa::Signature::from_der(signature)
                        .map_err(|_| "the ECDSA signature cannot be read".to_string())?;
                    public.verify_prehash(&hashed, &signature).map_err(bad)
                }
                Some(P384) => {
                    let public = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| "the P-384 key cannot be read".to_string())?;
                    let signature = p384::ecdsa::Signature::from_der(signature)
                        .map_err(|_| "the ECDSA signature cannot be read".to_string())?;
                    public.verify_prehash(&hashed, &signature).map_err(bad)
                }
                _ => Err("the key's elliptic curve is not P-256 or P-384".into()),
            }
        }
        Scheme::Ed25519 => {
            use ed25519_dalek::Verifier;
            let bytes: [u8; 32] = key
                .subject_public_key
                .raw_bytes()
                .try_into()
                .map_err(|_| "the Ed25519 key is not 32 bytes".to_string())?;
            let public = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|_| "the Ed25519 key cannot be read".to_string())?;
            let signature = ed25519_dalek::Signature::from_slice(signature)
                .map_err(|_| "the Ed25519 signature is not 64 bytes".to_string())?;
            public.verify(message, &signature).map_err(bad)
        }
    }
}

fn pkcs1(hash: Hash) -> rsa::Pkcs1v15Sign {
    match hash {
        Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn pss(hash: Hash, salt_len: usize) -> rsa::Pss {
    match hash {
        Hash::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt_len),
        Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt_len),
        Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt_len),
        Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt_len),
    }
}

/// Whether `certificate` signed `subject` (its TBSCertificate, RFC 5280 §4.1.1.3).
pub fn issued(certificate: &Certificate, subject: &Certificate) -> Result<(), String> {
    let scheme = Scheme::from_algorithm(&subject.signature_algorithm, None)?;
    let tbs = subject
        .tbs_certificate
        .to_der()
        .map_err(|error| format!("the certificate cannot be encoded: {error}"))?;
    let signature = subject
        .signature
        .as_bytes()
        .ok_or("the certificate's signature is not whole bytes")?;
    verify(
        &certificate.tbs_certificate.subject_public_key_info,
        scheme,
        &tbs,
        signature,
    )
}

fn extension_value(certificate: &Certificate, id: ObjectIdentifier) -> Option<&[u8]> {
    certificate
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|extension| extension.extn_id == id)
        .map(|extension| extension.extn_value.as_bytes())
}

/// The subject key identifier (RFC 5280 §4.2.1.2), when the certificate has one.
pub fn subject_key_identifier(certificate: &Certificate) -> Option<Vec<u8>> {
    let value = extension_value(certificate, EXT_SUBJECT_KEY_IDENTIFIER)?;
    der::asn1::OctetString::from_der(value)
        .ok()
        .map(|octets| octets.as_bytes().to_vec())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

fn unix(time: &x509_cert::time::Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn validity(certificate: &Certificate, at: i64) -> Validity {
    let window = &certificate.tbs_certificate.validity;
    if at < unix(&window.not_before) {
        Validity::NotYetValid
    } else if at > unix(&window.not_after) {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// The signer's certificate as the report shows it, judged at `at` and against the From
/// address `from`.
pub fn read_signer(certificate: &Certificate, from: Option<&str>, at: i64) -> Signer {
    let tbs = &certificate.tbs_certificate;
    let mut key_usage = Vec::new();
    if let Some(usage) =
        extension_value(certificate, EXT_KEY_USAGE).and_then(|value| KeyUsage::from_der(value).ok())
    {
        let bits = [
            (usage.digital_signature(), "digital-signature"),
            (usage.non_repudiation(), "non-repudiation"),
            (usage.key_encipherment(), "key-encipherment"),
            (usage.data_encipherment(), "data-encipherment"),
            (usage.key_agreement(), "key-agreement"),
            (usage.key_cert_sign(), "key-cert-sign"),
            (usage.crl_sign(), "crl-sign"),
            (usage.encipher_only(), "encipher-only"),
            (usage.decipher_only(), "decipher-only"),
        ];
        key_usage = bits
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, name)| (*name).to_string())
            .collect();
    }
    let extended: Option<Vec<ObjectIdentifier>> =
        extension_value(certificate, EXT_EXTENDED_KEY_USAGE)
            .and_then(|value| ExtendedKeyUsage::from_der(value).ok())
            .map(|usage| usage.0);
    let email_protection = extended.as_ref().is_none_or(|usages| {
        usages
            .iter()
            .any(|usage| *usage == EMAIL_PROTECTION || *usage == ANY_EXTENDED_KEY_USAGE)
    });
    let extended_key_usage = extended
        .unwrap_or_default()
        .iter()
        .map(|usage| match *usage {
            EMAIL_PROTECTION => "email-protection".to_string(),
            ANY_EXTENDED_KEY_USAGE => "any".to_string(),
            SERVER_AUTH => "server-auth".to_string(),
            CLIENT_AUTH => "client-auth".to_string(),
            CODE_SIGNING => "code-signing".to_string(),
            other => other.to_string(),
        })
        .collect();
    let emails = certificate_emails(certificate);
    let from_matches = from.map(|from| {
        emails
            .iter()
            .any(|email| email.eq_ignore_ascii_case(from.trim()))
    });
    Signer {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: hex(tbs.serial_number.as_bytes()),
        not_before: unix(&tbs.validity.not_before),
        not_after: unix(&tbs.validity.not_after),
        checked_at: at,
        validity: validity(certificate, at),
        key_usage,
        extended_key_usage,
        email_protection,
        emails,
        from_matches,
    }
}

/// SAN rfc822Name entries, then the subject's emailAddress attributes (RFC 8550 §3).
fn certificate_emails(certificate: &Certificate) -> Vec<String> {
    let mut emails: Vec<String> = extension_value(certificate, EXT_SUBJECT_ALT_NAME)
        .and_then(|value| SubjectAltName::from_der(value).ok())
        .map(|names| {
            names
                .0
                .iter()
                .filter_map(|name| match name {
                    GeneralName::Rfc822Name(address) => Some(address.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    for rdn in certificate.tbs_certificate.subject.0.iter() {
        for attribute in rdn
            .0
            .iter()
            .filter(|attribute| attribute.oid == EMAIL_ADDRESS)
        {
            let text = String::from_utf8_lossy(attribute.value.value()).into_owned();
            if !emails.iter().any(|email| email.eq_ignore_ascii_case(&text)) {
                emails.push(text);
            }
        }
    }
    emails
}

/// Reads PEM certificates, at most [`MAX_CERTIFICATES`].
pub fn read_roots(pem: &str) -> Result<Vec<Certificate>, String> {
    if pem.trim().is_empty() {
        return Ok(Vec::new());
    }
    let roots = Certificate::load_pem_chain(pem.as_bytes())
        .map_err(|error| format!("the roots cannot be read as PEM certificates: {error}"))?;
    if roots.is_empty() {
        return Err("no CERTIFICATE in the roots".into());
    }
    Ok(roots.into_iter().take(MAX_CERTIFICATES).collect())
}

fn may_issue(certificate: &Certificate) -> bool {
    // RFC 5280 §4.2.1.9: a CA certificate says cA TRUE. A version 1 root (no extensions) is
    // accepted as a trust anchor the reader chose.
    match extension_value(certificate, EXT_BASIC_CONSTRAINTS) {
        Some(value) => BasicConstraints::from_der(value).is_ok_and(|constraints| constraints.ca),
        None => certificate.tbs_certificate.extensions.is_none(),
    }
}

/// Whether `signer` chains to one of `roots` through the certificates the message carries,
/// each link's signature verified and each certificate valid at `at`.
pub fn trust(
    signer: &Certificate,
    carried: &[Certificate],
    roots: &[Certificate],
    at: i64,
) -> Trust {
    if roots.is_empty() {
        return Trust {
            status: TrustStatus::NotChecked,
            reason: "not checked against a trust store: no roots were given".into(),
            chain: Vec::new(),
        };
    }
    let untrusted = |reason: String| Trust {
        status: TrustStatus::Untrusted,
        reason,
        chain: Vec::new(),
    };
    let mut chain = vec![signer.tbs_certificate.subject.to_string()];
    let mut current = signer.clone();
    for _ in 0..MAX_CHAIN {
        if roots.contains(&current) {
            return Trust {
                status: TrustStatus::Trusted,
                reason: "the certificate is one of the given roots".into(),
                chain,
            };
        }
        let issuer = &current.tbs_certificate.issuer;
        if let Some(root) = roots.iter().find(|root| {
            root.tbs_certificate.subject == *issuer
                && may_issue(root)
                && issued(root, &current).is_ok()
        }) {
            chain.push(root.tbs_certificate.subject.to_string());
            return Trust {
                status: TrustStatus::Trusted,
                reason: format!(
                    "the chain ends at the given root {}",
                    root.tbs_certificate.subject
                ),
                chain,
            };
        }
        let Some(intermediate) = carried.iter().find(|candidate| {
            candidate.tbs_certificate.subject == *issuer
                && **candidate != current
                && may_issue(candidate)
                && issued(candidate, &current).is_ok()
        }) else {
            return untrusted(format!(
                "no given root or carried certificate issued {}",
                current.tbs_certificate.subject
            ));
        };
        if validity(intermediate, at) != Validity::Valid {
            return untrusted(format!(
                "the intermediate certificate {} is not valid at the message's date",
                intermediate.tbs_certificate.subject
            ));
        }
        chain.push(intermediate.tbs_certificate.subject.to_string());
        current = intermediate.clone();
    }
    untrusted("the chain is longer than mailspect follows".into())
}
