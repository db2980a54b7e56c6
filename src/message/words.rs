//! RFC 2047 encoded-words, and unstructured field values decoded for display (RFC 5322 §3.2.5,
//! RFC 2047 §5 (1)): the second half of intake, after the fields were split.
//!
//! Written to read what mail-parser 0.11's `decode_rfc2047` and `parse_unstructured` read, and
//! to give what they gave (the differential tests in `differential.rs` hold it to that), with
//! the charsets behind [`super::charset`] so that the page's module needs no charset tables of its
//! own. Like mail-parser, it is lenient where senders are: an encoded-word may sit inside a
//! word, its text may hold spaces and folds, and a charset may carry an RFC 2231 language.
//!
//! Unlike mail-parser, the work is linear in the value however the `=?` fall: a word that fails
//! is retried from every `=?` inside it (mail-parser restores and goes on), and [`Attempts`]
//! remembers where a failed scan has been so that no byte is scanned twice in the same state.

use super::charset;

/// Where encoded-word scans have failed, for one value: the bytes' positions, each with the
/// decoder states (a bit each) from which the scan was seen to fail. The text decoders are
/// deterministic in (position, state), so a scan that reaches a remembered pair fails too.
pub(super) struct Attempts {
    failed: Vec<u8>,
}

/// Quoted-printable's states: plain, after `=`, after `=` and one hex digit.
const Q_PLAIN: u8 = 1;
const Q_EQUALS: u8 = 1 << 1;
const Q_HEX: u8 = 1 << 2;
/// Base64's states: how many characters of the current quantum were read (0 to 3).
const B_SEXTETS: [u8; 4] = [1 << 3, 1 << 4, 1 << 5, 1 << 6];

impl Attempts {
    pub(super) fn new() -> Self {
        Attempts { failed: Vec::new() }
    }

    fn has_failed(&self, position: usize, state: u8) -> bool {
        self.failed
            .get(position)
            .is_some_and(|states| states & state != 0)
    }

    /// Remembers that the scan through `visited` failed.
    fn fail(&mut self, len: usize, visited: &[(usize, u8)]) {
        if self.failed.len() < len {
            self.failed.resize(len, 0);
        }
        for &(position, state) in visited {
            if let Some(states) = self.failed.get_mut(position) {
                *states |= state;
            }
        }
    }
}

/// `hex-octet = "=" 2(DIGIT / "A" / "B" / "C" / "D" / "E" / "F")` (RFC 2045 §6.7), lower case
/// too, as mail-parser reads it.
fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

fn is_space(byte: Option<&u8>) -> bool {
    matches!(byte, Some(b' ' | b'\t'))
}

/// The "Q" encoding's text (RFC 2047 §4.2), from `start` to its `?=`: the bytes and the position
/// after the `?=`. `_` is a space; a fold inside the text is skipped; `=` must start a hex octet.
fn q_text(bytes: &[u8], start: usize, attempts: &mut Attempts) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut state = Q_PLAIN;
    let mut high = 0;
    let mut visited = Vec::new();
    let mut position = start;
    let failed = loop {
        if attempts.has_failed(position, state) {
            break true;
        }
        visited.push((position, state));
        let Some(&byte) = bytes.get(position) else {
            break true;
        };
        position += 1;
        match byte {
            b'=' if state == Q_PLAIN => state = Q_EQUALS,
            b'=' => break true,
            b'?' if bytes.get(position) == Some(&b'=') => return Some((out, position + 1)),
            b'?' => out.push(b'?'),
            b'\n' if is_space(bytes.get(position)) => {
                while is_space(bytes.get(position)) {
                    position += 1;
                }
            }
            b'\n' => break true,
            b'_' => out.push(b' '),
            b'\r' => {}
            _ if state == Q_PLAIN => out.push(byte),
            _ => match hex_digit(byte) {
                Some(digit) if state == Q_EQUALS => {
                    high = digit;
                    state = Q_HEX;
                }
                Some(digit) => {
                    out.push((high << 4) | digit);
                    state = Q_PLAIN;
                }
                None => break true,
            },
        }
    };
    if failed {
        attempts.fail(bytes.len(), &visited);
    }
    None
}

/// The "B" encoding's text (RFC 2047 §4.1, base64 of RFC 4648 §4), from `start` to its `?=`.
/// Spaces and folds are skipped; `=` ends a quantum early, keeping the whole octets read.
fn b_text(bytes: &[u8], start: usize, attempts: &mut Attempts) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut sextets = 0u32;
    let mut quantum = 0u32;
    let mut visited = Vec::new();
    let mut position = start;
    loop {
        let state = B_SEXTETS[(sextets & 3) as usize];
        if attempts.has_failed(position, state) {
            break;
        }
        visited.push((position, state));
        let Some(&byte) = bytes.get(position) else {
            break;
        };
        position += 1;
        match byte {
            b'=' => {
                // One sextet makes no octet, but mail-parser keeps its six bits as one.
                let octets: &[u8] = match sextets {
                    1 | 2 => &quantum.to_be_bytes()[1..2],
                    3 => &quantum.to_be_bytes()[1..3],
                    _ => &[],
                };
                out.extend_from_slice(octets);
                sextets = 0;
            }
            b'?' => {
                let next = bytes.get(position);
                position += 1;
                if next == Some(&b'=') {
                    return Some((out, position));
                }
                break;
            }
            b'\n' => {
                let next = bytes.get(position);
                position += 1;
                if !is_space(next) {
                    break;
                }
            }
            b' ' | b'\t' | b'\r' => {}
            _ => {
                let Some(value) = crate::base64_codec::value(byte) else {
                    break;
                };
                // The quantum's 24 bits, the first sextet highest.
                if sextets == 0 {
                    quantum = 0;
                }
                quantum |= value << (18 - 6 * sextets);
                sextets = (sextets + 1) & 3;
                if sextets == 0 {
                    out.extend_from_slice(&quantum.to_be_bytes()[1..4]);
                }
            }
        }
    }
    attempts.fail(bytes.len(), &visited);
    None
}

/// `encoded-word = "=?" charset "?" encoding "?" encoded-text "?="` (RFC 2047 §2), with
/// `charset ["*" language]` (RFC 2231 §5), starting at the `=` at `start`: the decoded text and
/// the position after the `?=`, or `None` for a word that is not one (left as written).
///
/// As mail-parser reads it: the charset is everything up to the next `?` (at least two bytes,
/// no line end), the language after its first `*` is ignored, and the encoding is one letter.
pub(super) fn encoded_word(
    bytes: &[u8],
    start: usize,
    attempts: &mut Attempts,
) -> Option<(String, usize)> {
    if bytes.get(start..start + 2)? != b"=?" {
        return None;
    }
    let charset_start = start + 2;
    let mut charset_end = charset_start;
    let mut position = charset_start;
    loop {
        let byte = *bytes.get(position)?;
        match byte {
            b'?' => {
                if charset_end == charset_start {
                    charset_end = position;
                }
                break;
            }
            b'*' if charset_end == charset_start => charset_end = position,
            b'\n' => return None,
            _ => {}
        }
        position += 1;
    }
    if charset_end - charset_start < 2 {
        return None;
    }
    let decoded = match bytes.get(position + 1..position + 3)? {
        [b'q' | b'Q', b'?'] => q_text(bytes, position + 3, attempts),
        [b'b' | b'B', b'?'] => b_text(bytes, position + 3, attempts),
        _ => None,
    };
    let (octets, end) = decoded?;
    let label = bytes.get(charset_start..charset_end)?;
    Some((charset::decode(label, octets), end))
}

/// The pieces of a display value, joined as mail-parser joins them: a space before each run of
/// plain text, and before an encoded-word that follows plain text, none between encoded-words.
struct Pieces {
    pieces: Vec<String>,
    last_is_encoded: bool,
}

impl Pieces {
    fn text(&mut self, text: &[u8]) {
        if !self.pieces.is_empty() {
            self.pieces.push(" ".into());
        }
        self.pieces.push(String::from_utf8_lossy(text).into_owned());
        self.last_is_encoded = false;
    }

    fn word(&mut self, word: String) {
        if !self.last_is_encoded {
            self.pieces.push(" ".into());
        }
        self.pieces.push(word);
        self.last_is_encoded = true;
    }
}

/// `unstructured = (*([FWS] VCHAR) *WSP) / obs-unstruct` (RFC 5322 §3.2.5), decoded for
/// display: `line` is the field's value with the CRLF that ends the field. Each line's text is
/// trimmed and the lines joined by one space; encoded-words (RFC 2047 §5 (1)) are decoded, and
/// the white space between two of them dropped (RFC 2047 §6.2). `None` when nothing is left.
pub(super) fn unstructured(line: &[u8]) -> Option<String> {
    let mut pieces = Pieces {
        pieces: Vec::new(),
        last_is_encoded: true,
    };
    let mut attempts = Attempts::new();
    // The plain text being read, from its first to its last non-blank byte.
    let mut text: Option<(usize, usize)> = None;
    let mut position = 0;
    while let Some(&byte) = line.get(position) {
        position += 1;
        match byte {
            b'\n' => {
                if let Some((start, end)) = text.take() {
                    pieces.text(line.get(start..end).unwrap_or_default());
                }
                if is_space(line.get(position)) {
                    position += 1;
                    continue;
                }
                return match pieces.pieces.len() {
                    0 => None,
                    _ => Some(pieces.pieces.concat()),
                };
            }
            b' ' | b'\t' | b'\r' => continue,
            b'=' => {
                if let Some((word, end)) = encoded_word(line, position - 1, &mut attempts) {
                    if let Some((start, end)) = text.take() {
                        pieces.text(line.get(start..end).unwrap_or_default());
                    }
                    pieces.word(word);
                    position = end;
                    continue;
                }
            }
            _ => {}
        }
        match &mut text {
            Some((_, end)) => *end = position,
            None => text = Some((position - 1, position)),
        }
    }
    // mail-parser gives nothing for a value without its line end.
    None
}
