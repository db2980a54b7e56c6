//! The transport path: Received fields read into hops, oldest first (RFC 5321 §4.4).
//!
//! Sits after intake and before SPF: [`parse::parse_received`] reads one field into a
//! [`Received`] stamp and says what it could not read; [`hops::analyze_path`] orders the stamps
//! into [`Hop`]s with delays, a transport verdict each, and the receiver's border hop, whose
//! connecting IP and HELO name SPF is evaluated with.

mod border;
mod date;
mod hops;
mod parse;
mod tls;

use std::net::IpAddr;

use serde::Serialize;

use crate::report::{Problem, Span};

pub use border::{is_private, Border, BorderMethod, RecordedIp, Trust};
pub use date::{parse_date, ParsedDate, NO_ZONE};
pub use hops::{analyze_path, duration, Path, MAX_HOPS};
pub use parse::{address_literal, parse_received};
pub use tls::{tls_details, TlsDetails};

/// A Received field's value is read up to this many bytes; real stamps are under 1 KB, and the
/// rest of an oversized field is reported, not read.
pub const MAX_RECEIVED_BYTES: usize = 16 * 1024;

/// One Received field as written, split into its clauses (RFC 5321 §4.4 `Stamp`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Received {
    /// `From-domain`: the sending host as the receiver saw it.
    pub from: Option<FromClause>,
    /// `By-domain`: the host that wrote this stamp.
    pub by: Option<String>,
    /// `Via`: the link, e.g. Exchange's `Frontend Transport`.
    pub via: Option<String>,
    /// `With`: the protocol as written, all words (Exchange writes `Microsoft SMTP Server`).
    pub with: Option<String>,
    /// `ID`: the receiver's queue or message id.
    pub id: Option<String>,
    /// `For`: the recipient the receiver recorded.
    #[serde(rename = "for")]
    pub recipient: Option<String>,
    /// The date-time after the last `;`, as written.
    pub date: Option<String>,
    /// Every comment, in order, without the parentheses.
    pub comments: Vec<String>,
    /// Words outside any clause, or clauses that are not in RFC 5321's grammar.
    pub problems: Vec<Problem>,
}

/// `From-domain = "FROM" FWS Extended-Domain`, with the TCP-info comment split into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct FromClause {
    /// The name the client gave in HELO/EHLO (or, for qmail and Exim, the `HELO`/`helo=` value).
    pub helo: Option<String>,
    /// The name the receiver found by reverse DNS, when it recorded one.
    pub reverse_dns: Option<String>,
    /// The connecting IP address; IPv4-mapped IPv6 addresses are given as IPv4.
    pub ip: Option<IpAddr>,
    /// The from clause as written.
    pub text: String,
}

/// How a hop carried the message, from the `with` keyword (RFC 3848, IANA "Mail Transmission
/// Types") and the TLS comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// TLS was used (the stamp names TLS, a TLS version or cipher, or an `S` protocol type).
    Encrypted,
    /// The client logged in (an `A` protocol type, or an authentication comment).
    AuthenticatedSubmission,
    /// SMTP or LMTP without TLS, between hosts that are not on the same machine or private network.
    Plaintext,
    /// Within one machine or organisation: local pickup, LMTP to the mailbox, loopback, MAPI.
    Internal,
    /// The stamp does not say.
    Unknown,
}

/// One hop of the path, oldest first; the JSON shape of `hops` in the message report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Hop {
    /// 1 for the oldest hop.
    pub number: usize,
    /// The HELO name (or the from clause as written when it had no name), for display.
    pub from: Option<String>,
    /// The HELO/EHLO name, only when the stamp records one: what SPF's HELO check uses.
    pub helo: Option<String>,
    /// The sending host's reverse DNS name, as the receiver recorded it.
    pub reverse_dns: Option<String>,
    /// The connecting IP address.
    pub ip: Option<IpAddr>,
    pub by: Option<String>,
    pub via: Option<String>,
    pub with: Option<String>,
    pub id: Option<String>,
    #[serde(rename = "for")]
    pub recipient: Option<String>,
    /// The date as written.
    pub date: Option<String>,
    /// The date as seconds since the Unix epoch, when it could be read.
    pub timestamp: Option<i64>,
    /// Seconds since the previous (older) hop with a date; negative when the clocks disagree.
    pub delay_seconds: Option<i64>,
    /// The delay is negative: the two hosts' clocks disagree, which is not a delay.
    pub clock_skew: bool,
    pub transport: Transport,
    pub tls: Option<TlsDetails>,
    /// The client logged in (authenticated submission).
    pub authenticated: bool,
    /// The first hop stamped by the receiving organisation: the one SPF is evaluated at.
    pub border: bool,
    /// The Received field, in the message bytes.
    pub span: Span,
    /// What could not be read from the field.
    pub problems: Vec<Problem>,
}

#[cfg(test)]
mod hop_tests;
#[cfg(test)]
mod tests;
