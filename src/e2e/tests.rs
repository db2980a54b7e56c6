//! Unit tests of the detector; the checks' known-answer tests are in `tests/e2e.rs`.

use super::*;
use crate::message::parse_message;

fn detected(text: &str) -> E2eReport {
    detect(&parse_message(text.as_bytes()).unwrap())
}

const SIGNED_HEAD: &str =
    "From: Alice <alice@example.com>\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n";

fn multipart_signed(protocol: &str, inner: &str) -> String {
    format!(
        "{SIGNED_HEAD}Content-Type: multipart/signed; protocol=\"{protocol}\"; micalg=sha-256;\r\n boundary=\"b\"\r\n\r\n\
         preamble\r\n--b\r\n{inner}\r\n--b\r\nContent-Type: {protocol}\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n"
    )
}

#[test]
fn multipart_signed_smime_and_pgp_are_told_apart_by_protocol() {
    let smime = detected(&multipart_signed(
        "application/pkcs7-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    ));
    assert_eq!(
        (smime.kind, smime.signed, smime.encrypted),
        (E2eKind::Smime, true, false)
    );
    assert_eq!(smime.format, Some(E2eFormat::MultipartSigned));
    assert_eq!(smime.covers_whole_body, Some(true));
    assert!(!smime.checked && smime.signature.is_none());
    let x_smime = detected(&multipart_signed(
        "application/x-pkcs7-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    ));
    assert_eq!(x_smime.kind, E2eKind::Smime);
    let pgp = detected(&multipart_signed(
        "application/pgp-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    ));
    assert_eq!(pgp.kind, E2eKind::Openpgp);
    // The first body part exactly: from after the delimiter line to before the CRLF of the next.
    let text = multipart_signed(
        "application/pgp-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    );
    let span = pgp.signed_part.unwrap();
    assert_eq!(
        &text.as_bytes()[span.start..span.end],
        b"Content-Type: text/plain\r\n\r\nHi"
    );
    assert!(pgp.findings.is_empty());
}

#[test]
fn plain_messages_and_unknown_protocols_are_none() {
    assert_eq!(
        detected("From: a@example.com\r\n\r\nHello\r\n").kind,
        E2eKind::None
    );
    assert_eq!(
        detected(&multipart_signed("application/unknown", "Hi")).kind,
        E2eKind::None
    );
    let report = detected("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nHi\r\n--x--\r\n");
    assert_eq!(report.kind, E2eKind::None);
    assert!(report.findings.is_empty());
}

#[test]
fn pkcs7_mime_smime_type_or_the_cms_content_type_says_signed_or_enveloped() {
    let with_type = |smime_type: &str| {
        detected(&format!(
            "{SIGNED_HEAD}Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
        ))
    };
    let enveloped = with_type("enveloped-data");
    assert_eq!(
        (enveloped.kind, enveloped.signed, enveloped.encrypted),
        (E2eKind::Smime, false, true)
    );
    assert!(enveloped
        .findings
        .iter()
        .any(|finding| finding.code == "e2e.encrypted"));
    assert!(with_type("signed-data").signed);
    assert!(with_type("authEnveloped-data").encrypted);
    // No smime-type: SEQUENCE { OID 1.2.840.113549.1.7.3 … } read from the base64.
    let der = [
        0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03, 0xA0, 0x80,
    ];
    let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
    let bare = detected(&format!(
        "{SIGNED_HEAD}Content-Type: application/x-pkcs7-mime; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
    ));
    assert_eq!((bare.kind, bare.encrypted), (E2eKind::Smime, true));
    // An attachment named .p7m with a generic type.
    let attachment = detected(&format!(
        "{SIGNED_HEAD}Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
    ));
    assert_eq!(attachment.kind, E2eKind::Smime);
}

#[test]
fn a_signed_part_inside_a_list_footer_is_a_partial_body() {
    let inner = multipart_signed(
        "application/pgp-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    );
    let inner_body = &inner[inner.find("Content-Type: multipart/signed").unwrap()..];
    let text = format!(
        "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n{inner_body}\r\n\
         --outer\r\nContent-Type: text/plain\r\n\r\nUnsubscribe: https://list.example\r\n--outer--\r\n"
    );
    let report = detected(&text);
    assert_eq!(
        (report.kind, report.covers_whole_body),
        (E2eKind::Openpgp, Some(false))
    );
    assert!(report
        .findings
        .iter()
        .any(|finding| finding.code == "e2e.partial-body"));
}

#[test]
fn protected_headers_that_differ_from_the_outer_ones_are_findings() {
    let inner = "Content-Type: text/plain; protected-headers=\"v1\"\r\nSubject: Invoice 42\r\nFrom: Alice <alice@example.com>\r\n\r\nHi";
    let report = detected(&multipart_signed("application/pgp-signature", inner));
    let subject = report
        .protected_headers
        .iter()
        .find(|header| header.name == "Subject")
        .unwrap();
    assert!(subject.differs);
    assert_eq!(
        (subject.protected.as_str(), subject.outer.as_deref()),
        ("Invoice 42", Some("Invoice"))
    );
    let from = report
        .protected_headers
        .iter()
        .find(|header| header.name == "From")
        .unwrap();
    assert!(!from.differs);
    let codes: Vec<_> = report.findings.iter().map(|finding| finding.code).collect();
    assert_eq!(codes, ["e2e.unprotected-header-differs"]);
    // A wrapped message/rfc822 (RFC 8551 §3.1) carries its own header fields.
    let wrapped = "Content-Type: message/rfc822\r\n\r\nSubject: Invoice\r\nFrom: Mallory <m@example.net>\r\n\r\nHi";
    let report = detected(&multipart_signed("application/pkcs7-signature", wrapped));
    let from = report
        .protected_headers
        .iter()
        .find(|header| header.name == "From")
        .unwrap();
    assert!(from.differs);
}

#[test]
fn inline_armored_blocks_are_openpgp() {
    let signed = detected(
        "From: a@example.com\r\n\r\n-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nHi\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\nAAAA\r\n-----END PGP SIGNATURE-----\r\n",
    );
    assert_eq!(
        (signed.kind, signed.signed, signed.format),
        (E2eKind::Openpgp, true, Some(E2eFormat::Inline))
    );
    assert_eq!(signed.covers_whole_body, Some(true));
    let encrypted = detected("From: a@example.com\r\n\r\nSee below\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nAAAA\r\n-----END PGP MESSAGE-----\r\n");
    assert_eq!(
        (encrypted.encrypted, encrypted.covers_whole_body),
        (true, Some(false))
    );
    // Quoted in a sentence, not at a line start: not a block.
    assert_eq!(detected("From: a@example.com\r\n\r\nType -----BEGIN PGP MESSAGE----- and -----END PGP MESSAGE-----\r\n").kind, E2eKind::None);
}

#[test]
fn headers_alone_say_signed_and_that_the_body_is_missing() {
    let report = detected(&format!("{SIGNED_HEAD}Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n"));
    assert_eq!((report.kind, report.signed), (E2eKind::Smime, true));
    assert_eq!(
        report
            .findings
            .iter()
            .map(|finding| finding.code)
            .collect::<Vec<_>>(),
        ["e2e.body-missing"]
    );
}

#[test]
fn hostile_structure_is_bounded() {
    // Multiparts nested far deeper than MAX_DEPTH, and more parts than MAX_PARTS.
    let mut text =
        String::from("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for depth in 0..200 {
        text.push_str(&format!(
            "--b{depth}\r\nContent-Type: multipart/mixed; boundary=b{}\r\n\r\n",
            depth + 1
        ));
    }
    text.push_str(&"--b200\r\n\r\nx\r\n".repeat(5_000));
    let report = detected(&text);
    assert_eq!(report.kind, E2eKind::None);
}

#[test]
fn dkim_findings_weigh_the_signature_against_dkim() {
    let mut report = detected(&multipart_signed(
        "application/pkcs7-signature",
        "Content-Type: text/plain\r\n\r\nHi",
    ));
    assert_eq!(
        dkim_findings(&report, Some(false))[0].code,
        "e2e.dkim-disagrees"
    );
    assert!(dkim_findings(&report, Some(true)).is_empty());
    assert!(dkim_findings(&report, None).is_empty());
    report.signature = Some(E2eSignature {
        valid: false,
        result: SignatureResult::Fail,
        reason: String::new(),
        algorithm: None,
        digest_algorithm: None,
        key_bits: None,
        signing_time: None,
        signed_attributes: None,
        signer: None,
        trust: None,
        openpgp: None,
    });
    let reverse = dkim_findings(&report, Some(true));
    assert_eq!(
        (reverse[0].code, reverse[0].severity),
        ("e2e.dkim-disagrees", crate::report::Severity::Error)
    );
}
