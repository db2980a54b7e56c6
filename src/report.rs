//! The report: what every stage of the pipeline hands to the edges (CLI, wasm, page).
//!
//! Field names and result words here are an interface: the CLI's `--json` output and the page
//! both read them, and scripts depend on them. Add fields; never rename or remove one.

use serde::Serialize;

/// A byte range in the normalised message (see [`crate::message::Message::bytes`]), so that the
/// page can point at the exact characters a finding is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// How much a finding matters to the person reading the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Weakens security or deliverability, or the input was damaged and repaired.
    Warning,
    /// Something is broken or points at forgery.
    Error,
}

/// One observation about the input, with a stable machine-readable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, `area.what` in lower case, e.g. `intake.mbox-line-removed`.
    pub code: &'static str,
    /// One or two plain sentences for a person.
    pub message: String,
    /// The RFC section that explains the rule, as a URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfc: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl Finding {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Finding {
            severity,
            code,
            message: message.into(),
            rfc: None,
            span: None,
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
}
