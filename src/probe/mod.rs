//! The SMTP probe: what only a client that opens a connection to a domain's mail servers can
//! see. Does each MX host offer STARTTLS (RFC 3207), or implicit TLS on 465 (RFC 8314)? Which
//! TLS versions does it accept, with which cipher? Is its certificate valid for its name and
//! issued by a public CA? Does it match the domain's TLSA records (DANE, RFC 7672) and its
//! MTA-STS policy's `mx:` patterns (RFC 8461)? Does it offer AUTH before encryption? Is it an
//! open relay (opt-in)?
//!
//! Where it sits: beside the domain audit. The core does no I/O: the conversation is a state
//! machine ([`session`]) over an [`SmtpTransport`] the edge supplies (the CLI's sockets and
//! rustls; a browser cannot open SMTP connections). The edge also verifies certificates, with
//! a verifier that records its verdict instead of aborting, so that the rest of the probe still
//! runs and the report says why the certificate fails. The pure parts: reply grammar
//! ([`reply`]), EHLO keywords ([`ehlo`]), DANE matching ([`dane`]), findings ([`findings`]).
//!
//! Polite and bounded: one connection at a time per host, replies capped in line length and
//! count, every wait bounded by the edge (connect, each read, and a cap on the whole host),
//! never DATA, always QUIT when the server is still talking, and no retry loop: a 4xx is
//! reported as a temporary refusal (greylisting), not tried again.

pub mod dane;
pub mod ehlo;
pub mod findings;
pub mod plan;
pub mod read;
pub mod reply;
pub mod session;

use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::records::tlsa::TlsaRecord;
use crate::report::Finding;

pub use dane::{dane_check, DaneCheck, DaneMatch};
pub use ehlo::Capabilities;
pub use reply::{Reply, ReplyError};
pub use session::{probe_host, probe_targets};

/// The longest reply line read, without CRLF. RFC 5321 §4.5.3.1.5 allows 512 octets with CRLF;
/// real servers go a little beyond in greetings, so four times that is read, and anything
/// longer is a protocol error rather than memory spent on a hostile server.
pub const MAX_REPLY_LINE: usize = 2048;
/// The most lines one reply may have. An EHLO reply has one line per extension (a few dozen at
/// most); a server sending endless continuation lines is cut off here.
pub const MAX_REPLY_LINES: usize = 100;
/// The most addresses tried per host, one after another.
pub const MAX_ADDRESSES: usize = 4;
/// The most MX hosts probed, one after another.
pub const MAX_HOSTS: usize = 10;
/// The most lines kept in a host's transcript.
pub const MAX_TRANSCRIPT: usize = 200;

/// How TLS starts: with the STARTTLS command (ports 25 and 587), or at once (465, RFC 8314).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    Starttls,
    Implicit,
}

impl TlsMode {
    /// The usual mode of a port: implicit TLS on 465, STARTTLS elsewhere.
    pub fn for_port(port: u16) -> Self {
        if port == 465 {
            TlsMode::Implicit
        } else {
            TlsMode::Starttls
        }
    }
}

/// Which TLS versions a handshake may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TlsVersions {
    /// 1.2 and 1.3, the server's choice.
    Any,
    Tls12,
    Tls13,
}

/// What the core asks of a TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRequest {
    /// Sent as SNI and verified against the certificate: the MX host name.
    pub server_name: String,
    /// Another name to check the certificate against (the name the server gave in its
    /// greeting), when it differs.
    pub also_check: Option<String>,
    pub versions: TlsVersions,
}

/// Why a certificate does not verify, as the TLS library says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CertificateProblemKind {
    /// Past its notAfter.
    Expired,
    /// Before its notBefore.
    NotYetValid,
    /// Not issued, through the chain sent, by a public root (or a `--ca-file` root).
    UnknownIssuer,
    /// Revoked, badly signed, wrong usage, malformed, or another failure.
    Other,
}

/// The certificate's verdict, as the edge's verifier recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CertificateVerdict {
    /// The chain leads to a trusted root and every certificate is in date (names aside).
    pub chain_valid: bool,
    /// Why the chain is not valid; `null` when it is.
    pub problem: Option<CertificateProblemKind>,
    /// The TLS library's words for the problem; `null` when none.
    pub detail: Option<String>,
    /// The certificate's notAfter (Unix seconds), when the library reports it (for an expired
    /// certificate).
    pub not_after: Option<u64>,
    /// Each name checked against the certificate, with its result.
    pub names: Vec<NameCheck>,
}

/// Whether the certificate is valid for one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct NameCheck {
    pub name: String,
    /// What the name is: `mx-host` (the host connected to) or `greeting` (the name the server
    /// gives itself in its banner).
    pub role: NameRole,
    pub valid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum NameRole {
    MxHost,
    Greeting,
}

/// One certificate the server sent, as the edge read it: the bytes DANE matches against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateBytes {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its SubjectPublicKeyInfo, DER (with the outer SEQUENCE); empty when unreadable.
    pub spki: Vec<u8>,
    /// Its DNS subject alternative names.
    pub dns_names: Vec<String>,
}

/// A completed handshake, as the edge reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsHandshake {
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: String,
    /// The IANA name, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
    /// End entity first, as sent.
    pub chain: Vec<CertificateBytes>,
    pub verdict: CertificateVerdict,
}

/// What went wrong on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TransportErrorKind {
    /// The TCP connection was refused or could not be made.
    Connect,
    /// A connect or a read took longer than its timeout.
    Timeout,
    /// The time allowed for the whole host ran out (a tarpit: a server answering very slowly).
    HostDeadline,
    /// The server closed the connection.
    Closed,
    /// A line longer than [`MAX_REPLY_LINE`].
    LineTooLong,
    /// The TLS handshake failed (a protocol or version failure: certificate problems do not
    /// fail it, they are recorded in [`CertificateVerdict`]).
    Tls,
    /// Any other I/O error.
    Io,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub detail: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, detail: impl Into<String>) -> Self {
        TransportError {
            kind,
            detail: detail.into(),
        }
    }
}

/// The connections of a probe, answered by the edge. Every call is bounded in time by the edge.
pub trait SmtpTransport {
    type Connection: SmtpConnection;
    /// Opens a TCP connection; starts the host's time budget when `first` (the first
    /// connection to this host).
    fn connect(&self, address: SocketAddr, first: bool)
        -> Result<Self::Connection, TransportError>;
    /// Milliseconds on any clock, for the time each host took.
    fn now_ms(&self) -> f64;
}

/// One SMTP connection, plaintext until [`SmtpConnection::start_tls`].
pub trait SmtpConnection {
    /// One line without its CRLF (or bare LF); at most `max` bytes, else
    /// [`TransportErrorKind::LineTooLong`].
    fn read_line(&mut self, max: usize) -> Result<Vec<u8>, TransportError>;
    /// Sends `line` followed by CRLF.
    fn write_line(&mut self, line: &str) -> Result<(), TransportError>;
    /// The TLS handshake over the connection, from now on encrypted.
    fn start_tls(&mut self, request: &TlsRequest) -> Result<TlsHandshake, TransportError>;
}

/// One host to probe, with what the DNS said about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProbeTarget {
    pub host: String,
    pub addresses: Vec<IpAddr>,
    /// The usable TLSA records at `_25._tcp.<host>`; empty when none.
    pub tlsa: Vec<TlsaRecord>,
    /// The TLSA answer was DNSSEC-validated (senders use it only then, RFC 7672 §2.2).
    pub tlsa_authenticated: bool,
    /// The MTA-STS policy that applies to the host, when one was read.
    pub mta_sts: Option<MtaStsExpectation>,
}

/// What an MTA-STS policy asks of the domain's MX hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsExpectation {
    /// `enforce`, `testing` or `none`.
    pub mode: String,
    /// The policy's `mx:` patterns.
    pub patterns: Vec<String>,
}

/// The caller's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ProbeOptions {
    pub port: u16,
    pub tls_mode: TlsMode,
    /// The name sent in EHLO.
    pub ehlo_name: String,
    /// Whether the open-relay test runs (`--relay-test`).
    pub relay_test: bool,
    /// Also try TLS 1.2 and 1.3 alone, each on a connection of its own.
    pub version_tests: bool,
    /// The edge's limits, shown in the report.
    pub connect_timeout_ms: u64,
    pub read_timeout_ms: u64,
    pub host_timeout_ms: u64,
}

/// How the conversation with one host ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum HostOutcome {
    /// Every step ran (whatever it found).
    Completed,
    /// No address accepted a connection.
    Unreachable,
    /// The host has no address to connect to.
    NoAddress,
    /// A read or the host's time budget ran out (a tarpit, or a silent server).
    Timeout,
    /// 421: the service is not available, the server closes the connection.
    ServiceUnavailable,
    /// Another 4xx where the conversation needed a 2xx/3xx: a temporary refusal (greylisting).
    TemporaryFailure,
    /// A 5xx at the banner or at EHLO and HELO: the server refuses the session.
    Refused,
    /// The server's replies do not follow the SMTP grammar, or it closed the connection.
    ProtocolError,
    /// Implicit TLS (465) failed its handshake, so nothing else could be asked.
    TlsFailed,
}

/// TLS as negotiated on the main connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsResult {
    pub version: String,
    pub cipher_suite: String,
    pub certificate: CertificateVerdict,
    /// The chain as sent, end entity first.
    pub chain: Vec<CertificateSummary>,
}

/// One certificate of the chain, in the forms a domain owner can publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CertificateSummary {
    /// SHA-256 of the certificate, lower-case hex.
    pub sha256: String,
    /// SHA-256 of its SubjectPublicKeyInfo, lower-case hex.
    pub spki_sha256: String,
    pub dns_names: Vec<String>,
}

/// One TLS version tried alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsVersionTest {
    /// `TLSv1.0`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
    pub version: String,
    /// `true` accepted, `false` refused, `null` not tested (see `note`).
    pub accepted: Option<bool>,
    /// The cipher suite negotiated when accepted.
    pub cipher_suite: Option<String>,
    pub note: Option<String>,
}

/// The open-relay test: MAIL FROM and RCPT TO both outside the server's domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RelayTest {
    pub mail_from: String,
    pub rcpt_to: String,
    /// The reply to MAIL FROM; `null` when not reached.
    pub mail_reply: Option<Reply>,
    /// The reply to RCPT TO; `null` when not reached.
    pub rcpt_reply: Option<Reply>,
    pub verdict: RelayVerdict,
    /// Whether the test ran over TLS (after STARTTLS).
    pub over_tls: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RelayVerdict {
    /// RCPT TO accepted (2xx): the server relays for anyone.
    OpenRelay,
    /// MAIL FROM or RCPT TO refused with 5xx.
    Refused,
    /// A 4xx, or the conversation broke off: no verdict.
    Inconclusive,
}

/// One line of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TranscriptLine {
    /// `client`, `server`, or `note` (a connection or TLS event).
    pub from: String,
    /// At most 200 characters, control characters shown as ⟨U+…⟩.
    pub text: String,
}

/// The probe of one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct HostProbe {
    pub host: String,
    /// The address the conversation ran on; `null` when none answered.
    pub address: Option<IpAddr>,
    pub port: u16,
    pub outcome: HostOutcome,
    /// What ended the conversation early; `null` when it completed.
    pub error: Option<String>,
    pub banner: Option<Reply>,
    /// The EHLO reply's capabilities before TLS (for implicit TLS: over TLS).
    pub capabilities: Option<Capabilities>,
    /// The EHLO reply's capabilities after STARTTLS; `null` without STARTTLS.
    pub capabilities_after_tls: Option<Capabilities>,
    /// The STARTTLS reply; `null` when not sent.
    pub starttls_reply: Option<Reply>,
    /// TLS on the main connection; `null` when no handshake completed.
    pub tls: Option<TlsResult>,
    /// Why the handshake failed; `null` when it did not.
    pub tls_error: Option<TransportError>,
    /// TLS 1.0 to 1.3, each alone where the library can tell.
    pub tls_versions: Vec<TlsVersionTest>,
    /// The certificate against the host's TLSA records; `null` without TLSA or TLS.
    pub dane: Option<DaneCheck>,
    /// The host against the MTA-STS policy; `null` without a policy.
    pub mta_sts: Option<MtaStsHostCheck>,
    /// `null` without `--relay-test`, or when the session never reached it.
    pub relay: Option<RelayTest>,
    /// Milliseconds the host took, every connection included.
    pub elapsed_ms: u64,
    pub transcript: Vec<TranscriptLine>,
    #[serde(deserialize_with = "read::findings")]
    pub findings: Vec<Finding>,
}

/// The host against the domain's MTA-STS policy (RFC 8461 §4.1, §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsHostCheck {
    pub mode: String,
    /// The first `mx:` pattern that matches the host; `null` when none does.
    pub matched_by: Option<String>,
    /// What a sender applying the policy needs: a pattern matching the host, and a PKIX-valid
    /// certificate for the host's name; `null` when TLS did not complete.
    pub certificate_acceptable: Option<bool>,
}

/// The probe report: `mailspect probe TARGET --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ProbeReport {
    /// As given: a domain, or `host[:port]`.
    pub target: String,
    /// The domain whose MX hosts were probed; `null` for one host given directly.
    pub domain: Option<String>,
    pub options: ProbeOptions,
    /// Set when nothing could be probed (no MX host, a name that is not a host).
    pub error: Option<String>,
    pub hosts: Vec<HostProbe>,
    /// Every host's findings, most severe first.
    #[serde(deserialize_with = "read::findings")]
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests;
