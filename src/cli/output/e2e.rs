//! The text of a message's end-to-end protection (S/MIME, OpenPGP) in `mailspect message`.

use mailspect::e2e::{E2eKind, E2eReport};
use mailspect::report::reveal;

use super::Text;

/// The e2e block: signed or encrypted, the signature's result and signer, the recipients.
pub(super) fn end_to_end(out: &mut Text, e2e: &E2eReport) {
    let kind = match e2e.kind {
        E2eKind::None => return,
        E2eKind::Smime => "S/MIME",
        E2eKind::Openpgp => "OpenPGP",
    };
    out.blank();
    let what = match (e2e.signed, e2e.encrypted) {
        (true, true) => "signed and encrypted",
        (true, false) => "signed",
        (false, true) => "encrypted",
        (false, false) => "protected",
    };
    line!(out, "End-to-end: {kind}, {what}");
    if let Some(signature) = &e2e.signature {
        line!(
            out,
            "  signature: {} ({})",
            serde_word(&signature.result),
            reveal(&signature.reason)
        );
        if let Some(signer) = &signature.signer {
            line!(
                out,
                "  signer:    {} (issuer {}, serial {})",
                reveal(&signer.subject),
                reveal(&signer.issuer),
                signer.serial
            );
        }
        if let Some(trust) = &signature.trust {
            line!(out, "  trust:     {}", reveal(&trust.reason));
        }
    }
    for recipient in &e2e.recipients {
        let name = recipient
            .key_id
            .clone()
            .or_else(|| {
                recipient.issuer.as_ref().map(|issuer| {
                    format!(
                        "{issuer}, serial {}",
                        recipient.serial.as_deref().unwrap_or("")
                    )
                })
            })
            .or_else(|| recipient.subject_key_identifier.clone())
            .unwrap_or_else(|| "(unnamed)".into());
        line!(out, "  recipient: {}", reveal(&name));
    }
}

/// A kebab-case enum value as the JSON report writes it.
fn serde_word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}
