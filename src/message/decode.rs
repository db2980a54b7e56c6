//! Decoded values for display: unfolding and RFC 2047 encoded-words ([`words`]), the Summary's
//! mailboxes ([`address`]), and its date, read as the Received chain reads its stamps.
//!
//! Each field's value is decoded on its own, from the bytes intake split out, so that our spans
//! and the decoding can never disagree about where a field starts or ends.

use serde::Serialize;

use super::{address, words, Message};

/// A mailbox from an address field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Mailbox {
    /// The display name, decoded.
    pub name: Option<String>,
    /// The address as written, or `None` for a group or a display name without an address.
    pub address: Option<String>,
}

/// The fields people look at first, decoded; each from the topmost field of its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Summary {
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub subject: Option<String>,
    /// The Date field as written.
    pub date: Option<String>,
    /// The Date field as seconds since the Unix epoch, when it could be read and names its zone
    /// (a date without one is no instant: `null`, not a guess at UTC).
    pub date_unix: Option<i64>,
    pub message_id: Option<String>,
}

/// The value with the line end mail-parser's readers (and ours, which read as they do) end a
/// field at: intake's value bytes stop before it.
fn with_line_end(value: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(value.len() + 2);
    line.extend_from_slice(value);
    line.extend_from_slice(b"\r\n");
    line
}

fn is_date(name: &str) -> bool {
    name.eq_ignore_ascii_case("date") || name.eq_ignore_ascii_case("resent-date")
}

/// The value of a field as a person should read it: unfolded, encoded-words decoded.
pub fn decode_field(name: &str, value: &[u8]) -> String {
    // Intake says so in a finding (`intake.encoded-word-limit`).
    if super::encoded_words(value) > super::MAX_ENCODED_WORDS || is_date(name) {
        return unfold_value(value);
    }
    // Address and id fields are shown in their written form, unfolded and with encoded-words
    // decoded: a structured rendering would hide what the sender actually wrote.
    words::unstructured(&with_line_end(value)).unwrap_or_else(|| unfold_value(value))
}

/// Joins folded lines and trims, without decoding anything.
pub fn unfold_value(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(text.len());
    for piece in crate::find::split_crlf(&text) {
        out.push_str(piece);
    }
    out.trim().to_string()
}

/// The instant a Date field names, read by [`received::parse_date`] with its tolerances (zone
/// names, two-digit years, ISO 8601), except a date without a zone: RFC 5322 §3.3 makes the zone
/// part of a date-time, and reading it as UTC, as the Received chain must to order its hops,
/// would show a guess as a fact here.
///
/// [`received::parse_date`]: crate::received::parse_date
fn date_instant(text: &str) -> Option<i64> {
    let date = crate::received::parse_date(text)?;
    (!date.tolerated.contains(&crate::received::NO_ZONE)).then_some(date.timestamp)
}

/// The summary of a message: its topmost From, To, Cc, Reply-To, Subject, Date and Message-ID.
pub fn summarize(message: &Message) -> Summary {
    let mut summary = Summary::default();
    let first = |name: &str| message.first_field(name);
    let addresses = |name: &str| {
        first(name)
            .map(|field| address::address_list(&with_line_end(message.value_bytes(field))))
            .unwrap_or_default()
    };
    summary.from = addresses("From");
    summary.to = addresses("To");
    summary.cc = addresses("Cc");
    summary.reply_to = addresses("Reply-To");
    summary.subject =
        first("Subject").map(|field| decode_field(&field.name, message.value_bytes(field)));
    if let Some(field) = first("Date") {
        let value = message.value_bytes(field);
        let written = unfold_value(value);
        summary.date_unix = date_instant(&written);
        summary.date = Some(written);
    }
    summary.message_id = first("Message-ID").map(|field| unfold_value(message.value_bytes(field)));
    summary
}
