//! The Public Suffix List and its algorithm (<https://publicsuffix.org/list/>, "Formal
//! Algorithm"), over the compact form of `data/psl-compact.txt`.
//!
//! The page's budget for the list is 40 KB of gzip'd wasm, and the data alone takes ~37 KB of
//! it, so the code is kept to one scan over the text (see [`prevailing`]). A static
//! perfect-hash table built at compile time was rejected: it needs a build script or a
//! generated Rust file several times the size of the text it replaces.

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

/// Calls `each` with every rule of the compact text, in order: its labels rightmost first
/// (`["uk", "co"]`, `["ck", "*"]`), whether it is an exception (`!www.ck`), and its section.
/// Lines the format does not allow (more leading spaces than the previous rule has labels)
/// are skipped: the text is ours, and a test checks that it holds exactly the rules of
/// `data/public_suffix_list.dat`.
pub(super) fn for_each_rule<'t>(text: &'t str, mut each: impl FnMut(&[&'t str], bool, PslSection)) {
    let mut section = PslSection::Icann;
    // The current rule's labels, rightmost first; each line shares a prefix of them.
    let mut stack: Vec<&'t str> = Vec::new();
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
        each(&stack, exception, section);
    }
}

/// The prevailing rule for a name given as its labels rightmost first (lower-case A-labels,
/// none empty): how many labels from the right are the public suffix, and the rule's section.
///
/// One pass over the compact text, matching every rule as the list's algorithm says, rather
/// than a hash map built on first use: the map's code and its 10,000 allocations cost more of
/// the page's wasm budget than the pass costs time (well under a millisecond).
pub(super) fn prevailing(reversed: &[&str]) -> (usize, PslSection) {
    // The default rule `*`: one label, unlisted.
    let mut best = (1, PslSection::Unlisted);
    let mut exception = None;
    for_each_rule(COMPACT, |rule, is_exception, section| {
        let matches = rule.len() <= reversed.len()
            && rule
                .iter()
                .zip(reversed)
                .all(|(rule_label, label)| *rule_label == "*" || rule_label == label);
        if !matches {
            return;
        }
        if is_exception {
            // An exception prevails over every other match; its public suffix is the rule
            // less its leftmost label.
            exception = Some((rule.len() - 1, section));
        } else if rule.len() > best.0 || best.1 == PslSection::Unlisted {
            best = (rule.len(), section);
        }
    });
    exception.unwrap_or(best)
}
