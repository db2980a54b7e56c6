//! Redaction: a message report that can be shared in a ticket without saying who received the
//! message. The recipients' local parts, the receiving side's host names and IP addresses and
//! the message's identifiers are masked wherever they appear in the report (header values,
//! hops, reasons, DNS names); the sender's evidence (its hosts, its DKIM signatures, SPF,
//! DMARC) stays, since that is what the ticket is about.
//!
//! It works on the report's JSON, after the analysis, so that the CLI (`--redact`) and the page
//! (`redactReport()`) share one implementation, and every string of the report is covered,
//! whichever part it sits in. Byte spans still point into the original message, which the
//! redacted report does not carry; `redaction` at the top says what was masked.

use serde::Serialize;
use serde_json::Value;

/// What a redacted report says about its redaction, in its `redaction` field (`null` in a
/// report that was not redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Redaction {
    /// How many distinct values were masked, of each kind.
    pub recipients: usize,
    pub receiver_hosts: usize,
    pub receiver_ips: usize,
    pub message_ids: usize,
    /// What a reader of the redacted report should know.
    pub note: String,
}

/// Masks under this many characters are not applied: a one- or two-letter local part would
/// match inside unrelated words.
const MIN_TOKEN: usize = 3;

/// The redacted form of a message report given as JSON (see the module docs).
pub fn redact_report(report: &Value) -> Value {
    let tokens = Tokens::collect(report);
    let mut redacted = report.clone();
    let replacements = tokens.replacements();
    replace_strings(&mut redacted, &replacements);
    if let Some(object) = redacted.as_object_mut() {
        let redaction = Redaction {
            recipients: tokens.recipients.len(),
            receiver_hosts: tokens.hosts.len(),
            receiver_ips: tokens.ips.len(),
            message_ids: tokens.message_ids.len(),
            note: "Recipient local parts, the receiving side's host names and IP addresses, \
                   and message identifiers are masked; byte spans refer to the original \
                   message."
                .into(),
        };
        object.insert(
            "redaction".into(),
            serde_json::to_value(redaction).unwrap_or(Value::Null),
        );
    }
    redacted
}

#[derive(Default)]
struct Tokens {
    /// `(local part, domain)` of each recipient address.
    recipients: Vec<(String, String)>,
    hosts: Vec<String>,
    ips: Vec<String>,
    message_ids: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if value.chars().count() >= MIN_TOKEN
        && !list.iter().any(|known| known.eq_ignore_ascii_case(value))
    {
        list.push(value.to_string());
    }
}

impl Tokens {
    fn collect(report: &Value) -> Self {
        let mut tokens = Tokens::default();
        let summary = &report["summary"];
        for list in ["to", "cc"] {
            for mailbox in summary[list].as_array().into_iter().flatten() {
                if let Some(address) = mailbox["address"].as_str() {
                    tokens.recipient(address);
                }
            }
        }
        for header in report["headers"].as_array().into_iter().flatten() {
            let name = header["name"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let decoded = header["decoded"].as_str().unwrap_or_default();
            match name.as_str() {
                "delivered-to" | "x-original-to" | "envelope-to" | "x-envelope-to" => {
                    tokens.recipient(decoded)
                }
                "message-id"
                | "in-reply-to"
                | "references"
                | "x-ms-exchange-organization-network-message-id" => {
                    for id in decoded.split_whitespace() {
                        push_unique(&mut tokens.message_ids, id);
                    }
                }
                _ => {}
            }
        }
        if let Some(id) = summary["message_id"].as_str() {
            push_unique(&mut tokens.message_ids, id);
        }
        let border = report["transit"]["border"]["hop"].as_u64();
        let hops = report["hops"].as_array().cloned().unwrap_or_default();
        let last = hops.iter().filter_map(|hop| hop["number"].as_u64()).max();
        for hop in &hops {
            let number = hop["number"].as_u64().unwrap_or(0);
            if let Some(recipient) = hop["for"].as_str() {
                tokens.recipient(recipient);
            }
            // The receiver stamped the border hop and every hop after it. Without a border,
            // only the last stamp is surely the receiver's.
            let receivers = match border {
                Some(border) => number >= border,
                None => Some(number) == last,
            };
            if !receivers {
                continue;
            }
            if let Some(by) = hop["by"].as_str() {
                tokens.host_or_ip(by);
            }
            if let Some(id) = hop["id"].as_str() {
                push_unique(&mut tokens.message_ids, id);
            }
            // Hops after the border run between the receiver's own hosts.
            if border.is_some_and(|border| number > border) {
                for field in ["from", "helo", "reverse_dns", "ip"] {
                    if let Some(value) = hop[field].as_str() {
                        tokens.host_or_ip(value);
                    }
                }
            }
        }
        tokens
    }

    fn recipient(&mut self, address: &str) {
        let address = address
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if let Some((local, domain)) = address.rsplit_once('@') {
            let known = self
                .recipients
                .iter()
                .any(|(l, d)| l.eq_ignore_ascii_case(local) && d.eq_ignore_ascii_case(domain));
            if !local.is_empty() && !domain.is_empty() && !known {
                self.recipients
                    .push((local.to_string(), domain.to_string()));
            }
        }
    }

    fn host_or_ip(&mut self, value: &str) {
        let value = value.trim().trim_start_matches('[').trim_end_matches(']');
        if value.parse::<std::net::IpAddr>().is_ok() {
            push_unique(&mut self.ips, value);
        } else if value.contains('.') || value.contains(':') {
            push_unique(&mut self.hosts, value);
        }
    }

    /// Every text to mask and its mask, longest first, so that an address is masked before a
    /// host name inside it.
    fn replacements(&self) -> Vec<(String, String)> {
        let mut replacements = Vec::new();
        for (local, domain) in &self.recipients {
            if local.chars().count() >= MIN_TOKEN {
                replacements.push((format!("{local}@{domain}"), format!("[recipient]@{domain}")));
                // The VERP form bulk senders put in their bounce addresses: `local=domain`.
                replacements.push((format!("{local}={domain}"), format!("[recipient]={domain}")));
            }
        }
        for (index, host) in self.hosts.iter().enumerate() {
            replacements.push((host.clone(), format!("[receiver-host-{}]", index + 1)));
        }
        for (index, ip) in self.ips.iter().enumerate() {
            replacements.push((ip.clone(), format!("[receiver-ip-{}]", index + 1)));
        }
        for (index, id) in self.message_ids.iter().enumerate() {
            replacements.push((id.clone(), format!("[id-{}]", index + 1)));
            // Senders often build the Message-ID from their queue id, which their Received
            // stamps repeat: the left part alone identifies the message as well.
            if let Some((left, _)) = id.split_once('@') {
                if left.chars().count() >= 8 {
                    replacements.push((left.to_string(), format!("[id-{}-left]", index + 1)));
                }
            }
        }
        replacements.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
        replacements
    }
}

/// Replaces every occurrence of each text, ASCII case ignored, in every string of `value`.
fn replace_strings(value: &mut Value, replacements: &[(String, String)]) {
    match value {
        Value::String(text) => {
            for (from, to) in replacements {
                if let Some(replaced) = replace_ignoring_case(text, from, to) {
                    *text = replaced;
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_strings(item, replacements)),
        Value::Object(object) => object
            .values_mut()
            .for_each(|item| replace_strings(item, replacements)),
        _ => {}
    }
}

/// `text` with each occurrence of `from` (ASCII case ignored) replaced by `to`; `None` when it
/// has none.
fn replace_ignoring_case(text: &str, from: &str, to: &str) -> Option<String> {
    if from.is_empty() {
        return None;
    }
    let lower_text = text.to_ascii_lowercase();
    let lower_from = from.to_ascii_lowercase();
    let mut found = lower_text.match_indices(&lower_from).peekable();
    found.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, matched) in found {
        // ASCII lower-casing keeps every byte where it was, so the indices fit `text`.
        out.push_str(text.get(last..start).unwrap_or_default());
        out.push_str(to);
        last = start + matched.len();
    }
    out.push_str(text.get(last..).unwrap_or_default());
    Some(out)
}
