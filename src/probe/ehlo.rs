//! The EHLO reply (RFC 5321 §4.1.1.1): the first line names the server, each further line is
//! one service extension.
//!
//! ```text
//! ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!                / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                *( "250-" ehlo-line CRLF )
//!                "250" SP ehlo-line CRLF )
//! ehlo-line    = ehlo-keyword *( SP ehlo-param )
//! ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! ```

use serde::{Deserialize, Serialize};

use super::Reply;

/// The most AUTH mechanisms kept (a server listing hundreds is cut off).
const MAX_MECHANISMS: usize = 32;

/// What the server offers, from one EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Capabilities {
    /// The name the server gives itself on the first line.
    pub server_name: String,
    /// Every extension keyword, upper case, in order.
    pub keywords: Vec<String>,
    /// STARTTLS (RFC 3207).
    pub starttls: bool,
    /// The SASL mechanisms of AUTH (RFC 4954), upper case; `AUTH=` lines (an old form) too.
    pub auth: Vec<String>,
    /// SIZE (RFC 1870): the limit in octets; `null` when SIZE has no number or is absent.
    pub size: Option<u64>,
    pub size_offered: bool,
    /// PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// REQUIRETLS (RFC 8689).
    pub requiretls: bool,
    /// 8BITMIME (RFC 6152).
    pub eightbitmime: bool,
    /// CHUNKING (RFC 3030).
    pub chunking: bool,
    /// ENHANCEDSTATUSCODES (RFC 2034).
    pub enhanced_status_codes: bool,
    /// DSN (RFC 3461).
    pub dsn: bool,
    /// Lines whose keyword does not follow `ehlo-keyword`, as sent (escaped).
    pub malformed_lines: Vec<String>,
}

/// `ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`
fn ehlo_keyword(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The first word of the reply's first line: the `Domain` of an EHLO or HELO reply.
pub fn server_name(reply: &Reply) -> String {
    reply
        .lines
        .first()
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or("")
        .to_string()
}

/// The capabilities of a positive EHLO reply.
pub fn capabilities(reply: &Reply) -> Capabilities {
    let mut found = Capabilities {
        server_name: server_name(reply),
        ..Capabilities::default()
    };
    for line in reply.lines.iter().skip(1) {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        // `AUTH=LOGIN PLAIN`: what servers sent for clients predating RFC 2554's final form.
        let (keyword, inline) = match first.split_once('=') {
            Some((keyword, rest)) if keyword.eq_ignore_ascii_case("AUTH") => (keyword, Some(rest)),
            _ => (first, None),
        };
        if !ehlo_keyword(keyword) {
            found.malformed_lines.push(line.clone());
            continue;
        }
        let keyword = keyword.to_ascii_uppercase();
        let params: Vec<&str> = inline.into_iter().chain(words).collect();
        match keyword.as_str() {
            "STARTTLS" => found.starttls = true,
            "AUTH" => {
                for mechanism in params {
                    let mechanism = mechanism.to_ascii_uppercase();
                    if !mechanism.is_empty()
                        && found.auth.len() < MAX_MECHANISMS
                        && !found.auth.contains(&mechanism)
                    {
                        found.auth.push(mechanism);
                    }
                }
            }
            "SIZE" => {
                found.size_offered = true;
                found.size = params.first().and_then(|number| number.parse().ok());
            }
            "PIPELINING" => found.pipelining = true,
            "SMTPUTF8" => found.smtputf8 = true,
            "REQUIRETLS" => found.requiretls = true,
            "8BITMIME" => found.eightbitmime = true,
            "CHUNKING" => found.chunking = true,
            "ENHANCEDSTATUSCODES" => found.enhanced_status_codes = true,
            "DSN" => found.dsn = true,
            _ => {}
        }
        if !found.keywords.contains(&keyword) {
            found.keywords.push(keyword);
        }
    }
    found
}

impl Capabilities {
    /// The mechanisms that send the password itself (RFC 4954 §4 has servers refuse them
    /// before TLS): PLAIN and LOGIN.
    pub fn plaintext_password_mechanisms(&self) -> Vec<String> {
        self.auth
            .iter()
            .filter(|mechanism| matches!(mechanism.as_str(), "PLAIN" | "LOGIN"))
            .cloned()
            .collect()
    }
}
