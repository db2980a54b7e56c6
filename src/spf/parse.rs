//! The SPF record grammar (RFC 7208 §12), one function per ABNF rule.
//!
//! The whole record is parsed before any term is evaluated, so that a syntax error anywhere
//! gives `permerror` (RFC 7208 §4.6: "MUST be detected"). Positions are byte offsets in the
//! record text, carried into every term and macro so that the page can underline them.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::{
    Directive, DualCidr, MacroPart, MacroString, Mechanism, Modifier, ParseError, ParseErrorKind,
    Qualifier, Record, Term, TermKind,
};
use crate::report::Span;

mod network;
mod strings;

use network::{dual_cidr_length, ip4_network_and_prefix, ip6_network_and_prefix};
#[cfg(test)]
pub(super) use strings::macro_string;
use strings::macro_string_parts;
pub(super) use strings::{explain_string, MacroScope};

/// What a domain's TXT records hold, SPF-wise (RFC 7208 §4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordSelection<T = Vec<u8>> {
    /// No record starts with `v=spf1`.
    None,
    /// Exactly one: the bytes of its strings joined (RFC 7208 §3.3), or where it is.
    One(T),
    /// More than one: `permerror` (RFC 7208 §4.5). The count is for the report.
    Multiple(usize),
}

/// Picks the SPF record out of a domain's TXT records (each given with its strings joined):
/// those that begin with `version = "v=spf1"` followed by a space or the end (RFC 7208 §4.5).
/// The comparison ignores case, as ABNF strings do (RFC 5234 §2.3). Other records, whatever
/// bytes they hold, are none of SPF's business.
pub fn select_record(records: &[Vec<u8>]) -> RecordSelection {
    match select_one(records.iter(), |record| &record[..]) {
        RecordSelection::One((_, record)) => RecordSelection::One(record.to_vec()),
        RecordSelection::None => RecordSelection::None,
        RecordSelection::Multiple(count) => RecordSelection::Multiple(count),
    }
}

/// [`select_record`] over records given one by one, each joined by `join` (a TXT record's
/// strings, borrowed when there is one): the chosen record and its joined bytes, without
/// gathering the records first.
pub(super) fn select_one<T: Copy, J: AsRef<[u8]>>(
    records: impl Iterator<Item = T>,
    join: impl Fn(T) -> J,
) -> RecordSelection<(T, J)> {
    let mut spf = records
        .map(|record| (record, join(record)))
        .filter(|(_, joined)| is_spf_version(joined.as_ref()));
    match (spf.next(), spf.next()) {
        (None, _) => RecordSelection::None,
        (Some(one), None) => RecordSelection::One(one),
        (Some(_), Some(_)) => RecordSelection::Multiple(2 + spf.count()),
    }
}

/// `version = "v=spf1"`, then a space or the end of the record (RFC 7208 §4.5).
fn is_spf_version(record: &[u8]) -> bool {
    // In any case: the letters' case bit set, so that `V=SPF1` reads as `v=spf1`, rather than
    // lowering both sides byte by byte (twice per record fetched). Only the letters': set on
    // `=` or `1`, it would take a control character for them.
    const LETTERS: [u8; 6] = [0x20, 0, 0x20, 0x20, 0x20, 0];
    let Some(prefix) = record.first_chunk::<6>() else {
        return false;
    };
    let mut lowered = *prefix;
    for (byte, bit) in lowered.iter_mut().zip(LETTERS) {
        *byte |= bit;
    }
    &lowered == b"v=spf1" && matches!(record.get(6), None | Some(b' '))
}

/// `record = version terms *SP` and `terms = *( 1*SP ( directive / modifier ) )`
/// (RFC 7208 §4.5, §4.6.1).
///
/// Only a space separates terms: a tab, CR or LF is a syntax error (RFC 7208 §4.6.1), as is any
/// byte outside printable US-ASCII (RFC 7208 §3.1 asks for 7-bit records; non-ASCII bytes in
/// the wild are usually a byte-order mark or smart quotes pasted from a document).
pub fn parse_record(bytes: &[u8]) -> Result<Record, ParseError> {
    let outline = outline(bytes)?;
    let terms = outline
        .terms
        .iter()
        .map(|term| full_term(&outline.text, term))
        .collect::<Result<_, _>>()?;
    Ok(Record {
        text: outline.text,
        terms,
    })
}

/// A record checked against the whole grammar, in the light form evaluation reads: each term's
/// place and what evaluating it takes, its domain-specs left as spans of the text. Evaluation
/// parses every record it fetches and reports none of them, and building each domain-spec's
/// [`MacroString`] (a list of parts, the shared text counted twice) and moving terms twice
/// the size cost a third of an evaluation; a domain-spec with macros is built when it is
/// expanded, by [`spec_at`].
#[derive(Debug, Clone)]
pub(super) struct Outline {
    pub text: Arc<str>,
    pub terms: Vec<OutlineTerm>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct OutlineTerm {
    pub span: Span,
    pub kind: OutlineKind,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum OutlineKind {
    /// `[ qualifier ] mechanism`, and whether the qualifier was written.
    Directive(Qualifier, bool, OutlineMechanism),
    /// `redirect=`, with its domain-spec.
    Redirect(Span),
    /// `exp=`, with its domain-spec.
    Explanation(Span),
    /// Any other modifier, with its macro-string; its name runs from the start of the term to
    /// the `=` before it.
    Unknown(Span),
}

/// [`Mechanism`], with domain-specs as spans.
#[derive(Debug, Clone, Copy)]
pub(super) enum OutlineMechanism {
    All,
    Include(Span),
    A(Option<Span>, DualCidr),
    Mx(Option<Span>, DualCidr),
    Ptr(Option<Span>),
    Ip4(Ipv4Addr, u8),
    Ip6(Ipv6Addr, u8),
    Exists(Span),
}

impl OutlineMechanism {
    pub fn name(&self) -> &'static str {
        match self {
            OutlineMechanism::All => "all",
            OutlineMechanism::Include(_) => "include",
            OutlineMechanism::A(..) => "a",
            OutlineMechanism::Mx(..) => "mx",
            OutlineMechanism::Ptr(_) => "ptr",
            OutlineMechanism::Ip4(..) => "ip4",
            OutlineMechanism::Ip6(..) => "ip6",
            OutlineMechanism::Exists(_) => "exists",
        }
    }

    /// Whether the term counts against the 10-lookup limit (RFC 7208 §4.6.4).
    pub fn queries_dns(&self) -> bool {
        !matches!(
            self,
            OutlineMechanism::All | OutlineMechanism::Ip4(..) | OutlineMechanism::Ip6(..)
        )
    }
}

impl Outline {
    /// The text of `span`; empty outside the record (the parser gives no such span).
    pub fn text_at(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The directives, in order, with their qualifiers.
    pub fn directives(&self) -> impl Iterator<Item = (&OutlineTerm, Qualifier, OutlineMechanism)> {
        self.terms.iter().filter_map(|term| match term.kind {
            OutlineKind::Directive(qualifier, _, mechanism) => Some((term, qualifier, mechanism)),
            _ => None,
        })
    }

    /// The `redirect=` modifier's term and domain-spec, if any (there is one at most).
    pub fn redirect(&self) -> Option<(&OutlineTerm, Span)> {
        self.terms.iter().find_map(|term| match term.kind {
            OutlineKind::Redirect(target) => Some((term, target)),
            _ => None,
        })
    }

    /// The `exp=` modifier's domain-spec, if any (there is one at most).
    pub fn explanation(&self) -> Option<Span> {
        self.terms.iter().find_map(|term| match term.kind {
            OutlineKind::Explanation(target) => Some(target),
            _ => None,
        })
    }

    /// The name of an unknown modifier whose value is at `value`.
    pub fn modifier_name(&self, term: &OutlineTerm, value: Span) -> &str {
        self.text_at(Span::new(term.span.start, value.start.saturating_sub(1)))
    }
}

/// The domain-spec at `span` of a record the outline was made of, built whole: for the
/// evaluation of one with macros, and for [`parse_record`].
pub(super) fn spec_at(record: &Arc<str>, span: Span) -> Result<MacroString, ParseError> {
    domain_spec(
        record,
        record.get(span.start..span.end).unwrap_or(""),
        span.start,
    )
}

/// The record's outline: [`parse_record`]'s grammar and errors, without building its terms.
pub(super) fn outline(bytes: &[u8]) -> Result<Outline, ParseError> {
    if let Some(position) = first_unprintable(bytes) {
        // The whole character when the bytes there are UTF-8 (a pasted smart quote is
        // three), so that the span can be shown and sliced; else the one byte.
        let rest = &bytes[position..bytes.len().min(position + 4)];
        let width = match std::str::from_utf8(rest) {
            Ok(text) => text.chars().next().map_or(1, char::len_utf8),
            Err(error) if error.valid_up_to() > 0 => {
                std::str::from_utf8(&rest[..error.valid_up_to()])
                    .ok()
                    .and_then(|text| text.chars().next())
                    .map_or(1, char::len_utf8)
            }
            Err(_) => 1,
        };
        let span = Span::new(position, position + width);
        return Err(error(ParseErrorKind::NonAscii, span));
    }
    if !is_spf_version(bytes) {
        return Err(error(
            ParseErrorKind::NotSpf,
            Span::new(0, bytes.len().min(6)),
        ));
    }
    // Checked above: every byte is printable ASCII, hence valid UTF-8; the error arm is
    // unreachable but answers as the non-ASCII check would.
    let text: Arc<str> = std::str::from_utf8(bytes)
        .map_err(|_| error(ParseErrorKind::NonAscii, Span::new(0, bytes.len())))?
        .into();
    // The spaces, found with memchr's vector search: there is one term per space at most, so
    // the terms are sized once (records are long), and each token is taken from the text
    // between two spaces (ASCII, so every position is a character boundary).
    let mut terms = Vec::with_capacity(memchr::memchr_iter(b' ', bytes).count());
    let mut start = 6;
    // RFC 7208 §6: `redirect=` and `exp=` MUST NOT appear more than once each. The second of
    // each is noted on the way and reported once every term is known to be well-formed,
    // `redirect=`'s first.
    let (mut redirects, mut explanations) = (Seen::None, Seen::None);
    for end in memchr::memchr_iter(b' ', bytes).chain([bytes.len()]) {
        // The version ends at 6, where the first space is when there is one.
        if end > start {
            let token = text.get(start..end).unwrap_or_default();
            let term = term(&text, token, start)?;
            match term.kind {
                OutlineKind::Redirect(_) => redirects.see(term.span),
                OutlineKind::Explanation(_) => explanations.see(term.span),
                _ => {}
            }
            terms.push(term);
        }
        start = start.max(end + 1);
    }
    for seen in [redirects, explanations] {
        if let Seen::Twice(second) = seen {
            return Err(error(ParseErrorKind::DuplicateModifier, second));
        }
    }
    Ok(Outline { text, terms })
}

/// The position of the first byte that is neither a space nor visible ASCII (`%x20-7E`).
///
/// Eight bytes at a time (SWAR, no `unsafe`): records run to hundreds of bytes, and a
/// byte-by-byte loop with an early exit was a fifth of parsing them. A word has such a byte
/// when one of its bytes is below 0x20, or above 0x7E (0x7F and bytes with the high bit set);
/// that word is then searched byte by byte.
fn first_unprintable(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let unprintable = |byte: &u8| !matches!(byte, b' '..=b'~');
    let mut words = bytes.chunks_exact(8);
    let mut checked = 0;
    for word in words.by_ref() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_ne_bytes(eight);
        // High bit of a byte set: the byte is >= 0x80, or < 0x20 (borrow below 0x20), or
        // 0x7F (carry into the high bit); the standard "has less / has more" tests.
        let below = x.wrapping_sub(0x20 * ONES) & !x;
        let above = x.wrapping_add(ONES) | x;
        if (below | above) & HIGH != 0 {
            if let Some(at) = word.iter().position(unprintable) {
                return Some(checked + at);
            }
        }
        checked += 8;
    }
    words
        .remainder()
        .iter()
        .position(unprintable)
        .map(|at| checked + at)
}

/// How often a modifier that may appear once has been seen, and where the second one is.
#[derive(Clone, Copy)]
enum Seen {
    None,
    Once,
    Twice(Span),
}

impl Seen {
    fn see(&mut self, span: Span) {
        *self = match *self {
            Seen::None => Seen::Once,
            Seen::Once => Seen::Twice(span),
            twice => twice,
        };
    }
}

fn error(kind: ParseErrorKind, span: Span) -> ParseError {
    ParseError { kind, span }
}

/// `directive / modifier`. A term is a modifier when it starts with `name "="`; `name` cannot
/// hold `:` or `/`, so `a:x=y` stays a mechanism (RFC 7208 §4.6.1).
fn term(record: &Arc<str>, token: &str, offset: usize) -> Result<OutlineTerm, ParseError> {
    let span = Span::new(offset, offset + token.len());
    // A directive's qualifier, if any (a modifier starts with a letter).
    let qualifier = qualifier(token.as_bytes().first());
    let skip = usize::from(qualifier.is_some());
    // After the ASCII qualifier, so on a character boundary.
    let text = token.get(skip..).unwrap_or_default();
    let mechanism_span = Span::new(offset + skip, span.end);
    if let Some(mechanism) = common_mechanism(record, text, offset + skip, mechanism_span)? {
        let written = qualifier.is_some();
        let kind = OutlineKind::Directive(qualifier.unwrap_or(Qualifier::Pass), written, mechanism);
        return Ok(OutlineTerm { span, kind });
    }
    // The letters and digits at the start, read once: a mechanism's name when no qualifier
    // comes first, and the start of a modifier's name.
    let alphanumeric = alphanumeric_length(token.as_bytes());
    let name_length = name(token, alphanumeric);
    let kind = if name_length > 0 && token.as_bytes().get(name_length) == Some(&b'=') {
        modifier(record, token, name_length, offset)?
    } else {
        directive(record, token, offset, alphanumeric)?
    };
    Ok(OutlineTerm { span, kind })
}

/// The mechanisms most of a provider's record is made of, `ip4:`, `ip6:` and `include:`, read
/// by their first bytes after the qualifier, before the scans of the term's name that tell a
/// modifier from a directive and lead to [`mechanism`]. The general path's scans, lowering
/// and comparisons with each mechanism's name cost as much as reading the network. `None`
/// for the other mechanisms. `token` is the mechanism's text, at `offset` in the record, and
/// `span` its span, where errors point.
fn common_mechanism(
    record: &Arc<str>,
    token: &str,
    offset: usize,
    span: Span,
) -> Result<Option<OutlineMechanism>, ParseError> {
    // In any case: the letters' case bit set, as `packed` does (a printable byte that reads
    // as `:` or a digit with it set is one already).
    const LOWER: u64 = u64::from_le_bytes([0x20; 8]);
    let bytes = token.as_bytes();
    let head = |length: usize| {
        let mut word = [0x20u8; 8];
        word.get_mut(..length)?
            .copy_from_slice(bytes.get(..length)?);
        Some(u64::from_le_bytes(word) | LOWER)
    };
    let name = |name: &[u8; 8]| u64::from_le_bytes(*name);
    // After the ASCII bytes just compared, so on a character boundary.
    let argument = |at: usize| token.get(at..).unwrap_or_default();
    let four = head(4);
    let mechanism = if four == Some(name(b"ip4:    ")) {
        let (network, prefix) = ip4_network_and_prefix(argument(4), span)?;
        OutlineMechanism::Ip4(network, prefix)
    } else if four == Some(name(b"ip6:    ")) {
        let (network, prefix) = ip6_network_and_prefix(argument(4), span)?;
        OutlineMechanism::Ip6(network, prefix)
    } else if head(8) == Some(name(b"include:")) {
        OutlineMechanism::Include(checked_domain_spec(record, argument(8), offset + 8)?)
    } else {
        return Ok(None);
    };
    Ok(Some(mechanism))
}

/// The whole [`Term`] of an outlined one, whose grammar has been checked: its domain-specs
/// and macro-strings built.
fn full_term(record: &Arc<str>, term: &OutlineTerm) -> Result<Term, ParseError> {
    let spec = |span| spec_at(record, span);
    let optional = |span: Option<Span>| span.map(spec).transpose();
    let kind = match term.kind {
        OutlineKind::Directive(qualifier, qualifier_written, mechanism) => {
            TermKind::Directive(Directive {
                qualifier,
                qualifier_written,
                mechanism: match mechanism {
                    OutlineMechanism::All => Mechanism::All,
                    OutlineMechanism::Include(span) => Mechanism::Include {
                        domain: spec(span)?,
                    },
                    OutlineMechanism::A(domain, cidr) => Mechanism::A {
                        domain: optional(domain)?,
                        cidr,
                    },
                    OutlineMechanism::Mx(domain, cidr) => Mechanism::Mx {
                        domain: optional(domain)?,
                        cidr,
                    },
                    OutlineMechanism::Ptr(domain) => Mechanism::Ptr {
                        domain: optional(domain)?,
                    },
                    OutlineMechanism::Ip4(network, prefix) => Mechanism::Ip4 { network, prefix },
                    OutlineMechanism::Ip6(network, prefix) => Mechanism::Ip6 { network, prefix },
                    OutlineMechanism::Exists(span) => Mechanism::Exists {
                        domain: spec(span)?,
                    },
                },
            })
        }
        OutlineKind::Redirect(span) => TermKind::Modifier(Modifier::Redirect(spec(span)?)),
        OutlineKind::Explanation(span) => TermKind::Modifier(Modifier::Explanation(spec(span)?)),
        OutlineKind::Unknown(value) => {
            let text = |span: Span| record.get(span.start..span.end).unwrap_or("");
            let name = text(Span::new(term.span.start, value.start.saturating_sub(1)));
            TermKind::Modifier(Modifier::Unknown {
                name: name.to_string(),
                value: macro_string_parts(
                    record,
                    text(value),
                    value.start,
                    value.start,
                    MacroScope::Domain,
                )?
                .0,
            })
        }
    };
    Ok(Term {
        span: term.span,
        kind,
    })
}

/// `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`: the length of the name at the start of
/// `token`, 0 if none.
/// `token`'s first `alphanumeric` bytes are its letters and digits at the start.
fn name(token: &str, alphanumeric: usize) -> usize {
    let bytes = token.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_alphabetic() => {
            let rest = bytes.get(alphanumeric..).unwrap_or_default();
            alphanumeric
                + rest
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
                    .unwrap_or(rest.len())
        }
        _ => 0,
    }
}

/// How many letters and digits `bytes` starts with.
fn alphanumeric_length(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(bytes.len())
}

/// `modifier = redirect / explanation / unknown-modifier` (RFC 7208 §6, §12):
/// `redirect = "redirect" "=" domain-spec`, `explanation = "exp" "=" domain-spec`,
/// `unknown-modifier = name "=" macro-string`.
///
/// A known modifier name never falls back to `unknown-modifier` when its value is malformed:
/// `redirect=-all` is an error, not an unknown modifier (the RFC 7208 suite's
/// `redirect-syntax-error`, and the erratum it mentions).
fn modifier(
    record: &Arc<str>,
    token: &str,
    name_length: usize,
    offset: usize,
) -> Result<OutlineKind, ParseError> {
    let (name, value) = (&token[..name_length], &token[name_length + 1..]);
    let value_offset = offset + name_length + 1;
    if name.eq_ignore_ascii_case("redirect") {
        Ok(OutlineKind::Redirect(checked_domain_spec(
            record,
            value,
            value_offset,
        )?))
    } else if name.eq_ignore_ascii_case("exp") {
        Ok(OutlineKind::Explanation(checked_domain_spec(
            record,
            value,
            value_offset,
        )?))
    } else {
        if value.contains('%') {
            macro_string_parts(
                record,
                value,
                value_offset,
                value_offset,
                MacroScope::Domain,
            )?;
        }
        // Without a `%` a macro-string is all literal, and the term's bytes are all visible
        // (checked with the record's): there is nothing to check.
        Ok(OutlineKind::Unknown(Span::new(
            value_offset,
            value_offset + value.len(),
        )))
    }
}

/// `qualifier = "+" / "-" / "?" / "~"`, from the first byte of a term.
fn qualifier(first: Option<&u8>) -> Option<Qualifier> {
    match first {
        Some(b'+') => Some(Qualifier::Pass),
        Some(b'-') => Some(Qualifier::Fail),
        Some(b'~') => Some(Qualifier::Softfail),
        Some(b'?') => Some(Qualifier::Neutral),
        _ => None,
    }
}

/// `directive = [ qualifier ] mechanism` with `qualifier = "+" / "-" / "?" / "~"`.
///
/// `alphanumeric`: how many letters and digits the token starts with.
fn directive(
    record: &Arc<str>,
    token: &str,
    offset: usize,
    alphanumeric: usize,
) -> Result<OutlineKind, ParseError> {
    let qualifier = qualifier(token.as_bytes().first());
    let skip = usize::from(qualifier.is_some());
    let text = &token[skip..];
    // After a qualifier (never a letter or digit) the name starts one byte on.
    let name_end = match qualifier {
        None => alphanumeric,
        Some(_) => alphanumeric_length(text.as_bytes()),
    };
    Ok(OutlineKind::Directive(
        qualifier.unwrap_or(Qualifier::Pass),
        qualifier.is_some(),
        mechanism(record, text, offset + skip, name_end)?,
    ))
}

/// `mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )` (RFC 7208 §5), names in
/// any case.
///
/// The name is the letters and digits `text` starts with, the first `name_end` bytes.
fn mechanism(
    record: &Arc<str>,
    text: &str,
    offset: usize,
    name_end: usize,
) -> Result<OutlineMechanism, ParseError> {
    let span = Span::new(offset, offset + text.len());
    let (name, rest) = text.split_at(name_end.min(text.len()));
    let rest_offset = offset + name_end;
    // `":" argument`: the text after the colon and its offset.
    let argument = rest.strip_prefix(':').map(|value| (rest_offset + 1, value));
    let bad = |kind| error(kind, span);
    // The name in lower case as one number, compared with each mechanism's: a name is letters
    // and digits, which setting the case bit (0x20) lowers or leaves as they are, and has at
    // most 7 of them. Comparing in any case byte by byte, or lowering into a buffer first,
    // cost a loop per name tried.
    let word = if name.len() <= 7 {
        packed(name.as_bytes())
    } else {
        0
    };
    if word == packed(b"ip4") || word == packed(b"ip6") || word == packed(b"include") {
        // ip4 = "ip4" ":" ip4-network [ ip4-cidr-length ]
        // ip6 = "ip6" ":" ip6-network [ ip6-cidr-length ]
        // include = "include" ":" domain-spec
        // Read by `common_mechanism` before the term came here, unless the colon is missing.
        Err(bad(ParseErrorKind::BadMechanism))
    } else if word == packed(b"exists") {
        // exists = "exists" ":" domain-spec
        let (at, value) = argument.ok_or_else(|| bad(ParseErrorKind::BadMechanism))?;
        Ok(OutlineMechanism::Exists(checked_domain_spec(
            record, value, at,
        )?))
    } else if word == packed(b"all") {
        // all = "all"
        if rest.is_empty() {
            Ok(OutlineMechanism::All)
        } else {
            Err(bad(ParseErrorKind::BadMechanism))
        }
    } else if word == packed(b"a") || word == packed(b"mx") {
        // a = "a" [ ":" domain-spec ] [ dual-cidr-length ] ; mx likewise
        let (head, cidr) = dual_cidr_length(rest, span)?;
        let domain = optional_domain_spec(record, head, rest_offset, span)?;
        Ok(if word == packed(b"a") {
            OutlineMechanism::A(domain, cidr)
        } else {
            OutlineMechanism::Mx(domain, cidr)
        })
    } else if word == packed(b"ptr") {
        // ptr = "ptr" [ ":" domain-spec ]
        let domain = optional_domain_spec(record, rest, rest_offset, span)?;
        Ok(OutlineMechanism::Ptr(domain))
    } else {
        Err(bad(ParseErrorKind::UnknownMechanism))
    }
}

/// Up to 8 bytes as one number, each with its case bit set: for letters and digits, the bytes
/// in lower case. Names of different lengths differ, as no byte becomes 0.
const fn packed(bytes: &[u8]) -> u64 {
    let mut word = 0;
    let mut index = 0;
    while index < bytes.len() {
        // `index` is below the length (the loop's condition); a const fn cannot use iterators.
        word = word << 8 | (bytes[index] | 0x20) as u64;
        index += 1;
    }
    word
}

/// `[ ":" domain-spec ]` after a mechanism name.
fn optional_domain_spec(
    record: &Arc<str>,
    rest: &str,
    rest_offset: usize,
    span: Span,
) -> Result<Option<Span>, ParseError> {
    if rest.is_empty() {
        return Ok(None);
    }
    let value = rest
        .strip_prefix(':')
        .ok_or_else(|| error(ParseErrorKind::BadMechanism, span))?;
    checked_domain_spec(record, value, rest_offset + 1).map(Some)
}

/// `domain-spec = macro-string domain-end` and
/// `domain-end = ( "." toplabel [ "." ] ) / macro-expand` (RFC 7208 §7.1). `text` is the part
/// of `record` at `offset`.
fn domain_spec(record: &Arc<str>, text: &str, offset: usize) -> Result<MacroString, ParseError> {
    let span = Span::new(offset, offset + text.len());
    let bad = error(ParseErrorKind::BadDomainSpec, span);
    let (string, ends_in_macro) =
        macro_string_parts(record, text, offset, offset, MacroScope::Domain)?;
    if ends_in_macro {
        return Ok(string);
    }
    match string.parts.last() {
        Some(MacroPart::Literal { text: tail }) if literal_domain_end(tail) => Ok(string),
        _ => Err(bad),
    }
}

/// [`domain_spec`]'s checks, giving only where the domain-spec is. Most have no `%`: they are
/// one literal, whose bytes (visible ASCII, as the record's were checked to be) need only the
/// test of their end.
fn checked_domain_spec(record: &Arc<str>, text: &str, offset: usize) -> Result<Span, ParseError> {
    let span = Span::new(offset, offset + text.len());
    if text.contains('%') {
        domain_spec(record, text, offset).map(|_| span)
    } else if literal_domain_end(text) {
        Ok(span)
    } else {
        Err(error(ParseErrorKind::BadDomainSpec, span))
    }
}

/// `"." toplabel [ "." ]` at the end of the literal text that ends a domain-spec.
fn literal_domain_end(tail: &str) -> bool {
    let tail = tail.as_bytes();
    let tail = tail.strip_suffix(b".").unwrap_or(tail);
    match tail.iter().rposition(|&byte| byte == b'.') {
        Some(dot) => toplabel(tail.get(dot + 1..).unwrap_or_default()),
        None => false,
    }
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`:
/// not all digits, and dashes only inside. One pass over the label (every include's name ends
/// in one), rather than one for each condition.
fn toplabel(label: &[u8]) -> bool {
    let (mut letter, mut dash) = (false, false);
    for &byte in label {
        match byte {
            b'-' => dash = true,
            b'a'..=b'z' | b'A'..=b'Z' => letter = true,
            b'0'..=b'9' => {}
            _ => return false,
        }
    }
    match (label.first(), label.last()) {
        (Some(first), Some(last)) if dash => *first != b'-' && *last != b'-',
        (Some(_), Some(_)) => letter,
        _ => false,
    }
}
