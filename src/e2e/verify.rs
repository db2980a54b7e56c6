//! The checks of end-to-end protection (the `e2e` feature): [`check`] takes what [`detect`] found
//! and reads the CMS or OpenPGP data, verifies the first signature, reads the signer's
//! certificate and lists an encrypted message's recipients. Never decrypts.

use super::detect::{compare_protected, decode_body, Located};
use super::{cert, mime, openpgp, smime};
use super::{
    detect, locate, E2eKind, E2eOptions, E2eReport, SignatureResult, TrustStatus, Validity,
};
use crate::message::{Message, Summary};
use crate::report::{Finding, Severity};

const RFC5652_VERIFY: &str = "https://www.rfc-editor.org/rfc/rfc5652#section-5.6";
const RFC8551_CERT: &str = "https://www.rfc-editor.org/rfc/rfc8551#section-2.3";
const RFC8550_EMAIL: &str = "https://www.rfc-editor.org/rfc/rfc8550#section-3";
const RFC5280_VALIDITY: &str = "https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5";
const RFC8550_EKU: &str = "https://www.rfc-editor.org/rfc/rfc8550#section-4.4.4";
const RFC9580_SIG: &str = "https://www.rfc-editor.org/rfc/rfc9580#section-5.2";

/// The message's `e2e` report, checked. `now` (seconds since the Unix epoch) stands in for the
/// message's Date when it has none.
pub fn check(message: &Message, summary: &Summary, options: &E2eOptions, now: u64) -> E2eReport {
    let mut report = detect(message);
    if report.kind == E2eKind::None || message.body_start.is_none() {
        return report;
    }
    let located = locate(message);
    let from = summary
        .from
        .first()
        .and_then(|mailbox| mailbox.address.as_deref());
    let at = summary
        .date_unix
        .unwrap_or_else(|| i64::try_from(now).unwrap_or(i64::MAX));
    report.checked = true;
    let mut findings = Vec::new();
    match report.kind {
        E2eKind::Smime => check_smime(
            message,
            &located,
            from,
            at,
            options,
            &mut report,
            &mut findings,
        ),
        E2eKind::Openpgp => {
            check_openpgp(message, &located, options, &mut report, &mut findings);
            findings.extend(openpgp_from_finding(&report, from));
        }
        E2eKind::None => {}
    }
    if let Some(signature) = &report.signature {
        findings.extend(signature_findings(signature, from));
    }
    report.findings.extend(findings);
    report
}

fn unreadable(reason: String) -> Finding {
    Finding::new(
        Severity::Error,
        "e2e.unreadable",
        format!("The end-to-end protection cannot be read: {reason}."),
    )
}

fn check_smime(
    message: &Message,
    located: &Located,
    from: Option<&str>,
    at: i64,
    options: &E2eOptions,
    report: &mut E2eReport,
    findings: &mut Vec<Finding>,
) {
    let roots = match cert::read_roots(&options.roots_pem) {
        Ok(roots) => roots,
        Err(reason) => {
            findings.push(unreadable(reason));
            Vec::new()
        }
    };
    let context = smime::Context {
        from,
        at,
        roots: &roots,
    };
    let (entity, detached) = match (&located.signature, &located.payload) {
        (Some(signature), _) => (
            signature,
            located
                .signed_part
                .as_ref()
                .and_then(|part| message.bytes.get(part.clone())),
        ),
        (None, Some(payload)) => (payload, None),
        (None, None) => {
            findings.push(unreadable("the signature part is missing".into()));
            return;
        }
    };
    let Some(der_bytes) = decode_body(&message.bytes, entity, 0) else {
        findings.push(unreadable("the CMS part is not base64 or binary".into()));
        return;
    };
    match smime::read(&der_bytes, detached, &context) {
        Ok(smime::Cms::Signed(outcome)) => {
            report.signed = true;
            report.signature_count = outcome.count;
            if !outcome.weak.is_empty() {
                findings.push(weak(&outcome.weak));
            }
            // signed-data: the content inside may carry protected header fields (RFC 8551 §3.1).
            if let Some(content) = &outcome.content {
                let inner = mime::read_entity(content, 0..content.len());
                let fields = if inner.content_type.is("message/rfc822") {
                    mime::read_entity(content, inner.body.clone()).fields
                } else if inner.content_type.param("protected-headers").is_some() {
                    inner.fields.clone()
                } else {
                    Vec::new()
                };
                report.protected_headers = compare_protected(message, &fields);
                report.findings = super::detection_findings(report, true);
            }
            report.signature = Some(outcome.signature);
        }
        Ok(smime::Cms::Enveloped(recipients)) => {
            report.encrypted = true;
            report.recipients = recipients;
        }
        Err(reason) => findings.push(unreadable(reason)),
    }
}

fn check_openpgp(
    message: &Message,
    located: &Located,
    options: &E2eOptions,
    report: &mut E2eReport,
    findings: &mut Vec<Finding>,
) {
    let keys = match openpgp::read_keys(&options.openpgp_keys) {
        Ok(keys) => keys,
        Err(reason) => {
            findings.push(unreadable(reason));
            Vec::new()
        }
    };
    let outcome = if let (Some(part), Some(signature)) = (&located.signed_part, &located.signature)
    {
        let data = message.bytes.get(part.clone()).unwrap_or_default();
        let signature_bytes = decode_body(&message.bytes, signature, 0).unwrap_or_default();
        Some(openpgp::check_detached(&signature_bytes, data, &keys))
    } else if let Some(range) = &located.armored {
        let block = String::from_utf8_lossy(message.bytes.get(range.clone()).unwrap_or_default())
            .into_owned();
        if report.signed {
            Some(openpgp::check_cleartext(&block, &keys))
        } else {
            match openpgp::recipients(block.as_bytes()) {
                Ok(recipients) => report.recipients = recipients,
                Err(reason) => findings.push(unreadable(reason)),
            }
            None
        }
    } else if let Some(payload) = &located.payload {
        let bytes = decode_body(&message.bytes, payload, 0).unwrap_or_default();
        match openpgp::recipients(&bytes) {
            Ok(recipients) => report.recipients = recipients,
            Err(reason) => findings.push(unreadable(reason)),
        }
        None
    } else {
        None
    };
    match outcome {
        Some(Ok(outcome)) => {
            report.signature_count = outcome.count;
            if !outcome.weak.is_empty() {
                findings.push(weak(&outcome.weak));
            }
            report.signature = Some(outcome.signature);
        }
        Some(Err(reason)) => findings.push(unreadable(reason)),
        None => {}
    }
}

/// A verified OpenPGP signature whose key names no user ID with the From address (RFC 9580
/// §5.11): the key is someone's, but not the sender's that the reader sees.
fn openpgp_from_finding(report: &E2eReport, from: Option<&str>) -> Option<Finding> {
    let from = from?.trim();
    let details = report.signature.as_ref()?.openpgp.as_ref()?;
    details.verified_with.as_ref()?;
    let named = details.key_user_ids.iter().any(|user_id| {
        let address = user_id
            .rsplit_once('<')
            .map_or(user_id.as_str(), |(_, rest)| rest.trim_end_matches('>'));
        address.trim().eq_ignore_ascii_case(from)
    });
    (!named).then(|| {
        Finding::new(
            Severity::Warning,
            "e2e.from-mismatch",
            format!(
                "The OpenPGP key that made the signature names no user ID with the From address \
                 {}: the signature is someone else's.",
                crate::report::quoted(from)
            ),
        )
        .with_rfc("https://www.rfc-editor.org/rfc/rfc9580#section-5.11")
    })
}

fn weak(what: &[String]) -> Finding {
    Finding::new(
        Severity::Warning,
        "e2e.weak-algorithm",
        format!(
            "The signature uses {}: a forger with enough computing power can make another \
             message with the same signature.",
            what.join(" and ")
        ),
    )
    .with_rfc(RFC8551_CERT)
    .with_fix("Sign with SHA-256 or stronger and an RSA key of at least 2048 bits, or ECDSA P-256 or Ed25519.")
}

/// Findings about a checked signature: invalid, not verified, the certificate's validity, its
/// usage, its addresses against From, trust.
fn signature_findings(signature: &super::E2eSignature, from: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    match signature.result {
        SignatureResult::Pass => {}
        SignatureResult::Fail => findings.push(
            Finding::new(
                Severity::Error,
                "e2e.signature-invalid",
                format!("The end-to-end signature does not verify: {}.", signature.reason),
            )
            .with_rfc(RFC5652_VERIFY),
        ),
        SignatureResult::Error => findings.push(Finding::new(
            Severity::Warning,
            "e2e.signature-unchecked",
            format!("The end-to-end signature could not be checked: {}.", signature.reason),
        )),
        SignatureResult::NotVerified => findings.push(
            Finding::new(
                Severity::Info,
                "e2e.not-verified",
                "The OpenPGP signature was read but not verified: no public key of its signer was given.",
            )
            .with_rfc(RFC9580_SIG)
            .with_fix("Give the signer's public key (the page's key box, or --openpgp-key FILE)."),
        ),
    }
    if let Some(signer) = &signature.signer {
        let (code, words) = match signer.validity {
            Validity::Valid => ("", ""),
            Validity::Expired => ("e2e.cert-expired", "had expired"),
            Validity::NotYetValid => ("e2e.cert-not-yet-valid", "was not yet valid"),
        };
        if !code.is_empty() {
            findings.push(
                Finding::new(
                    Severity::Error,
                    code,
                    format!(
                        "The signer's certificate ({}) {words} at the message's date.",
                        crate::report::quoted(&signer.subject)
                    ),
                )
                .with_rfc(RFC5280_VALIDITY),
            );
        }
        if !signer.email_protection {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "e2e.no-email-protection",
                    "The signer's certificate does not allow e-mail protection: its extended key usage lacks emailProtection.",
                )
                .with_rfc(RFC8550_EKU),
            );
        }
        if signer.from_matches == Some(false) {
            let names = if signer.emails.is_empty() {
                "no e-mail address".to_string()
            } else {
                signer
                    .emails
                    .iter()
                    .map(|email| crate::report::quoted(email))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "e2e.from-mismatch",
                    format!(
                        "The signer's certificate names {names}, not the From address {}: the \
                         signature is someone else's.",
                        crate::report::quoted(from.unwrap_or_default())
                    ),
                )
                .with_rfc(RFC8550_EMAIL),
            );
        }
    }
    if let Some(trust) = &signature.trust {
        if trust.status == TrustStatus::Untrusted {
            findings.push(Finding::new(
                Severity::Warning,
                "e2e.untrusted",
                format!(
                    "The signer's certificate does not lead to a root you gave: {}.",
                    trust.reason
                ),
            ));
        }
    }
    findings
}
