//! Message intake: the first stage of the pipeline.
//!
//! Takes whatever a person pasted or opened (a header block, a whole message, an mbox excerpt,
//! text damaged by copy-paste), repairs what can be repaired without changing meaning, and splits
//! the header section into fields that keep their exact bytes and spans. DKIM hashes those bytes,
//! the Received parser reads them, and the page points at them, so intake never rewrites a field's
//! content: it only normalises line ends and removes text that is not part of the message.

mod address;
mod charset;
mod decode;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod differential;
mod limits;
mod lines;
mod msg;
mod parse;
mod words;

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::report::{Finding, Span};

pub use decode::{decode_field, summarize, unfold_value, Mailbox, Summary};
pub use limits::{encoded_words, limit_findings, MAX_ENCODED_WORDS, MAX_LINE_BYTES};
#[cfg(feature = "outlook-msg")]
pub use msg::transport_headers;
pub use msg::{is_compound_file, parse_input, parse_outlook_headers, COMPOUND_FILE_MAGIC};
pub use parse::parse_message;

/// Larger inputs are refused: no mail system passes a message this big, and a paste this big is
/// a mistake. Kept well above the 25–150 MB limits of common providers' attachments because those
/// are measured after base64 expansion.
pub const MAX_MESSAGE_BYTES: usize = 48 * 1024 * 1024;

/// The header section is read up to this size; a finding says where reading stopped.
pub const MAX_HEADER_BYTES: usize = 8 * 1024 * 1024;

/// At most this many header fields are read; a finding says where reading stopped.
pub const MAX_HEADER_FIELDS: usize = 20_000;

/// A message as intake understood it.
#[derive(Debug, Clone)]
pub struct Message {
    /// The normalised message: CRLF line ends, without any mbox `From ` line or copy-paste
    /// indentation. Every [`Span`] in a report indexes these bytes.
    pub bytes: Vec<u8>,
    /// Header fields in the order they appear (top first).
    pub fields: Vec<HeaderField>,
    /// Where the body starts (after the empty line), or `None` when only headers were given.
    pub body_start: Option<usize>,
    /// What intake repaired or could not read.
    pub findings: Vec<Finding>,
}

impl Message {
    /// The body bytes, or `None` when only headers were given.
    pub fn body(&self) -> Option<&[u8]> {
        self.body_start.and_then(|start| self.bytes.get(start..))
    }

    /// The fields named `name` (case-insensitive), top first.
    pub fn fields_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderField> {
        self.fields
            .iter()
            .filter(move |field| field.name.eq_ignore_ascii_case(name))
    }

    /// The topmost field named `name` (case-insensitive).
    pub fn first_field(&self, name: &str) -> Option<&HeaderField> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The address of the topmost Return-Path field (RFC 5321 §4.4), where the final delivery
    /// agent records MAIL FROM: unfolded, without the angle brackets; `Some("")` for the null
    /// reverse-path of a bounce.
    pub fn return_path(&self) -> Option<String> {
        let field = self.first_field("Return-Path")?;
        let value = unfold_value(self.value_bytes(field));
        Some(
            value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string(),
        )
    }

    /// The exact bytes of a field, name through the closing CRLF.
    pub fn field_bytes(&self, field: &HeaderField) -> &[u8] {
        // Spans are built by `parse_message` over these very bytes.
        self.bytes.get(field.span.clone()).unwrap_or_default()
    }

    /// The exact bytes of a field's value: after the colon, up to (not including) the final CRLF.
    pub fn value_bytes(&self, field: &HeaderField) -> &[u8] {
        self.bytes.get(field.value.clone()).unwrap_or_default()
    }
}

/// One header field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The name as written (case preserved).
    pub name: String,
    /// The whole field, name through the final CRLF, in [`Message::bytes`].
    pub span: Range<usize>,
    /// The value: after the colon up to the final CRLF, folding included.
    pub value: Range<usize>,
}

impl HeaderField {
    pub fn span(&self) -> Span {
        Span::new(self.span.start, self.span.end)
    }
}

/// Why an input could not be read as a message at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct IntakeError {
    pub kind: IntakeErrorKind,
    /// Byte offset in the input the error is about, when there is one.
    pub offset: Option<usize>,
}

/// The kinds of [`IntakeError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IntakeErrorKind {
    /// Nothing but white space was given.
    Empty,
    /// The input is larger than [`MAX_MESSAGE_BYTES`].
    TooLarge { size: usize, limit: usize },
    /// The header section contains a NUL byte: this is a binary file, not a message.
    Binary,
    /// No line of the input looks like a header field.
    NoHeaderFields,
    /// The input is a compound file (Outlook `.msg`) that cannot be read.
    OutlookUnreadable { reason: String },
    /// The Outlook `.msg` has no Internet headers: a draft, or a message that never crossed SMTP.
    OutlookWithoutHeaders,
}

impl fmt::Display for IntakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            IntakeErrorKind::Empty => f.write_str("the input is empty"),
            IntakeErrorKind::TooLarge { size, limit } => write!(
                f,
                "the input is {size} bytes, more than the {limit} bytes a message may have here"
            ),
            IntakeErrorKind::Binary => write!(
                f,
                "the input is binary, not a message: NUL byte at offset {}",
                self.offset.unwrap_or(0)
            ),
            IntakeErrorKind::OutlookUnreadable { reason } => {
                write!(f, "the Outlook .msg file cannot be read: {reason}")
            }
            IntakeErrorKind::OutlookWithoutHeaders => f.write_str(
                "the Outlook .msg file has no Internet headers: it is a draft or a message that \
                 never crossed SMTP (Outlook keeps headers only for received mail)",
            ),
            IntakeErrorKind::NoHeaderFields => f.write_str(
                "no header fields found: a message starts with lines like \"From: …\" or \"Received: …\"",
            ),
        }
    }
}

impl std::error::Error for IntakeError {}

#[cfg(test)]
mod tests;
