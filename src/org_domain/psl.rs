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
#[cfg(test)]
pub(super) fn for_each_rule<'t>(text: &'t str, each: impl FnMut(&[&'t str], bool, PslSection)) {
    for_each_rule_from(text, PslSection::Icann, each);
}

/// [`for_each_rule`] over a part of the text that starts in `section`.
#[cfg(test)]
fn for_each_rule_from<'t>(
    text: &'t str,
    mut section: PslSection,
    mut each: impl FnMut(&[&'t str], bool, PslSection),
) {
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

/// A run of rules that share their top-level label and, when `second` is set, their second
/// label: a line of the compact text at depth 0 or 1, and the lines indented below it.
struct Block {
    /// The top-level label (`uk` for `co.uk`, `ck` for `*.ck`).
    top: &'static str,
    /// The second label every rule of the block has (`co` for `co.uk` and the rules below it);
    /// `None` for the block of a one-label rule (`uk`). Only names with that second label can
    /// match, unless it is `*`.
    second: Option<&'static str>,
    /// The block's lines, the first at depth 0 or 1.
    text: &'static str,
    /// Whether the first line is at depth 1, below the top-level label's own line: matching
    /// then starts with `top` already on the label stack.
    below_top: bool,
    section: PslSection,
}

/// The blocks of the compact text, sorted by their labels, built once on first use.
///
/// Rules can only match a name whose rightmost labels are theirs, so a lookup reads only the
/// blocks of its top-level and second label (and the wildcards) instead of the whole list: a
/// full pass costs ~60 µs, which the transport path pays for every host it groups. The index is
/// some 7,000 slices into the text: far less code and memory than a map of all 10,000 rules,
/// which was measured over the page's size budget.
fn blocks() -> &'static [Block] {
    static BLOCKS: std::sync::OnceLock<Vec<Block>> = std::sync::OnceLock::new();
    BLOCKS.get_or_init(|| {
        let mut blocks: Vec<Block> = Vec::new();
        let mut section = PslSection::Icann;
        let mut open: Option<Block> = None;
        let mut top: &'static str = "";
        let mut offset = 0;
        let close = |blocks: &mut Vec<Block>, open: Option<Block>, end: usize| {
            if let Some(mut block) = open {
                let from = block.text.as_ptr() as usize - COMPACT.as_ptr() as usize;
                block.text = COMPACT.get(from..end).unwrap_or_default();
                blocks.push(block);
            }
        };
        for line in COMPACT.split_inclusive('\n') {
            let here = offset;
            offset += line.len();
            let text = line.trim_end_matches(['\n', '\r']);
            if text.starts_with('#') || text.is_empty() {
                continue;
            }
            if text == "=" {
                close(&mut blocks, open.take(), here);
                section = PslSection::Private;
                continue;
            }
            let rest = text.trim_start_matches(' ');
            let depth = text.len() - rest.len();
            let mut labels = rest.trim_start_matches('!').rsplit('.');
            let start = COMPACT.get(here..here).unwrap_or_default();
            match depth {
                0 => {
                    close(&mut blocks, open.take(), here);
                    top = labels.next().unwrap_or(rest);
                    open = Some(Block {
                        top,
                        second: labels.next(),
                        text: start,
                        below_top: false,
                        section,
                    });
                }
                1 => {
                    close(&mut blocks, open.take(), here);
                    open = Some(Block {
                        top,
                        second: labels.next(),
                        text: start,
                        below_top: true,
                        section,
                    });
                }
                _ => {}
            }
        }
        close(&mut blocks, open.take(), COMPACT.len());
        // `None` sorts before `Some`, and `*` before every letter and digit: for each top-level
        // label, the blocks every name must read come first. Stable: ICANN before PRIVATE.
        crate::sort::sort_by_key(&mut blocks, |block| (block.top, block.second));
        blocks
    })
}

/// The prevailing rule for a name given as its labels rightmost first (lower-case A-labels,
/// none empty): how many labels from the right are the public suffix, and the rule's section.
pub(super) fn prevailing(reversed: &[&str]) -> (usize, PslSection) {
    // The default rule `*`: one label, unlisted.
    let mut best = (1, PslSection::Unlisted);
    let mut exception = None;
    let Some(top) = reversed.first() else {
        return best;
    };
    let blocks = blocks();
    let first = blocks.partition_point(|block| block.top < *top);
    let count = blocks
        .get(first..)
        .unwrap_or_default()
        .partition_point(|block| block.top == *top);
    let same_top = blocks.get(first..first + count).unwrap_or_default();
    let mut stack = Vec::new();
    // Blocks whose first rule is the top-level label alone, or a wildcard under it.
    for block in same_top
        .iter()
        .take_while(|block| block.second.is_none_or(|second| second == "*"))
    {
        match_block(block, reversed, &mut stack, &mut best, &mut exception);
    }
    // Blocks under the name's own second label.
    if let Some(second) = reversed.get(1) {
        let from = same_top.partition_point(|block| block.second < Some(*second));
        for block in same_top
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|block| block.second == Some(*second))
        {
            match_block(block, reversed, &mut stack, &mut best, &mut exception);
        }
    }
    exception.unwrap_or(best)
}

/// Matches the rules of one block against the name. A line whose own labels already differ from
/// the name's rules out every line indented below it, which are skipped unread: `com` and `jp`
/// hold over a thousand rules each, nearly all under other second-level labels.
fn match_block(
    block: &Block,
    reversed: &[&str],
    stack: &mut Vec<&'static str>,
    best: &mut (usize, PslSection),
    exception: &mut Option<(usize, PslSection)>,
) {
    stack.clear();
    if block.below_top {
        stack.push(block.top);
    }
    // Set while skipping: lines indented this deep or deeper are below a rule that cannot match.
    let mut skip_below: Option<usize> = None;
    for line in block.text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let rest = line.trim_start_matches(' ');
        let shared = line.len() - rest.len();
        if let Some(depth) = skip_below {
            if shared >= depth {
                continue;
            }
            skip_below = None;
        }
        if shared > stack.len() {
            continue;
        }
        let (is_exception, rest) = match rest.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        stack.truncate(shared);
        stack.extend(rest.rsplit('.'));
        let agrees = stack
            .iter()
            .zip(reversed)
            .all(|(rule_label, label)| *rule_label == "*" || rule_label == label);
        if !agrees {
            // No rule below this one can match either: they all extend these labels.
            skip_below = Some(stack.len());
            continue;
        }
        if stack.len() > reversed.len() {
            continue;
        }
        if is_exception {
            // An exception prevails over every other match; its public suffix is the rule
            // less its leftmost label.
            *exception = Some((stack.len() - 1, block.section));
        } else if stack.len() > best.0 || best.1 == PslSection::Unlisted {
            *best = (stack.len(), block.section);
        }
    }
}

/// The same answer as [`prevailing`] by one pass over the whole list, for the test that the
/// index loses no rule.
#[cfg(test)]
pub(super) fn prevailing_by_full_scan(reversed: &[&str]) -> (usize, PslSection) {
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
            exception = Some((rule.len() - 1, section));
        } else if rule.len() > best.0 || best.1 == PslSection::Unlisted {
            best = (rule.len(), section);
        }
    });
    exception.unwrap_or(best)
}
