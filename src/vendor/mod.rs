//! Verdict headers that filtering products add, decoded where the vendor documents them:
//! Microsoft 365 / Exchange Online Protection, SpamAssassin, Proofpoint, Mimecast.
//!
//! These are other products' verdicts, reported as they wrote them with the vendor's own
//! explanation; mailspect does not judge by them. Like Authentication-Results, a verdict header
//! written upstream of the receiver (the sender's own tenant, or a forger) is marked untrusted.

mod filters;
mod microsoft;

use serde::Serialize;

use crate::message::{unfold_value, Message};
use crate::received::{Border, Trust};
use crate::report::{Finding, Severity, Span};

/// At most this many verdict fields are decoded.
pub const MAX_VERDICT_FIELDS: usize = 200;

/// The filtering products whose verdict headers are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Vendor {
    /// Microsoft 365 / Exchange Online Protection.
    Microsoft,
    Spamassassin,
    Proofpoint,
    Mimecast,
}

/// One decoded verdict header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct VendorVerdict {
    pub vendor: Vendor,
    /// The field name as written.
    pub header: String,
    /// The value, unfolded, exactly as the vendor wrote it.
    pub raw: String,
    /// The verdict in one sentence, when the documented fields give one.
    pub summary: Option<String>,
    /// The value split into its documented parts.
    pub fields: Vec<VendorField>,
    /// Whether the receiving organisation wrote this field (see [`Border::trust`]).
    pub trust: Trust,
    pub span: Span,
    #[serde(skip)]
    pub field_index: usize,
}

/// One part of a verdict header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct VendorField {
    pub key: String,
    pub value: String,
    /// The vendor's documented meaning, when there is one.
    pub meaning: Option<String>,
}

impl VendorField {
    fn new(key: &str, value: &str, meaning: Option<String>) -> Self {
        VendorField {
            key: key.to_string(),
            value: value.to_string(),
            meaning,
        }
    }
}

/// What a decoder makes of one value: the summary and the parts.
type Decoded = (Option<String>, Vec<VendorField>);

/// A decoder for one header, and the vendor it belongs to.
type Decoder = (Vendor, fn(&str) -> Decoded);

/// Decodes every verdict header of `message`, top first, trusted or not by `border`; with a
/// finding when there were more than [`MAX_VERDICT_FIELDS`].
pub fn read_vendor_verdicts(
    message: &Message,
    border: Option<&Border>,
) -> (Vec<VendorVerdict>, Option<Finding>) {
    let mut verdicts = Vec::new();
    let mut skipped = 0usize;
    for (index, field) in message.fields.iter().enumerate() {
        let name = field.name.to_ascii_lowercase();
        let Some((vendor, decode)) = decoder(&name) else {
            continue;
        };
        if verdicts.len() >= MAX_VERDICT_FIELDS {
            skipped += 1;
            continue;
        }
        let raw = unfold_value(message.value_bytes(field));
        let (summary, fields) = decode(&raw);
        verdicts.push(VendorVerdict {
            vendor,
            header: field.name.clone(),
            raw,
            summary,
            fields,
            trust: border.map_or(Trust::Unknown, |border| {
                border.trust(index, vendor_host(vendor))
            }),
            span: field.span(),
            field_index: index,
        });
    }
    let finding = (skipped > 0).then(|| {
        Finding::new(
            Severity::Warning,
            "vendor.too-many",
            format!(
                "{skipped} verdict headers beyond the first {MAX_VERDICT_FIELDS} were not decoded."
            ),
        )
        .with_rfc("https://www.rfc-editor.org/rfc/rfc5322#section-3.6")
    });
    (verdicts, finding)
}

fn decoder(name: &str) -> Option<Decoder> {
    Some(match name {
        "x-forefront-antispam-report" | "x-forefront-antispam-report-untrusted" => {
            (Vendor::Microsoft, microsoft::forefront_report)
        }
        "x-microsoft-antispam" | "x-microsoft-antispam-untrusted" => {
            (Vendor::Microsoft, microsoft::antispam)
        }
        "x-microsoft-antispam-mailbox-delivery" => (Vendor::Microsoft, microsoft::mailbox_delivery),
        "x-ms-exchange-organization-scl" => (Vendor::Microsoft, microsoft::organization_scl),
        "x-spam-status" => (Vendor::Spamassassin, filters::spam_status),
        "x-spam-flag" | "x-spam-score" | "x-spam-level" => {
            (Vendor::Spamassassin, filters::spam_simple)
        }
        "x-proofpoint-spam-details" => (Vendor::Proofpoint, filters::proofpoint_details),
        "x-mimecast-spam-score" => (Vendor::Mimecast, filters::mimecast_score),
        "x-mimecast-impersonation-protect" => (Vendor::Mimecast, filters::mimecast_impersonation),
        _ => return None,
    })
}

/// The vendor's service host, when the vendor runs the receiving service itself: its verdict
/// headers sit below the receiver's stamp, like Authentication-Results, and are trusted when
/// the receiver is that vendor. SpamAssassin runs anywhere, so it has none.
fn vendor_host(vendor: Vendor) -> Option<&'static str> {
    match vendor {
        Vendor::Microsoft => Some("protection.outlook.com"),
        Vendor::Proofpoint => Some("pphosted.com"),
        Vendor::Mimecast => Some("mimecast.com"),
        Vendor::Spamassassin => None,
    }
}

/// Splits `KEY:VALUE;KEY:VALUE` (Microsoft) or `key=value; key=value` (Mimecast) pairs.
fn pairs(raw: &str, separator: char) -> Vec<(String, String)> {
    raw.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once(separator) {
            Some((key, value)) => (key.trim().to_string(), value.trim().to_string()),
            None => (part.to_string(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests;
