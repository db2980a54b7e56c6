//! The list header fields a bulk-sender check reads from a message: `List-Unsubscribe`
//! (RFC 2369 §3.2), `List-Unsubscribe-Post` (RFC 8058 §3.1), `List-Id` (RFC 2919) and
//! `Precedence`. Pure reading, no decisions: [`super::checklist`] decides.

use serde::Serialize;

use crate::message::{unfold_value, Message};
use crate::report::Span;

/// URIs read from one `List-Unsubscribe` field, at most; the rest are ignored. Real fields hold
/// one to three (an https URI and a mailto:), and a field of thousands is an attack on the reader.
pub const MAX_UNSUBSCRIBE_URIS: usize = 16;

/// A URI longer than this is not recognised as a link (browsers and mail clients cut near 2,000;
/// RFC 9110 §4.1 recommends supporting at least 8,000 octets in a request line).
pub const MAX_URI_BYTES: usize = 8000;

/// Nesting of comments in a `List-Unsubscribe` value, at most, before the rest is ignored.
const MAX_COMMENT_DEPTH: usize = 16;

/// The URI schemes a bulk-sender check recognises. Only these two are ever treated as links;
/// everything else (`http:`, `javascript:`, `data:`, nonsense) is `other`, and its text is not
/// kept, so that no caller can turn it into something clickable by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum UriScheme {
    /// `https://host…`: what one-click unsubscribe posts to (RFC 8058 §3.1).
    Https,
    /// `mailto:…`: unsubscribe by sending a message (RFC 2369 §3.2, RFC 6068).
    Mailto,
    /// Any other scheme, a URI without a scheme, or one that is too long or not ASCII.
    Other,
}

/// One angle-bracketed URI of a `List-Unsubscribe` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct UnsubscribeUri {
    pub scheme: UriScheme,
    /// The URI with the whitespace RFC 2369 §2 says to ignore removed; `null` for `other`.
    pub uri: Option<String>,
    /// `<…>` in the field's value.
    pub value_span: Span,
}

/// The list header fields of a message, as read by [`list_headers`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ListHeaders {
    /// How many `List-Unsubscribe` fields the message has.
    pub list_unsubscribe_fields: usize,
    /// The URIs of the topmost `List-Unsubscribe` field, in order.
    pub list_unsubscribe: Vec<UnsubscribeUri>,
    /// How many `List-Unsubscribe-Post` fields the message has.
    pub list_unsubscribe_post_fields: usize,
    /// The topmost `List-Unsubscribe-Post` value, unfolded and trimmed.
    pub list_unsubscribe_post: Option<String>,
    /// Whether there is a `List-Id` field.
    pub list_id: bool,
    /// The topmost `Precedence` value, unfolded and trimmed.
    pub precedence: Option<String>,
}

impl ListHeaders {
    /// The first https URI of `List-Unsubscribe`, if any.
    pub fn https_uri(&self) -> Option<&str> {
        self.list_unsubscribe
            .iter()
            .find(|uri| uri.scheme == UriScheme::Https)
            .and_then(|uri| uri.uri.as_deref())
    }

    /// Whether `List-Unsubscribe-Post` is the single key/value pair RFC 8058 §3.1 asks for,
    /// `List-Unsubscribe=One-Click`. Surrounding whitespace is folding, not content; case is
    /// ignored because the receivers that act on it do (RFC 8058 does not say either way).
    pub fn one_click_post(&self) -> bool {
        self.list_unsubscribe_post.as_deref().is_some_and(|value| {
            value
                .trim()
                .eq_ignore_ascii_case("List-Unsubscribe=One-Click")
        })
    }

    /// Why the message looks like bulk mail: the fields that say so, as `Name` or
    /// `Name: value`. Empty when none do.
    pub fn bulk_signals(&self) -> Vec<String> {
        let mut signals = Vec::new();
        if self.list_unsubscribe_fields > 0 {
            signals.push("List-Unsubscribe".to_string());
        }
        if self.list_id {
            signals.push("List-Id".to_string());
        }
        if let Some(precedence) = self.precedence.as_deref() {
            let precedence = precedence.trim();
            if precedence.eq_ignore_ascii_case("bulk") || precedence.eq_ignore_ascii_case("list") {
                signals.push(format!("Precedence: {}", precedence.to_ascii_lowercase()));
            }
        }
        signals
    }
}

/// Reads the list header fields of `message`.
pub fn list_headers(message: &Message) -> ListHeaders {
    let first_value = |name: &str| {
        message
            .first_field(name)
            .map(|field| unfold_value(message.value_bytes(field)))
    };
    ListHeaders {
        list_unsubscribe_fields: message.fields_named("List-Unsubscribe").count(),
        list_unsubscribe: message
            .first_field("List-Unsubscribe")
            .map(|field| list_unsubscribe(message.value_bytes(field)))
            .unwrap_or_default(),
        list_unsubscribe_post_fields: message.fields_named("List-Unsubscribe-Post").count(),
        list_unsubscribe_post: first_value("List-Unsubscribe-Post"),
        list_id: message.first_field("List-Id").is_some(),
        precedence: first_value("Precedence"),
    }
}

/// The URIs of a `List-Unsubscribe` value (RFC 2369 §2, §3.2): "one or more angle-bracket
/// ('<', '>') enclosed URLs", comma-separated, "with internal whitespace being ignored", and
/// comments in parentheses. Text outside brackets and comments is skipped, so is an unclosed
/// `<` and what follows it; reading stops after [`MAX_UNSUBSCRIBE_URIS`] URIs. A bare URI
/// without brackets is not read: RFC 2369 requires them, and guessing where one ends is how a
/// reader is tricked.
pub fn list_unsubscribe(value: &[u8]) -> Vec<UnsubscribeUri> {
    let mut uris = Vec::new();
    let mut position = 0;
    while position < value.len() && uris.len() < MAX_UNSUBSCRIBE_URIS {
        match value.get(position) {
            Some(b'<') => {
                let Some(length) = value
                    .get(position + 1..)
                    .and_then(|rest| rest.iter().position(|&byte| byte == b'>'))
                else {
                    break;
                };
                let end = position + 1 + length;
                let inside = value.get(position + 1..end).unwrap_or_default();
                uris.push(classify(inside, Span::new(position, end + 1)));
                position = end + 1;
            }
            Some(b'(') => match comment_end(value, position) {
                Some(end) => position = end,
                None => break,
            },
            _ => position += 1,
        }
    }
    uris
}

/// Where the comment opening at `start` ends (after its `)`), nested comments and quoted pairs
/// included (RFC 5322 §3.2.2); `None` when it is not closed or nests too deep.
fn comment_end(value: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut position = start;
    while let Some(&byte) = value.get(position) {
        match byte {
            b'\\' => position += 1,
            b'(' => {
                depth += 1;
                if depth > MAX_COMMENT_DEPTH {
                    return None;
                }
            }
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(position + 1);
                }
            }
            _ => {}
        }
        position += 1;
    }
    None
}

/// One bracketed URI, whitespace (folding included) removed, by scheme.
fn classify(inside: &[u8], value_span: Span) -> UnsubscribeUri {
    let other = UnsubscribeUri {
        scheme: UriScheme::Other,
        uri: None,
        value_span,
    };
    if inside.len() > MAX_URI_BYTES {
        return other;
    }
    let compact: Vec<u8> = inside
        .iter()
        .copied()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    // RFC 3986 URIs are printable ASCII; anything else is not a URI we will show as a link.
    if !compact.iter().all(|byte| byte.is_ascii_graphic()) {
        return other;
    }
    let Ok(uri) = String::from_utf8(compact) else {
        return other;
    };
    let scheme = match uri.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") && has_host(rest) => {
            UriScheme::Https
        }
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mailto") && !rest.is_empty() => {
            UriScheme::Mailto
        }
        _ => return other,
    };
    UnsubscribeUri {
        scheme,
        uri: Some(uri),
        value_span,
    }
}

/// Whether the part after `https:` is `//` and a non-empty authority (RFC 3986 §3.2).
fn has_host(rest: &str) -> bool {
    rest.strip_prefix("//")
        .and_then(|authority| authority.split(['/', '?', '#']).next())
        .is_some_and(|host| !host.is_empty() && !host.starts_with('@') && !host.starts_with(':'))
}
