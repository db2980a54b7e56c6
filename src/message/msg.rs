//! Outlook `.msg` files: the Internet headers Outlook keeps in the compound file.
//!
//! A `.msg` is an OLE compound file ([MS-CFB]) of MAPI properties ([MS-OXMSG]); the headers as
//! they arrived over SMTP are the property `PR_TRANSPORT_MESSAGE_HEADERS` (0x007D), stored as the
//! stream `__substg1.0_007D001F` (UTF-16LE) or `__substg1.0_007D001E` (8-bit) at the root
//! ([MS-OXMSG] §2.1.3). The body in a `.msg` is Outlook's rendering, not the MIME body as sent,
//! so only the headers are analysed.

#[cfg(feature = "outlook-msg")]
use std::io::{Cursor, Read};

#[cfg(feature = "outlook-msg")]
use super::parse::check_size;
#[cfg(feature = "outlook-msg")]
use super::MAX_MESSAGE_BYTES;
use super::{parse_message, IntakeError, IntakeErrorKind, Message};
use crate::report::{Finding, Severity};

/// The first eight bytes of every compound file ([MS-CFB] §2.2, `Header Signature`).
pub const COMPOUND_FILE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

#[cfg(feature = "outlook-msg")]
const HEADERS_UNICODE: &str = "/__substg1.0_007D001F";
#[cfg(feature = "outlook-msg")]
const HEADERS_8BIT: &str = "/__substg1.0_007D001E";

/// Whether `input` is a compound file (an Outlook `.msg`, or another OLE document).
pub fn is_compound_file(input: &[u8]) -> bool {
    input.starts_with(&COMPOUND_FILE_MAGIC)
}

/// Reads what a user opened or pasted: an Outlook `.msg` (by its magic number) or text.
///
/// Without the feature `outlook-msg` (the page's Message view module, which leaves the
/// compound-file reader to a module of its own, `crates/mailspect-msg`), a `.msg` is refused:
/// the page reads it with [`transport_headers`] there and passes the headers to
/// [`parse_outlook_headers`].
pub fn parse_input(input: &[u8]) -> Result<Message, IntakeError> {
    if !is_compound_file(input) {
        return parse_message(input);
    }
    #[cfg(feature = "outlook-msg")]
    return parse_outlook_headers(&transport_headers(input)?);
    #[cfg(not(feature = "outlook-msg"))]
    Err(IntakeError {
        kind: IntakeErrorKind::OutlookUnreadable {
            reason: "this build reads .msg files with a separate module (outlookHeaders)".into(),
        },
        offset: None,
    })
}

/// Reads the Internet headers of an Outlook `.msg`, as [`transport_headers`] returns them, with
/// a finding that says where they came from.
pub fn parse_outlook_headers(headers: &[u8]) -> Result<Message, IntakeError> {
    let mut message = parse_message(headers)?;
    message.findings.insert(
        0,
        Finding::new(
            Severity::Info,
            "intake.outlook-msg",
            "Read from an Outlook .msg file: the Internet headers Outlook stored with the \
             message. A .msg holds Outlook's copy of the body, not the body as sent, so body \
             hashes cannot be checked.",
        )
        .with_rfc("https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxmsg"),
    );
    Ok(message)
}

/// The Internet headers stored in a `.msg` file, as bytes.
#[cfg(feature = "outlook-msg")]
pub fn transport_headers(input: &[u8]) -> Result<Vec<u8>, IntakeError> {
    let unreadable = |reason: String| IntakeError {
        kind: IntakeErrorKind::OutlookUnreadable { reason },
        offset: None,
    };
    check_size(input)?;
    let mut file = cfb::CompoundFile::open(Cursor::new(input))
        .map_err(|error| unreadable(format!("not a valid compound file: {error}")))?;
    let (path, unicode) = if file.is_stream(HEADERS_UNICODE) {
        (HEADERS_UNICODE, true)
    } else if file.is_stream(HEADERS_8BIT) {
        (HEADERS_8BIT, false)
    } else {
        return Err(IntakeError {
            kind: IntakeErrorKind::OutlookWithoutHeaders,
            offset: None,
        });
    };
    let stream = file
        .open_stream(path)
        .map_err(|error| unreadable(format!("the header stream cannot be opened: {error}")))?;
    let mut raw = Vec::new();
    // A stream can claim any length; read no more than a message may have here.
    stream
        .take(MAX_MESSAGE_BYTES as u64)
        .read_to_end(&mut raw)
        .map_err(|error| unreadable(format!("the header stream cannot be read: {error}")))?;
    let mut headers = if unicode {
        // `chunks_exact(2)` yields pairs only, so both indexes exist.
        let units = raw
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
        char::decode_utf16(units)
            .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
            .into_bytes()
    } else {
        raw
    };
    // MAPI strings may carry their terminating NUL.
    while headers.last() == Some(&0) {
        headers.pop();
    }
    if headers.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError {
            kind: IntakeErrorKind::OutlookWithoutHeaders,
            offset: None,
        });
    }
    Ok(headers)
}
