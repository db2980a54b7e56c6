//! Microsoft 365 / Exchange Online Protection headers, as documented in "Anti-spam message
//! headers in Microsoft 365" (learn.microsoft.com/defender-office-365/message-headers-eop-mdo)
//! and "Spam confidence level (SCL)" and "Bulk complaint level (BCL)".

use super::{pairs, Decoded, VendorField};

/// `X-Forefront-Antispam-Report`: `KEY:VALUE;` pairs.
pub fn forefront_report(raw: &str) -> Decoded {
    let mut summary = Vec::new();
    let fields = pairs(raw, ':')
        .into_iter()
        .map(|(key, value)| {
            let meaning = forefront_meaning(&key, &value);
            match key.to_ascii_uppercase().as_str() {
                "SCL" | "SFV" | "CAT" | "SFTY" => {
                    if let Some(meaning) = &meaning {
                        summary.push(meaning.clone());
                    }
                }
                _ => {}
            }
            VendorField::new(&key, &value, meaning)
        })
        .collect();
    ((!summary.is_empty()).then(|| summary.join(" ")), fields)
}

fn forefront_meaning(key: &str, value: &str) -> Option<String> {
    let upper = value.to_ascii_uppercase();
    Some(match key.to_ascii_uppercase().as_str() {
        "CIP" => format!("The connecting IP address: {value}."),
        "CTRY" => "The source country, from the connecting IP address.".into(),
        "LANG" => "The language the message was written in.".into(),
        "H" => format!("The HELO or EHLO name of the connecting server: {value}."),
        "PTR" => format!("The PTR record (reverse DNS) of the connecting IP address: {value}."),
        "DIR" => match upper.as_str() {
            "INB" => "Inbound message.".into(),
            "OUT" => {
                "Outbound message: written by the sender's own Microsoft 365 organisation.".into()
            }
            "INT" => "Internal message.".into(),
            _ => return None,
        },
        "IPV" => match upper.as_str() {
            "CAL" => "Spam filtering was skipped: the source IP is in the IP Allow List.".into(),
            "NLI" => "The IP address was not found on any IP reputation list.".into(),
            _ => return None,
        },
        "SCL" => scl_meaning(value)?,
        "SFV" => match upper.as_str() {
            "BLK" => "Filtering was skipped and the message blocked: the sender is on a \
                      user's Blocked Senders list."
                .into(),
            "NSPM" => "Spam filtering marked the message as not spam.".into(),
            "SFE" => "Filtering was skipped: the sender is on a user's Safe Senders list.".into(),
            "SKA" => "Spam filtering was skipped: the sender is on an allow list in the \
                      anti-spam policy."
                .into(),
            "SKB" => {
                "Marked as spam: the sender is on a block list in the anti-spam policy.".into()
            }
            "SKI" => "Spam filtering was skipped for an intra-organisation message.".into(),
            "SKN" => {
                "Marked as not spam before filtering (for example by a mail flow rule).".into()
            }
            "SKQ" => "The message was released from quarantine.".into(),
            "SKS" => "Marked as spam before filtering (for example by a mail flow rule).".into(),
            "SPM" => "Spam filtering marked the message as spam.".into(),
            _ => return None,
        },
        "CAT" => format!("Protection policy category: {}.", category(&upper)?),
        "SFTY" => match value {
            "9.19" => "Phishing: domain impersonation.".into(),
            "9.20" => "Phishing: user impersonation.".into(),
            _ => "Phishing, with a safety level Microsoft does not document here.".into(),
        },
        "SRV" if upper == "BULK" => {
            "Identified as bulk mail by spam filtering and the BCL threshold.".into()
        }
        "SFS" | "SFP" | "RULEID" | "ARA" => {
            "Internal filtering data that Microsoft does not document.".into()
        }
        _ => return None,
    })
}

fn category(value: &str) -> Option<&'static str> {
    Some(match value {
        "AMP" => "anti-malware",
        "BULK" => "bulk",
        "DIMP" => "domain impersonation",
        "FTBP" => "anti-malware filetype policy",
        "GIMP" => "mailbox intelligence impersonation",
        "HPHSH" | "HPHISH" => "high confidence phishing",
        "HSPM" => "high confidence spam",
        "INTOS" => "intra-organisation phishing",
        "MALW" => "malware",
        "OSPM" => "outbound spam",
        "PHSH" => "phishing",
        "SAP" => "Safe Attachments",
        "SPM" => "spam",
        "SPOOF" => "spoofing",
        "UIMP" => "user impersonation",
        "NONE" => "none (no protection policy applied)",
        _ => return None,
    })
}

/// Spam confidence level: -1, 0–1, 5–6, 9 are documented values.
fn scl_meaning(value: &str) -> Option<String> {
    let level: i32 = value.trim().parse().ok()?;
    Some(match level {
        -1 => "SCL -1: spam filtering was skipped (safe sender, allow list or internal).".into(),
        0 | 1 => format!("SCL {level}: not spam; delivered to the inbox."),
        5 | 6 => format!("SCL {level}: spam; delivered to the Junk Email folder."),
        9 => "SCL 9: high confidence spam.".into(),
        _ => format!("SCL {level}: a value Microsoft does not document."),
    })
}

/// Bulk complaint level.
fn bcl_meaning(value: &str) -> Option<String> {
    let level: i32 = value.trim().parse().ok()?;
    Some(match level {
        0 => "BCL 0: not from a bulk sender.".into(),
        1..=3 => format!("BCL {level}: from a bulk sender that generates few complaints."),
        4..=7 => {
            format!("BCL {level}: from a bulk sender that generates a mixed number of complaints.")
        }
        8 | 9 => format!("BCL {level}: from a bulk sender that generates many complaints."),
        _ => return None,
    })
}

/// Phishing confidence level.
fn pcl_meaning(value: &str) -> Option<String> {
    let level: i32 = value.trim().parse().ok()?;
    Some(match level {
        0..=3 => format!("PCL {level}: the content is not likely to be phishing."),
        4..=8 => format!("PCL {level}: the content is likely to be phishing."),
        _ => return None,
    })
}

/// `X-Microsoft-Antispam`: `BCL:n;PCL:n;` and undocumented parts.
pub fn antispam(raw: &str) -> Decoded {
    let mut summary = Vec::new();
    let fields = pairs(raw, ':')
        .into_iter()
        .map(|(key, value)| {
            let meaning = match key.to_ascii_uppercase().as_str() {
                "BCL" => bcl_meaning(&value),
                "PCL" => pcl_meaning(&value),
                _ => None,
            };
            if let Some(meaning) = &meaning {
                summary.push(meaning.clone());
            }
            VendorField::new(&key, &value, meaning)
        })
        .collect();
    ((!summary.is_empty()).then(|| summary.join(" ")), fields)
}

/// `X-Microsoft-Antispam-Mailbox-Delivery`: Microsoft does not document its parts, so they are
/// listed without meanings.
pub fn mailbox_delivery(raw: &str) -> Decoded {
    let fields = pairs(raw, ':')
        .into_iter()
        .map(|(key, value)| VendorField::new(&key, &value, None))
        .collect();
    (
        Some("Mailbox delivery details; Microsoft does not document these fields.".into()),
        fields,
    )
}

/// `X-MS-Exchange-Organization-SCL`: the spam confidence level alone.
pub fn organization_scl(raw: &str) -> Decoded {
    let meaning = scl_meaning(raw);
    (
        meaning.clone(),
        vec![VendorField::new("SCL", raw.trim(), meaning)],
    )
}
