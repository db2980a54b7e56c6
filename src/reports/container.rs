//! Opening what a report arrives in: gzip (`.xml.gz`, `application/tlsrpt+gzip`), zip (`.zip`
//! with one or more members), the e-mail the receiver sent it in (`.eml`, its attachments taken
//! out) and mbox files of such e-mails. The kind is told from the bytes, never from the name:
//! receivers name `.zip` files `.gz` and send `application/octet-stream`.
//!
//! Each inflation is capped ([`limits::MAX_MEMBER_BYTES`], and the run's
//! [`limits::MAX_TOTAL_BYTES`]), so a zip or gzip bomb ends with `reports.too-large` after at
//! most that many bytes. A truncated archive keeps what inflated before the cut.

use std::io::{Cursor, Read};

use mail_parser::{MessageParser, MimeHeaders};

use super::limits::{self, Budget};
use super::{aggregate, failure, tls, Parsed};
use crate::report::{quoted, Finding, Severity};

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gzip,
    Zip,
    Xml,
    Json,
    Mbox,
    Mail,
    Empty,
    Unknown,
}

fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Kind::Gzip;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let rest = &bytes[start..];
    match rest.first() {
        None => Kind::Empty,
        Some(b'<') => Kind::Xml,
        Some(b'{') => Kind::Json,
        Some(_) if rest.starts_with(b"From ") => Kind::Mbox,
        Some(_) if looks_like_header(rest) => Kind::Mail,
        Some(_) => Kind::Unknown,
    }
}

/// A first line of the form `Field-Name: …` (RFC 5322 §2.2: printable ASCII but the colon).
fn looks_like_header(bytes: &[u8]) -> bool {
    let line = bytes
        .split(|byte| *byte == b'\n')
        .next()
        .unwrap_or_default();
    match line.iter().position(|byte| *byte == b':') {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|byte| byte.is_ascii_graphic() && *byte != b':'),
        _ => false,
    }
}

/// Every report in one file.
pub fn open(
    name: &str,
    bytes: &[u8],
    budget: &mut Budget,
    findings: &mut Vec<Finding>,
) -> Vec<Parsed> {
    let mut found = Vec::new();
    let mut reader = Opener {
        budget,
        findings,
        found: &mut found,
    };
    reader.read(name, bytes, 0);
    found
}

struct Opener<'a> {
    budget: &'a mut Budget,
    findings: &'a mut Vec<Finding>,
    found: &'a mut Vec<Parsed>,
}

impl Opener<'_> {
    fn read(&mut self, path: &str, bytes: &[u8], depth: usize) {
        if depth > limits::MAX_NESTING {
            self.finding(
                Severity::Error,
                "reports.too-deep",
                format!(
                    "{}: containers nest more than {} deep; not opened.",
                    quoted(path),
                    limits::MAX_NESTING
                ),
            );
            return;
        }
        match sniff(bytes) {
            Kind::Gzip => self.gzip(path, bytes, depth),
            Kind::Zip => self.zip(path, bytes, depth),
            Kind::Xml => {
                if let Some(report) = aggregate::parse(
                    path,
                    bytes,
                    self.budget.limits.records_per_report,
                    self.findings,
                ) {
                    self.found.push(Parsed::Aggregate(report));
                }
            }
            Kind::Json => {
                if let Some(report) = tls::parse(path, bytes, self.findings) {
                    self.found.push(Parsed::Tls(report));
                }
            }
            Kind::Mbox => self.mbox(path, bytes, depth),
            Kind::Mail => self.mail(path, bytes, depth),
            Kind::Empty => self.finding(
                Severity::Error,
                "reports.empty",
                format!("{}: is empty.", quoted(path)),
            ),
            Kind::Unknown => self.finding(
                Severity::Error,
                "reports.unknown-format",
                format!(
                    "{}: is not XML, JSON, gzip, zip or an e-mail; no report read.",
                    quoted(path)
                ),
            ),
        }
    }

    fn finding(&mut self, severity: Severity, code: &'static str, message: String) {
        self.findings.push(Finding::new(severity, code, message));
    }

    /// Inflates at most the member cap from `reader`. `Err` holds what inflated before the
    /// stream failed, with the error.
    fn inflate(&mut self, path: &str, reader: impl Read) -> Option<Vec<u8>> {
        let cap = self.budget.member_cap();
        let mut inflated = Vec::new();
        let outcome = reader
            .take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut inflated);
        self.budget.spend(inflated.len());
        if inflated.len() > cap {
            self.finding(
                Severity::Error,
                "reports.too-large",
                format!(
                    "{}: inflates to more than {} MB (a compression bomb, or far larger than \
                     any report); stopped there and not read.",
                    quoted(path),
                    cap / (1024 * 1024)
                ),
            );
            return None;
        }
        if let Err(error) = outcome {
            self.finding(
                Severity::Error,
                "reports.truncated",
                format!(
                    "{}: the compressed data breaks off after {} bytes inflated ({error}); \
                     what inflated is read.",
                    quoted(path),
                    inflated.len()
                ),
            );
            if inflated.is_empty() {
                return None;
            }
        }
        Some(inflated)
    }

    /// One gzip member: a stream decoder that stops at the end of the first member, so that
    /// bytes after it (a CRLF some senders append) are ignored rather than refused.
    fn gzip(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let decoder = flate2::read::GzDecoder::new(bytes);
        if let Some(inflated) = self.inflate(path, decoder) {
            self.read(path, &inflated, depth + 1);
        }
    }

    fn zip(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(archive) => archive,
            Err(error) => {
                self.finding(
                    Severity::Error,
                    "reports.truncated",
                    format!(
                        "{}: the zip archive's directory cannot be read ({error}); its members \
                         are read one by one from the start.",
                        quoted(path)
                    ),
                );
                return self.zip_stream(path, bytes, depth);
            }
        };
        let count = archive.len();
        if count > limits::MAX_ZIP_MEMBERS {
            self.finding(
                Severity::Warning,
                "reports.too-many-members",
                format!(
                    "{}: holds {count} members; the first {} are read.",
                    quoted(path),
                    limits::MAX_ZIP_MEMBERS
                ),
            );
        }
        for index in 0..count.min(limits::MAX_ZIP_MEMBERS) {
            let member = match archive.by_index(index) {
                Ok(member) => member,
                Err(error) => {
                    self.finding(
                        Severity::Error,
                        "reports.zip-member",
                        format!("{}: member {index} cannot be read: {error}.", quoted(path)),
                    );
                    continue;
                }
            };
            if member.is_dir() {
                continue;
            }
            let member_path = format!("{path}/{}", member_name(&member));
            if let Some(inflated) = self.inflate(&member_path, member) {
                self.read(&member_path, &inflated, depth + 1);
            }
        }
    }

    /// A zip whose end (the central directory) is missing: the local headers from the start.
    fn zip_stream(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let mut cursor = Cursor::new(bytes);
        for _ in 0..limits::MAX_ZIP_MEMBERS {
            match zip::read::read_zipfile_from_stream(&mut cursor) {
                Ok(Some(member)) => {
                    if member.is_dir() {
                        continue;
                    }
                    let member_path = format!("{path}/{}", member_name(&member));
                    if let Some(inflated) = self.inflate(&member_path, member) {
                        self.read(&member_path, &inflated, depth + 1);
                    }
                }
                Ok(None) => return,
                Err(error) => {
                    self.finding(
                        Severity::Error,
                        "reports.truncated",
                        format!("{}: reading stopped: {error}.", quoted(path)),
                    );
                    return;
                }
            }
        }
    }

    fn mbox(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let messages = mail_parser::mailbox::mbox::MessageIterator::new(Cursor::new(bytes));
        for (index, message) in messages.enumerate() {
            if index == limits::MAX_MBOX_MESSAGES {
                self.finding(
                    Severity::Warning,
                    "reports.too-many-messages",
                    format!(
                        "{}: holds more than {} messages; the rest are not read.",
                        quoted(path),
                        limits::MAX_MBOX_MESSAGES
                    ),
                );
                return;
            }
            match message {
                Ok(message) => {
                    let message_path = format!("{path}#{}", index + 1);
                    self.mail(&message_path, message.contents(), depth + 1);
                }
                Err(error) => {
                    self.finding(
                        Severity::Error,
                        "reports.truncated",
                        format!("{}: reading stopped: {error}.", quoted(path)),
                    );
                    return;
                }
            }
        }
    }

    /// An e-mail: a failure report when it carries a `message/feedback-report` part (or says
    /// `report-type=feedback-report`), else every attachment read as a report.
    fn mail(&mut self, path: &str, bytes: &[u8], depth: usize) {
        let Some(message) = MessageParser::default().parse(bytes) else {
            self.finding(
                Severity::Error,
                "reports.unknown-format",
                format!("{}: cannot be read as an e-mail.", quoted(path)),
            );
            return;
        };
        if failure::is_failure_report(&message) {
            let report = failure::parse(path, &message, self.findings);
            self.found.push(Parsed::Failure(report));
            return;
        }
        let before = self.found.len();
        let mut candidates = 0usize;
        for (index, part) in message.parts.iter().enumerate() {
            if index == 0 && message.parts.len() > 1 {
                continue;
            }
            if !is_report_part(part, index == 0) {
                continue;
            }
            candidates += 1;
            let name = part
                .attachment_name()
                .map_or_else(|| format!("part {}", index + 1), str::to_owned);
            let part_path = format!("{path}/{name}");
            self.read(&part_path, part.contents(), depth + 1);
        }
        if candidates == 0 && self.found.len() == before {
            self.finding(
                Severity::Error,
                "reports.no-attachment",
                format!(
                    "{}: is an e-mail with no report attached (no XML, JSON, gzip or zip \
                     part).",
                    quoted(path)
                ),
            );
        }
    }
}

/// A MIME part that may hold a report: by type, by an attachment name, or by its bytes.
fn is_report_part(part: &mail_parser::MessagePart<'_>, only_part: bool) -> bool {
    if part.sub_parts().is_some() || part.message().is_some() {
        return false;
    }
    let media = part.content_type().map(|content_type| {
        format!(
            "{}/{}",
            content_type.ctype().to_ascii_lowercase(),
            content_type
                .subtype()
                .unwrap_or_default()
                .to_ascii_lowercase()
        )
    });
    let by_type = media.as_deref().is_some_and(|media| {
        matches!(
            media,
            "application/gzip"
                | "application/x-gzip"
                | "application/zip"
                | "application/x-zip-compressed"
                | "application/xml"
                | "text/xml"
                | "application/json"
                | "application/tlsrpt+gzip"
                | "application/tlsrpt+json"
        )
    });
    let contents = part.contents();
    let by_bytes = matches!(sniff(contents), Kind::Gzip | Kind::Zip)
        || (part.attachment_name().is_some() && matches!(sniff(contents), Kind::Xml | Kind::Json));
    by_type || by_bytes || (only_part && matches!(sniff(contents), Kind::Xml | Kind::Json))
}

/// A zip member's name, or its place when the name is not readable.
fn member_name<R: Read>(member: &zip::read::ZipFile<'_, R>) -> String {
    member
        .name()
        .map_or_else(|_| "(unnamed member)".to_owned(), |name| name.into_owned())
}
