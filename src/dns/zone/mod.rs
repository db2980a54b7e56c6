//! Zone files (RFC 1035 §5 master files): the CLI's offline mode (`--dns zone:PATH`), the data
//! `serve-dns` answers from, and the fixture of every test that needs DNS.
//!
//! The parser turns text into [`Record`]s; [`MemoryResolver::insert_zone`] answers from them. It
//! understands `$ORIGIN`, `$TTL` (RFC 2308 §4), relative names, `@`, a blank owner (the previous
//! one), parentheses, comments, quoted strings, multi-string TXT and `\DDD` escapes.
//!
//! One directive is mailspect's own: `$SIGNED <name>` says that answers for `<name>` and every
//! name below it carry the AD flag, as a validating resolver's would for a DNSSEC-signed zone
//! (RFC 4035 §3.2.3). A zone file holds no signatures mailspect could check (RRSIG and DNSKEY
//! records are skipped), so this is how a fixture says "this part of the tree is signed"; the
//! domain audit's DNSSEC and DANE checks read it. Records of
//! types mailspect never asks for (CAA, SRV, DS, …) are listed in [`Zone::skipped`] rather than
//! dropped in silence.
//!
//! Written here rather than taken from a crate: the zone parsers of the DNS crates come with
//! their whole record model (hickory-proto's codec alone adds ~294 KB to a wasm build, see
//! `wire`), and this one produces mailspect's own `Record`s directly.

mod parse;

use std::fmt;

use super::{MemoryResolver, Record};

pub use parse::parse_zone;

/// What a zone file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    pub records: Vec<Record>,
    /// Records of types mailspect does not use, with their line.
    pub skipped: Vec<SkippedRecord>,
    /// The names given to `$SIGNED`, canonical: answers at and below them are authenticated.
    pub signed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    pub line: usize,
    pub name: String,
    /// The type mnemonic as written, e.g. `CAA` or `TYPE65534`.
    pub record_type: String,
}

/// Why a zone file cannot be read, and where: line and column count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    pub kind: ZoneErrorKind,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZoneErrorKind {
    /// A `"` without its closing partner on the same line.
    UnterminatedString,
    /// A `)` without `(`, or a `(` still open at the end of the file.
    UnbalancedParentheses,
    /// A line that starts with blank space before any owner name was given.
    NoPreviousOwner,
    /// A relative name with no `$ORIGIN` to complete it.
    NoOrigin,
    /// No TTL on the record, no `$TTL` and no earlier TTL to reuse.
    NoTtl,
    /// A record with no type, or a line that ends too early.
    MissingField(&'static str),
    /// A field that is not what its place requires; the text says what was expected.
    Invalid(String),
    /// A class other than IN.
    UnsupportedClass(String),
    /// A `$` directive other than `$ORIGIN`, `$TTL` and `$SIGNED`.
    UnsupportedDirective(String),
    /// More fields than the record type takes.
    TrailingField,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: ", self.line, self.column)?;
        match &self.kind {
            ZoneErrorKind::UnterminatedString => f.write_str("a quoted string is not closed"),
            ZoneErrorKind::UnbalancedParentheses => f.write_str("parentheses do not balance"),
            ZoneErrorKind::NoPreviousOwner => {
                f.write_str("the line starts with a blank but no owner name came before it")
            }
            ZoneErrorKind::NoOrigin => {
                f.write_str("a relative name needs $ORIGIN (or end the name with a dot)")
            }
            ZoneErrorKind::NoTtl => {
                f.write_str("the record has no TTL: give one or put $TTL before it")
            }
            ZoneErrorKind::MissingField(what) => write!(f, "{what} is missing"),
            ZoneErrorKind::Invalid(why) => f.write_str(why),
            ZoneErrorKind::UnsupportedClass(class) => {
                write!(f, "class {class} is not supported, only IN")
            }
            ZoneErrorKind::UnsupportedDirective(directive) => write!(
                f,
                "{directive} is not supported (give each file with its own --dns zone:)"
            ),
            ZoneErrorKind::TrailingField => {
                f.write_str("the record has more fields than its type takes")
            }
        }
    }
}

impl std::error::Error for ZoneError {}

impl MemoryResolver {
    /// Adds every record of a zone. Several zones may be added to one resolver; their records
    /// accumulate (the CLI's repeated `--dns zone:`).
    pub fn insert_zone(&mut self, zone: &Zone) {
        for record in &zone.records {
            self.insert(&record.name, record.ttl, record.data.clone());
        }
        for name in &zone.signed {
            self.insert_signed(name);
        }
    }
}

#[cfg(test)]
mod tests;
