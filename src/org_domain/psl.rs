//! The Public Suffix List and its algorithm (<https://publicsuffix.org/list/>, "Formal
//! Algorithm"), over the compact form of `data/psl-compact.txt`.
//!
//! The list is decoded into a hash map on first use (about 10,000 rules, a millisecond or so);
//! a static perfect-hash table built at compile time was the alternative, rejected because it
//! needs a build script or a generated Rust file several times the size of the text it replaces,
//! and the page's budget is paid in compressed bytes of wasm.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// The list, compacted by `scripts/psl-compact.py` (format in its docstring).
const COMPACT: &str = include_str!("../../data/psl-compact.txt");

/// Which part of the list a rule comes from. DMARC (RFC 7489 §3.2) uses the whole list, so
/// `github.io` (PRIVATE) is a public suffix there just as `co.uk` (ICANN) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PslSection {
    /// Between `===BEGIN ICANN DOMAINS===` and its end: delegations by registries.
    Icann,
    /// Between `===BEGIN PRIVATE DOMAINS===` and its end: names where a company lets others
    /// register subdomains (`github.io`, `blogspot.com`).
    Private,
    /// No rule matched: the algorithm's default rule `*` (an unlisted top-level domain).
    Unlisted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RuleKind {
    Normal,
    Wildcard,
    Exception,
}

/// Rules by their text without `!` (`com`, `*.ck`, `www.ck`), with kind and section. A name
/// can be both a wildcard's parent and an exception (`*.ck`, `!www.ck`); the keys differ.
type Rules = HashMap<Box<str>, (RuleKind, PslSection)>;

pub(super) fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| decode(COMPACT))
}

/// Decodes the compact form. Lines the format does not allow (more leading spaces than the
/// previous rule has labels) are skipped: the text is ours, and a test checks that it decodes
/// to exactly the rules of `data/public_suffix_list.dat`.
pub(super) fn decode(text: &str) -> Rules {
    let mut rules = Rules::with_capacity(10_500);
    let mut section = PslSection::Icann;
    // The previous rule's labels, rightmost first.
    let mut stack: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line == "=" {
            section = PslSection::Private;
            stack.clear();
            continue;
        }
        let rest = line.trim_start_matches(' ');
        let shared = line.len() - rest.len();
        let (exception, rest) = match rest.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        if shared > stack.len() {
            continue;
        }
        stack.truncate(shared);
        stack.extend(rest.rsplit('.'));
        let key: Vec<&str> = stack.iter().rev().copied().collect();
        let kind = if exception {
            RuleKind::Exception
        } else if key.first() == Some(&"*") {
            RuleKind::Wildcard
        } else {
            RuleKind::Normal
        };
        rules.insert(key.join(".").into_boxed_str(), (kind, section));
    }
    rules
}

/// The prevailing rule for a name given as its labels (lower-case A-labels, none empty):
/// how many labels from the right are the public suffix, and the rule's section.
pub(super) fn prevailing(labels: &[&str]) -> (usize, PslSection) {
    let rules = rules();
    // The default rule `*`: one label, unlisted.
    let mut best = (1, PslSection::Unlisted);
    let count = labels.len();
    let mut candidate = String::new();
    for length in 1..=count {
        // `length` is in 1..=count, so the range is within `labels`.
        let Some(suffix) = labels.get(count - length..) else {
            break;
        };
        candidate.clear();
        candidate.push_str(&suffix.join("."));
        match rules.get(candidate.as_str()) {
            // An exception prevails over every other match (the algorithm's step 2); its
            // public suffix is the rule less its leftmost label.
            Some((RuleKind::Exception, section)) => return (length - 1, *section),
            Some((RuleKind::Normal, section)) => best = (length, *section),
            _ => {}
        }
        if length >= 2 {
            if let Some(parent) = suffix.get(1..) {
                let wildcard = format!("*.{}", parent.join("."));
                if let Some((RuleKind::Wildcard, section)) = rules.get(wildcard.as_str()) {
                    best = (length, *section);
                }
            }
        }
    }
    best
}
