//! The DNS wire format (RFC 1035 §4): what DNS-over-HTTPS carries (RFC 8484 §6).
//!
//! The DoH resolvers encode a query here and decode the answer; `serve-dns` does the reverse.
//! Every answer is hostile input: the decoder bounds every count by the bytes actually present,
//! follows compression pointers only backwards (so a loop cannot hang it), checks each RDATA
//! against its declared length, and reports the byte offset of whatever it rejects.
//!
//! Written here rather than taken from a DNS crate: mailspect needs nine record types and a
//! strict decoder, and the crates cost several times this module's size in the wasm. The same
//! probe (decode A/MX/TXT, encode a query; `tools/dns-size-probe`, release, stripped) adds
//! 18.0 KB (7.4 KB gzipped) with this codec, 71.7 KB (24.5 KB) with simple-dns 0.13 and
//! 293.9 KB (103.2 KB) with hickory-proto 0.26 without default features.

mod decode;
mod encode;

use std::fmt;

use super::name::NameError;
use super::RecordData;

pub use decode::decode_message;
pub use encode::{encode_message, encode_query, record_of};

/// The largest DNS message: its length travels in 16 bits (RFC 8484 §6, RFC 1035 §4.2.2).
pub const MAX_MESSAGE: usize = 65_535;

/// The class every mailspect question asks in: IN (RFC 1035 §3.2.4).
pub const CLASS_IN: u16 = 1;

/// The OPT pseudo-record's type (RFC 6891 §6.1.1).
pub const TYPE_OPT: u16 = 41;

/// The response codes mailspect tells apart (RFC 1035 §4.1.1, RFC 6895 §2.3).
pub mod rcode {
    pub const NO_ERROR: u16 = 0;
    pub const FORMAT_ERROR: u16 = 1;
    pub const SERVER_FAILURE: u16 = 2;
    pub const NAME_ERROR: u16 = 3;
    pub const NOT_IMPLEMENTED: u16 = 4;
    pub const REFUSED: u16 = 5;
}

/// A whole DNS message, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub id: u16,
    /// QR: this is a response.
    pub response: bool,
    pub opcode: u8,
    /// AA: the answer comes from an authoritative server.
    pub authoritative: bool,
    /// TC: the answer was cut short; over HTTPS this should never be set (RFC 8484 §6).
    pub truncated: bool,
    pub recursion_desired: bool,
    pub recursion_available: bool,
    /// AD: the resolver validated the answer with DNSSEC (RFC 4035 §3.2.3); in a query, a
    /// request to be told (RFC 6840 §5.7).
    pub authenticated_data: bool,
    pub checking_disabled: bool,
    /// The 4-bit RCODE of the header (the OPT record may extend it; mailspect needs no more).
    pub rcode: u16,
    pub questions: Vec<Question>,
    pub answers: Vec<WireRecord>,
    pub authorities: Vec<WireRecord>,
    pub additionals: Vec<WireRecord>,
}

/// One entry of the question section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Presentation form, lower case, no trailing dot.
    pub name: String,
    pub type_code: u16,
    pub class: u16,
}

/// One resource record as it travels, including the types mailspect does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRecord {
    /// Presentation form, lower case, no trailing dot.
    pub name: String,
    pub type_code: u16,
    pub class: u16,
    pub ttl: u32,
    /// What mailspect decodes; for other types (OPT, RRSIG, …) the raw RDATA.
    pub data: WireData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireData {
    Known(RecordData),
    Other(Vec<u8>),
}

/// Why a message cannot be decoded or encoded, and the byte offset where that became clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub kind: WireErrorKind,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireErrorKind {
    /// The message ends in the middle of something.
    Truncated,
    /// The message is longer than 65,535 bytes.
    TooLarge,
    /// The header's counts promise more than the remaining bytes could hold.
    CountTooLarge,
    /// A compression pointer points at or after the name it is part of, which could loop
    /// (RFC 1035 §4.1.4 allows only pointers to a prior occurrence).
    PointerLoop,
    /// A label length byte with the reserved 0x40 or 0x80 bits (RFC 6891 §5 retired them).
    BadLabelType,
    /// A name breaks the length rules.
    Name(NameError),
    /// RDATA does not match its type's layout or its declared length.
    BadRdata(&'static str),
    /// Bytes follow the last record.
    TrailingBytes,
    /// A TXT character-string longer than 255 octets cannot be encoded.
    StringTooLong,
}

impl WireError {
    pub fn new(kind: WireErrorKind, offset: usize) -> Self {
        WireError { kind, offset }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.offset;
        match &self.kind {
            WireErrorKind::Truncated => write!(f, "the message ends early, at byte {offset}"),
            WireErrorKind::TooLarge => f.write_str("the message is longer than 65535 bytes"),
            WireErrorKind::CountTooLarge => write!(
                f,
                "the header promises more records than the {offset}-byte message can hold"
            ),
            WireErrorKind::PointerLoop => write!(
                f,
                "the compression pointer at byte {offset} does not point backwards (a loop)"
            ),
            WireErrorKind::BadLabelType => {
                write!(f, "the label at byte {offset} has a reserved type")
            }
            WireErrorKind::Name(error) => write!(f, "the name at byte {offset}: {error}"),
            WireErrorKind::BadRdata(why) => write!(f, "the record data at byte {offset}: {why}"),
            WireErrorKind::TrailingBytes => {
                write!(f, "bytes follow the last record, from byte {offset}")
            }
            WireErrorKind::StringTooLong => {
                f.write_str("a character-string is longer than 255 octets")
            }
        }
    }
}

impl std::error::Error for WireError {}

#[cfg(test)]
mod tests;
