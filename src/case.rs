//! Lower case for domain names and the text compared with them, letter by letter: what
//! `char::to_lowercase` gives each character, from a table of 184 runs (about 2 KB) instead of
//! core's case-conversion tables, which were 7.4 KB of the Message view's gzip'd module
//! (BENCHMARKS.md, "Size").
//!
//! Letter by letter, like `char::to_lowercase` and unlike `str::to_lowercase`: capital sigma
//! `Σ` is `σ` wherever it stands, as UTS #46 maps it for domain names (RFC 5891 §5.2), where
//! `str::to_lowercase` writes the word-final `ς` of Greek prose. `İ` (U+0130) is `i` and a
//! combining dot above, its one mapping to two characters.

mod table;

use table::RUNS;

/// `text` in lower case, each character as `char::to_lowercase` maps it.
pub fn lowercase(text: &str) -> String {
    let mut lower = String::with_capacity(text.len());
    for c in text.chars() {
        push_lowercase(&mut lower, c);
    }
    lower
}

/// Appends `c` in lower case: one character, or two for `İ`.
fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if c == '\u{130}' {
        out.push('i');
        out.push('\u{307}');
    } else {
        out.push(lowercase_char(c));
    }
}

/// The lower case of a character that maps to one character. Each run is
/// `(first, span, stride, delta)`: the characters `first`, `first + stride`, … up to
/// `first + span` map to themselves plus `delta`; the characters a stride of 2 skips map to
/// themselves, so the runs never overlap.
fn lowercase_char(c: char) -> char {
    let code = u32::from(c);
    let after = RUNS.partition_point(|&(first, ..)| first <= code);
    let Some(&(first, span, stride, delta)) = after.checked_sub(1).and_then(|at| RUNS.get(at))
    else {
        return c;
    };
    let offset = code - first;
    if offset > u32::from(span) || offset % u32::from(stride) != 0 {
        return c;
    }
    code.checked_add_signed(delta)
        .and_then(char::from_u32)
        .unwrap_or(c)
}

#[cfg(test)]
mod tests;
