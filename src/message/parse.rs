//! Intake grammar: from pasted text to header fields (RFC 5322 §2.1–2.2, §3.6).

use std::borrow::Cow;

use super::lines::{count_bare_line_ends, has_bare_line_end, Lines};
use super::{
    HeaderField, IntakeError, IntakeErrorKind, Message, MAX_HEADER_BYTES, MAX_HEADER_FIELDS,
    MAX_MESSAGE_BYTES,
};
use crate::report::{Finding, Severity, Span};

const RFC5322_FIELDS: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-2.2";
const RFC5322_SECTIONS: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-2.1";

/// Reads `input` as a message or a header block.
///
/// Repairs, each reported as a finding: LF or CR line ends become CRLF, leading blank lines and an
/// mbox `From ` line are dropped, and indentation added by copy-paste is removed. Lines inside the
/// header section that are neither a field nor a continuation are skipped with a finding that
/// names them; they are never silently dropped.
pub fn parse_message(input: &[u8]) -> Result<Message, IntakeError> {
    check_size(input)?;
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError {
            kind: IntakeErrorKind::Empty,
            offset: None,
        });
    }
    check_not_binary(input)?;

    let mut findings = Vec::new();
    let input = strip_emlx(input, &mut findings);
    // The line-end finding is counted last, when the body has been looked at, but it is the
    // first thing said about the text, as before its lines are read.
    let line_end_finding_at = findings.len();
    let lines = Lines::new(input);
    let first = drop_preamble(&lines, &mut findings);
    let (header_lines, body_line) = match remove_double_spacing(&lines, first, &mut findings) {
        Some(sections) => sections,
        None => split_sections(&lines, first),
    };
    let header_lines = remove_indentation(&header_lines, &mut findings);

    let mut bytes = Vec::with_capacity(input.len() + input.len() / 32);
    let mut fields: Vec<HeaderField> = Vec::new();
    let mut stopped = false;
    for line in header_lines.iter().map(|line| line.as_ref()) {
        let start = bytes.len();
        bytes.extend_from_slice(line);
        bytes.extend_from_slice(b"\r\n");
        if stopped {
            continue;
        }
        if start >= MAX_HEADER_BYTES || fields.len() >= MAX_HEADER_FIELDS {
            stopped = true;
            findings.push(
                Finding::new(
                    Severity::Error,
                    "intake.header-section-too-large",
                    format!(
                        "The header section is larger than this analyser reads ({} fields or {} \
                         bytes); fields from byte {start} on were not analysed.",
                        MAX_HEADER_FIELDS, MAX_HEADER_BYTES
                    ),
                )
                .with_span(Span::new(start, start)),
            );
            continue;
        }
        let end = bytes.len();
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            match fields.last_mut() {
                Some(field) => {
                    field.span.end = end;
                    field.value.end = end - 2;
                }
                None => findings.push(not_a_field(start, end, line)),
            }
        } else if let Some(colon) = field_name_end(line) {
            let name = String::from_utf8_lossy(trim_wsp_end(&line[..colon])).into_owned();
            fields.push(HeaderField {
                name,
                span: start..end,
                value: start + colon + 1..end - 2,
            });
        } else {
            findings.push(not_a_field(start, end, line));
        }
    }
    if fields.is_empty() {
        return Err(IntakeError {
            kind: IntakeErrorKind::NoHeaderFields,
            offset: None,
        });
    }

    // The body as one run of the input, from the line after the empty line; its lines are
    // split only if some of their ends need repair.
    let body_offset = body_line.map(|line| lines.start_of(line));
    let mut bare = lines.bare_line_ends(body_line.unwrap_or(usize::MAX));
    let body = body_offset
        .and_then(|offset| input.get(offset..))
        .unwrap_or_default();
    let body_bare = if has_bare_line_end(body) {
        count_bare_line_ends(body)
    } else {
        0
    };
    bare += body_bare;
    // A body of nothing but blank lines is what a pasted header block ends with; it is read as
    // "no body given" so that DKIM says the body was not checked rather than failing its hash.
    let body_start = body_offset
        .filter(|_| body.iter().any(|b| *b != b'\r' && *b != b'\n'))
        .map(|_| {
            bytes.extend_from_slice(b"\r\n");
            let start = bytes.len();
            if body_bare == 0 {
                // The lines joined by CRLF are the input's own bytes: one copy.
                bytes.extend_from_slice(body);
            } else {
                let body_lines = Lines::new(body);
                let mut index = 0;
                while let Some(line) = body_lines.get(index) {
                    bytes.extend_from_slice(line);
                    bytes.extend_from_slice(b"\r\n");
                    index += 1;
                }
            }
            // A last line without a line end gets one: DKIM's body canonicalizations add a
            // missing final CRLF anyway (RFC 6376 §3.4.3, §3.4.4).
            if !bytes.ends_with(b"\r\n") {
                bytes.extend_from_slice(b"\r\n");
            }
            start
        });
    if bare > 0 {
        findings.insert(
            line_end_finding_at,
            Finding::new(
                Severity::Info,
                "intake.line-ends-normalized",
                format!(
                    "{bare} line ends were LF or CR alone and were read as CRLF, the line end of \
                     Internet mail. Signatures are checked over the CRLF form."
                ),
            ),
        );
    }

    let mut message = Message {
        bytes,
        fields,
        body_start,
        findings,
    };
    let limits = super::limit_findings(&message);
    message.findings.extend(limits);
    Ok(message)
}

/// Refuses input larger than [`MAX_MESSAGE_BYTES`].
pub(super) fn check_size(input: &[u8]) -> Result<(), IntakeError> {
    if input.len() > MAX_MESSAGE_BYTES {
        return Err(IntakeError {
            kind: IntakeErrorKind::TooLarge {
                size: input.len(),
                limit: MAX_MESSAGE_BYTES,
            },
            offset: None,
        });
    }
    Ok(())
}

/// A NUL byte anywhere in the header section means this is not a message (RFC 5322 §2.2 allows
/// only printable US-ASCII and white space there; RFC 6532 adds UTF-8, never NUL).
fn check_not_binary(input: &[u8]) -> Result<(), IntakeError> {
    let header_end = find_blank_line(input).unwrap_or(input.len());
    match input[..header_end].iter().position(|b| *b == 0) {
        Some(offset) => Err(IntakeError {
            kind: IntakeErrorKind::Binary,
            offset: Some(offset),
        }),
        None => Ok(()),
    }
}

/// Offset of the first empty line after some content, with LF or CRLF line ends.
fn find_blank_line(input: &[u8]) -> Option<usize> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &input[start..];
    // memmem searches with SIMD. A LF-only blank line can only come first if it starts before
    // the first CRLF one, so the second search stops there rather than reading a CRLF body.
    let crlf = memchr::memmem::find(rest, b"\r\n\r\n");
    let lf_before = crlf.map_or(rest, |crlf| &rest[..crlf + 1]);
    let lf = memchr::memmem::find(lf_before, b"\n\n");
    lf.or(crlf).map(|offset| start + offset)
}

/// Where the message starts, after leading blank lines, what a mail app's copy puts above the
/// headers, and an mbox `From ` separator line.
fn drop_preamble(lines: &Lines, findings: &mut Vec<Finding>) -> usize {
    let blank_from = |start: usize| {
        (start..)
            .take_while(|index| lines.get(*index).is_some_and(is_blank))
            .count()
    };
    let blank = blank_from(0);
    if blank > 0 {
        findings.push(Finding::new(
            Severity::Info,
            "intake.leading-blank-lines-removed",
            format!("{blank} blank lines before the first header field were ignored."),
        ));
    }
    let mut first = drop_export_preamble(lines, blank, findings);
    // The raw headers may follow the removed preamble after blank lines.
    first += blank_from(first);
    if let Some(line) = lines.get(first) {
        let trimmed = trim_wsp_start(line);
        if trimmed.starts_with(b"From ") && field_name_end(trimmed).is_none() {
            findings.push(Finding::new(
                Severity::Info,
                "intake.mbox-line-removed",
                format!(
                    "The first line \"{}\" is an mbox separator, not a header field, and was ignored.",
                    String::from_utf8_lossy(trimmed)
                ),
            ));
            first += 1;
        }
    }
    first
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Drops what mail apps put above the headers when a user copies them: Gmail's "Show original"
/// summary (from "Original Message" to the "Download Original" line) and the first line of
/// Outlook's "Internet headers" box in older versions ("Microsoft Mail Internet Headers Version
/// 2.0"). Both are recognised by their exact words, so a message that merely mentions them in
/// its body is not touched.
fn drop_export_preamble(lines: &Lines, first: usize, findings: &mut Vec<Finding>) -> usize {
    let trimmed = |line: &[u8]| String::from_utf8_lossy(line).trim().to_string();
    let Some(first_line) = lines.get(first).map(trimmed) else {
        return first;
    };
    if first_line.eq_ignore_ascii_case("Original Message") {
        // Gmail's summary table has about a dozen rows; the raw message follows the buttons.
        let end = (first..first + 40)
            .map_while(|index| lines.get(index))
            .position(|line| {
                let text = trimmed(line);
                let lower = text.to_ascii_lowercase();
                lower.starts_with("download original") || lower.ends_with("copy to clipboard")
            });
        if let Some(end) = end {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "intake.gmail-summary-removed",
                    "The summary table of Gmail's \"Show original\" page above the headers was \
                 ignored; the headers below it were read.",
                )
                .with_rfc(RFC5322_SECTIONS),
            );
            return first + end + 1;
        }
    }
    if first_line.starts_with("Microsoft Mail Internet Headers Version") {
        findings.push(
            Finding::new(
                Severity::Info,
                "intake.outlook-preamble-removed",
                format!(
                "The first line \"{first_line}\", which Outlook puts above the headers, was ignored."
            ),
            )
            .with_rfc(RFC5322_SECTIONS),
        );
        return first + 1;
    }
    first
}

/// Apple Mail's `.emlx`: a first line with the message's length in bytes, the message, then an
/// XML property list. The length line and the property list are removed.
fn strip_emlx<'a>(input: &'a [u8], findings: &mut Vec<Finding>) -> &'a [u8] {
    let digits = input.iter().take_while(|b| b.is_ascii_digit()).count();
    let Some(after) = input.get(digits..).and_then(|rest| {
        rest.strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
    }) else {
        return input;
    };
    // `digits` counts leading bytes of `input`, so the range is inside it.
    let length = std::str::from_utf8(&input[..digits])
        .ok()
        .and_then(|text| text.parse::<usize>().ok());
    let (Some(length), true) = (length, digits > 0 && digits <= 10) else {
        return input;
    };
    let Some(message) = after.get(..length) else {
        return input;
    };
    let rest = after.get(length..).unwrap_or_default();
    let rest_start = rest.iter().position(|b| !b.is_ascii_whitespace());
    let plist = rest_start.and_then(|start| rest.get(start..));
    if !(plist.is_none() || plist.is_some_and(|plist| plist.starts_with(b"<?xml"))) {
        return input;
    }
    findings.push(
        Finding::new(
            Severity::Info,
            "intake.emlx-wrapper-removed",
            "This is an Apple Mail .emlx file: its length line and the property list after the \
         message were ignored.",
        )
        .with_rfc(RFC5322_SECTIONS),
    );
    message
}

/// Removes the blank lines some clients' copy puts between header lines ("double spacing").
///
/// Recognised only when the first five lines are field, blank, field (or continuation), blank,
/// field (or continuation) and one of the fields after the first is a common header name, so that a one-field header followed by a
/// body like "Note: …" is never read as headers. In a double-spaced copy the empty line before
/// the body becomes two or more blank lines, so the header section ends there, or at the first
/// line that is not a field or a continuation.
fn remove_double_spacing<'a>(
    all_lines: &Lines<'a>,
    first: usize,
    findings: &mut Vec<Finding>,
) -> Option<Sections<'a>> {
    let lines = Skip(all_lines, first);
    let blank = |index: usize| lines.get(index).is_some_and(is_blank);
    let field = |index: usize| {
        lines
            .get(index)
            .and_then(|line| field_name_end(line).map(|end| (line, end)))
    };
    let common = |index: usize| {
        field(index).is_some_and(|(line, end)| {
            // `end` is a position inside `line`, from `field_name_end`.
            let name = String::from_utf8_lossy(trim_wsp_end(&line[..end])).to_ascii_lowercase();
            COMMON_FIELDS.contains(&name.as_str())
                || name.starts_with("x-")
                || name.starts_with("arc-")
        })
    };
    let continuation = |index: usize| {
        lines
            .get(index)
            .is_some_and(|line| line.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
    };
    let entry = |index: usize| field(index).is_some() || continuation(index);
    let pattern = field(0).is_some() && blank(1) && entry(2) && blank(3) && entry(4);
    if !pattern || !(common(2) || common(4) || (blank(5) && common(6))) {
        return None;
    }
    let mut header = Vec::new();
    let mut index = 0;
    let mut removed = 0usize;
    while let Some(line) = lines.get(index) {
        if blank(index) {
            if blank(index + 1) || lines.get(index + 1).is_none() {
                break;
            }
            let next = lines.get(index + 1).unwrap_or_default();
            let continues = next.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            if field_name_end(next).is_none() && !continues {
                break;
            }
            removed += 1;
            index += 1;
            continue;
        }
        header.push(line);
        index += 1;
    }
    findings.push(
        Finding::new(
            Severity::Warning,
            "intake.blank-lines-between-fields-removed",
            format!(
            "{removed} blank lines between header lines, as some mail apps' copy inserts, were \
             ignored. Signatures over these headers may not verify if the copy changed anything \
             else."
        ),
        )
        .with_rfc(RFC5322_SECTIONS),
    );
    // The body starts at its first line that is not blank.
    let body = (index..)
        .find(|&index| lines.get(index).is_none_or(|line| !is_blank(line)))
        .unwrap_or(index);
    Some((header, Some(first + body)))
}

/// Header names common enough to confirm a double-spaced header section.
const COMMON_FIELDS: [&str; 16] = [
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "received",
    "return-path",
    "delivered-to",
    "message-id",
    "mime-version",
    "content-type",
    "dkim-signature",
    "authentication-results",
    "reply-to",
    "received-spf",
    "sender",
];

/// The header lines, and the index of the body's first line when there is an empty line.
type Sections<'a> = (Vec<&'a [u8]>, Option<usize>);

/// The lines from `first` up to the first empty line, and the index of the line after it.
fn split_sections<'a>(lines: &Lines<'a>, first: usize) -> Sections<'a> {
    let mut header = Vec::new();
    let mut index = first;
    while let Some(line) = lines.get(index) {
        if line.is_empty() {
            return (header, Some(index + 1));
        }
        header.push(line);
        index += 1;
    }
    (header, None)
}

/// The lines of a [`Lines`] from one of them on, indexed from there.
struct Skip<'l, 'a>(&'l Lines<'a>, usize);

impl<'a> Skip<'_, 'a> {
    fn get(&self, index: usize) -> Option<&'a [u8]> {
        self.0.get(self.1.checked_add(index)?)
    }
}

/// Removes indentation that copy-paste added to every header line.
///
/// A real header section never starts with white space (the first line must be a field), so an
/// indented first line tells us how much was added. Lines that had only that much indentation and
/// do not start a field were continuation lines and keep one space, so folding survives.
///
/// Lines are borrowed unless they change: the common case, no indentation, copies nothing.
fn remove_indentation<'a>(lines: &[&'a [u8]], findings: &mut Vec<Finding>) -> Vec<Cow<'a, [u8]>> {
    let indent = lines
        .first()
        .map_or(0, |first| first.len() - trim_wsp_start(first).len());
    if indent == 0 {
        return lines.iter().copied().map(Cow::Borrowed).collect();
    }
    findings.push(Finding::new(
        Severity::Warning,
        "intake.indentation-removed",
        format!(
            "Every header line was indented by {indent} characters, as copy-paste from a web page \
             or document does; the indentation was removed. Signatures over these headers may not \
             verify if the copy changed anything else."
        ),
    ));
    lines
        .iter()
        .copied()
        .map(|line| {
            let leading = line.len() - trim_wsp_start(line).len();
            let stripped = &line[leading.min(indent)..];
            let is_continuation = leading > indent || field_name_end(stripped).is_none();
            if is_continuation && !stripped.starts_with(b" ") && !stripped.starts_with(b"\t") {
                let mut folded = b" ".to_vec();
                folded.extend_from_slice(stripped);
                Cow::Owned(folded)
            } else {
                Cow::Borrowed(stripped)
            }
        })
        .collect()
}

/// The position of the colon that ends a field name, if `line` starts a header field.
///
/// `field-name = 1*ftext`, `ftext = %d33-57 / %d59-126` (RFC 5322 §3.6.8), followed by the colon,
/// with the white space that the obsolete syntax allows before it (RFC 5322 §4.5).
fn field_name_end(line: &[u8]) -> Option<usize> {
    let name_len = line
        .iter()
        .take_while(|b| matches!(b, 33..=57 | 59..=126))
        .count();
    if name_len == 0 {
        return None;
    }
    let after = &line[name_len..];
    let spaces = after
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    (after.get(spaces) == Some(&b':')).then_some(name_len + spaces)
}

fn not_a_field(start: usize, end: usize, line: &[u8]) -> Finding {
    let shown: String = String::from_utf8_lossy(line).chars().take(80).collect();
    Finding::new(
        Severity::Warning,
        "intake.not-a-header-field",
        format!(
            "The line \"{shown}\" in the header section is neither a header field nor the \
             continuation of one, and was skipped."
        ),
    )
    .with_rfc(RFC5322_FIELDS)
    .with_span(Span::new(start, end))
}

fn trim_wsp_start(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    &bytes[n..]
}

fn trim_wsp_end(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rev()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    &bytes[..bytes.len() - n]
}
