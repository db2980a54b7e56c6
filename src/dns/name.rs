//! Domain names between their presentation form (`mail.example.com`, with RFC 1035 §5.1
//! escapes) and their wire form (a list of labels). Shared by the zone-file parser and the wire
//! codec, so that a name means the same thing whichever way it came in.

use std::fmt;

/// A label is at most 63 octets (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;
/// A name is at most 255 octets on the wire, length bytes and root label included
/// (RFC 1035 §2.3.4).
pub const MAX_NAME: usize = 255;

/// Why a name in presentation form cannot be a domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// Two dots in a row, or a dot at the start of a name other than the root.
    EmptyLabel,
    /// A label longer than 63 octets.
    LabelTooLong,
    /// A name longer than 255 octets on the wire.
    NameTooLong,
    /// A backslash not followed by a character or by three decimal digits up to 255.
    BadEscape,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameError::EmptyLabel => "the name has an empty label",
            NameError::LabelTooLong => "a label is longer than 63 octets",
            NameError::NameTooLong => "the name is longer than 255 octets",
            NameError::BadEscape => "a backslash escape is neither \\X nor \\DDD (000-255)",
        })
    }
}

impl std::error::Error for NameError {}

/// Splits a name in presentation form into its labels, undoing `\X` and `\DDD` escapes
/// (RFC 1035 §5.1). A trailing dot is optional: every name given here is taken as absolute.
/// `.` and the empty string are the root, which has no labels.
pub fn labels_from_text(text: &str) -> Result<Vec<Vec<u8>>, NameError> {
    labels_from_presentation(text.as_bytes())
}

/// [`labels_from_text`] for bytes: zone files may hold octets that are not UTF-8.
pub fn labels_from_presentation(bytes: &[u8]) -> Result<Vec<Vec<u8>>, NameError> {
    if bytes.is_empty() || bytes == b"." {
        return Ok(Vec::new());
    }
    let mut labels = Vec::new();
    let mut label = Vec::new();
    let mut index = 0;
    let mut ended_with_dot = false;
    while let Some(&byte) = bytes.get(index) {
        ended_with_dot = false;
        match byte {
            b'\\' => {
                let (value, used) = unescape(bytes.get(index + 1..).unwrap_or_default())?;
                label.push(value);
                index += 1 + used;
                continue;
            }
            b'.' => {
                if label.is_empty() {
                    return Err(NameError::EmptyLabel);
                }
                labels.push(std::mem::take(&mut label));
                ended_with_dot = true;
            }
            other => label.push(other),
        }
        index += 1;
    }
    if !ended_with_dot {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        labels.push(label);
    }
    check_lengths(&labels)?;
    Ok(labels)
}

/// Checks a name in presentation form as [`labels_from_text`] does, without building the
/// labels: resolvers check every name they are asked, and most names have no escapes.
pub fn check_text(text: &str) -> Result<(), NameError> {
    if text.contains('\\') {
        return labels_from_text(text).map(drop);
    }
    // Without escapes the labels are the text between the dots; "" and "." are the root.
    let name = text.strip_suffix('.').unwrap_or(text);
    if name.is_empty() {
        return Ok(());
    }
    check_label_lengths(name.as_bytes().split(|&byte| byte == b'.').map(<[u8]>::len))
}

/// Whether two names in presentation form are the same domain name: compared label by label as
/// they travel on the wire, ASCII letters without regard to case and every other octet exactly
/// (RFC 4343 §3). A trailing dot changes nothing. Names that are not valid names are the same as
/// nothing.
///
/// Comparing the text instead fails for labels that hold octets written as escapes: SPF macros
/// expand to names such as `macro%percent  space.example.com`, which goes out as those octets
/// and comes back in the answer's question section as `macro%percent\032\032space.example.com`
/// (the RFC 7208 suite's `macro-mania-in-domain`).
pub fn same_name(one: &str, other: &str) -> bool {
    if !one.contains('\\') && !other.contains('\\') {
        // Without escapes the labels are the text between the dots, octet for octet.
        fn trimmed(name: &str) -> &str {
            name.strip_suffix('.').unwrap_or(name)
        }
        return trimmed(one).eq_ignore_ascii_case(trimmed(other))
            && check_text(one).is_ok()
            && check_text(other).is_ok();
    }
    match (labels_from_text(one), labels_from_text(other)) {
        (Ok(one), Ok(other)) => {
            one.len() == other.len()
                && one
                    .iter()
                    .zip(&other)
                    .all(|(left, right)| left.eq_ignore_ascii_case(right))
        }
        _ => false,
    }
}

/// Reads the escape after a backslash: `DDD` (a decimal octet) or any single character. Returns
/// the octet and how many bytes it used.
pub fn unescape(rest: &[u8]) -> Result<(u8, usize), NameError> {
    match rest {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let value = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
            u8::try_from(value)
                .map(|octet| (octet, 3))
                .map_err(|_| NameError::BadEscape)
        }
        [digit, ..] if digit.is_ascii_digit() => Err(NameError::BadEscape),
        [other, ..] => Ok((*other, 1)),
        [] => Err(NameError::BadEscape),
    }
}

/// Checks the RFC 1035 §2.3.4 limits on labels and on the whole name.
pub fn check_lengths(labels: &[Vec<u8>]) -> Result<(), NameError> {
    check_label_lengths(labels.iter().map(Vec::len))
}

/// [`check_lengths`], given the length of each label.
fn check_label_lengths(lengths: impl Iterator<Item = usize>) -> Result<(), NameError> {
    let mut wire_length = 1; // the root label's length byte
    for length in lengths {
        if length == 0 {
            return Err(NameError::EmptyLabel);
        }
        if length > MAX_LABEL {
            return Err(NameError::LabelTooLong);
        }
        wire_length += 1 + length;
    }
    if wire_length > MAX_NAME {
        return Err(NameError::NameTooLong);
    }
    Ok(())
}

/// Appends one label in presentation form: letters, digits, hyphens and other printable ASCII
/// as they are, `.` and `\` and `"` and `;` escaped with a backslash, everything else as `\DDD`.
/// Letters are lower-cased, because names compare case-insensitively (RFC 4343) and the rest of
/// mailspect keys maps by the lower-case form.
pub fn push_label_text(text: &mut String, label: &[u8]) {
    for &byte in label {
        match byte {
            b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$' => {
                text.push('\\');
                text.push(char::from(byte));
            }
            0x21..=0x7e => text.push(char::from(byte.to_ascii_lowercase())),
            _ => text.push_str(&format!("\\{byte:03}")),
        }
    }
}

/// The presentation form of a list of labels, lower case, without the trailing dot; the root is
/// the empty string, as [`super::normalize_name`] would make it.
pub fn text_from_labels<L: AsRef<[u8]>>(labels: &[L]) -> String {
    let mut text = String::new();
    for (index, label) in labels.iter().enumerate() {
        if index > 0 {
            text.push('.');
        }
        push_label_text(&mut text, label.as_ref());
    }
    text
}
