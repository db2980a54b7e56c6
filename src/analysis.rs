//! The message pipeline end to end: intake → transport path → envelope → (DKIM, SPF) →
//! comparison with the receiver's results → report.
//!
//! Each stage lives in its own module and is a pure function of the message, the options and
//! what the resolver answers; this module only calls them in order and gathers their reports.

use serde::Serialize;

use crate::auth_results::{self, AuthenticationResults, Comparison, ReceivedSpf};
use crate::dkim::{self, DkimReport};
use crate::dns::{QueryTrace, Recorder, Resolver};
use crate::envelope::{envelope_from_path, Envelope};
use crate::message::{self, IntakeError, Message};
use crate::received::{self, Border, Hop};
use crate::report::{Finding, Span, SCHEMA_VERSION};
use crate::sender;
use crate::spf;
use crate::vendor::{self, VendorVerdict};

/// What the caller fixes instead of letting the analysis work it out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The SMTP envelope to evaluate SPF with, overriding what the Received chain says.
    pub envelope: EnvelopeOverride,
    /// The clock for signature time checks, in seconds since the Unix epoch. The core never reads
    /// a clock itself: the CLI passes the system time or `--now`, the page passes `Date.now()`.
    pub now: u64,
    /// Include the exact canonicalized bytes each signature hashed (large; for experts).
    pub include_canonicalized: bool,
}

pub use crate::envelope::EnvelopeOverride;

/// The report on one message: what `mailspect message --json` prints and the page renders.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MessageReport {
    /// The version of the report's shape (see `docs/report.md`).
    pub schema_version: &'static str,
    /// The fields people look at first.
    pub summary: message::Summary,
    /// Every header field in order, top first.
    pub headers: Vec<HeaderReport>,
    /// Whether a body was given, and how large it is after line-end normalisation.
    pub body: BodyReport,
    /// The SMTP envelope SPF is evaluated with.
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
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
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
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct HeaderReport {
    pub name: String,
    /// The value exactly as written, folding included, without the final CRLF.
    pub value: String,
    /// Unfolded, with RFC 2047 encoded-words decoded.
    pub decoded: String,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
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
        schema_version: SCHEMA_VERSION,
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
