//! The lines of pasted text, split on CRLF, LF or a lone CR as intake asks for them.
//!
//! Intake reads the header section line by line, but the body only as one run of the input
//! unless some of its line ends need repair: a 2 MB attachment is never split into lines just to
//! be joined again. So lines are split lazily, up to the last one asked for.

use std::cell::RefCell;

/// The lines of `input`, split as far as they have been asked for.
pub(super) struct Lines<'a> {
    input: &'a [u8],
    split: RefCell<Split<'a>>,
}

struct Split<'a> {
    lines: Vec<&'a [u8]>,
    /// Where each line's successor starts: after its line end (CRLF, LF or CR), or the end of the
    /// input for a last line without one.
    next_starts: Vec<usize>,
    /// Where splitting goes on; `None` once the last line has been split.
    rest: Option<usize>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Lines {
            input,
            split: RefCell::new(Split {
                lines: Vec::new(),
                next_starts: Vec::new(),
                rest: Some(0),
            }),
        }
    }

    /// Line `index`, or `None` past the last line. A final line end does not start another,
    /// empty, line.
    pub(super) fn get(&self, index: usize) -> Option<&'a [u8]> {
        let mut split = self.split.borrow_mut();
        while split.lines.len() <= index {
            let start = split.rest?;
            let rest = self.input.get(start..).unwrap_or_default();
            // Line ends are found with memchr (SIMD), not byte by byte.
            let (line, next) = match memchr::memchr2(b'\r', b'\n', rest) {
                Some(offset) => {
                    let end = start + offset;
                    let crlf = rest.get(offset..offset + 2) == Some(b"\r\n");
                    (&rest[..offset], end + if crlf { 2 } else { 1 })
                }
                None if rest.is_empty() => {
                    split.rest = None;
                    return None;
                }
                None => (rest, self.input.len()),
            };
            split.lines.push(line);
            split.next_starts.push(next);
            split.rest = (next < self.input.len()).then_some(next);
        }
        split.lines.get(index).copied()
    }

    /// The offset in the input where line `index` starts (the end of the input past the last).
    pub(super) fn start_of(&self, index: usize) -> usize {
        let _ = self.get(index);
        let split = self.split.borrow();
        match index.checked_sub(1) {
            None => 0,
            Some(before) => split
                .next_starts
                .get(before)
                .copied()
                .unwrap_or(self.input.len()),
        }
    }

    /// How many of the line ends of the lines before `index` were LF or CR alone. Splits up to
    /// `index` (every line when `index` is past the last).
    pub(super) fn bare_line_ends(&self, index: usize) -> usize {
        let _ = self.get(index);
        let split = self.split.borrow();
        let base = self.input.as_ptr() as usize;
        split
            .lines
            .iter()
            .zip(&split.next_starts)
            .take(index)
            .filter(|(line, next)| {
                // Each line is a slice of the input, so its end is an offset in it.
                let end = line.as_ptr() as usize - base + line.len();
                **next - end == 1
            })
            .count()
    }
}

/// Whether any line end of `bytes` is a LF or a CR alone. Jumps from line end to line end
/// with memchr (SIMD) and keeps nothing: a body of megabytes is read without being split.
pub(super) fn has_bare_line_end(bytes: &[u8]) -> bool {
    let mut start = 0;
    while let Some(offset) = bytes
        .get(start..)
        .and_then(|rest| memchr::memchr2(b'\r', b'\n', rest))
    {
        let end = start + offset;
        if bytes.get(end..end + 2) != Some(b"\r\n") {
            return true;
        }
        start = end + 2;
    }
    false
}

/// How many line ends of `bytes` are a LF or a CR alone (a final CR included).
pub(super) fn count_bare_line_ends(bytes: &[u8]) -> usize {
    let lines = Lines::new(bytes);
    lines.bare_line_ends(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_every_kind_of_line_end_as_asked() {
        let input = b"a\r\nb\nc\rd\r\r\ne";
        let lines = Lines::new(input);
        assert_eq!(lines.get(1), Some(&b"b"[..]));
        assert_eq!(lines.start_of(2), 5);
        let all: Vec<_> = (0..).map_while(|index| lines.get(index)).collect();
        assert_eq!(all, [&b"a"[..], b"b", b"c", b"d", b"", b"e"]);
        assert_eq!(lines.start_of(6), input.len());
        assert_eq!(lines.bare_line_ends(usize::MAX), 3);
        assert_eq!(lines.bare_line_ends(2), 1);
        assert_eq!(Lines::new(b"a\r\n").get(1), None);
        assert_eq!(Lines::new(b"").get(0), None);
        assert_eq!(Lines::new(b"\r\n").get(0), Some(&b""[..]));
    }

    #[test]
    fn bare_line_ends_are_found_wherever_they_are() {
        for clean in [&b""[..], b"x", b"\r\n", b"a\r\nb\r\n", b"a\r\n\r\nb"] {
            assert!(!has_bare_line_end(clean), "{clean:?}");
            assert_eq!(count_bare_line_ends(clean), 0);
        }
        for damaged in [&b"\n"[..], b"\r", b"a\nb", b"a\rb", b"a\r\r\n", b"a\n\r"] {
            assert!(has_bare_line_end(damaged), "{damaged:?}");
            assert!(count_bare_line_ends(damaged) > 0);
        }
        // Across the blocks of the vectorised check, at and around their edges.
        for at in [0, 1, 4094, 4095, 4096, 4097, 9000] {
            let mut body = b"0123456789abcdefghijklmnopqrstuvwxyz\r\n".repeat(300);
            assert!(!has_bare_line_end(&body));
            body.insert(at, b'\n');
            assert!(has_bare_line_end(&body), "{at}");
            assert_eq!(count_bare_line_ends(&body), 1, "{at}");
        }
    }
}
