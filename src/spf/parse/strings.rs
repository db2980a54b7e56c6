//! Macro-strings (RFC 7208 §7.1): the domain-specs of terms and the text of `exp=` records,
//! read into their literal and `%{…}` parts.

use std::sync::Arc;

use super::error;
use crate::report::Span;
use crate::spf::trace::RecordText;
use crate::spf::{MacroExpand, MacroLetter, MacroPart, MacroString, ParseError, ParseErrorKind};

/// Where a macro-string appears: `c`, `r` and `t` are for explanation text only (RFC 7208 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::spf) enum MacroScope {
    Domain,
    Explanation,
}

/// `macro-string = *( macro-expand / macro-literal )` (RFC 7208 §7.1), for text of its own
/// (not part of a record) whose spans start at `offset`.
pub(in crate::spf) fn macro_string(
    text: &str,
    offset: usize,
    scope: MacroScope,
) -> Result<MacroString, ParseError> {
    let shared: Arc<str> = text.into();
    macro_string_parts(&shared, text, 0, offset, scope).map(|(string, _)| string)
}

/// `explain-string = *( macro-string / SP )` (RFC 7208 §7.1): the text of an `exp=` TXT record.
pub(in crate::spf) fn explain_string(text: &str) -> Result<MacroString, ParseError> {
    macro_string(text, 0, MacroScope::Explanation)
}

/// The parts of a macro-string, and whether it ends in a `macro-expand`.
///
/// `macro-literal = %x21-24 / %x26-7E` (any visible character but `%`; a space too in
/// explanation text), `macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" /
/// "%_" / "%-"`.
pub(super) fn macro_string_parts(
    source: &Arc<str>,
    text: &str,
    at: usize,
    offset: usize,
    scope: MacroScope,
) -> Result<(MacroString, bool), ParseError> {
    let bytes = text.as_bytes();
    let mut parts: Vec<MacroPart> = Vec::new();
    let mut literal = Literal::Empty;
    let mut ends_in_macro = false;
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let here = offset + index;
        if byte != b'%' {
            // A run of literal characters, taken whole: most domain-specs are nothing else.
            let run = bytes.get(index..).unwrap_or_default();
            let length = run.iter().position(|&b| b == b'%').unwrap_or(run.len());
            let allowed =
                |b: u8| b.is_ascii_graphic() || (b == b' ' && scope == MacroScope::Explanation);
            if let Some(bad) = run.iter().take(length).position(|&b| !allowed(b)) {
                let at = here + bad;
                return Err(error(ParseErrorKind::NonAscii, Span::new(at, at + 1)));
            }
            // Printable ASCII up to a `%` (itself ASCII): a character boundary.
            literal.push_run(text, index, index + length);
            ends_in_macro = false;
            index += length;
            continue;
        }
        ends_in_macro = true;
        match bytes.get(index + 1) {
            Some(b'%') => literal.push_str(text, "%"),
            Some(b'_') => literal.push_str(text, " "),
            Some(b'-') => literal.push_str(text, "%20"),
            Some(b'{') => {
                let close = text[index..]
                    .find('}')
                    .map(|relative| index + relative)
                    .ok_or(error(
                        ParseErrorKind::BadMacro,
                        Span::new(here, offset + text.len()),
                    ))?;
                let expand = macro_expand(
                    &text[index + 2..close],
                    Span::new(here, offset + close + 1),
                    scope,
                )?;
                if let Some(text) = literal.take(source, at) {
                    parts.push(MacroPart::Literal { text });
                }
                parts.push(MacroPart::Macro(expand));
                index = close + 1;
                continue;
            }
            _ => {
                let end = (here + 2).min(offset + text.len());
                return Err(error(ParseErrorKind::BadMacro, Span::new(here, end)));
            }
        }
        index += 2;
    }
    if let Some(text) = literal.take(source, at) {
        parts.push(MacroPart::Literal { text });
    }
    let string = MacroString {
        text: RecordText::new(source, Span::new(at, at + text.len())),
        span: Span::new(offset, offset + text.len()),
        parts,
    };
    Ok((string, ends_in_macro))
}

/// The literal text being gathered between macros: a run of the source while it is one
/// (shared, not copied), copied once an escape (`%%`, `%_`, `%-`) or a second run joins it.
enum Literal {
    Empty,
    /// `start..end` of the macro-string's text.
    Run(usize, usize),
    Copied(String),
}

impl Literal {
    /// Adds `text[start..end]`.
    fn push_run(&mut self, text: &str, start: usize, end: usize) {
        match self {
            Literal::Empty => *self = Literal::Run(start, end),
            Literal::Run(_, run_end) if *run_end == start => *run_end = end,
            _ => self.push_str(text, text.get(start..end).unwrap_or_default()),
        }
    }

    /// Adds text that is not where the run is: an escape's meaning or a later run.
    fn push_str(&mut self, text: &str, more: &str) {
        match self {
            Literal::Copied(copied) => copied.push_str(more),
            Literal::Empty => *self = Literal::Copied(more.to_string()),
            Literal::Run(start, end) => {
                let mut copied = text.get(*start..*end).unwrap_or_default().to_string();
                copied.push_str(more);
                *self = Literal::Copied(copied);
            }
        }
    }

    /// The literal so far, if any, and an empty one in its place; the macro-string's text is
    /// at `at` in `source`.
    fn take(&mut self, source: &Arc<str>, at: usize) -> Option<RecordText> {
        match std::mem::replace(self, Literal::Empty) {
            Literal::Empty => None,
            Literal::Run(start, end) => {
                Some(RecordText::new(source, Span::new(at + start, at + end)))
            }
            Literal::Copied(copied) => Some(RecordText::owned(copied)),
        }
    }
}

/// The inside of `"%{" macro-letter transformers *delimiter "}"`, with
/// `transformers = *DIGIT [ "r" ]` and `delimiter = "." / "-" / "+" / "," / "/" / "_" / "="`.
///
/// A digit count of zero is refused (RFC 7208 §7.3: "the value MUST be nonzero").
fn macro_expand(inner: &str, span: Span, scope: MacroScope) -> Result<MacroExpand, ParseError> {
    let bad = |kind| error(kind, span);
    let mut chars = inner.chars();
    let written = chars.next().ok_or(bad(ParseErrorKind::BadMacro))?;
    let letter = MacroLetter::from_char(written).ok_or(bad(ParseErrorKind::BadMacro))?;
    if letter.explanation_only() && scope == MacroScope::Domain {
        return Err(bad(ParseErrorKind::ExplanationOnlyMacro));
    }
    let rest = chars.as_str();
    let digits_end = rest
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    let keep_parts = match &rest[..digits_end] {
        "" => None,
        digits => {
            // More parts than a name can have behave like "all of them"; saturate.
            let count = digits.parse::<u32>().unwrap_or(u32::MAX);
            if count == 0 {
                return Err(bad(ParseErrorKind::BadMacro));
            }
            Some(count)
        }
    };
    let mut rest = &rest[digits_end..];
    let reverse = match rest.as_bytes().first() {
        Some(b'r' | b'R') => {
            rest = &rest[1..];
            true
        }
        _ => false,
    };
    if !rest
        .bytes()
        .all(|b| matches!(b, b'.' | b'-' | b'+' | b',' | b'/' | b'_' | b'='))
    {
        return Err(bad(ParseErrorKind::BadMacro));
    }
    Ok(MacroExpand {
        letter,
        url_escape: written.is_ascii_uppercase(),
        keep_parts,
        reverse,
        delimiters: rest.to_string(),
        span,
    })
}
