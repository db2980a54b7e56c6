//! Substring search through memchr's `memmem`, which the core already uses for DKIM's
//! canonicalization, instead of core's two-way `StrSearcher` behind `str::contains`,
//! `str::split` and `str::replace` with a string pattern: that searcher was about 4 KB of the
//! page's Message view module for a dozen searches (BENCHMARKS.md, "Size"). A pattern of one
//! `char` never needed it (`str::find(char)` is memchr already).

use memchr::memmem;

/// Whether `needle` occurs in `haystack`, as `str::contains` says.
pub fn contains(haystack: &str, needle: &str) -> bool {
    memmem::find(haystack.as_bytes(), needle.as_bytes()).is_some()
}

/// Where the last `needle` starts, as `str::rfind` says.
pub fn rfind(haystack: &str, needle: &str) -> Option<usize> {
    memmem::rfind(haystack.as_bytes(), needle.as_bytes())
}

/// The text before and after the first `needle`, as `str::split_once` gives them.
pub fn split_once<'t>(haystack: &'t str, needle: &str) -> Option<(&'t str, &'t str)> {
    let at = memmem::find(haystack.as_bytes(), needle.as_bytes())?;
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

/// The pieces of `text` between CRLFs, as `text.split("\r\n")` gives them.
pub fn split_crlf(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memmem::find(current.as_bytes(), b"\r\n") {
            Some(at) => {
                rest = current.get(at + 2..);
                current.get(..at)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `text` with every `from` (leftmost first, not overlapping) replaced by `to`, as
/// `str::replace` writes it; at most `limit` of them when a limit is given (`str::replacen`).
pub fn replace(text: &str, from: &str, to: &str, limit: Option<usize>) -> String {
    let mut replaced = String::with_capacity(text.len());
    let mut last = 0;
    let matches = memmem::find_iter(text.as_bytes(), from.as_bytes());
    for at in matches.take(limit.unwrap_or(usize::MAX)) {
        replaced.push_str(text.get(last..at).unwrap_or_default());
        replaced.push_str(to);
        last = at + from.len();
    }
    replaced.push_str(text.get(last..).unwrap_or_default());
    replaced
}

#[cfg(test)]
mod tests;
