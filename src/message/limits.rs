//! Intake's limits on what a header section may hold, beyond its size and field count (which
//! `parse` enforces while it reads): line length and encoded-words. Each one hit is a finding;
//! `docs/limits.md` lists every limit of the analysis.

use super::Message;
use crate::report::{Finding, Severity, Span};

/// RFC 5322 §2.1.1: "Each line of characters MUST be no more than 998 characters, excluding
/// the CRLF". Longer header lines are still read whole (up to [`super::MAX_HEADER_BYTES`]): DKIM must
/// hash the bytes as they are, and a receiver that accepted the message accepted them.
pub const MAX_LINE_BYTES: usize = 998;

/// At most this many encoded-words (RFC 2047) are decoded in one field; a field with more is
/// shown unfolded but not decoded. A Subject needs a few dozen at most; each word costs a charset
/// lookup and an allocation, so a field of tens of thousands of them is an attack, not a title.
pub const MAX_ENCODED_WORDS: usize = 1_000;

const RFC5322_LINES: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-2.1.1";
const RFC2047: &str = "https://www.rfc-editor.org/rfc/rfc2047";

/// How many encoded-words a value may hold: the `=?` that starts each (an upper bound, which is
/// what a limit needs).
pub fn encoded_words(value: &[u8]) -> usize {
    memchr::memmem::find_iter(value, b"=?").count()
}

/// The findings for header lines over [`MAX_LINE_BYTES`] and fields over [`MAX_ENCODED_WORDS`].
pub fn limit_findings(message: &Message) -> Vec<Finding> {
    let mut findings = Vec::new();
    let header_end = message.fields.last().map_or(0, |field| field.span.end);
    let header = message.bytes.get(..header_end).unwrap_or_default();
    let mut long_lines = 0;
    let mut first_long = None;
    let mut start = 0;
    for end in memchr::memmem::find_iter(header, b"\r\n") {
        // Matches do not overlap, so each CRLF starts at or after the end of the one before.
        if end - start > MAX_LINE_BYTES {
            long_lines += 1;
            first_long.get_or_insert(Span::new(start, end));
        }
        start = end + 2;
    }
    if let Some(span) = first_long {
        findings.push(
            Finding::new(
                Severity::Warning,
                "intake.line-too-long",
                format!(
                    "{long_lines} header lines are longer than the {MAX_LINE_BYTES} characters \
                     RFC 5322 allows; the first starts at byte {}. They were read whole, as a \
                     receiver that accepted the message did.",
                    span.start
                ),
            )
            .with_rfc(RFC5322_LINES)
            .with_span(span),
        );
    }
    let crowded: Vec<_> = message
        .fields
        .iter()
        .filter(|field| encoded_words(message.value_bytes(field)) > MAX_ENCODED_WORDS)
        .collect();
    if let Some(first) = crowded.first() {
        findings.push(
            Finding::new(
                Severity::Warning,
                "intake.encoded-word-limit",
                format!(
                    "{} fields hold more than {MAX_ENCODED_WORDS} encoded-words, the most this \
                     analyser decodes in one field; they are shown unfolded but not decoded \
                     (the first is {}).",
                    crowded.len(),
                    first.name
                ),
            )
            .with_rfc(RFC2047)
            .with_span(first.span()),
        );
    }
    findings
}
