//! S/MIME: CMS SignedData checked over the content it signs (RFC 5652 §5, RFC 8551 §3.5), and
//! the recipients of EnvelopedData and AuthEnvelopedData (RFC 5652 §6, RFC 5083).

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::enveloped_data::{
    EnvelopedData, KeyAgreeRecipientIdentifier, RecipientIdentifier, RecipientInfo, RecipientInfos,
};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Reader};
use x509_cert::Certificate;

use super::cert::{self, Hash, Scheme};
use super::{
    E2eSignature, Recipient, RecipientKind, SignatureResult, SignedAttributeChecks,
    MAX_CERTIFICATES, MAX_RECIPIENTS, MAX_SIGNATURES,
};

const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const AUTH_ENVELOPED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.23");
const ATTR_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// What the reader's side of the check needs: the From address, the time to judge validity at,
/// and the roots to build a chain to.
pub struct Context<'a> {
    pub from: Option<&'a str>,
    pub at: i64,
    pub roots: &'a [Certificate],
}

/// A CMS object read from a message.
pub enum Cms {
    Signed(Box<SignedOutcome>),
    Enveloped(Vec<Recipient>),
}

/// The first signer's check, how many signers there are, and the encapsulated content (for
/// signed-data, where the content is inside).
pub struct SignedOutcome {
    pub signature: E2eSignature,
    pub count: usize,
    pub content: Option<Vec<u8>>,
    /// Weak algorithms seen, in words, for the finding.
    pub weak: Vec<String>,
}

/// Reads DER `bytes` as a ContentInfo; `detached` is the signed content of a multipart/signed.
pub fn read(bytes: &[u8], detached: Option<&[u8]>, context: &Context) -> Result<Cms, String> {
    let info = ContentInfo::from_der(bytes).map_err(|error| {
        format!("the CMS data cannot be read ({error}); mailspect reads DER, not BER with indefinite lengths")
    })?;
    match info.content_type {
        SIGNED_DATA => {
            let signed: SignedData = info
                .content
                .decode_as()
                .map_err(|error| format!("the SignedData cannot be read: {error}"))?;
            check_signed(&signed, detached, context).map(|outcome| Cms::Signed(Box::new(outcome)))
        }
        ENVELOPED_DATA => {
            let enveloped: EnvelopedData = info
                .content
                .decode_as()
                .map_err(|error| format!("the EnvelopedData cannot be read: {error}"))?;
            Ok(Cms::Enveloped(recipients(&enveloped.recip_infos)))
        }
        AUTH_ENVELOPED_DATA => {
            auth_enveloped_recipients(&info.content.to_der().map_err(|error| error.to_string())?)
                .map(Cms::Enveloped)
        }
        other => Err(format!(
            "the CMS content type {other} is neither signed nor enveloped data"
        )),
    }
}

/// `AuthEnvelopedData ::= SEQUENCE { version, originatorInfo [0] IMPLICIT OPTIONAL,
/// recipientInfos, … }` (RFC 5083 §2.1): only its recipients are read, so only its first
/// fields are decoded.
fn auth_enveloped_recipients(der_bytes: &[u8]) -> Result<Vec<Recipient>, String> {
    let fail = |error: der::Error| format!("the AuthEnvelopedData cannot be read: {error}");
    let mut reader = der::SliceReader::new(der_bytes).map_err(fail)?;
    let infos = reader
        .sequence(|inner| {
            let _version = cms::content_info::CmsVersion::decode(inner)?;
            if inner.peek_tag()?.is_context_specific() {
                let _originator = der::Any::decode(inner)?;
            }
            let infos = RecipientInfos::decode(inner)?;
            // The rest (the encrypted content, the MAC) is not read.
            inner.read_slice(inner.remaining_len())?;
            Ok(infos)
        })
        .map_err(fail)?;
    Ok(recipients(&infos))
}

fn recipients(infos: &RecipientInfos) -> Vec<Recipient> {
    let empty = || Recipient {
        kind: RecipientKind::Other,
        issuer: None,
        serial: None,
        subject_key_identifier: None,
        key_id: None,
        fingerprint: None,
        algorithm: None,
    };
    let mut out = Vec::new();
    for info in infos.0.iter() {
        match info {
            RecipientInfo::Ktri(ktri) => {
                let mut recipient = Recipient {
                    kind: RecipientKind::KeyTransport,
                    algorithm: Some(ktri.key_enc_alg.oid.to_string()),
                    ..empty()
                };
                match &ktri.rid {
                    RecipientIdentifier::IssuerAndSerialNumber(id) => {
                        recipient.issuer = Some(id.issuer.to_string());
                        recipient.serial = Some(cert::hex(id.serial_number.as_bytes()));
                    }
                    RecipientIdentifier::SubjectKeyIdentifier(ski) => {
                        recipient.subject_key_identifier = Some(cert::hex(ski.0.as_bytes()));
                    }
                }
                out.push(recipient);
            }
            RecipientInfo::Kari(kari) => {
                for key in &kari.recipient_enc_keys {
                    let mut recipient = Recipient {
                        kind: RecipientKind::KeyAgreement,
                        algorithm: Some(kari.key_enc_alg.oid.to_string()),
                        ..empty()
                    };
                    match &key.rid {
                        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(id) => {
                            recipient.issuer = Some(id.issuer.to_string());
                            recipient.serial = Some(cert::hex(id.serial_number.as_bytes()));
                        }
                        KeyAgreeRecipientIdentifier::RKeyId(id) => {
                            recipient.subject_key_identifier =
                                Some(cert::hex(id.subject_key_identifier.0.as_bytes()));
                        }
                    }
                    out.push(recipient);
                }
            }
            _ => out.push(empty()),
        }
        if out.len() >= MAX_RECIPIENTS {
            out.truncate(MAX_RECIPIENTS);
            break;
        }
    }
    out
}

fn check_signed(
    signed: &SignedData,
    detached: Option<&[u8]>,
    context: &Context,
) -> Result<SignedOutcome, String> {
    let encapsulated = signed
        .encap_content_info
        .econtent
        .as_ref()
        .map(|content| {
            content
                .decode_as::<OctetString>()
                .map(|octets| octets.as_bytes().to_vec())
        })
        .transpose()
        .map_err(|error| format!("the encapsulated content cannot be read: {error}"))?;
    let content = match (&encapsulated, detached) {
        (Some(content), _) => content.as_slice(),
        (None, Some(detached)) => detached,
        (None, None) => {
            return Err("the SignedData has no content and none was given beside it".into())
        }
    };
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(certificate) => Some(certificate.clone()),
            CertificateChoices::Other(_) => None,
        })
        .take(MAX_CERTIFICATES)
        .collect();
    let signers: Vec<&SignerInfo> = signed.signer_infos.0.iter().take(MAX_SIGNATURES).collect();
    let first = signers.first().ok_or("the SignedData has no signer")?;
    let (signature, weak) = check_signer(
        first,
        signed.encap_content_info.econtent_type,
        content,
        &certificates,
        context,
    );
    Ok(SignedOutcome {
        signature,
        count: signed.signer_infos.0.len(),
        content: encapsulated,
        weak,
    })
}

fn find_certificate<'a>(
    id: &SignerIdentifier,
    certificates: &'a [Certificate],
) -> Option<&'a Certificate> {
    certificates.iter().find(|certificate| match id {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            certificate.tbs_certificate.issuer == id.issuer
                && certificate.tbs_certificate.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert::subject_key_identifier(certificate).as_deref() == Some(ski.0.as_bytes())
        }
    })
}

fn attribute(info: &SignerInfo, oid: ObjectIdentifier) -> Option<&der::Any> {
    info.signed_attrs
        .iter()
        .flat_map(|attributes| attributes.iter())
        .find(|attribute| attribute.oid == oid)
        .and_then(|attribute| attribute.values.iter().next())
}

/// Checks one SignerInfo (RFC 5652 §5.6): the message-digest and content-type attributes against
/// the content, then the signature over the DER of the signed attributes (or over the content
/// when there are none) with the signer's carried certificate.
fn check_signer(
    info: &SignerInfo,
    content_type: ObjectIdentifier,
    content: &[u8],
    certificates: &[Certificate],
    context: &Context,
) -> (E2eSignature, Vec<String>) {
    let mut weak = Vec::new();
    let mut signature = E2eSignature {
        valid: false,
        result: SignatureResult::Error,
        reason: String::new(),
        algorithm: None,
        digest_algorithm: None,
        key_bits: None,
        signing_time: attribute(info, ATTR_SIGNING_TIME)
            .and_then(|value| value.to_der().ok())
            .and_then(|der_bytes| x509_cert::time::Time::from_der(&der_bytes).ok())
            .map(|time| i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)),
        signed_attributes: None,
        signer: None,
        trust: None,
        openpgp: None,
    };
    let certificate = find_certificate(&info.sid, certificates);
    if let Some(certificate) = certificate {
        let key = &certificate.tbs_certificate.subject_public_key_info;
        let (algorithm, bits) = cert::key_description(key);
        signature.algorithm = Some(algorithm.clone());
        signature.key_bits = bits;
        if algorithm == "rsa" && bits.is_some_and(|bits| bits < 2048) {
            weak.push(format!("an RSA key of {} bits", bits.unwrap_or(0)));
        }
        signature.signer = Some(cert::read_signer(certificate, context.from, context.at));
        signature.trust = Some(cert::trust(
            certificate,
            certificates,
            context.roots,
            context.at,
        ));
    }
    let digest = match Hash::from_oid(&info.digest_alg.oid) {
        Ok(digest) => digest,
        Err(reason) => {
            signature.reason = reason;
            return (signature, weak);
        }
    };
    signature.digest_algorithm = Some(digest.name().into());
    let scheme = match Scheme::from_algorithm(&info.signature_algorithm, Some(digest)) {
        Ok(scheme) => scheme,
        Err(reason) => {
            signature.reason = reason;
            return (signature, weak);
        }
    };
    if digest == Hash::Sha1 || scheme.hash() == Some(Hash::Sha1) {
        weak.push("SHA-1".into());
    }
    let Some(certificate) = certificate else {
        signature.reason =
            "the signer's certificate is not in the message, so the signature cannot be checked"
                .into();
        return (signature, weak);
    };
    let key = &certificate.tbs_certificate.subject_public_key_info;
    signature.algorithm = Some(cert::scheme_name(scheme, key));
    let (signed_bytes, checks) = match &info.signed_attrs {
        Some(attributes) => {
            let digest_matches = attribute(info, ATTR_MESSAGE_DIGEST)
                .and_then(|value| value.decode_as::<OctetString>().ok())
                .is_some_and(|expected| expected.as_bytes() == digest.digest(content).as_slice());
            let type_matches = attribute(info, ATTR_CONTENT_TYPE)
                .and_then(|value| value.decode_as::<ObjectIdentifier>().ok())
                .is_some_and(|oid| oid == content_type);
            // RFC 5652 §5.4: the signature covers the DER of the SET OF attributes, with the
            // SET tag, not the [0] IMPLICIT tag they carry inside the SignerInfo.
            match attributes.to_der() {
                Ok(der_bytes) => (
                    der_bytes,
                    SignedAttributeChecks {
                        message_digest_matches: digest_matches,
                        content_type_matches: type_matches,
                        present: true,
                    },
                ),
                Err(error) => {
                    signature.reason = format!("the signed attributes cannot be encoded: {error}");
                    return (signature, weak);
                }
            }
        }
        None => (
            content.to_vec(),
            SignedAttributeChecks {
                message_digest_matches: true,
                content_type_matches: true,
                present: false,
            },
        ),
    };
    let verified = cert::verify(key, scheme, &signed_bytes, info.signature.as_bytes());
    let (result, reason) = match (&verified, checks.message_digest_matches, checks.content_type_matches) {
        (_, false, _) => (SignatureResult::Fail, "the content's digest differs from the message-digest the signer signed: the signed part was changed".to_string()),
        (_, _, false) => (SignatureResult::Fail, "the content-type attribute is missing or differs from the content's type".to_string()),
        (Err(reason), ..) => (SignatureResult::Fail, reason.clone()),
        (Ok(()), ..) => (SignatureResult::Pass, "the signature verifies with the certificate the message carries".to_string()),
    };
    signature.signed_attributes = Some(checks);
    signature.valid = result == SignatureResult::Pass;
    signature.result = result;
    signature.reason = reason;
    (signature, weak)
}
