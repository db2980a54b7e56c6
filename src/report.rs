//! The report: what every stage of the pipeline hands to the edges (CLI, wasm, page).
//!
//! Field names and result words here are an interface: the CLI's `--json` output, the page and
//! the widget's event all carry them, and scripts depend on them. `docs/report.md` states the
//! conventions (snake_case names, kebab-case values, `null` for what does not apply, spans) and
//! `schema/` holds the JSON Schemas generated from these types. Add fields; never rename or
//! remove one, and record each addition in `CHANGELOG.md`.

use serde::{Deserialize, Serialize};

/// The version of the report's shape, at the top of every report as `schema_version`. The minor
/// number grows when fields or enum values are added; the major number would grow on a rename or
/// a removal, which the stability rule rules out.
pub const SCHEMA_VERSION: &str = "1.0";

/// A byte range, end exclusive. A field named `span` is a range in the message as analysed (the
/// normalised input, see [`crate::message::Message::bytes`]); `value_span` is a range in one
/// header field's value and `record_span` one in a DNS record's text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// This span moved by `offset` bytes: a span in a part turned into one in the whole.
    pub fn shifted(self, offset: usize) -> Self {
        Span::new(self.start + offset, self.end + offset)
    }
}

/// How much a finding matters to the person reading the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Weakens security or deliverability, or the input was damaged and repaired.
    Warning,
    /// Something is broken or points at forgery.
    Error,
}

impl Severity {
    /// The word the report uses: `info`, `warning`, `error`.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One observation about the input, with a stable machine-readable `code`: the only way any
/// part of a report says that something is wrong or worth knowing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, `area.what` in lower case, e.g. `intake.mbox-line-removed`.
    pub code: &'static str,
    /// One or two plain sentences for a person.
    pub message: String,
    /// The RFC section that explains the rule, as a URL.
    pub rfc: Option<&'static str>,
    /// Where in the message the finding is about.
    pub span: Option<Span>,
    /// For findings about a published DNS record: the domain whose record it is.
    pub domain: Option<String>,
    /// For findings about a published DNS record: the characters at fault in its text.
    pub record_span: Option<Span>,
    /// How to put it right, when the finding is about something its owner can change.
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Finding {
            severity,
            code,
            message: message.into(),
            rfc: None,
            span: None,
            domain: None,
            record_span: None,
            fix: None,
        }
    }

    pub fn with_rfc(mut self, url: &'static str) -> Self {
        self.rfc = Some(url);
        self
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// The finding is about the record published at `domain`.
    pub fn about_record(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_string());
        self
    }

    pub fn with_record_span(mut self, span: Span) -> Self {
        self.record_span = Some(span);
        self
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// Something a parser could not read inside one header field: lighter than a [`Finding`], kept
/// with the parsed field it is about (the message-level finding, if any, summarises them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Problem {
    /// Stable identifier, `area.what`, e.g. `received.unknown-clause`.
    pub code: &'static str,
    /// What was not understood, in plain words.
    pub message: String,
    /// The characters at fault, in the field's value; `null` when the problem is the whole value.
    pub value_span: Option<Span>,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            value_span: None,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.value_span = Some(span);
        self
    }
}

/// How every error-like value of the report is written: `{"kind", "message", "detail"}`, with
/// `kind` one of a documented list (kebab-case), `message` one clause for a person and `detail`
/// the variable part (a name, a reason from below) or `null`.
#[derive(Serialize)]
pub(crate) struct ErrorObject<'a> {
    pub kind: &'a str,
    pub message: String,
    pub detail: Option<&'a str>,
}

/// The JSON Schema of an [`ErrorObject`] whose `kind` is one of `kinds`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn error_object_schema(description: &str, kinds: &[&str]) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": description,
        "properties": {
            "kind": { "type": "string", "enum": kinds },
            "message": { "type": "string" },
            "detail": { "type": ["string", "null"] }
        },
        "required": ["kind", "message", "detail"],
        "additionalProperties": false
    })
}

/// Whether a character changes how text around it is displayed, or shows nothing at all, so that
/// a reader cannot see it: the bidi controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
/// isolates, the marks U+200E, U+200F and U+061C), zero-width and invisible characters (U+200B–
/// U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD, U+034F, U+115F, U+1160, U+3164, U+FFA0), the tag
/// characters (U+E0000–U+E007F), and control characters other than tab. `Subject: …U+202E gnp.exe`
/// shows as "exe.png" unless the override is revealed (Unicode TR #36 §2.1, CVE-2021-42574).
pub fn is_hidden_char(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{200B}'..='\u{200D}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}' | '\u{180E}' | '\u{00AD}' | '\u{034F}'
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}'
    ) || (c.is_control() && c != '\t')
}

/// `text` with every [hidden character](is_hidden_char) written as `⟨U+202E⟩`, so that what a
/// reader sees is what the text holds. Borrowed when there is nothing to reveal.
pub fn reveal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden_char(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` in double quotes for a sentence of the report, hidden characters revealed: the report's
/// way of quoting outside text (never Rust's `{:?}`, whose escapes are not for people).
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", reveal(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subject that shows as "exe.png" in a mail client: the override must be visible.
    #[test]
    fn bidi_override_in_a_subject_is_revealed() {
        assert_eq!(reveal("Invoice \u{202E}gnp.exe"), "Invoice ⟨U+202E⟩gnp.exe");
        assert_eq!(reveal("pay\u{200B}pal"), "pay⟨U+200B⟩pal");
        assert!(matches!(
            reveal("plain text, é ✉"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn quoted_reveals_and_does_not_escape_like_debug() {
        assert_eq!(quoted("a \"b\"\u{7}"), "\"a \"b\"⟨U+0007⟩\"");
    }
}
