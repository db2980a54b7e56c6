//! The master-file grammar of RFC 1035 §5.1, in two steps: the text becomes entries (logical
//! lines, parentheses joined, comments gone), then each entry becomes a directive or a record.

use crate::report::quoted as quote_text;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{SkippedRecord, Zone, ZoneError, ZoneErrorKind};
use crate::dns::name::{
    check_lengths, labels_from_presentation, text_from_labels, unescape, NameError,
};
use crate::dns::{Record, RecordData, RecordType};

/// A TTL is at most 2^31 - 1 seconds (RFC 2181 §8).
const MAX_TTL: u32 = i32::MAX as u32;

/// Types a zone file may hold that mailspect never asks for: listed in `Zone::skipped`. Any other
/// unknown word in the type position is an error, so that a typo (`TXTT`) is not skipped quietly.
const OTHER_TYPES: &[&str] = &[
    "AFSDB",
    "CAA",
    "CDNSKEY",
    "CDS",
    "CERT",
    "CSYNC",
    "DNAME",
    "DNSKEY",
    "DS",
    "HINFO",
    "HIP",
    "HTTPS",
    "KEY",
    "LOC",
    "NAPTR",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "OPENPGPKEY",
    "RP",
    "RRSIG",
    "SIG",
    "SMIMEA",
    "SRV",
    "SSHFP",
    "SVCB",
    "URI",
    "ZONEMD",
];

/// One field of an entry: a word (escapes kept, for names) or a quoted string (escapes undone).
#[derive(Debug)]
struct Token {
    bytes: Vec<u8>,
    quoted: bool,
    line: usize,
    column: usize,
}

/// A logical line: one directive or one record.
#[derive(Debug)]
struct Entry {
    tokens: Vec<Token>,
    /// The entry's line starts with a blank: the owner is the previous record's (RFC 1035 §5.1).
    blank_owner: bool,
    line: usize,
}

/// Parses a zone file. `origin` is the `$ORIGIN` in force at the start; without one, relative
/// names are an error until the file sets `$ORIGIN`.
pub fn parse_zone(text: &[u8], origin: Option<&str>) -> Result<Zone, ZoneError> {
    let mut state = State {
        origin: match origin {
            Some(origin) => Some(
                labels_from_presentation(origin.as_bytes()).map_err(|error| ZoneError {
                    kind: ZoneErrorKind::Invalid(format!("the origin: {error}")),
                    line: 1,
                    column: 1,
                })?,
            ),
            None => None,
        },
        default_ttl: None,
        last_ttl: None,
        last_owner: None,
        zone: Zone::default(),
    };
    for entry in entries(text)? {
        state.entry(entry)?;
    }
    Ok(state.zone)
}

fn error(kind: ZoneErrorKind, line: usize, column: usize) -> ZoneError {
    ZoneError { kind, line, column }
}

fn token_error(token: &Token, kind: ZoneErrorKind) -> ZoneError {
    error(kind, token.line, token.column)
}

/// Splits the text into entries: `;` starts a comment, `(` … `)` continue a line, `"` quotes.
fn entries(text: &[u8]) -> Result<Vec<Entry>, ZoneError> {
    let mut entries = Vec::new();
    let mut line = 1;
    let mut line_start = 0;
    let mut depth = 0usize;
    let mut current = Entry {
        tokens: Vec::new(),
        blank_owner: starts_with_blank(text, 0),
        line,
    };
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        let column = index - line_start + 1;
        match byte {
            b'\n' => {
                line += 1;
                line_start = index + 1;
                index += 1;
                if depth == 0 {
                    let next = Entry {
                        tokens: Vec::new(),
                        blank_owner: starts_with_blank(text, index),
                        line,
                    };
                    let done = std::mem::replace(&mut current, next);
                    if !done.tokens.is_empty() {
                        entries.push(done);
                    }
                }
            }
            b' ' | b'\t' | b'\r' => index += 1,
            b';' => {
                while text.get(index).is_some_and(|&byte| byte != b'\n') {
                    index += 1;
                }
            }
            b'(' => {
                depth += 1;
                index += 1;
            }
            b')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| error(ZoneErrorKind::UnbalancedParentheses, line, column))?;
                index += 1;
            }
            b'"' => {
                let (bytes, end) = quoted(text, index + 1)
                    .ok_or_else(|| error(ZoneErrorKind::UnterminatedString, line, column))?;
                current.tokens.push(Token {
                    bytes,
                    quoted: true,
                    line,
                    column,
                });
                index = end;
            }
            _ => {
                let start = index;
                while let Some(&byte) = text.get(index) {
                    match byte {
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                        // An escaped character belongs to the word whatever it is.
                        b'\\' => index += 2,
                        _ => index += 1,
                    }
                }
                index = index.min(text.len());
                current.tokens.push(Token {
                    bytes: text.get(start..index).unwrap_or_default().to_vec(),
                    quoted: false,
                    line,
                    column,
                });
            }
        }
    }
    if depth > 0 {
        return Err(error(ZoneErrorKind::UnbalancedParentheses, line, 1));
    }
    if !current.tokens.is_empty() {
        entries.push(current);
    }
    Ok(entries)
}

fn starts_with_blank(text: &[u8], index: usize) -> bool {
    matches!(text.get(index), Some(b' ' | b'\t'))
}

/// The inside of a quoted string starting at `start` (after the `"`), escapes undone. Returns
/// the bytes and the index after the closing `"`, or `None` if the line ends first.
fn quoted(text: &[u8], start: usize) -> Option<(Vec<u8>, usize)> {
    let mut bytes = Vec::new();
    let mut index = start;
    loop {
        match *text.get(index)? {
            b'"' => return Some((bytes, index + 1)),
            b'\n' => return None,
            b'\\' => {
                let (value, used) = unescape(text.get(index + 1..)?).ok()?;
                bytes.push(value);
                index += 1 + used;
            }
            other => {
                bytes.push(other);
                index += 1;
            }
        }
    }
}

/// What the entries before this one have set.
struct State {
    origin: Option<Vec<Vec<u8>>>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_owner: Option<String>,
    zone: Zone,
}

impl State {
    fn entry(&mut self, entry: Entry) -> Result<(), ZoneError> {
        let line = entry.line;
        let mut tokens = entry.tokens.into_iter().peekable();
        let directive = tokens
            .peek()
            .filter(|token| !entry.blank_owner && !token.quoted && token.bytes.starts_with(b"$"))
            .map(|token| String::from_utf8_lossy(&token.bytes).to_ascii_uppercase());
        if let Some(directive) = directive {
            let Some(keyword) = tokens.next() else {
                return Ok(());
            };
            let argument = tokens.next().ok_or_else(|| {
                token_error(
                    &keyword,
                    ZoneErrorKind::MissingField("the directive's value"),
                )
            })?;
            match directive.as_str() {
                // `$ORIGIN <domain-name>`; a relative origin is relative to the current one.
                "$ORIGIN" => self.origin = Some(self.labels(&argument)?),
                // `$TTL <TTL>` (RFC 2308 §4).
                "$TTL" => self.default_ttl = Some(ttl(&argument)?),
                // `$SIGNED <domain-name>`: mailspect's own (see the module documentation).
                "$SIGNED" => {
                    let name = self.name(&argument)?;
                    self.zone.signed.push(name);
                }
                _ => {
                    return Err(token_error(
                        &keyword,
                        ZoneErrorKind::UnsupportedDirective(directive),
                    ))
                }
            }
            return match tokens.next() {
                Some(extra) => Err(token_error(&extra, ZoneErrorKind::TrailingField)),
                None => Ok(()),
            };
        }
        let owner = if entry.blank_owner {
            self.last_owner
                .clone()
                .ok_or_else(|| error(ZoneErrorKind::NoPreviousOwner, line, 1))?
        } else {
            // The entry has at least one token: empty entries are never produced.
            let token = tokens
                .next()
                .ok_or_else(|| error(ZoneErrorKind::MissingField("the owner name"), line, 1))?;
            self.name(&token)?
        };
        self.last_owner = Some(owner.clone());
        // `[<TTL>] [<class>] <type>` or `[<class>] [<TTL>] <type>` (RFC 1035 §5.1).
        let mut record_ttl = None;
        let mut type_token = None;
        for token in tokens.by_ref() {
            let word = String::from_utf8_lossy(&token.bytes).to_ascii_uppercase();
            if token.bytes.first().is_some_and(u8::is_ascii_digit) && record_ttl.is_none() {
                record_ttl = Some(ttl(&token)?);
            } else if matches!(word.as_str(), "IN") {
                continue;
            } else if matches!(word.as_str(), "CH" | "CS" | "HS") {
                return Err(token_error(&token, ZoneErrorKind::UnsupportedClass(word)));
            } else {
                type_token = Some((token, word));
                break;
            }
        }
        let (type_token, type_word) = type_token
            .ok_or_else(|| error(ZoneErrorKind::MissingField("the record type"), line, 1))?;
        if let Some(ttl) = record_ttl {
            self.last_ttl = Some(ttl);
        }
        // RFC 2308 §4: $TTL applies to records without one; RFC 1035 §5.1: otherwise the last
        // TTL given explicitly.
        let ttl = record_ttl
            .or(self.default_ttl)
            .or(self.last_ttl)
            .ok_or_else(|| token_error(&type_token, ZoneErrorKind::NoTtl))?;
        let Some(record_type) = RecordType::from_name(&type_word) else {
            if OTHER_TYPES.contains(&type_word.as_str())
                || type_word
                    .strip_prefix("TYPE")
                    .is_some_and(|number| number.parse::<u16>().is_ok())
            {
                self.zone.skipped.push(SkippedRecord {
                    line,
                    name: owner,
                    record_type: type_word,
                });
                return Ok(());
            }
            return Err(token_error(
                &type_token,
                ZoneErrorKind::Invalid(format!("{} is not a record type", quote_text(&type_word))),
            ));
        };
        let mut fields = Fields {
            tokens: tokens.collect::<Vec<_>>().into_iter(),
            last: (type_token.line, type_token.column),
        };
        let data = self.rdata(record_type, &mut fields)?;
        if let Some(extra) = fields.tokens.next() {
            return Err(token_error(&extra, ZoneErrorKind::TrailingField));
        }
        self.zone.records.push(Record {
            name: owner,
            ttl,
            data,
        });
        Ok(())
    }

    /// The RDATA presentation formats of RFC 1035 §3.3/§3.4, RFC 3596 §2.4 and RFC 6698 §2.2.
    fn rdata(&self, record_type: RecordType, fields: &mut Fields) -> Result<RecordData, ZoneError> {
        Ok(match record_type {
            RecordType::A => RecordData::A {
                address: fields.parsed::<Ipv4Addr>("an IPv4 address")?,
            },
            RecordType::Aaaa => RecordData::Aaaa {
                address: fields.parsed::<Ipv6Addr>("an IPv6 address")?,
            },
            RecordType::Cname => RecordData::Cname {
                target: self.name(&fields.next("the target name")?)?,
            },
            RecordType::Ns => RecordData::Ns {
                host: self.name(&fields.next("the name server")?)?,
            },
            RecordType::Ptr => RecordData::Ptr {
                target: self.name(&fields.next("the target name")?)?,
            },
            RecordType::Mx => RecordData::Mx {
                preference: fields.parsed::<u16>("the preference (0-65535)")?,
                exchange: self.name(&fields.next("the exchange")?)?,
            },
            RecordType::Soa => {
                let mname = self.name(&fields.next("the primary server name")?)?;
                let rname = self.name(&fields.next("the mailbox name")?)?;
                let serial = fields.parsed::<u32>("the serial")?;
                for what in ["the refresh time", "the retry time", "the expire time"] {
                    ttl(&fields.next(what)?)?;
                }
                let minimum = ttl(&fields.next("the minimum TTL")?)?;
                RecordData::Soa {
                    mname,
                    rname,
                    serial,
                    minimum,
                }
            }
            RecordType::Txt | RecordType::Spf => {
                let mut strings = Vec::new();
                for token in fields.tokens.by_ref() {
                    strings.push(character_string(&token)?);
                }
                if strings.is_empty() {
                    let (line, column) = fields.last;
                    return Err(error(ZoneErrorKind::MissingField("the text"), line, column));
                }
                RecordData::Txt { strings }
            }
            RecordType::Tlsa => {
                let usage = fields.parsed::<u8>("the certificate usage")?;
                let selector = fields.parsed::<u8>("the selector")?;
                let matching_type = fields.parsed::<u8>("the matching type")?;
                // The association data is hex and may be split by blanks (RFC 6698 §2.2).
                let mut data = Vec::new();
                for token in fields.tokens.by_ref() {
                    data.extend(hex(&token)?);
                }
                if data.is_empty() {
                    let (line, column) = fields.last;
                    return Err(error(
                        ZoneErrorKind::MissingField("the certificate association data"),
                        line,
                        column,
                    ));
                }
                RecordData::Tlsa {
                    usage,
                    selector,
                    matching_type,
                    data,
                }
            }
        })
    }

    /// `<domain-name>`: `@` is the origin, a name ending in an unescaped `.` is absolute, any
    /// other is relative to the origin (RFC 1035 §5.1).
    fn name(&self, token: &Token) -> Result<String, ZoneError> {
        self.labels(token).map(|labels| text_from_labels(&labels))
    }

    fn labels(&self, token: &Token) -> Result<Vec<Vec<u8>>, ZoneError> {
        let name_error =
            |error: NameError| token_error(token, ZoneErrorKind::Invalid(format!("{error}")));
        if token.quoted {
            return Err(token_error(
                token,
                ZoneErrorKind::Invalid("a name cannot be a quoted string".into()),
            ));
        }
        let origin = || {
            self.origin
                .clone()
                .ok_or_else(|| token_error(token, ZoneErrorKind::NoOrigin))
        };
        if token.bytes == b"@" {
            return origin();
        }
        let mut labels = labels_from_presentation(&token.bytes).map_err(name_error)?;
        if !ends_with_unescaped_dot(&token.bytes) {
            labels.extend(origin()?);
            check_lengths(&labels).map_err(name_error)?;
        }
        Ok(labels)
    }
}

/// Whether the last character of a word is a `.` that no backslash escapes.
fn ends_with_unescaped_dot(word: &[u8]) -> bool {
    let mut index = 0;
    let mut last_was_dot = false;
    while let Some(&byte) = word.get(index) {
        last_was_dot = byte == b'.';
        index += if byte == b'\\' {
            // `\DDD` uses three more bytes, `\X` one.
            let digits = word
                .get(index + 1..index + 4)
                .is_some_and(|rest| rest.iter().all(u8::is_ascii_digit));
            if digits {
                4
            } else {
                2
            }
        } else {
            1
        };
    }
    last_was_dot
}

/// The RDATA fields left in an entry.
struct Fields {
    tokens: std::vec::IntoIter<Token>,
    /// Where the previous field was, for errors about a missing one.
    last: (usize, usize),
}

impl Fields {
    fn next(&mut self, what: &'static str) -> Result<Token, ZoneError> {
        let (line, column) = self.last;
        let token = self
            .tokens
            .next()
            .ok_or_else(|| error(ZoneErrorKind::MissingField(what), line, column))?;
        self.last = (token.line, token.column);
        Ok(token)
    }

    fn parsed<T: std::str::FromStr>(&mut self, what: &'static str) -> Result<T, ZoneError> {
        let token = self.next(what)?;
        std::str::from_utf8(&token.bytes)
            .ok()
            .filter(|_| !token.quoted)
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| {
                let text = String::from_utf8_lossy(&token.bytes);
                token_error(
                    &token,
                    ZoneErrorKind::Invalid(format!("{} is not {what}", quote_text(&text))),
                )
            })
    }
}

/// `<character-string>` (RFC 1035 §3.3, §5.1): at most 255 octets, quoted or not.
fn character_string(token: &Token) -> Result<Vec<u8>, ZoneError> {
    let bytes = if token.quoted {
        token.bytes.clone()
    } else {
        let mut bytes = Vec::with_capacity(token.bytes.len());
        let mut index = 0;
        while let Some(&byte) = token.bytes.get(index) {
            if byte == b'\\' {
                let (value, used) = unescape(token.bytes.get(index + 1..).unwrap_or_default())
                    .map_err(|error| {
                        token_error(token, ZoneErrorKind::Invalid(error.to_string()))
                    })?;
                bytes.push(value);
                index += 1 + used;
            } else {
                bytes.push(byte);
                index += 1;
            }
        }
        bytes
    };
    if bytes.len() > 255 {
        return Err(token_error(
            token,
            ZoneErrorKind::Invalid(format!(
                "a character-string holds at most 255 octets, this one {}: split it into \
                 several quoted strings",
                bytes.len()
            )),
        ));
    }
    Ok(bytes)
}

/// A TTL: decimal seconds, or BIND's units (`1h30m`, `2d`, `1w`) that zone files in the wild use.
fn ttl(token: &Token) -> Result<u32, ZoneError> {
    let invalid = || {
        let text = String::from_utf8_lossy(&token.bytes);
        token_error(
            token,
            ZoneErrorKind::Invalid(format!(
                "{} is not a TTL (seconds up to 2147483647, or units like 1h30m)",
                quote_text(&text)
            )),
        )
    };
    if token.quoted || token.bytes.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for &byte in &token.bytes {
        if byte.is_ascii_digit() {
            let value = number.unwrap_or(0) * 10 + u64::from(byte - b'0');
            if value > u64::from(MAX_TTL) {
                return Err(invalid());
            }
            number = Some(value);
        } else {
            let unit = match byte.to_ascii_lowercase() {
                b's' => 1,
                b'm' => 60,
                b'h' => 3_600,
                b'd' => 86_400,
                b'w' => 604_800,
                _ => return Err(invalid()),
            };
            total += number.take().ok_or_else(invalid)? * unit;
        }
        if total > u64::from(MAX_TTL) {
            return Err(invalid());
        }
    }
    total += number.unwrap_or(0);
    u32::try_from(total)
        .ok()
        .filter(|&ttl| ttl <= MAX_TTL)
        .ok_or_else(invalid)
}

/// Hex digits in pairs.
fn hex(token: &Token) -> Result<Vec<u8>, ZoneError> {
    let invalid = || {
        token_error(
            token,
            ZoneErrorKind::Invalid("the certificate association data is not hex".into()),
        )
    };
    if token.quoted || !token.bytes.len().is_multiple_of(2) {
        return Err(invalid());
    }
    token
        .bytes
        .chunks(2)
        .map(|pair| {
            // from_str_radix alone would take a sign ("+f").
            std::str::from_utf8(pair)
                .ok()
                .filter(|pair| pair.bytes().all(|digit| digit.is_ascii_hexdigit()))
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(invalid)
        })
        .collect()
}
