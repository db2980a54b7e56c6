//! The message pipeline end to end: intake → (transport path, DKIM, SPF, DMARC) → report.
//!
//! Each stage lives in its own module and is a pure function of the message, the options and
//! what the resolver answers; this module only calls them in order and gathers their reports.

use std::net::IpAddr;

use serde::Serialize;

use crate::dkim::{self, DkimReport};
use crate::dns::Resolver;
use crate::message::{self, IntakeError, Mailbox, Message};
use crate::report::{Finding, Span};

/// What the caller fixes instead of letting the analysis work it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The SMTP envelope to evaluate SPF and DMARC with, overriding what the Received chain says.
    pub envelope: EnvelopeOverride,
    /// The clock for signature time checks, in seconds since the Unix epoch. The core never reads
    /// a clock itself: the CLI passes the system time or `--now`, the page passes `Date.now()`.
    pub now: u64,
    /// Include the exact canonicalized bytes each signature hashed (large; for experts).
    pub include_canonicalized: bool,
}

/// The SMTP envelope as the user gave it; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeOverride {
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    pub mail_from: Option<String>,
}

/// The report on one message.
#[derive(Debug, Clone, Serialize)]
pub struct MessageReport {
    /// The fields people look at first.
    pub summary: message::Summary,
    /// Every header field in order, top first.
    pub headers: Vec<HeaderReport>,
    /// Whether a body was given, and how large it is after line-end normalisation.
    pub body: BodyReport,
    /// The SMTP envelope SPF and DMARC are evaluated with.
    pub envelope: Envelope,
    /// Everything noticed, most severe first.
    pub findings: Vec<Finding>,
    /// One report per DKIM-Signature field, in header order (top first).
    pub dkim: Vec<DkimReport>,
}

/// One header field as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderReport {
    pub name: String,
    /// The value exactly as written, folding included, without the final CRLF.
    pub value: String,
    /// Unfolded, with RFC 2047 encoded-words decoded.
    pub decoded: String,
    pub span: Span,
}

/// The SMTP envelope the analysis evaluates SPF and DMARC with, and where each part came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    /// The MAIL FROM address; `Some("")` is the null reverse-path of a bounce.
    pub mail_from: Option<String>,
    /// Where the values came from: `override` (the user), `received` (the border hop of the
    /// Received chain), `return-path`, or `none`.
    pub source: EnvelopeSource,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvelopeSource {
    Override,
    Received,
    ReturnPath,
    #[default]
    None,
}

/// Works out the envelope: the user's override wins part by part; otherwise MAIL FROM comes from
/// the topmost Return-Path (RFC 5321 §4.4), where the final delivery agent records it.
pub fn choose_envelope(message: &Message, envelope: &EnvelopeOverride) -> Envelope {
    let return_path = message.first_field("Return-Path").map(|field| {
        let value = message::unfold_value(message.value_bytes(field));
        value
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    });
    let source = if envelope.ip.is_some() || envelope.helo.is_some() || envelope.mail_from.is_some()
    {
        EnvelopeSource::Override
    } else if return_path.is_some() {
        EnvelopeSource::ReturnPath
    } else {
        EnvelopeSource::None
    };
    Envelope {
        ip: envelope.ip,
        helo: envelope.helo.clone(),
        mail_from: envelope.mail_from.clone().or(return_path),
        source,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyReport {
    pub present: bool,
    pub bytes: usize,
}

/// Analyses one message. Fails only when the input is not a message at all; everything else,
/// however bad, is a finding in the report.
pub async fn analyze_message<R: Resolver>(
    input: &[u8],
    options: &Options,
    resolver: &R,
) -> Result<MessageReport, IntakeError> {
    let message = message::parse_message(input)?;
    let dkim = dkim::verify_message(
        &message,
        resolver,
        options.now,
        options.include_canonicalized,
    )
    .await;
    let summary = message::summarize(&message);
    let mut findings = message.findings.clone();
    findings.extend(summary_findings(&message, &summary));
    findings.extend(dkim::findings(&dkim));
    // Most severe first; the sort is stable, so findings of one severity keep pipeline order.
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    Ok(MessageReport {
        summary,
        envelope: choose_envelope(&message, &options.envelope),
        headers: header_reports(&message),
        body: BodyReport {
            present: message.body_start.is_some(),
            bytes: message.body().map_or(0, <[u8]>::len),
        },
        findings,
        dkim,
    })
}

fn header_reports(message: &Message) -> Vec<HeaderReport> {
    message
        .fields
        .iter()
        .map(|field| {
            let value = message.value_bytes(field);
            HeaderReport {
                name: field.name.clone(),
                value: String::from_utf8_lossy(value).into_owned(),
                decoded: message::decode_field(&field.name, value),
                span: field.span(),
            }
        })
        .collect()
}

/// Findings about the fields every message must have (RFC 5322 §3.6).
fn summary_findings(message: &Message, summary: &message::Summary) -> Vec<Finding> {
    use crate::report::Severity;
    const ORIGINATION: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6";
    let mut findings = Vec::new();
    for (name, code) in [
        ("From", "message.from-missing"),
        ("Date", "message.date-missing"),
    ] {
        if message.fields_named(name).next().is_none() {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    code,
                    format!("There is no {name} field; every message must have one."),
                )
                .with_rfc(ORIGINATION),
            );
        }
    }
    let from_unreadable = summary
        .from
        .iter()
        .all(|mailbox: &Mailbox| mailbox.address.is_none());
    if message.fields_named("From").next().is_some() && from_unreadable {
        findings.push(
            Finding::new(
                Severity::Warning,
                "message.from-unreadable",
                "The From field holds no address that could be read.",
            )
            .with_rfc(ORIGINATION),
        );
    }
    findings
}
