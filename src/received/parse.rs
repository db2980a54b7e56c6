//! The Received grammar: RFC 5321 §4.4 `Stamp`, read tolerantly.
//!
//! Real stamps bend the grammar everywhere: Exim and qmail put the HELO name in a comment,
//! Exchange writes a three-word protocol (`with Microsoft SMTP Server`), Mimecast repeats `with`,
//! qmail writes stamps that are nothing but a comment. So the value is lexed into words and
//! comments, and the clause keywords split the words; whatever fits no clause is kept in
//! [`Received::unread`] so that the report can say what was not understood.

use std::net::{IpAddr, Ipv6Addr};

use super::{FromClause, Received, MAX_RECEIVED_BYTES};
use crate::lexer::{lex, Token};
use crate::report::{quoted, Problem};

/// The clause keywords of `Stamp` and `Opt-info` (RFC 5321 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    From,
    By,
    Via,
    With,
    Id,
    For,
}

impl Keyword {
    fn name(self) -> &'static str {
        match self {
            Keyword::From => "from",
            Keyword::By => "by",
            Keyword::Via => "via",
            Keyword::With => "with",
            Keyword::Id => "id",
            Keyword::For => "for",
        }
    }
}

fn keyword(word: &str) -> Option<Keyword> {
    Some(match word.to_ascii_lowercase().as_str() {
        "from" => Keyword::From,
        "by" => Keyword::By,
        "via" => Keyword::Via,
        "with" => Keyword::With,
        "id" => Keyword::Id,
        "for" => Keyword::For,
        _ => return None,
    })
}

/// One clause: its keyword, the words after it, and the comments among them.
#[derive(Debug, Default)]
struct Clause {
    words: Vec<String>,
    comments: Vec<String>,
}

/// Reads one Received field value (unfolded).
///
/// `Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time` (RFC 5321 §4.4), and the
/// looser `received = "Received:" *received-token ";" date-time CRLF` of RFC 5322 §3.6.7, which
/// is what the stamp is split on: the date-time follows the last `;` outside a comment.
pub fn parse_received(value: &str) -> Received {
    let mut received = Received::default();
    let value = match value.char_indices().nth(MAX_RECEIVED_BYTES) {
        Some((cut, _)) => {
            received.problems.push(Problem::new(
                "received.too-long",
                format!(
                    "everything after the first {MAX_RECEIVED_BYTES} characters (the field is {} \
                     bytes long)",
                    value.len()
                ),
            ));
            // `cut` comes from `char_indices`, so it is a character boundary inside `value`.
            &value[..cut]
        }
        None => value,
    };
    let lexed = lex(value, &[';']);
    if let Some(open) = lexed.unclosed {
        received.problems.push(Problem::new(
            "received.unclosed",
            format!("a {open} that is never closed"),
        ));
    }
    let tokens = lexed.tokens;
    let date_split = tokens
        .iter()
        .rposition(|token| *token == Token::Special(';'));
    let (stamp, date) = match date_split {
        Some(split) => tokens.split_at(split),
        // SendGrid's filter writes `… with SMTP id X 2024-01-13 17:43:32.5 +0000 UTC m=+1.2`,
        // with no `;`: an ISO 8601 date word starts the date-time.
        None => match tokens.iter().position(is_iso_date) {
            Some(start) => {
                received.problems.push(Problem::new(
                    "received.no-semicolon",
                    "no \";\" before the date",
                ));
                let (stamp, date) = tokens.split_at(start);
                received.date = date_time(date);
                (stamp, &[][..])
            }
            None => (&tokens[..], &[][..]),
        },
    };
    if date_split.is_some() {
        received.date = date_time(date.get(1..).unwrap_or_default());
    }

    let mut clauses: Vec<(Keyword, Clause)> = Vec::new();
    for token in stamp {
        match token {
            Token::Comment(text) => {
                received.comments.push(text.clone());
                if let Some((_, clause)) = clauses.last_mut() {
                    clause.comments.push(text.clone());
                }
            }
            Token::Special(c) => received.problems.push(Problem::new(
                "received.stray-character",
                format!("a stray \"{c}\""),
            )),
            Token::Word(text) | Token::Quoted(text) => {
                // The word right after a keyword is that clause's value, even if it looks like a
                // keyword itself (`from by.example`); later keywords start new clauses.
                let expecting_value = clauses
                    .last()
                    .is_some_and(|(_, clause)| clause.words.is_empty());
                match (expecting_value, keyword(text)) {
                    (false, Some(keyword)) => clauses.push((keyword, Clause::default())),
                    _ => match clauses.last_mut() {
                        Some((_, clause)) => clause.words.push(text.clone()),
                        None => received.problems.push(Problem::new(
                            "received.word-outside-clause",
                            format!("{} before any clause", quoted(text)),
                        )),
                    },
                }
            }
        }
    }
    for (keyword, clause) in clauses {
        assign_clause(&mut received, keyword, clause);
    }
    received
}

/// `YYYY-MM-DD`, alone or followed by `T` and a time.
fn is_iso_date(token: &Token) -> bool {
    let Token::Word(word) = token else {
        return false;
    };
    let date = word.split('T').next().unwrap_or(word);
    let parts: Vec<&str> = date.split('-').collect();
    matches!(parts.as_slice(), [year, month, day]
        if year.len() == 4 && month.len() == 2 && day.len() == 2
            && date.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
}

/// The date-time part: every token after the last `;`, comments dropped (`(UTC)`, `(PST)`).
fn date_time(tokens: &[Token]) -> Option<String> {
    let words: Vec<&str> = tokens.iter().filter_map(Token::word).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn assign_clause(received: &mut Received, keyword: Keyword, clause: Clause) {
    let name = keyword.name();
    let first = clause.words.first().cloned();
    if first.is_none() {
        received.problems.push(Problem::new(
            "received.clause-without-value",
            format!("{name} without a value"),
        ));
    }
    // Single-valued clauses: later words and a second clause of the same kind are not in the
    // grammar, and are reported rather than guessed at.
    let single = |received: &mut Received, already: bool| {
        if already {
            received.problems.push(Problem::new(
                "received.repeated-clause",
                format!("a second {name} clause"),
            ));
        }
        for extra in clause.words.iter().skip(1) {
            received.problems.push(Problem::new(
                "received.extra-word",
                format!("{} after the {name} clause's value", quoted(extra)),
            ));
        }
    };
    match keyword {
        Keyword::From => {
            single(received, received.from.is_some());
            received.from = Some(from_clause(first.as_deref(), &clause.comments));
        }
        Keyword::By => {
            single(received, received.by.is_some());
            received.by = first.map(|by| host_name(&by));
        }
        // Exchange writes `via Frontend Transport`; Mimecast writes `with ESMTP with STARTTLS`:
        // multi-word and repeated clauses are joined, not reported.
        Keyword::Via => {
            let all = (!clause.words.is_empty()).then(|| clause.words.join(" "));
            received.via = join(received.via.take(), all, " via ");
        }
        Keyword::With => {
            let all = (!clause.words.is_empty()).then(|| clause.words.join(" "));
            received.with = join(received.with.take(), all, " with ");
        }
        Keyword::Id => {
            single(received, received.id.is_some());
            received.id = first;
        }
        Keyword::For => {
            single(received, received.recipient.is_some());
            received.recipient = first.map(|address| {
                address
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            });
        }
    }
}

fn join(old: Option<String>, new: Option<String>, keyword: &str) -> Option<String> {
    match (old, new) {
        (Some(old), Some(new)) => Some(format!("{old}{keyword}{new}")),
        (old, new) => old.or(new),
    }
}

/// `Extended-Domain = Domain / ( Domain FWS "(" TCP-info ")" ) / ( address-literal FWS "("
/// TCP-info ")" )`, `TCP-info = address-literal / ( Domain FWS address-literal )`
/// (RFC 5321 §4.4), and the variants MTAs write instead.
///
/// Postfix and Sendmail write `from HELO (RDNS [IP])`; Exim writes `from RDNS ([IP] helo=HELO)`
/// or `from [IP] (helo=HELO)`; qmail and Zimbra write `from RDNS (HELO name) (IP)`; Exchange
/// writes `from HELO (IP)`. When a comment names the HELO explicitly, the word after `from` is
/// the reverse DNS name; otherwise it is the HELO name.
fn from_clause(word: Option<&str>, comments: &[String]) -> FromClause {
    let mut clause = FromClause {
        text: word.unwrap_or_default().to_string(),
        ..FromClause::default()
    };
    let mut named = None;
    for comment in comments {
        let words: Vec<&str> = comment.split_whitespace().collect();
        for (index, piece) in words.iter().enumerate() {
            let lower = piece.to_ascii_lowercase();
            if let Some(helo) = lower.strip_prefix("helo=") {
                clause.helo = Some(host_name(&piece[piece.len() - helo.len()..]));
            } else if matches!(lower.as_str(), "helo" | "ehlo" | "lhlo") {
                if let Some(helo) = words.get(index + 1) {
                    clause.helo = Some(host_name(helo));
                }
            } else if clause.ip.is_none() {
                if let Some(ip) = address_literal(piece) {
                    clause.ip = Some(ip);
                    // `RDNS [IP]`: the word before the literal is the reverse DNS name.
                    if let Some(before) = index.checked_sub(1).and_then(|i| words.get(i)) {
                        named = Some(host_name(before.rsplit('@').next().unwrap_or(before)));
                    }
                }
            }
        }
    }
    // `from [192.168.1.2] ([203.0.113.40])` (Gmail): when a comment gives the address, an
    // address literal after `from` is the HELO argument, not the connection.
    let word_ip = word.and_then(address_literal);
    let word_is_connection = clause.ip.is_none() && word_ip.is_some();
    if word_is_connection {
        clause.ip = word_ip;
    }
    let word_name = word
        .filter(|_| !word_is_connection)
        .map(host_name)
        .filter(|name| !name.is_empty());
    if clause.helo.is_some() {
        clause.reverse_dns = word_name.or(named);
    } else {
        clause.helo = word_name;
        clause.reverse_dns = named;
    }
    // Postfix and qmail write `unknown` when reverse DNS found no name.
    if clause
        .reverse_dns
        .as_deref()
        .is_some_and(|name| name.eq_ignore_ascii_case("unknown"))
    {
        clause.reverse_dns = None;
    }
    clause
}

/// A host name as written, without a trailing root dot (`mail-sor-f41.google.com.`).
fn host_name(word: &str) -> String {
    word.trim_end_matches('.').to_string()
}

/// An IP address in the forms stamps use: `[192.0.2.1]`, `[IPv6:2001:db8::1]`, `192.0.2.1`,
/// `[192.0.2.1]:25`, `user@192.0.2.1`, bare IPv6 (Exchange, Gmail). IPv4-mapped IPv6 addresses
/// (`::ffff:192.0.2.1`) are given as IPv4, the address SPF evaluates (RFC 7208 §5).
///
/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"` (RFC 5321 §4.1.3).
pub fn address_literal(word: &str) -> Option<IpAddr> {
    let word = word.rsplit('@').next().unwrap_or(word);
    let word = word.trim_end_matches([',', ';', ')']);
    let inner = match word.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => word,
    };
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    // Exchange writes link-local addresses with a zone index (`fe80::1%11`, RFC 6874).
    let inner = inner.split('%').next().unwrap_or(inner);
    let ip = inner.parse::<IpAddr>().ok().or_else(|| {
        // `192.0.2.1:54321`: an IPv4 address with a port; IPv6 needs brackets for that.
        let (host, port) = inner.rsplit_once(':')?;
        port.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4))?
    })?;
    Some(canonical(ip))
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match Ipv6Addr::to_ipv4_mapped(&v6) {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}
