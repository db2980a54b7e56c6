//! Intake grammar: from pasted text to header fields (RFC 5322 §2.1–2.2, §3.6).

use std::borrow::Cow;

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
    let (lines, all_crlf) = split_lines(input, &mut findings);
    let lines = drop_preamble(lines, &mut findings);
    let lines = remove_double_spacing(lines, &mut findings);
    let (header_lines, body_lines) = split_sections(&lines);
    let header_lines = remove_indentation(header_lines, &mut findings);

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

    // A body of nothing but blank lines is what a pasted header block ends with; it is read as
    // "no body given" so that DKIM says the body was not checked rather than failing its hash.
    let body_start = body_lines
        .filter(|body| body.iter().any(|line| !line.is_empty()))
        .map(|body| {
            bytes.extend_from_slice(b"\r\n");
            let start = bytes.len();
            if let Some(run) = all_crlf.then(|| crlf_run(input, body)).flatten() {
                // The body as the input has it, in one copy: the same bytes the loop below
                // writes, since its lines are consecutive and every line end was CRLF.
                bytes.extend_from_slice(run);
                bytes.extend_from_slice(b"\r\n");
                return start;
            }
            for line in body {
                // A last line without a line end gets one: DKIM's body canonicalizations add a
                // missing final CRLF anyway (RFC 6376 §3.4.3, §3.4.4).
                bytes.extend_from_slice(line);
                bytes.extend_from_slice(b"\r\n");
            }
            start
        });

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
    // memmem searches with SIMD: this runs over the whole input when it has CRLF line ends.
    let lf = memchr::memmem::find(rest, b"\n\n");
    let crlf = memchr::memmem::find(rest, b"\r\n\r\n");
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(start + a.min(b)),
        (a, b) => a.or(b).map(|offset| start + offset),
    }
}

/// Splits on CRLF, LF or a lone CR, reporting when the line ends were not all CRLF, and saying
/// whether they were.
fn split_lines<'a>(input: &'a [u8], findings: &mut Vec<Finding>) -> (Vec<&'a [u8]>, bool) {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut bare = 0usize;
    // Line ends are found with memchr (SIMD), not byte by byte: this is most of intake's time.
    while let Some(offset) = memchr::memchr2(b'\r', b'\n', &input[start..]) {
        let index = start + offset;
        lines.push(&input[start..index]);
        if input[index] == b'\r' && input.get(index + 1) == Some(&b'\n') {
            start = index + 2;
        } else {
            bare += 1;
            start = index + 1;
        }
    }
    if start < input.len() {
        lines.push(&input[start..]);
    }
    if bare > 0 {
        findings.push(Finding::new(
            Severity::Info,
            "intake.line-ends-normalized",
            format!(
                "{bare} line ends were LF or CR alone and were read as CRLF, the line end of \
                 Internet mail. Signatures are checked over the CRLF form."
            ),
        ));
    }
    (lines, bare == 0)
}

/// `lines`, consecutive lines of `input` split by [`split_lines`] from input whose every line
/// end is CRLF, as the one run of `input` they cover (without the last line's end); `None`
/// when they are not one run (never for lines so split, but checked rather than assumed).
fn crlf_run<'a>(input: &'a [u8], lines: &[&[u8]]) -> Option<&'a [u8]> {
    let base = input.as_ptr() as usize;
    let offset = |line: &[u8]| (line.as_ptr() as usize).checked_sub(base);
    let (first, last) = (lines.first()?, lines.last()?);
    let start = offset(first)?;
    let end = offset(last)? + last.len();
    let mut expected = start;
    for line in lines {
        if offset(line)? != expected {
            return None;
        }
        expected += line.len() + 2;
    }
    let run = input.get(start..end)?;
    // Between the lines there is exactly CRLF: the run is the lines joined by CRLF.
    let joined_len = lines.iter().map(|line| line.len()).sum::<usize>() + 2 * (lines.len() - 1);
    (run.len() == joined_len).then_some(run)
}

/// Drops leading blank lines and an mbox `From ` separator line.
fn drop_preamble<'a>(mut lines: Vec<&'a [u8]>, findings: &mut Vec<Finding>) -> Vec<&'a [u8]> {
    let blank = lines
        .iter()
        .take_while(|line| line.iter().all(u8::is_ascii_whitespace))
        .count();
    let mut rest = &lines[blank..];
    if blank > 0 {
        findings.push(Finding::new(
            Severity::Info,
            "intake.leading-blank-lines-removed",
            format!("{blank} blank lines before the first header field were ignored."),
        ));
    }
    rest = drop_export_preamble(rest, findings);
    // The raw headers may follow the removed preamble after blank lines.
    let blank_after = rest
        .iter()
        .take_while(|line| line.iter().all(u8::is_ascii_whitespace))
        .count();
    rest = rest.get(blank_after..).unwrap_or_default();
    if let Some(first) = rest.first() {
        let trimmed = trim_wsp_start(first);
        if trimmed.starts_with(b"From ") && field_name_end(trimmed).is_none() {
            findings.push(Finding::new(
                Severity::Info,
                "intake.mbox-line-removed",
                format!(
                    "The first line \"{}\" is an mbox separator, not a header field, and was ignored.",
                    String::from_utf8_lossy(trimmed)
                ),
            ));
            rest = &rest[1..];
        }
    }
    // `rest` is what is left after the lines dropped from the front: drop them in place rather
    // than copying the rest (a large message has tens of thousands of lines).
    let dropped = lines.len() - rest.len();
    lines.drain(..dropped);
    lines
}

/// Drops what mail apps put above the headers when a user copies them: Gmail's "Show original"
/// summary (from "Original Message" to the "Download Original" line) and the first line of
/// Outlook's "Internet headers" box in older versions ("Microsoft Mail Internet Headers Version
/// 2.0"). Both are recognised by their exact words, so a message that merely mentions them in
/// its body is not touched.
fn drop_export_preamble<'a, 'b>(
    lines: &'b [&'a [u8]],
    findings: &mut Vec<Finding>,
) -> &'b [&'a [u8]] {
    let trimmed = |line: &[u8]| String::from_utf8_lossy(line).trim().to_string();
    let Some(first) = lines.first().map(|line| trimmed(line)) else {
        return lines;
    };
    if first.eq_ignore_ascii_case("Original Message") {
        // Gmail's summary table has about a dozen rows; the raw message follows the buttons.
        let end = lines.iter().take(40).position(|line| {
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
            return lines.get(end + 1..).unwrap_or_default();
        }
    }
    if first.starts_with("Microsoft Mail Internet Headers Version") {
        findings.push(
            Finding::new(
                Severity::Info,
                "intake.outlook-preamble-removed",
                format!(
                "The first line \"{first}\", which Outlook puts above the headers, was ignored."
            ),
            )
            .with_rfc(RFC5322_SECTIONS),
        );
        return lines.get(1..).unwrap_or_default();
    }
    lines
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
fn remove_double_spacing<'a>(lines: Vec<&'a [u8]>, findings: &mut Vec<Finding>) -> Vec<&'a [u8]> {
    let blank = |index: usize| {
        lines
            .get(index)
            .is_some_and(|line| line.iter().all(u8::is_ascii_whitespace))
    };
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
        return lines;
    }
    let mut header = Vec::new();
    let mut index = 0;
    let mut removed = 0usize;
    while let Some(line) = lines.get(index) {
        if blank(index) {
            if blank(index + 1) || index + 1 >= lines.len() {
                break;
            }
            let next = lines.get(index + 1).copied().unwrap_or_default();
            let continues = next.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            if field_name_end(next).is_none() && !continues {
                break;
            }
            removed += 1;
            index += 1;
            continue;
        }
        header.push(*line);
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
    // The empty line that ends the header section, then the body as it was.
    header.push(b"");
    let body_start = (index..lines.len())
        .find(|&i| !blank(i))
        .unwrap_or(lines.len());
    header.extend(lines.get(body_start..).unwrap_or_default());
    header
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

/// The header lines and, when there is an empty line, the body lines after it.
fn split_sections<'l, 'a>(lines: &'l [&'a [u8]]) -> (&'l [&'a [u8]], Option<&'l [&'a [u8]]>) {
    match lines.iter().position(|line| line.is_empty()) {
        Some(blank) => (&lines[..blank], Some(&lines[blank + 1..])),
        None => (lines, None),
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
