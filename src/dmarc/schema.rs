//! JSON Schema stand-ins for report types defined elsewhere that do not derive
//! `schemars::JsonSchema` yet (`report::Span`, `report::Finding`, `dns::QueryTrace`). Each
//! mirrors the JSON its type serializes; delete it once the type derives the schema itself.

#![allow(dead_code)]

use schemars::JsonSchema;

/// `report::Span`: a byte range, end exclusive.
#[derive(JsonSchema)]
pub(crate) struct SpanSchema {
    pub start: usize,
    pub end: usize,
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SeveritySchema {
    Info,
    Warning,
    Error,
}

/// `report::Finding`.
#[derive(JsonSchema)]
pub(crate) struct FindingSchema {
    pub severity: SeveritySchema,
    pub code: String,
    pub message: String,
    pub rfc: Option<String>,
    pub span: Option<SpanSchema>,
}

/// `dns::QueryTrace`: its own shape, documented in `docs/report.md`.
pub(crate) type QueryTraceSchema = serde_json::Value;
