//! Decoded values for display: unfolding and RFC 2047 encoded-words, by mail-parser.
//!
//! mail-parser decodes each field's value on its own, from the bytes intake split out, so that
//! our spans and its decoding can never disagree about where a field starts or ends.

use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue};
use serde::Serialize;

use super::Message;

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
    /// The Date field as seconds since the Unix epoch, when it could be read.
    pub date_unix: Option<i64>,
    pub message_id: Option<String>,
}

/// What kind of grammar a field's value follows, for decoding.
enum Kind {
    Address,
    Date,
    Id,
    Unstructured,
}

fn kind_of(name: &str) -> Kind {
    const ADDRESS: [&str; 8] = [
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "resent-from",
        "resent-to",
    ];
    let lower = name.to_ascii_lowercase();
    if ADDRESS.contains(&lower.as_str()) {
        Kind::Address
    } else if lower == "date" || lower == "resent-date" {
        Kind::Date
    } else if lower == "message-id" || lower == "in-reply-to" || lower == "references" {
        Kind::Id
    } else {
        Kind::Unstructured
    }
}

/// Parses one field value (the bytes after the colon, folding included) with mail-parser.
fn parse_value(kind: &Kind, value: &[u8]) -> HeaderValue<'static> {
    // mail-parser ends a field at a line end not followed by white space, and needs that line
    // end to be there; intake's value bytes stop before it.
    let mut line = Vec::with_capacity(value.len() + 2);
    line.extend_from_slice(value);
    line.extend_from_slice(b"\r\n");
    let mut stream = MessageStream::new(&line);
    let parsed = match kind {
        Kind::Address => stream.parse_address(),
        Kind::Date => stream.parse_date(),
        Kind::Id => stream.parse_id(),
        Kind::Unstructured => stream.parse_unstructured(),
    };
    parsed.into_owned()
}

/// The value of a field as a person should read it: unfolded, encoded-words decoded.
pub fn decode_field(name: &str, value: &[u8]) -> String {
    // Intake says so in a finding (`intake.encoded-word-limit`).
    if super::encoded_words(value) > super::MAX_ENCODED_WORDS {
        return unfold_value(value);
    }
    let kind = kind_of(name);
    // Address and id fields are shown in their written form, unfolded and with encoded-words
    // decoded: a structured rendering would hide what the sender actually wrote.
    let text_kind = match kind {
        Kind::Date => Kind::Date,
        _ => Kind::Unstructured,
    };
    match parse_value(&text_kind, value) {
        HeaderValue::Text(text) => text.into_owned(),
        _ => unfold_value(value),
    }
}

/// Joins folded lines and trims, without decoding anything.
pub fn unfold_value(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(text.len());
    for piece in text.split("\r\n") {
        out.push_str(piece);
    }
    out.trim().to_string()
}

fn mailboxes(address: &Address<'_>) -> Vec<Mailbox> {
    address
        .iter()
        .map(|addr| Mailbox {
            name: addr.name.as_ref().map(|name| name.to_string()),
            address: addr.address.as_ref().map(|address| address.to_string()),
        })
        .collect()
}

/// The summary of a message: its topmost From, To, Cc, Reply-To, Subject, Date and Message-ID.
pub fn summarize(message: &Message) -> Summary {
    let mut summary = Summary::default();
    let first = |name: &str| message.first_field(name);
    let addresses = |name: &str| {
        first(name)
            .map(
                |field| match parse_value(&Kind::Address, message.value_bytes(field)) {
                    HeaderValue::Address(address) => mailboxes(&address),
                    _ => Vec::new(),
                },
            )
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
        summary.date = Some(unfold_value(value));
        if let HeaderValue::DateTime(date) = parse_value(&Kind::Date, value) {
            if date.is_valid() {
                summary.date_unix = Some(date.to_timestamp());
            }
        }
    }
    summary.message_id = first("Message-ID").map(|field| unfold_value(message.value_bytes(field)));
    summary
}
