#![cfg(not(target_arch = "wasm32"))]
//! Known-answer tests of OpenPGP in a message, on messages signed and encrypted with a key the
//! tests make themselves (GnuPG): PGP/MIME and inline signatures verified with the key and
//! parsed without it, tampered variants that must fail, and an encrypted message's recipient.

#[path = "support/e2e_tools.rs"]
#[allow(dead_code)]
mod tools;

use std::path::PathBuf;
use std::sync::OnceLock;

use mailspect::e2e::{E2eFormat, E2eKind, E2eOptions, RecipientKind, SignatureResult};
use tools::{analyze, analyze_with, codes, now, signature, Gpg};

/// A GnuPG key and its material, made once per test run.
struct Pgp {
    dir: PathBuf,
    gpg: Gpg,
}

fn pgp() -> &'static Pgp {
    static PGP: OnceLock<Pgp> = OnceLock::new();
    PGP.get_or_init(|| {
        let dir = tools::scratch("openpgp");
        let gpg = Gpg::new(&dir, "Alice <alice@example.com>");
        Pgp { dir, gpg }
    })
}

fn pgp_mime(part: &str, signature: &str) -> String {
    format!(
        "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"b1\"\r\n\r\n\
         --b1\r\n{part}\r\n--b1\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n{signature}\r\n--b1--\r\n"
    )
}

fn key_options() -> E2eOptions {
    E2eOptions {
        openpgp_keys: pgp().gpg.public_key(&pgp().dir),
        ..E2eOptions::default()
    }
}

#[test]
fn pgp_mime_signature_verifies_with_the_key_and_is_parsed_without_it() {
    let Pgp { dir, gpg } = pgp();
    let part = "Content-Type: text/plain\r\n\r\nPay only to IBAN DE00 1234.";
    let signature = gpg.detach_sign(dir, part.as_bytes());
    let message = pgp_mime(part, &signature);
    let keys = gpg.key_ids(dir);
    let with_key = analyze_with(&message, key_options());
    let e2e = &with_key.e2e;
    assert_eq!(
        (e2e.kind, e2e.format),
        (E2eKind::Openpgp, Some(E2eFormat::MultipartSigned))
    );
    let checked = tools::signature(&with_key);
    assert_eq!(checked.result, SignatureResult::Pass, "{}", checked.reason);
    let details = checked.openpgp.as_ref().unwrap();
    assert_eq!(details.verified_with.as_deref(), Some(keys[0].1.as_str()));
    assert!(
        details.issuer_fingerprints.contains(&keys[0].1)
            || details.issuer_key_ids.contains(&keys[0].0)
    );
    assert_eq!(details.key_user_ids, ["Alice <alice@example.com>"]);
    assert_eq!(checked.digest_algorithm.as_deref(), Some("sha256"));
    assert!(checked
        .signing_time
        .is_some_and(|time| (time - now() as i64).abs() < 600));

    assert!(!codes(e2e).contains(&"e2e.from-mismatch"));
    let other_sender = analyze_with(
        &message.replace(
            "From: Alice <alice@example.com>",
            "From: mallory@example.net",
        ),
        key_options(),
    );
    assert!(codes(&other_sender.e2e).contains(&"e2e.from-mismatch"));

    let without_key = analyze(&message);
    let parsed = tools::signature(&without_key);
    assert_eq!(parsed.result, SignatureResult::NotVerified);
    assert!(!parsed.valid);
    assert!(codes(&without_key.e2e).contains(&"e2e.not-verified"));

    let tampered = analyze_with(
        &pgp_mime(&part.replace("DE00", "DE99"), &signature),
        key_options(),
    );
    assert_eq!(tools::signature(&tampered).result, SignatureResult::Fail);
    assert!(codes(&tampered.e2e).contains(&"e2e.signature-invalid"));
}

#[test]
fn inline_cleartext_signature_verifies_and_a_changed_text_fails() {
    let Pgp { dir, gpg } = pgp();
    let block = gpg.clearsign(dir, "Pay only to IBAN DE00 1234.\n");
    let message = format!("From: alice@example.com\r\nSubject: Invoice\r\n\r\n{block}");
    let report = analyze_with(&message, key_options());
    assert_eq!(report.e2e.format, Some(E2eFormat::Inline));
    assert_eq!(report.e2e.covers_whole_body, Some(true));
    assert_eq!(
        signature(&report).result,
        SignatureResult::Pass,
        "{}",
        signature(&report).reason
    );
    let tampered = analyze_with(&message.replace("DE00", "DE99"), key_options());
    assert_eq!(signature(&tampered).result, SignatureResult::Fail);
    // A footer after the block: the signature covers part of the body only.
    let footer = analyze_with(
        &format!("{message}\r\n--\r\nSent through the list\r\n"),
        key_options(),
    );
    assert_eq!(footer.e2e.covers_whole_body, Some(false));
    assert!(codes(&footer.e2e).contains(&"e2e.partial-body"));
}

#[test]
fn openpgp_encrypted_message_lists_the_encryption_subkey() {
    let Pgp { dir, gpg } = pgp();
    let armored = gpg.encrypt(dir, "alice@example.com", "secret");
    let keys = gpg.key_ids(dir);
    let message = format!(
        "From: bob@example.org\r\nTo: alice@example.com\r\nSubject: ...\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\r\n\r\n\
         --e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e\r\n\
         Content-Type: application/octet-stream\r\n\r\n{armored}\r\n--e--\r\n"
    );
    let report = analyze(&message);
    assert_eq!(
        (report.e2e.kind, report.e2e.encrypted),
        (E2eKind::Openpgp, true)
    );
    assert_eq!(report.e2e.format, Some(E2eFormat::MultipartEncrypted));
    let subkey = &keys[1].0;
    assert_eq!(
        report.e2e.recipients.len(),
        1,
        "{:?}",
        report.e2e.recipients
    );
    assert_eq!(
        report.e2e.recipients[0].key_id.as_deref(),
        Some(subkey.as_str())
    );
    assert_eq!(report.e2e.recipients[0].kind, RecipientKind::OpenpgpKey);
    // The same block inline.
    let inline = analyze(&format!("From: bob@example.org\r\n\r\n{armored}"));
    assert_eq!(inline.e2e.format, Some(E2eFormat::Inline));
    assert_eq!(
        inline.e2e.recipients[0].key_id.as_deref(),
        Some(subkey.as_str())
    );
}

/// The CLI: `--openpgp-key` verifies; an unreadable key file is an error naming the flag.
#[test]
fn cli_verifies_with_openpgp_keys() {
    let Pgp { dir: pgp_dir, gpg } = pgp();
    let part = "Content-Type: text/plain\r\n\r\nSigned on the command line.";
    let signed = pgp_mime(part, &gpg.detach_sign(pgp_dir, part.as_bytes()));
    let message_path = pgp_dir.join("cli-pgp.eml");
    std::fs::write(&message_path, signed).unwrap();
    let key_path = pgp_dir.join("alice.asc");
    std::fs::write(&key_path, gpg.public_key(pgp_dir)).unwrap();
    let output = tools::mailspect(&[
        "message",
        "--json",
        "--openpgp-key",
        key_path.to_str().unwrap(),
        message_path.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["e2e"]["signature"]["result"], "pass");
    let missing = tools::mailspect(&[
        "message",
        "--openpgp-key",
        "/nonexistent/key.asc",
        message_path.to_str().unwrap(),
    ]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--openpgp-key /nonexistent/key.asc"));
}
