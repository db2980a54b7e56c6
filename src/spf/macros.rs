//! Macro expansion (RFC 7208 §7): a pure function of the parsed macro-string and the values of
//! the letters. The one value that needs DNS, `%{p}`, is looked up by the evaluator beforehand.

use std::net::IpAddr;

use super::{MacroExpand, MacroLetter, MacroPart, MacroString};

/// The values the macro letters stand for (RFC 7208 §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroValues {
    /// `s`: `local-part@domain`.
    pub sender: String,
    /// `l`
    pub local_part: String,
    /// `o`
    pub sender_domain: String,
    /// `d`: the domain of the current `check_host()`.
    pub domain: String,
    /// `i`, `c` and `v`. An IPv4-mapped IPv6 address is given as IPv4 (RFC 7208 §5).
    pub ip: IpAddr,
    /// `h`
    pub helo: String,
    /// `p`: the validated name, or `None` for "unknown" (RFC 7208 §7.3).
    pub validated_name: Option<String>,
    /// `r`: the receiving host; "unknown" when not given (RFC 7208 §7.3).
    pub receiver: Option<String>,
    /// `t`: seconds since the epoch.
    pub timestamp: u64,
}

/// Expands a macro-string (RFC 7208 §7.3). Domains still need [`query_name`] before a lookup.
pub fn expand(string: &MacroString, values: &MacroValues) -> String {
    let mut out = String::new();
    for part in &string.parts {
        match part {
            MacroPart::Literal { text } => out.push_str(text),
            MacroPart::Macro(expand) => out.push_str(&expand_one(expand, values)),
        }
    }
    out
}

/// Whether the expansion depends on the message (anything but `%{d}`, the current domain).
pub(super) fn depends_on_message(string: &MacroString) -> bool {
    string.parts.iter().any(
        |part| matches!(part, MacroPart::Macro(expand) if expand.letter != MacroLetter::Domain),
    )
}

/// Whether expanding the string needs `%{p}`, which costs DNS queries.
pub(super) fn needs_validated_name(string: &MacroString) -> bool {
    string.parts.iter().any(|part| {
        matches!(part, MacroPart::Macro(expand) if expand.letter == MacroLetter::ValidatedName)
    })
}

/// One `%{...}`: take the letter's value, split it on the delimiters (`.` by default), reverse
/// if asked, keep the rightmost parts if asked, join with `.`, and URL-escape for an upper-case
/// letter (RFC 7208 §7.3).
fn expand_one(expand: &MacroExpand, values: &MacroValues) -> String {
    let value = letter_value(expand.letter, values);
    let transformed =
        if expand.keep_parts.is_none() && !expand.reverse && expand.delimiters.is_empty() {
            value
        } else {
            let delimiters: &[char] = &expand.delimiters.chars().collect::<Vec<_>>();
            let mut parts: Vec<&str> = if delimiters.is_empty() {
                value.split('.').collect()
            } else {
                value.split(delimiters).collect()
            };
            if expand.reverse {
                parts.reverse();
            }
            if let Some(keep) = expand.keep_parts {
                let keep = usize::try_from(keep).unwrap_or(usize::MAX);
                let skip = parts.len().saturating_sub(keep);
                parts.drain(..skip);
            }
            parts.join(".")
        };
    if expand.url_escape {
        url_escape(&transformed)
    } else {
        transformed
    }
}

fn letter_value(letter: MacroLetter, values: &MacroValues) -> String {
    match letter {
        MacroLetter::Sender => values.sender.clone(),
        MacroLetter::LocalPart => values.local_part.clone(),
        MacroLetter::SenderDomain => values.sender_domain.clone(),
        MacroLetter::Domain => values.domain.clone(),
        MacroLetter::Ip => dotted_ip(values.ip),
        MacroLetter::ValidatedName => values
            .validated_name
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        MacroLetter::IpVersion => match values.ip {
            IpAddr::V4(_) => "in-addr".into(),
            IpAddr::V6(_) => "ip6".into(),
        },
        MacroLetter::Helo => values.helo.clone(),
        MacroLetter::ClientIp => values.ip.to_string(),
        MacroLetter::Receiver => values.receiver.clone().unwrap_or_else(|| "unknown".into()),
        MacroLetter::Timestamp => values.timestamp.to_string(),
    }
}

/// `%{i}`: the dotted quad, or for IPv6 the 32 nibbles separated by dots (RFC 7208 §7.3), the
/// form reversed for `ip6.arpa` names.
pub(super) fn dotted_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let nibbles: Vec<String> = v6
                .octets()
                .iter()
                .flat_map(|octet| [octet >> 4, octet & 0x0f])
                .map(|nibble| format!("{nibble:x}"))
                .collect();
            nibbles.join(".")
        }
    }
}

/// Escapes every character outside `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`
/// (RFC 3986 §2.3) as `%XX`, as RFC 7208 §7.3 asks for upper-case macro letters.
fn url_escape(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The name to query for an expanded domain-spec: without its trailing dot, and when longer
/// than 253 characters, cut from the left a label at a time until it fits (RFC 7208 §7.3).
pub(super) fn query_name(mut expanded: String) -> String {
    if expanded.ends_with('.') {
        expanded.pop();
    }
    let mut cut = 0;
    while expanded.len() - cut > 253 {
        match expanded.get(cut..).and_then(|rest| rest.find('.')) {
            Some(dot) => cut += dot + 1,
            None => break,
        }
    }
    // In place: the expansion is usually the name as it is.
    expanded.drain(..cut);
    expanded
}

/// Whether a name can be put in a DNS query: non-empty labels of at most 63 octets, at most 253
/// in all (RFC 1035 §2.3.4). A trailing dot is allowed.
pub(super) fn valid_query_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name
            .as_bytes()
            .split(|&byte| byte == b'.')
            .all(|label| !label.is_empty() && label.len() <= 63)
}
