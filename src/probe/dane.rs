//! DANE for SMTP (RFC 7672 §3): does the certificate chain the server sent match one of the
//! host's TLSA records? The records are read by [`crate::records::tlsa`]; only the usages SMTP
//! clients use are matched: DANE-EE(3) against the server's own certificate, DANE-TA(2)
//! against any certificate of the chain sent (the trust anchor must be in it, §3.1.2). Names
//! and expiry do not matter for DANE-EE (RFC 7672 §3.1.1); PKIX-TA(0) and PKIX-EE(1) are
//! unusable for SMTP (§3.1.3).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

use super::CertificateBytes;
use crate::records::tlsa::{TlsaMatching, TlsaRecord, TlsaSelector, TlsaUsage};

/// One TLSA record that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DaneMatch {
    /// The record, `usage selector matching data`.
    pub record: String,
    /// The position in the chain of the certificate it matched (0 is the server's own).
    pub chain_index: usize,
}

/// The chain against the TLSA records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DaneCheck {
    /// The records SMTP clients use (usage 2 or 3, known selector and matching type).
    pub usable_records: usize,
    /// The TLSA answer was DNSSEC-validated: without it senders ignore the records.
    pub authenticated: bool,
    pub matches: Vec<DaneMatch>,
    /// At least one usable record matches: a DANE sender accepts the certificate.
    pub matched: bool,
    /// The `3 1 1` record of the certificate presented, to publish when none matches.
    pub suggested_record: Option<String>,
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn association(record: &TlsaRecord, certificate: &CertificateBytes) -> Option<String> {
    let content = match record.selector_name? {
        TlsaSelector::Cert => &certificate.der,
        TlsaSelector::Spki => &certificate.spki,
    };
    if content.is_empty() {
        return None;
    }
    Some(match record.matching_name? {
        TlsaMatching::Full => hex(content),
        TlsaMatching::Sha256 => hex(&Sha256::digest(content)),
        TlsaMatching::Sha512 => hex(&Sha512::digest(content)),
    })
}

/// Matches `chain` (end entity first) against `records`.
pub fn dane_check(
    records: &[TlsaRecord],
    authenticated: bool,
    chain: &[CertificateBytes],
) -> DaneCheck {
    let mut usable_records = 0;
    let mut matches = Vec::new();
    for record in records {
        let candidates: &[CertificateBytes] = match record.usage_name {
            Some(TlsaUsage::DaneEe) => chain.get(..1).unwrap_or(&[]),
            Some(TlsaUsage::DaneTa) => chain,
            _ => continue,
        };
        if record.selector_name.is_none() || record.matching_name.is_none() {
            continue;
        }
        usable_records += 1;
        let offset = usize::from(record.usage_name == Some(TlsaUsage::DaneTa) && chain.len() > 1);
        // DANE-TA names a trust anchor: a CA certificate of the chain, not the server's own
        // (which a DANE-EE record would name instead).
        for (index, certificate) in candidates.iter().enumerate().skip(offset) {
            if association(record, certificate).as_deref() == Some(record.data.as_str()) {
                matches.push(DaneMatch {
                    record: format!(
                        "{} {} {} {}",
                        record.usage, record.selector, record.matching_type, record.data
                    ),
                    chain_index: index,
                });
                break;
            }
        }
    }
    let suggested_record = chain
        .first()
        .filter(|certificate| !certificate.spki.is_empty())
        .map(|certificate| format!("3 1 1 {}", hex(&Sha256::digest(&certificate.spki))));
    DaneCheck {
        usable_records,
        authenticated,
        matched: !matches.is_empty(),
        matches,
        suggested_record,
    }
}
