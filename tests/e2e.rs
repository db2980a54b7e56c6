#![cfg(not(target_arch = "wasm32"))]
//! Known-answer tests of end-to-end protection on messages the tests sign and encrypt
//! themselves: S/MIME with a test CA made here (openssl), OpenPGP with a key made here (gpg);
//! each with the tampered variants that must fail.

#[path = "support/e2e_tools.rs"]
#[allow(dead_code)]
mod tools;

use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine;
use mailspect::e2e::{
    E2eFormat, E2eKind, E2eOptions, RecipientKind, SignatureResult, TrustStatus, Validity,
};
use tools::{analyze, analyze_with, codes, now, signature, Ca, KeyKind};

const CONTENT: &str = "Content-Type: text/plain; charset=us-ascii\r\n\r\nThe invoice is attached; pay only to IBAN DE00 1234.\r\n";

/// The test CA with its signers, made once per test run.
struct Pki {
    dir: PathBuf,
    ca: Ca,
    other_ca: Ca,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tools::scratch("smime");
        let ca = Ca::new(&dir, "TestCA");
        ca.issue(
            "alice",
            KeyKind::Rsa(2048),
            "alice@example.com",
            "0x1234",
            "emailProtection",
        );
        // Same issuer and serial as alice, another key: for the wrong-certificate test.
        ca.issue(
            "impostor",
            KeyKind::Rsa(2048),
            "alice@example.com",
            "0x1234",
            "emailProtection",
        );
        ca.issue(
            "carol",
            KeyKind::P256,
            "carol@example.com",
            "0x2001",
            "emailProtection",
        );
        ca.issue(
            "dave",
            KeyKind::P384,
            "dave@example.com",
            "0x2002",
            "emailProtection",
        );
        ca.issue(
            "erin",
            KeyKind::Ed25519,
            "erin@example.com",
            "0x2003",
            "emailProtection",
        );
        ca.issue(
            "weak",
            KeyKind::Rsa(1024),
            "weak@example.com",
            "0x2004",
            "emailProtection",
        );
        ca.issue(
            "server",
            KeyKind::Rsa(2048),
            "srv@example.com",
            "0x2005",
            "serverAuth",
        );
        let other_ca = Ca::new(&dir, "OtherCA");
        Pki { dir, ca, other_ca }
    })
}

/// The outer header fields, then openssl's S/MIME output (its own MIME-Version and Content-Type).
fn message(from: &str, date: Option<&str>, smime: &str) -> String {
    let date = date
        .map(|date| format!("Date: {date}\r\n"))
        .unwrap_or_default();
    format!("From: {from}\r\nTo: bob@example.org\r\nSubject: Invoice\r\n{date}{smime}")
}

fn signed_by(signer: &str, extra: &[&str]) -> String {
    tools::cms_sign(&pki().dir, signer, CONTENT, extra)
}

#[test]
fn rsa_multipart_signed_verifies_and_reports_the_signer() {
    let report = analyze(&message(
        "Alice <alice@example.com>",
        None,
        &signed_by("alice", &["-md", "sha256"]),
    ));
    let e2e = &report.e2e;
    assert_eq!(
        (e2e.kind, e2e.signed, e2e.encrypted),
        (E2eKind::Smime, true, false)
    );
    assert_eq!(e2e.format, Some(E2eFormat::MultipartSigned));
    assert!(e2e.checked);
    assert_eq!(e2e.covers_whole_body, Some(true));
    let signature = e2e.signature.as_ref().expect("a signature");
    assert_eq!(
        signature.result,
        SignatureResult::Pass,
        "{}",
        signature.reason
    );
    assert!(signature.valid);
    assert_eq!(signature.algorithm.as_deref(), Some("rsa-pkcs1v15"));
    assert_eq!(signature.digest_algorithm.as_deref(), Some("sha-256"));
    assert_eq!(signature.key_bits, Some(2048));
    assert!(signature
        .signing_time
        .is_some_and(|time| (time - now() as i64).abs() < 600));
    let attributes = signature.signed_attributes.as_ref().unwrap();
    assert!(
        attributes.present && attributes.message_digest_matches && attributes.content_type_matches
    );
    let signer = signature.signer.as_ref().expect("the signer");
    assert!(signer.subject.contains("CN=alice"), "{}", signer.subject);
    assert_eq!(signer.issuer, "CN=TestCA");
    assert_eq!(signer.serial, "1234");
    assert_eq!(signer.validity, Validity::Valid);
    assert!(signer.key_usage.contains(&"digital-signature".to_string()));
    assert_eq!(signer.extended_key_usage, ["email-protection"]);
    assert!(signer.email_protection);
    assert!(signer.emails.contains(&"alice@example.com".to_string()));
    assert_eq!(signer.from_matches, Some(true));
    let trust = signature.trust.as_ref().unwrap();
    assert_eq!(trust.status, TrustStatus::NotChecked);
    assert!(trust.reason.contains("not checked against a trust store"));
    assert!(codes(e2e).is_empty(), "{:?}", codes(e2e));
    // The JSON contract.
    let json = serde_json::to_value(&report).unwrap();
    // The page writes it with the compact writer: the same text as serde_json's.
    assert_eq!(
        mailspect::json_writer::to_string(&report).unwrap(),
        serde_json::to_string(&report).unwrap()
    );
    assert_eq!(json["e2e"]["kind"], "smime");
    assert_eq!(json["e2e"]["signature"]["valid"], true);
    assert_eq!(json["e2e"]["signature"]["signer"]["serial"], "1234");
}

#[test]
fn ecdsa_p256_p384_and_pss_signatures_verify() {
    for (signer, extra, algorithm, from) in [
        (
            "carol",
            vec!["-md", "sha256"],
            "ecdsa-p256",
            "carol@example.com",
        ),
        (
            "dave",
            vec!["-md", "sha384"],
            "ecdsa-p384",
            "dave@example.com",
        ),
        (
            "alice",
            vec!["-md", "sha256", "-keyopt", "rsa_padding_mode:pss"],
            "rsa-pss",
            "alice@example.com",
        ),
    ] {
        let report = analyze(&message(from, None, &signed_by(signer, &extra)));
        let signature = report.e2e.signature.expect("a signature");
        assert_eq!(
            signature.result,
            SignatureResult::Pass,
            "{signer}: {}",
            signature.reason
        );
        assert_eq!(signature.algorithm.as_deref(), Some(algorithm), "{signer}");
    }
}

#[test]
fn a_changed_body_fails_the_message_digest() {
    let signed = signed_by("alice", &["-md", "sha256"]);
    let tampered = signed.replace("DE00 1234", "DE99 6666");
    assert_ne!(signed, tampered);
    let report = analyze(&message("alice@example.com", None, &tampered));
    let signature = signature(&report);
    assert_eq!(signature.result, SignatureResult::Fail);
    assert!(!signature.valid);
    assert!(
        !signature
            .signed_attributes
            .as_ref()
            .unwrap()
            .message_digest_matches
    );
    assert!(codes(&report.e2e).contains(&"e2e.signature-invalid"));
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "e2e.signature-invalid"));
}

/// Rewrites the base64 of the message's signature part with `change` applied to its DER.
fn with_signature_der(signed: &str, change: impl Fn(&mut Vec<u8>)) -> String {
    let marker = "filename=\"smime.p7s\"";
    let start = signed.find(marker).expect("a signature part") + marker.len();
    let body_start = start
        + signed[start..]
            .find("\n\n")
            .map(|at| at + 2)
            .or_else(|| signed[start..].find("\r\n\r\n").map(|at| at + 4))
            .unwrap();
    let body_end = body_start
        + signed[body_start..]
            .find("\n\n")
            .or_else(|| signed[body_start..].find("\n-"))
            .unwrap();
    let text: String = signed[body_start..body_end].split_whitespace().collect();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64");
    change(&mut der);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&der);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "{}{}{}",
        &signed[..body_start],
        lines.join("\n"),
        &signed[body_end..]
    )
}

#[test]
fn a_changed_signing_time_fails_the_signature() {
    let signed = signed_by("alice", &["-md", "sha256"]);
    // signingTime (1.2.840.113549.1.9.5), SET, UTCTime of 13 characters: change a seconds digit.
    let oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05, 0x31, 0x0F, 0x17, 0x0D,
    ];
    let tampered = with_signature_der(&signed, |der| {
        let at = der
            .windows(oid.len())
            .position(|window| window == oid)
            .expect("a signing time")
            + oid.len();
        let digit = &mut der[at + 11];
        *digit = if *digit == b'0' { b'1' } else { b'0' };
    });
    let report = analyze(&message("alice@example.com", None, &tampered));
    let signature = signature(&report);
    assert!(
        signature
            .signed_attributes
            .as_ref()
            .unwrap()
            .message_digest_matches
    );
    assert_eq!(
        signature.result,
        SignatureResult::Fail,
        "{}",
        signature.reason
    );
    assert!(signature.reason.contains("does not verify"));
}

#[test]
fn a_certificate_that_did_not_sign_fails() {
    let signed = signed_by("alice", &["-md", "sha256"]);
    let read = |name: &str| std::fs::read_to_string(pki().dir.join(format!("{name}.pem"))).unwrap();
    let der_of = |pem: &str| {
        let body: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    };
    let (alice, impostor) = (der_of(&read("alice")), der_of(&read("impostor")));
    assert_ne!(alice, impostor);
    // The SignedData decoded and encoded again with the impostor's certificate, which has the
    // signer's issuer and serial number but another key.
    let tampered = with_signature_der(&signed, |der| {
        use der::{Decode, Encode};
        let info = cms::content_info::ContentInfo::from_der(der).unwrap();
        let mut signed_data: cms::signed_data::SignedData = info.content.decode_as().unwrap();
        let certificate = x509_cert::Certificate::from_der(&impostor).unwrap();
        signed_data.certificates = Some(cms::signed_data::CertificateSet(
            der::asn1::SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(
                certificate,
            )])
            .unwrap(),
        ));
        let content = der::Any::encode_from(&signed_data).unwrap();
        *der = cms::content_info::ContentInfo {
            content_type: info.content_type,
            content,
        }
        .to_der()
        .unwrap();
    });
    let report = analyze(&message("alice@example.com", None, &tampered));
    let signature = signature(&report);
    assert_eq!(
        signature.result,
        SignatureResult::Fail,
        "{}",
        signature.reason
    );
    assert!(
        signature
            .signed_attributes
            .as_ref()
            .unwrap()
            .message_digest_matches
    );
}

#[test]
fn an_expired_and_a_not_yet_valid_certificate_at_the_message_date() {
    let signed = signed_by("alice", &["-md", "sha256"]);
    let late = analyze(&message(
        "alice@example.com",
        Some("Thu, 01 Jan 2099 00:00:00 +0000"),
        &signed,
    ));
    let signer = late
        .e2e
        .signature
        .as_ref()
        .unwrap()
        .signer
        .as_ref()
        .unwrap();
    assert_eq!(signer.validity, Validity::Expired);
    assert!(codes(&late.e2e).contains(&"e2e.cert-expired"));
    let early = analyze(&message(
        "alice@example.com",
        Some("Mon, 01 Jan 2001 00:00:00 +0000"),
        &signed,
    ));
    assert!(codes(&early.e2e).contains(&"e2e.cert-not-yet-valid"));
    // The signature itself still verifies: validity is a separate verdict.
    assert!(late.e2e.signature.as_ref().unwrap().valid);
}

#[test]
fn from_mismatch_weak_algorithms_and_a_server_certificate_are_findings() {
    let mismatch = analyze(&message(
        "Mallory <mallory@example.net>",
        None,
        &signed_by("alice", &["-md", "sha256"]),
    ));
    assert_eq!(
        mismatch
            .e2e
            .signature
            .as_ref()
            .unwrap()
            .signer
            .as_ref()
            .unwrap()
            .from_matches,
        Some(false)
    );
    assert!(codes(&mismatch.e2e).contains(&"e2e.from-mismatch"));

    let sha1 = analyze(&message(
        "alice@example.com",
        None,
        &signed_by("alice", &["-md", "sha1"]),
    ));
    assert_eq!(
        sha1.e2e
            .signature
            .as_ref()
            .unwrap()
            .digest_algorithm
            .as_deref(),
        Some("sha-1")
    );
    assert!(sha1.e2e.signature.as_ref().unwrap().valid);
    assert!(codes(&sha1.e2e).contains(&"e2e.weak-algorithm"));

    let small = analyze(&message(
        "weak@example.com",
        None,
        &signed_by("weak", &["-md", "sha256"]),
    ));
    assert_eq!(small.e2e.signature.as_ref().unwrap().key_bits, Some(1024));
    assert!(small
        .e2e
        .findings
        .iter()
        .any(|finding| finding.code == "e2e.weak-algorithm" && finding.message.contains("1024")));

    let server = analyze(&message(
        "srv@example.com",
        None,
        &signed_by("server", &["-md", "sha256"]),
    ));
    assert!(
        !server
            .e2e
            .signature
            .as_ref()
            .unwrap()
            .signer
            .as_ref()
            .unwrap()
            .email_protection
    );
    assert!(codes(&server.e2e).contains(&"e2e.no-email-protection"));
}

#[test]
fn trust_is_checked_against_given_roots_only() {
    let signed = message(
        "alice@example.com",
        None,
        &signed_by("alice", &["-md", "sha256"]),
    );
    let with_roots = |roots_pem: String| {
        analyze_with(
            &signed,
            E2eOptions {
                roots_pem,
                ..E2eOptions::default()
            },
        )
    };
    let trusted = with_roots(pki().ca.pem());
    let trust = signature(&trusted).trust.as_ref().unwrap();
    assert_eq!(trust.status, TrustStatus::Trusted, "{}", trust.reason);
    assert_eq!(trust.chain.len(), 2);
    let other = with_roots(pki().other_ca.pem());
    let trust = signature(&other).trust.as_ref().unwrap();
    assert_eq!(trust.status, TrustStatus::Untrusted);
    assert!(codes(&other.e2e).contains(&"e2e.untrusted"));
    let garbage = with_roots("not a certificate".into());
    assert!(codes(&garbage.e2e).contains(&"e2e.unreadable"));
}

#[test]
fn opaque_signed_data_verifies_and_a_changed_content_fails() {
    let signed = signed_by("alice", &["-md", "sha256", "-nodetach"]);
    let report = analyze(&message("alice@example.com", None, &signed));
    assert_eq!(report.e2e.format, Some(E2eFormat::Pkcs7Mime));
    assert!(report.e2e.signed && !report.e2e.encrypted);
    let signature = signature(&report);
    assert_eq!(
        signature.result,
        SignatureResult::Pass,
        "{}",
        signature.reason
    );
    let tampered = with_signature_der_opaque(&signed);
    let report = analyze(&message("alice@example.com", None, &tampered));
    assert_eq!(tools::signature(&report).result, SignatureResult::Fail);
}

/// signed-data with the content inside: change one character of the content in the DER.
fn with_signature_der_opaque(signed: &str) -> String {
    let body_start = signed.find("\n\n").map(|at| at + 2).unwrap();
    let text: String = signed[body_start..].split_whitespace().collect();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64");
    let needle = b"DE00";
    let at = der
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("the content");
    der[at + 2] = b'9';
    format!(
        "{}{}\n",
        &signed[..body_start],
        base64::engine::general_purpose::STANDARD.encode(&der)
    )
}

#[test]
fn enveloped_data_lists_its_recipients_and_is_never_decrypted() {
    let dir = &pki().dir;
    let encrypted = tools::cms_encrypt(dir, &["alice", "carol"], CONTENT, &[]);
    let report = analyze(&message("bob@example.org", None, &encrypted));
    let e2e = &report.e2e;
    assert_eq!(
        (e2e.kind, e2e.signed, e2e.encrypted),
        (E2eKind::Smime, false, true)
    );
    assert!(e2e.signature.is_none());
    assert_eq!(e2e.recipients.len(), 2, "{:?}", e2e.recipients);
    let alice = e2e
        .recipients
        .iter()
        .find(|recipient| recipient.kind == RecipientKind::KeyTransport)
        .unwrap();
    assert_eq!(
        (alice.issuer.as_deref(), alice.serial.as_deref()),
        (Some("CN=TestCA"), Some("1234"))
    );
    let carol = e2e
        .recipients
        .iter()
        .find(|recipient| recipient.kind == RecipientKind::KeyAgreement)
        .unwrap();
    assert_eq!(carol.serial.as_deref(), Some("2001"));
    assert!(codes(e2e).contains(&"e2e.encrypted"));
    // Subject key identifiers instead of issuer and serial.
    let by_key_id = analyze(&message(
        "bob@example.org",
        None,
        &tools::cms_encrypt(dir, &["alice"], CONTENT, &["-keyid"]),
    ));
    let recipient = &by_key_id.e2e.recipients[0];
    assert!(
        recipient
            .subject_key_identifier
            .as_ref()
            .is_some_and(|ski| ski.len() == 40),
        "{recipient:?}"
    );
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM")
}

/// An Ed25519 SignerInfo (RFC 8419: SHA-512 message digest, pure EdDSA over the DER of the
/// signed attributes) in place of the RSA one openssl made, signed here with erin's key.
fn ed25519_signed(message: &str) -> String {
    use der::{Decode, Encode};
    let parsed = mailspect::message::parse_message(message.as_bytes()).unwrap();
    let span = mailspect::e2e::detect(&parsed)
        .signed_part
        .expect("a signed part");
    let content = parsed.bytes[span.start..span.end].to_vec();
    let read = |name: &str| std::fs::read_to_string(pki().dir.join(name)).unwrap();
    let certificate = x509_cert::Certificate::from_der(&pem_der(&read("erin.pem"))).unwrap();
    // PKCS#8 of an Ed25519 key (RFC 8410 §7): the 32-byte seed ends the structure.
    let key = pem_der(&read("erin.key"));
    let seed: [u8; 32] = key[key.len() - 32..].try_into().unwrap();
    let signing_key = ed25519_dalek::SigningKey::from_bytes(&seed);
    with_signature_der(message, |der| {
        let info = cms::content_info::ContentInfo::from_der(der).unwrap();
        let mut signed_data: cms::signed_data::SignedData = info.content.decode_as().unwrap();
        let mut signer = signed_data.signer_infos.0.get(0).unwrap().clone();
        let sha512 = der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
        let digest_oid = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
        let digest = <sha2::Sha512 as sha2::Digest>::digest(&content);
        let attributes: Vec<x509_cert::attr::Attribute> = signer
            .signed_attrs
            .as_ref()
            .unwrap()
            .iter()
            .map(|attribute| {
                let mut attribute = attribute.clone();
                if attribute.oid == digest_oid {
                    let value = der::Any::encode_from(
                        &der::asn1::OctetString::new(digest.to_vec()).unwrap(),
                    )
                    .unwrap();
                    attribute.values = der::asn1::SetOfVec::try_from(vec![value]).unwrap();
                }
                attribute
            })
            .collect();
        let attributes = der::asn1::SetOfVec::try_from(attributes).unwrap();
        let signature = ed25519_dalek::Signer::sign(&signing_key, &attributes.to_der().unwrap());
        signer.sid = cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(
            cms::cert::IssuerAndSerialNumber {
                issuer: certificate.tbs_certificate.issuer.clone(),
                serial_number: certificate.tbs_certificate.serial_number.clone(),
            },
        );
        signer.digest_alg = spki::AlgorithmIdentifierOwned {
            oid: sha512,
            parameters: None,
        };
        signer.signature_algorithm = spki::AlgorithmIdentifierOwned {
            oid: der::asn1::ObjectIdentifier::new_unwrap("1.3.101.112"),
            parameters: None,
        };
        signer.signed_attrs = Some(attributes);
        signer.signature = der::asn1::OctetString::new(signature.to_bytes().to_vec()).unwrap();
        signed_data.signer_infos =
            cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(vec![signer]).unwrap());
        signed_data.certificates = Some(cms::signed_data::CertificateSet(
            der::asn1::SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(
                certificate.clone(),
            )])
            .unwrap(),
        ));
        let content = der::Any::encode_from(&signed_data).unwrap();
        *der = cms::content_info::ContentInfo {
            content_type: info.content_type,
            content,
        }
        .to_der()
        .unwrap();
    })
}

#[test]
fn ed25519_signature_verifies_and_a_changed_body_fails() {
    let base = message(
        "erin@example.com",
        None,
        &signed_by("alice", &["-md", "sha256"]),
    );
    let signed = ed25519_signed(&base);
    let report = analyze(&signed);
    let signature = signature(&report);
    assert_eq!(
        signature.result,
        SignatureResult::Pass,
        "{}",
        signature.reason
    );
    assert_eq!(
        (
            signature.algorithm.as_deref(),
            signature.digest_algorithm.as_deref()
        ),
        (Some("ed25519"), Some("sha-512"))
    );
    assert_eq!(signature.signer.as_ref().unwrap().from_matches, Some(true));
    let tampered = analyze(&signed.replace("DE00 1234", "DE99 6666"));
    assert_eq!(
        tampered.e2e.signature.as_ref().unwrap().result,
        SignatureResult::Fail
    );
}

/// The CLI: `--ca-file` makes the chain checked; the text names the signer.
#[test]
fn cli_takes_roots_and_names_the_signer() {
    let dir = &pki().dir;
    let path = dir.join("cli-signed.eml");
    std::fs::write(
        &path,
        message(
            "alice@example.com",
            None,
            &signed_by("alice", &["-md", "sha256"]),
        ),
    )
    .unwrap();
    let ca = dir.join("TestCA.pem");
    let run = tools::mailspect;
    let output = run(&[
        "message",
        "--json",
        "--ca-file",
        ca.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["e2e"]["signature"]["trust"]["status"], "trusted");
    let text = run(&["message", path.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("End-to-end: S/MIME, signed"), "{text}");
    assert!(text.contains("signature: pass"), "{text}");
}

/// Header fields inside the signed content (RFC 8551 §3.1 message/rfc822, or protected-headers)
/// that differ from the outer ones are findings, for detached and opaque signatures alike.
#[test]
fn protected_headers_inside_the_signature_are_compared_with_the_outer_ones() {
    let wrapped = "Content-Type: message/rfc822\r\n\r\nFrom: alice@example.com\r\nSubject: Invoice 17 (IBAN DE00 1234)\r\n\r\nPay.\r\n";
    let protected = "Content-Type: text/plain; protected-headers=\"v1\"\r\nSubject: Invoice\r\nFrom: alice@example.com\r\n\r\nPay.\r\n";
    let dir = &pki().dir;
    for (content, extra, differs) in [
        (wrapped, vec!["-md", "sha256"], true),
        (wrapped, vec!["-md", "sha256", "-nodetach"], true),
        (protected, vec!["-md", "sha256"], false),
    ] {
        let smime = tools::cms_sign(dir, "alice", content, &extra);
        let report = analyze(&message("alice@example.com", None, &smime));
        assert!(signature(&report).valid, "{}", signature(&report).reason);
        let subject = report
            .e2e
            .protected_headers
            .iter()
            .find(|header| header.name == "Subject")
            .unwrap_or_else(|| panic!("a protected Subject with {extra:?}"));
        assert_eq!(subject.differs, differs, "{subject:?}");
        assert_eq!(
            codes(&report.e2e).contains(&"e2e.unprotected-header-differs"),
            differs,
            "{extra:?}"
        );
    }
}

#[path = "support/dkim_signer.rs"]
#[allow(dead_code)]
mod dkim_signer;

/// DKIM beside S/MIME: both pass, nothing to say; the outer Subject changed on the way (DKIM
/// fails, the author's signature holds), `e2e.dkim-disagrees`.
#[test]
fn a_signed_message_whose_dkim_failed_is_a_finding() {
    use mailspect::dns::{MemoryResolver, RecordData};
    let text = message(
        "alice@example.com",
        None,
        &signed_by("alice", &["-md", "sha256"]),
    );
    // DKIM signs the CRLF form that intake makes of openssl's output.
    let crlf = mailspect::message::parse_message(text.as_bytes())
        .unwrap()
        .bytes;
    let key = dkim_signer::Key::ed25519();
    let spec = dkim_signer::Spec {
        algorithm: "ed25519-sha256",
        ..dkim_signer::Spec::default()
    };
    let dkim_signed = String::from_utf8(dkim_signer::sign(&crlf, &spec, &key)).unwrap();
    let mut resolver = MemoryResolver::new();
    resolver.insert(
        "sel._domainkey.example.com",
        300,
        RecordData::Txt {
            strings: vec![key.record().into_bytes()],
        },
    );
    let analyze_here = |input: &str| {
        let options = mailspect::Options {
            now: tools::now(),
            ..mailspect::Options::default()
        };
        pollster::block_on(mailspect::analyze_message(
            input.as_bytes(),
            &options,
            &resolver,
        ))
        .expect("a message")
    };
    let both = analyze_here(&dkim_signed);
    assert_eq!(both.dkim[0].result, mailspect::dkim::DkimResult::Pass);
    assert!(signature(&both).valid);
    assert!(!codes(&both.e2e).contains(&"e2e.dkim-disagrees"));
    let changed = analyze_here(&dkim_signed.replace("Subject: Invoice", "Subject: Invoice (paid)"));
    assert_ne!(changed.dkim[0].result, mailspect::dkim::DkimResult::Pass);
    assert!(signature(&changed).valid);
    let finding = changed
        .e2e
        .findings
        .iter()
        .find(|finding| finding.code == "e2e.dkim-disagrees")
        .expect("the finding");
    assert!(
        finding.message.contains("valid but DKIM failed"),
        "{}",
        finding.message
    );
    assert!(changed
        .findings
        .iter()
        .any(|finding| finding.code == "e2e.dkim-disagrees"));
}
