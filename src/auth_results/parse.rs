//! The grammars of Authentication-Results (RFC 8601 §2.2) and Received-SPF (RFC 7208 §9.1), read
//! tolerantly: Microsoft omits the authserv-id and adds `action=` pairs, others put comments
//! anywhere. What does not fit is kept as a problem, never dropped silently.

use super::{AuthenticationResults, MethodResult, Property, ReceivedSpf, ResultsKind};
use crate::lexer::{lex, Token};
use crate::report::{quoted, Problem};

/// A value is read up to this many characters; the rest is reported.
const MAX_VALUE_CHARS: usize = 64 * 1024;

/// At most this many `resinfo`s are read from one field.
const MAX_RESINFOS: usize = 100;

/// One `key=value` or a lone word, from a run of tokens between semicolons.
#[derive(Debug)]
enum Item {
    Pair(String, String),
    Word(String),
    Comment(String),
}

/// Groups tokens into `key=value` pairs: `key=value`, `key= value`, `key =value`, `key = value`
/// and `key="quoted"` are all one pair ([CFWS] is allowed around `=` in RFC 8601 §2.2).
fn items(tokens: &[Token]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut pending_key: Option<String> = None;
    for token in tokens {
        match token {
            Token::Comment(text) => items.push(Item::Comment(text.clone())),
            Token::Special(_) => {}
            Token::Word(text) | Token::Quoted(text) => {
                let quoted = matches!(token, Token::Quoted(_));
                if let Some(key) = pending_key.take() {
                    items.push(Item::Pair(key, text.clone()));
                } else if quoted {
                    items.push(Item::Word(text.clone()));
                } else if text == "=" {
                    if let Some(Item::Word(key)) = items.pop() {
                        pending_key = Some(key);
                    }
                } else if let Some(key) = text.strip_suffix('=').filter(|k| !k.contains('=')) {
                    pending_key = Some(key.to_string());
                } else if let Some((key, value)) =
                    text.split_once('=').filter(|(k, _)| !k.is_empty())
                {
                    items.push(Item::Pair(key.to_string(), value.to_string()));
                } else if let (Some(value), Some(Item::Word(_))) =
                    (text.strip_prefix('='), items.last())
                {
                    if let Some(Item::Word(key)) = items.pop() {
                        items.push(Item::Pair(key, value.to_string()));
                    }
                } else {
                    items.push(Item::Word(text.clone()));
                }
            }
        }
    }
    if let Some(key) = pending_key {
        items.push(Item::Pair(key, String::new()));
    }
    items
}

/// Splits tokens at `;`.
fn segments(tokens: &[Token]) -> Vec<&[Token]> {
    tokens
        .split(|token| *token == Token::Special(';'))
        .collect()
}

fn limited(value: &str, problems: &mut Vec<Problem>, code: &'static str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => {
            problems.push(Problem::new(
                code,
                format!(
                    "the value is longer than {MAX_VALUE_CHARS} characters; the rest was not read"
                ),
            ));
            value.get(..cut).unwrap_or_default().to_string()
        }
        None => value.to_string(),
    }
}

/// Reads an Authentication-Results (or ARC-Authentication-Results) value.
///
/// `authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
/// [CFWS] CRLF`; `resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]`
/// (RFC 8601 §2.2); for ARC, `arc-info = instance [CFWS] ";" authres-payload` (RFC 8617 §4.1.1).
pub fn parse_authentication_results(value: &str, kind: ResultsKind) -> AuthenticationResults {
    let mut problems = Vec::new();
    let value = limited(value, &mut problems, "auth-results.too-long");
    let lexed = lex(&value, &[';']);
    if let Some(open) = lexed.unclosed {
        problems.push(Problem::new(
            "auth-results.unclosed",
            format!("a {open} is never closed"),
        ));
    }
    let mut segments = segments(&lexed.tokens).into_iter().peekable();
    let mut instance = None;
    if kind == ResultsKind::ArcAuthenticationResults {
        let first = segments.next().map(items).unwrap_or_default();
        match first.as_slice() {
            [Item::Pair(key, number)] if key.eq_ignore_ascii_case("i") => {
                instance = number.parse().ok();
                if instance.is_none() {
                    problems.push(Problem::new(
                        "auth-results.bad-instance",
                        format!(
                            "the instance {} is not a number",
                            quoted(&format!("i={number}"))
                        ),
                    ));
                }
            }
            _ => problems.push(Problem::new(
                "auth-results.no-instance",
                "there is no instance tag (i=) first",
            )),
        }
    }
    let (authserv_id, version) = match segments.peek().map(|segment| items(segment)) {
        Some(head) => match head.as_slice() {
            // `authserv-id [ CFWS authres-version ]`, comments allowed anywhere.
            _ if head.iter().all(|item| !matches!(item, Item::Pair(..))) => {
                segments.next();
                let words: Vec<&String> = head
                    .iter()
                    .filter_map(|item| match item {
                        Item::Word(word) => Some(word),
                        _ => None,
                    })
                    .collect();
                let version = words.get(1).and_then(|v| v.parse().ok());
                if words.len() > 2 || (words.len() == 2 && version.is_none()) {
                    problems.push(Problem::new(
                        "auth-results.bad-version",
                        "words after the authserv-id that are not a version",
                    ));
                }
                if words.is_empty() {
                    problems.push(Problem::new(
                        "auth-results.empty-authserv-id",
                        "the authserv-id is empty",
                    ));
                }
                (words.first().map(|id| id.to_string()), version)
            }
            _ => {
                problems.push(Problem::new(
                    "auth-results.no-authserv-id",
                    "there is no authserv-id (Microsoft writes results first)",
                ));
                (None, None)
            }
        },
        None => {
            problems.push(Problem::new("auth-results.empty", "the field is empty"));
            (None, None)
        }
    };
    let mut results = Vec::new();
    for segment in segments {
        let segment_items = items(segment);
        if segment_items.is_empty() {
            continue;
        }
        // `no-result = [CFWS] ";" [CFWS] "none"`.
        if let [Item::Word(word)] = segment_items.as_slice() {
            if word.eq_ignore_ascii_case("none") {
                continue;
            }
        }
        if results.len() >= MAX_RESINFOS {
            problems.push(Problem::new(
                "auth-results.too-many-results",
                format!("more than {MAX_RESINFOS} results; the rest were not read"),
            ));
            break;
        }
        match resinfo(segment_items) {
            Ok(result) => results.push(result),
            Err(problem) => problems.push(Problem::new("auth-results.bad-result", problem)),
        }
    }
    AuthenticationResults {
        kind,
        instance,
        authserv_id,
        version,
        results,
        trust: Default::default(),
        span: crate::report::Span::new(0, 0),
        problems,
        field_index: 0,
    }
}

/// `methodspec = [CFWS] method [CFWS] "=" [CFWS] result`,
/// `method = Keyword [ [CFWS] "/" [CFWS] method-version ]`,
/// `reasonspec = "reason" [CFWS] "=" [CFWS] value`,
/// `propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue` (RFC 8601 §2.2).
fn resinfo(items: Vec<Item>) -> Result<MethodResult, String> {
    let mut result = MethodResult::default();
    let mut items = items.into_iter();
    loop {
        match items.next() {
            Some(Item::Comment(comment)) => result.comments.push(comment),
            Some(Item::Pair(method, word)) => {
                let (method, version) = match method.split_once('/') {
                    Some((method, version)) => (method, Some(version.trim().to_string())),
                    None => (method.as_str(), None),
                };
                result.method = method.trim().to_ascii_lowercase();
                result.method_version = version;
                result.result = word.to_ascii_lowercase();
                break;
            }
            Some(Item::Word(word)) => {
                return Err(format!(
                    "{} where a method=result was expected",
                    quoted(&word)
                ));
            }
            None => return Err("an empty result".into()),
        }
    }
    for item in items {
        match item {
            Item::Comment(comment) => result.comments.push(comment),
            Item::Pair(key, value) if key.eq_ignore_ascii_case("reason") => {
                result.reason = Some(value)
            }
            Item::Pair(key, value) => match key.split_once('.') {
                Some((ptype, property)) => result.properties.push(Property {
                    ptype: ptype.to_ascii_lowercase(),
                    property: property.to_string(),
                    value,
                }),
                None => result.extensions.push(Property {
                    ptype: String::new(),
                    property: key,
                    value,
                }),
            },
            // A stray word (some filters append the result again) is kept as an extension so
            // that nothing disappears.
            Item::Word(word) => result.extensions.push(Property {
                ptype: String::new(),
                property: word,
                value: String::new(),
            }),
        }
    }
    Ok(result)
}

/// Reads a Received-SPF value.
///
/// `header-field = "Received-SPF:" [CFWS] result FWS [comment FWS] [ key-value-list ] CRLF`,
/// `key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]` (RFC 7208 §9.1).
pub fn parse_received_spf(value: &str) -> ReceivedSpf {
    let mut spf = ReceivedSpf::default();
    let value = limited(value, &mut spf.problems, "received-spf.too-long");
    let lexed = lex(&value, &[';']);
    if let Some(open) = lexed.unclosed {
        spf.problems.push(Problem::new(
            "received-spf.unclosed",
            format!("a {open} is never closed"),
        ));
    }
    let all = items(&lexed.tokens);
    let mut all = all.into_iter();
    match all.next() {
        Some(Item::Word(result)) => spf.result = result.to_ascii_lowercase(),
        _ => spf.problems.push(Problem::new(
            "received-spf.no-result",
            "it does not start with a result word",
        )),
    }
    const RESULTS: [&str; 7] = [
        "pass",
        "fail",
        "softfail",
        "neutral",
        "none",
        "temperror",
        "permerror",
    ];
    if !spf.result.is_empty() && !RESULTS.contains(&spf.result.as_str()) {
        spf.problems.push(Problem::new(
            "received-spf.unknown-result",
            format!("{} is not an RFC 7208 result", quoted(&spf.result)),
        ));
    }
    for item in all {
        match item {
            Item::Comment(comment) if spf.comment.is_none() => spf.comment = Some(comment),
            Item::Comment(_) => {}
            Item::Pair(key, value) => spf.pairs.push(Property {
                ptype: String::new(),
                property: key.to_ascii_lowercase(),
                value,
            }),
            Item::Word(word) => spf.problems.push(Problem::new(
                "received-spf.not-key-value",
                format!("{} is not key=value", quoted(&word)),
            )),
        }
    }
    spf
}
