//! The message pipeline end to end: intake → (transport path, DKIM, SPF, DMARC) → report.
//!
//! Each stage lives in its own module and is a pure function of the message, the options and
//! what the resolver answers; this module only calls them in order and gathers their reports.

use std::net::IpAddr;

use serde::Serialize;

use crate::auth_results::{self, AuthenticationResults, Comparison, ReceivedSpf};
use crate::dkim::{self, DkimReport};
use crate::dns::{QueryTrace, Recorder, Resolver};
use crate::message::{self, IntakeError, Mailbox, Message};
use crate::received::{self, Border, Hop, Path};
use crate::report::{Finding, Span};
use crate::sender;
use crate::spf;
use crate::vendor::{self, VendorVerdict};

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
    /// The transport path from the Received fields, oldest hop first.
    pub hops: Vec<Hop>,
    /// Totals over the path and the receiver's border hop.
    pub transit: Transit,
    /// Authentication-Results and ARC-Authentication-Results fields, top first, each marked
    /// trusted or not by where it sits relative to the border hop.
    pub authentication_results: Vec<AuthenticationResults>,
    /// Received-SPF fields, top first.
    pub received_spf: Vec<ReceivedSpf>,
    /// Filtering products' verdict headers, decoded (Microsoft, SpamAssassin, Proofpoint, Mimecast).
    pub vendor_verdicts: Vec<VendorVerdict>,
    /// SPF for the envelope's connecting IP: the MAIL FROM identity and the HELO identity.
    pub spf: spf::MessageSpf,
    /// The final receiver's recorded SPF and DKIM results beside mailspect's own, with whether
    /// they agree and why not.
    pub comparisons: Vec<Comparison>,
    /// Everything noticed, most severe first.
    pub findings: Vec<Finding>,
    /// One report per DKIM-Signature field, in header order (top first).
    pub dkim: Vec<DkimReport>,
    /// Every DNS lookup the analysis made, in the order they started: for the DNS waterfall and
    /// to show which answers each verdict rests on.
    pub dns: Vec<QueryTrace>,
}

/// What the path adds up to.
#[derive(Debug, Clone, Serialize)]
pub struct Transit {
    /// Seconds from the oldest dated hop to the newest; negative when the clocks disagree.
    pub total_seconds: Option<i64>,
    /// How many Received fields the message has; at most [`received::MAX_HOPS`] are analysed.
    pub received_fields: usize,
    /// The receiver's border hop, and how it was found.
    pub border: Option<Border>,
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

/// Works out the envelope: the user's override wins part by part; otherwise the connecting IP and
/// HELO name come from the receiver's border hop (the first hop the receiving organisation
/// stamped, see [`received::Border`]), and MAIL FROM from the topmost Return-Path (RFC 5321
/// §4.4), where the final delivery agent records it.
pub fn choose_envelope(message: &Message, envelope: &EnvelopeOverride) -> Envelope {
    let results = auth_results::read_result_fields(message);
    let path = received::analyze_path(message, &results.recorded_ips(), 0);
    envelope_from_path(message, envelope, &path)
}

/// [`choose_envelope`] with the path already analysed.
pub fn envelope_from_path(message: &Message, envelope: &EnvelopeOverride, path: &Path) -> Envelope {
    let return_path = message.first_field("Return-Path").map(|field| {
        let value = message::unfold_value(message.value_bytes(field));
        value
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    });
    let border = path.hops.iter().find(|hop| hop.border);
    let border_ip = border.and_then(|hop| hop.ip);
    let border_helo = border.and_then(|hop| hop.helo.clone());
    let source = if envelope.ip.is_some() || envelope.helo.is_some() || envelope.mail_from.is_some()
    {
        EnvelopeSource::Override
    } else if border_ip.is_some() {
        EnvelopeSource::Received
    } else if return_path.is_some() {
        EnvelopeSource::ReturnPath
    } else {
        EnvelopeSource::None
    };
    Envelope {
        ip: envelope.ip.or(border_ip),
        helo: envelope.helo.clone().or(border_helo),
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
    // Every stage resolves through the recorder, so that the report lists each lookup.
    let resolver = Recorder::new(resolver);
    let message = message::parse_input(input)?;
    let summary = message::summarize(&message);
    let mut findings = message.findings.clone();
    findings.extend(summary_findings(&message, &summary));
    let mut results = auth_results::read_result_fields(&message);
    let mut path = received::analyze_path(&message, &results.recorded_ips(), options.now);
    findings.append(&mut path.findings);
    findings.extend(results.judge(path.border.as_ref()));
    let (vendor_verdicts, vendor_finding) =
        vendor::read_vendor_verdicts(&message, path.border.as_ref());
    findings.extend(vendor_finding);
    let envelope = envelope_from_path(&message, &options.envelope, &path);
    let receiver_domains = path
        .border
        .as_ref()
        .map(|border| border.receiver_domains.clone())
        .unwrap_or_default();
    findings.extend(sender::sender_findings(
        &message,
        &summary,
        &receiver_domains,
    ));

    // `%{r}` in an SPF explanation names the checking host: the receiver's border hop.
    let receiver = path
        .border
        .as_ref()
        .and_then(|border| path.hops.iter().find(|hop| hop.number == border.hop))
        .and_then(|hop| hop.by.clone());
    let spf_options = spf::CheckOptions {
        receiver,
        now: options.now,
    };
    // DKIM and SPF ask independent questions: in the browser their DoH queries run side by side.
    let (dkim, spf) = futures_util::future::join(
        dkim::verify_message(
            &message,
            &resolver,
            options.now,
            options.include_canonicalized,
        ),
        spf::check_envelope(
            &resolver,
            envelope.ip,
            envelope.mail_from.as_deref(),
            envelope.helo.as_deref(),
            &spf_options,
        ),
    )
    .await;
    findings.extend(dkim::findings(&dkim));
    findings.extend(spf::message_findings(&spf));
    let (comparisons, comparison_findings) = auth_results::compare(
        &message,
        &results.authentication_results,
        &results.received_spf,
        &spf,
        &dkim,
    );
    findings.extend(comparison_findings);
    // Most severe first; the sort is stable, so findings of one severity keep pipeline order.
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    Ok(MessageReport {
        summary,
        envelope,
        hops: path.hops,
        transit: Transit {
            total_seconds: path.total_seconds,
            received_fields: path.received_fields,
            border: path.border,
        },
        authentication_results: results.authentication_results,
        received_spf: results.received_spf,
        vendor_verdicts,
        spf,
        comparisons,
        headers: header_reports(&message),
        body: BodyReport {
            present: message.body_start.is_some(),
            bytes: message.body().map_or(0, <[u8]>::len),
        },
        findings,
        dkim,
        dns: resolver.into_trace(),
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
