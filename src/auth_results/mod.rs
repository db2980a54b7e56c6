//! Authentication-Results (RFC 8601), ARC-Authentication-Results (RFC 8617 §4.1.1) and
//! Received-SPF (RFC 7208 §9.1): what receivers upstream and the final receiver wrote about
//! SPF, DKIM, DMARC and friends.
//!
//! Sits beside the Received analysis: the IPs these fields record help find the border hop, and
//! the border decides which of them can be believed ([`crate::received::Border::trust`]).
//! Results are kept as written (lower-cased); they are reports by others, never our verdicts.

mod compare;
mod compare_policy;
mod parse;

use serde::Serialize;

use crate::message::{unfold_value, Message};
use crate::received::{address_literal, Border, RecordedIp, Trust};
use crate::report::{Finding, Problem, Severity, Span};

pub use compare::{compare, Agreement, Comparison, Method, Recomputed, ResultWord};
pub use parse::{parse_authentication_results, parse_received_spf};

/// The kinds of result header this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ResultsKind {
    /// `Authentication-Results` (RFC 8601 §2.2).
    AuthenticationResults,
    /// `ARC-Authentication-Results` (RFC 8617 §4.1.1): an instance tag, then the same payload.
    ArcAuthenticationResults,
}

/// One Authentication-Results or ARC-Authentication-Results field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuthenticationResults {
    pub kind: ResultsKind,
    /// The ARC instance (`i=`), for ARC-Authentication-Results.
    pub instance: Option<u32>,
    /// `authserv-id`: who claims to have done the checks. Microsoft omits it.
    pub authserv_id: Option<String>,
    /// `authres-version`, when given (only 1 is defined).
    pub version: Option<u32>,
    pub results: Vec<MethodResult>,
    /// Whether the receiving organisation wrote this field (see [`Border::trust`]).
    pub trust: Trust,
    pub span: Span,
    /// What did not follow RFC 8601.
    pub problems: Vec<Problem>,
    /// The field's place in `Message::fields`.
    #[serde(skip)]
    pub field_index: usize,
}

/// `resinfo`: one method's result (RFC 8601 §2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MethodResult {
    /// The method, lower case: `spf`, `dkim`, `dmarc`, `arc`, `iprev`, `auth`, `compauth`, …
    pub method: String,
    pub method_version: Option<String>,
    /// The result word as written, lower case (RFC 8601 §2.7 defines them per method).
    pub result: String,
    /// `reasonspec`.
    pub reason: Option<String>,
    /// `propspec`s: `smtp.mailfrom`, `header.d`, `header.from`, `policy.iprev`, …
    pub properties: Vec<Property>,
    /// Other `key=value` pairs not in the grammar (Microsoft's `action=none`).
    pub extensions: Vec<Property>,
    pub comments: Vec<String>,
}

/// `propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Property {
    /// `smtp`, `header`, `body`, `policy`; empty for an extension.
    pub ptype: String,
    pub property: String,
    pub value: String,
}

/// One Received-SPF field (RFC 7208 §9.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReceivedSpf {
    /// The result word, lower case.
    pub result: String,
    pub comment: Option<String>,
    /// `key=value` pairs in order: `client-ip`, `envelope-from`, `helo`, `receiver`, …
    pub pairs: Vec<Property>,
    pub trust: Trust,
    pub span: Span,
    /// What did not follow RFC 7208 §9.1.
    pub problems: Vec<Problem>,
    #[serde(skip)]
    pub field_index: usize,
}

impl ReceivedSpf {
    /// The receiver's name: `receiver=`, or the comment's leading `name:` that RFC 7208 §9.1
    /// suggests and Gmail writes.
    pub fn receiver(&self) -> Option<String> {
        self.value("receiver").map(str::to_string).or_else(|| {
            self.comment
                .as_deref()
                .and_then(|comment| comment.split_once(':'))
                .map(|(name, _)| name.trim().to_string())
                .filter(|name| !name.contains(' '))
        })
    }

    /// The value of `key` (case-insensitive).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|pair| pair.property.eq_ignore_ascii_case(key))
            .map(|pair| pair.value.as_str())
    }
}

/// Every result field of a message, top first.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ResultFields {
    pub authentication_results: Vec<AuthenticationResults>,
    pub received_spf: Vec<ReceivedSpf>,
    /// Result fields beyond [`MAX_RESULT_FIELDS`] of their kind, not read.
    #[serde(skip)]
    pub skipped: usize,
}

const RFC8601_TRUST: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-5";
const RFC8601_GRAMMAR: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-2.2";
const RFC7208_RECEIVED_SPF: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-9.1";

/// At most this many result fields of each kind are read; real messages carry a handful.
pub const MAX_RESULT_FIELDS: usize = 200;

/// Reads every Authentication-Results, ARC-Authentication-Results and Received-SPF field.
pub fn read_result_fields(message: &Message) -> ResultFields {
    let mut fields = ResultFields::default();
    for (index, field) in message.fields.iter().enumerate() {
        let name = field.name.to_ascii_lowercase();
        let value = || unfold_value(message.value_bytes(field));
        let full = |count: usize| count >= MAX_RESULT_FIELDS;
        match name.as_str() {
            "authentication-results" | "arc-authentication-results"
                if full(fields.authentication_results.len()) =>
            {
                fields.skipped += 1;
            }
            "received-spf" if full(fields.received_spf.len()) => fields.skipped += 1,
            "authentication-results" | "arc-authentication-results" => {
                let kind = if name.starts_with("arc-") {
                    ResultsKind::ArcAuthenticationResults
                } else {
                    ResultsKind::AuthenticationResults
                };
                let mut results = parse_authentication_results(&value(), kind);
                results.span = field.span();
                results.field_index = index;
                fields.authentication_results.push(results);
            }
            "received-spf" => {
                let mut spf = parse_received_spf(&value());
                spf.span = field.span();
                spf.field_index = index;
                fields.received_spf.push(spf);
            }
            _ => {}
        }
    }
    fields
}

impl ResultFields {
    /// The connecting IPs these fields record: Received-SPF `client-ip=`, `policy.iprev`, and
    /// the IP in an SPF result's comment (Gmail: "designates 209.85.220.41 as permitted
    /// sender"; Microsoft: "sender IP is 192.0.2.1").
    pub fn recorded_ips(&self) -> Vec<RecordedIp> {
        let mut recorded = Vec::new();
        for spf in &self.received_spf {
            if let Some(ip) = spf.value("client-ip").and_then(address_literal) {
                recorded.push(RecordedIp {
                    field_index: spf.field_index,
                    ip,
                    claimed_name: spf.receiver(),
                });
            }
        }
        for results in &self.authentication_results {
            for result in &results.results {
                let from_property = result
                    .properties
                    .iter()
                    .filter(|p| p.property == "iprev" || p.property == "remote-ip")
                    .filter_map(|p| address_literal(&p.value));
                let from_comment = (result.method == "spf")
                    .then(|| {
                        result.comments.iter().flat_map(|comment| {
                            comment.split_whitespace().filter_map(address_literal)
                        })
                    })
                    .into_iter()
                    .flatten();
                for ip in from_property.chain(from_comment) {
                    recorded.push(RecordedIp {
                        field_index: results.field_index,
                        ip,
                        claimed_name: results.authserv_id.clone(),
                    });
                }
            }
        }
        recorded
    }

    /// Marks each field trusted or not by its place relative to the border, and reports the
    /// fields that cannot be believed and those that do not follow their grammar.
    pub fn judge(&mut self, border: Option<&Border>) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.skipped > 0 {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "auth-results.too-many",
                    format!(
                    "{} result fields beyond the first {MAX_RESULT_FIELDS} of their kind were not \
                     read; no real message carries that many.",
                    self.skipped
                ),
                )
                .with_rfc(RFC8601_GRAMMAR),
            );
        }
        for results in &mut self.authentication_results {
            results.trust = border.map_or(Trust::Unknown, |border| {
                border.trust(results.field_index, results.authserv_id.as_deref())
            });
            if results.trust == Trust::Untrusted {
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "auth-results.untrusted",
                        format!(
                            "This {} field{} was written before the message reached the \
                             receiving organisation; anyone can write such a field, so its \
                             results are not evidence.",
                            header_name(results.kind),
                            results
                                .authserv_id
                                .as_deref()
                                .map(|id| format!(" (from {id})"))
                                .unwrap_or_default()
                        ),
                    )
                    .with_rfc(RFC8601_TRUST)
                    .with_span(results.span),
                );
            }
            if !results.problems.is_empty() {
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "auth-results.nonstandard",
                        format!(
                            "This {} field does not follow RFC 8601: {}.",
                            header_name(results.kind),
                            problem_list(&results.problems)
                        ),
                    )
                    .with_rfc(RFC8601_GRAMMAR)
                    .with_span(results.span),
                );
            }
        }
        for spf in &mut self.received_spf {
            let receiver = spf.receiver();
            spf.trust = border.map_or(Trust::Unknown, |border| {
                border.trust(spf.field_index, receiver.as_deref())
            });
            if !spf.problems.is_empty() {
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "received-spf.nonstandard",
                        format!(
                            "This Received-SPF field does not follow RFC 7208: {}.",
                            problem_list(&spf.problems)
                        ),
                    )
                    .with_rfc(RFC7208_RECEIVED_SPF)
                    .with_span(spf.span),
                );
            }
        }
        findings
    }
}

/// The problems' messages as one list for a sentence.
fn problem_list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|problem| problem.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn header_name(kind: ResultsKind) -> &'static str {
    match kind {
        ResultsKind::AuthenticationResults => "Authentication-Results",
        ResultsKind::ArcAuthenticationResults => "ARC-Authentication-Results",
    }
}

#[cfg(test)]
mod tests;
