//! SMTP replies (RFC 5321 §4.2), read line by line from a hostile server:
//!
//! ```text
//! Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
//!                  Reply-code [ SP textstring ] CRLF
//! Reply-code     = %x32-35 %x30-35 %x30-39
//! textstring     = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII
//! ```
//!
//! Bounded: a line longer than [`MAX_REPLY_LINE`](super::MAX_REPLY_LINE) is refused by the
//! transport, and a reply of more than [`MAX_REPLY_LINES`](super::MAX_REPLY_LINES) lines is an
//! error, so an endless stream of continuation lines ends the conversation.

use serde::{Deserialize, Serialize};

use super::{SmtpConnection, TransportError, MAX_REPLY_LINE, MAX_REPLY_LINES};
use crate::report::reveal;

/// A whole reply: its code and each line's text (after the code and the separator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Reply {
    pub code: u16,
    /// The text of each line, control and invisible characters shown as ⟨U+…⟩.
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx
    pub fn positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 4xx
    pub fn transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx
    pub fn permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The reply as one line for a person: `250 first line`.
    pub fn first_line(&self) -> String {
        format!(
            "{} {}",
            self.code,
            self.lines.first().map(String::as_str).unwrap_or("")
        )
    }
}

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    /// The transport failed (timeout, closed, line too long).
    Transport(TransportError),
    /// A line that is not `Reply-code [("-" / SP) textstring]`.
    Malformed(String),
    /// A continuation line whose code differs from the first line's (§4.2.1: every line of a
    /// multi-line reply carries the same code).
    CodeChanged { first: u16, then: u16 },
    /// More than [`MAX_REPLY_LINES`] lines.
    TooManyLines,
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyError::Transport(error) => write!(f, "{}", error.detail),
            ReplyError::Malformed(line) => {
                write!(f, "the server's reply line is not an SMTP reply: {line}")
            }
            ReplyError::CodeChanged { first, then } => write!(
                f,
                "a multi-line reply changed its code from {first} to {then}"
            ),
            ReplyError::TooManyLines => write!(
                f,
                "the server's reply has more than {MAX_REPLY_LINES} lines"
            ),
        }
    }
}

/// One reply line, parsed: the code, whether more lines follow, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    pub code: u16,
    pub more: bool,
    pub text: String,
}

/// `Reply-code = %x32-35 %x30-35 %x30-39`
pub fn reply_code(bytes: &[u8]) -> Option<u16> {
    match bytes {
        [first @ b'2'..=b'5', second @ b'0'..=b'5', third @ b'0'..=b'9', ..] => Some(
            u16::from(first - b'0') * 100 + u16::from(second - b'0') * 10 + u16::from(third - b'0'),
        ),
        _ => None,
    }
}

/// One line of a reply, without its CRLF. A bare code (`250`) is a last line with no text,
/// which §4.2 allows. The text is kept even when it strays outside `textstring` (servers send
/// UTF-8 and stray controls): it is shown, escaped, never interpreted.
pub fn reply_line(line: &[u8]) -> Result<ReplyLine, ReplyError> {
    let malformed = || ReplyError::Malformed(shown(line));
    let code = reply_code(line).ok_or_else(malformed)?;
    let (more, text) = match line.get(3..) {
        None | Some([]) => (false, &[][..]),
        Some([b'-', text @ ..]) => (true, text),
        Some([b' ', text @ ..]) => (false, text),
        Some(_) => return Err(malformed()),
    };
    Ok(ReplyLine {
        code,
        more,
        text: reveal(&String::from_utf8_lossy(text)).into_owned(),
    })
}

/// A line for the transcript or an error: lossy UTF-8, escaped, at most 200 characters.
pub fn shown(line: &[u8]) -> String {
    let text = reveal(&String::from_utf8_lossy(line)).into_owned();
    if text.chars().count() > 200 {
        let mut cut: String = text.chars().take(200).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

/// Reads one whole reply from `connection`, calling `seen` with every raw line read.
pub fn read_reply<C: SmtpConnection>(
    connection: &mut C,
    mut seen: impl FnMut(&[u8]),
) -> Result<Reply, ReplyError> {
    let mut code = None;
    let mut lines = Vec::new();
    loop {
        if lines.len() >= MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines);
        }
        let raw = connection
            .read_line(MAX_REPLY_LINE)
            .map_err(ReplyError::Transport)?;
        seen(&raw);
        let line = reply_line(&raw)?;
        match code {
            None => code = Some(line.code),
            Some(first) if first != line.code => {
                return Err(ReplyError::CodeChanged {
                    first,
                    then: line.code,
                })
            }
            Some(_) => {}
        }
        lines.push(line.text);
        if !line.more {
            return Ok(Reply {
                code: line.code,
                lines,
            });
        }
    }
}
