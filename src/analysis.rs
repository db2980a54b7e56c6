//! The message pipeline end to end: intake → transport path → envelope → (DKIM, SPF, ARC,
//! DMARC policy discovery, iprev, side by side) → DMARC → comparison with the receiver's
//! results → verdict and bulk-sender checklist → report.
//!
//! Each stage lives in its own module and is a pure function of the message, the options and
//! what the resolver answers; this module only calls them in order and gathers their reports.

use serde::Serialize;

use crate::arc::{self, ArcReport};
use crate::auth_results::{self, AuthenticationResults, Comparison, ReceivedSpf, Recomputed};
use crate::bulk::{self, BulkChecklist};
use crate::crypto::Crypto;
use crate::dkim::{self, DkimReport};
use crate::dmarc::{self, DmarcReport};
use crate::dns::{QueryTrace, Recorder, Resolver};
use crate::e2e::{self, E2eOptions, E2eReport};
use crate::envelope::{envelope_from_path, Envelope};
use crate::iprev::{self, IprevReport};
use crate::message::{self, Message};
use crate::received::{self, Border, Hop};
use crate::report::{Finding, Span, SCHEMA_VERSION};
use crate::sender;
use crate::spf;
use crate::vendor::{self, VendorVerdict};
use crate::verdict::{self, Verdict, VerdictInput};

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
    /// ARC sealers (`d=` of their ARC-Seal) whose recorded results the reader trusts, as a
    /// receiver's local policy would (RFC 8617 §7.2). Empty: every sealer of a valid chain is
    /// considered, and the verdict says whose seal it rests on.
    pub trusted_arc_sealers: Vec<String>,
    /// The roots and OpenPGP keys S/MIME and OpenPGP signatures are checked with.
    pub e2e: E2eOptions,
}

pub use crate::envelope::EnvelopeOverride;

/// The report on one message: what `mailspect message --json` prints and the page renders.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MessageReport {
    /// The version of the report's shape (see `docs/report.md`).
    pub schema_version: &'static str,
    /// The answer first: is the From address authenticated, by what, and was the path
    /// encrypted; in one plain sentence too.
    pub verdict: Verdict,
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
    /// DMARC for the From domain: policy discovery, alignment of SPF and DKIM, the result and
    /// the disposition its policy asks for.
    pub dmarc: DmarcReport,
    /// The ARC chain (RFC 8617): each sealer with what it recorded, and whether the chain holds.
    pub arc: ArcReport,
    /// The `iprev` check (RFC 8601 §3) of the envelope's connecting IP; `null` without one.
    pub iprev: Option<IprevReport>,
    /// Whether the message meets the bulk-sender requirements of Gmail and Yahoo that a message
    /// shows, each with its evidence.
    pub bulk_sender: BulkChecklist,
    /// The final receiver's recorded SPF, DKIM, DMARC and ARC results beside mailspect's own,
    /// with whether they agree and why not.
    pub comparisons: Vec<Comparison>,
    /// Everything noticed, most severe first.
    pub findings: Vec<Finding>,
    /// One report per DKIM-Signature field, in header order (top first).
    pub dkim: Vec<DkimReport>,
    /// End-to-end protection: whether the message is signed or encrypted with S/MIME or
    /// OpenPGP, the signature checked (where this build checks it) and the recipients.
    pub e2e: E2eReport,
    /// Every DNS lookup the analysis made, in the order they started: for the DNS waterfall and
    /// to show which answers each verdict rests on.
    pub dns: Vec<QueryTrace>,
    /// Set in a report redacted for sharing ([`crate::redact`]): what was masked. `null` in the
    /// report of an analysis.
    pub redaction: Option<crate::redact::Redaction>,
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
#[cfg(feature = "rust-crypto")]
pub async fn analyze_message<R: Resolver>(
    input: &[u8],
    options: &Options,
    resolver: &R,
) -> Result<MessageReport, message::IntakeError> {
    Ok(analyze_parsed(message::parse_input(input)?, options, resolver).await)
}

/// [`analyze_message`] of a message intake has read already: the page's Message view module
/// reads no `.msg` itself, and analyses the headers its msg module found with
/// [`message::parse_outlook_headers`].
#[cfg(feature = "rust-crypto")]
pub async fn analyze_parsed<R: Resolver>(
    message: Message,
    options: &Options,
    resolver: &R,
) -> MessageReport {
    analyze_parsed_with(message, options, resolver, &crate::crypto::RustCrypto).await
}

/// [`analyze_parsed`] with DKIM's and ARC's cryptography from `crypto`: the page's Message view
/// verifies with the browser's WebCrypto ([`crate::crypto`]).
pub async fn analyze_parsed_with<R: Resolver, C: Crypto>(
    message: Message,
    options: &Options,
    resolver: &R,
    crypto: &C,
) -> MessageReport {
    // Every stage resolves through the recorder, so that the report lists each lookup.
    let resolver = Recorder::new(resolver);
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
    // Everything that needs only the message and the envelope starts at once: DKIM keys, SPF,
    // ARC keys, DMARC policy discovery and iprev. In the browser their DoH queries overlap.
    let from = dmarc::FromInput::from_summary(&summary, message.fields_named("From").count());
    // The domains relaxed alignment will walk the tree for, known before any check: the SPF
    // domain (MAIL FROM, or HELO for a bounce) and each DKIM signature's d=.
    let mut alignment_domains: Vec<String> = dkim::signing_domains(&message);
    let spf_domain = match envelope.mail_from.as_deref() {
        Some("") | None => envelope.helo.clone(),
        Some(mail_from) => mail_from
            .rsplit_once('@')
            .map(|(_, domain)| domain.to_string()),
    };
    alignment_domains.extend(spf_domain);
    let iprev_check = async {
        match envelope.ip {
            Some(ip) => Some(iprev::check(ip, &resolver).await),
            None => None,
        }
    };
    let (dkim, spf, arc, discovered, iprev) = futures_util::future::join5(
        dkim::verify_message_with(
            &message,
            &resolver,
            crypto,
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
        arc::verify_message_with(&message, &resolver, crypto, options.now),
        dmarc::discover_for_message(&from, &alignment_domains, &resolver),
        iprev_check,
    )
    .await;
    // DMARC's decision needs SPF's and DKIM's results; only relaxed alignment's tree walks for
    // the identifiers' organisational domains are left to ask.
    let dmarc = dmarc::decide(
        discovered,
        &dmarc::SpfInput::from_message_spf(&spf),
        &dmarc::DkimInput::from_reports(&dkim),
    )
    .await;
    findings.extend(dkim::findings(&dkim));
    findings.extend(spf::message_findings(&spf));
    findings.extend(dmarc::message_findings(&dmarc));
    findings.extend(arc::message_findings(&arc));
    findings.extend(
        iprev
            .iter()
            .flat_map(|iprev| iprev.findings.iter().cloned()),
    );
    let (comparisons, comparison_findings) = auth_results::compare(
        &message,
        &results.authentication_results,
        &results.received_spf,
        &Recomputed {
            spf: &spf,
            dkim: &dkim,
            dmarc: &dmarc,
            arc: &arc,
        },
    );
    findings.extend(comparison_findings);
    let e2e = end_to_end(&message, &summary, options, &dkim);
    findings.extend(e2e.findings.iter().cloned());
    findings.extend(resolver.limit_findings());
    let border_hop = path.hops.iter().find(|hop| hop.border);
    let bulk_sender = bulk::checklist(&bulk::BulkInput::from_reports(
        &message,
        &spf,
        &dkim,
        &dmarc,
        border_hop,
        iprev.as_ref().map(|iprev| iprev.result),
    ));
    let arc_forwarder = arc::forwarder_for(&arc, &dmarc, &options.trusted_arc_sealers);
    // Most severe first; the sort is stable, so findings of one severity keep pipeline order.
    crate::sort::sort_by_key(&mut findings, |finding| std::cmp::Reverse(finding.severity));
    let verdict = verdict::verdict(&VerdictInput {
        dmarc: &dmarc,
        dkim: &dkim,
        arc: &arc,
        arc_forwarder,
        hops: &path.hops,
        findings: &findings,
    });
    MessageReport {
        schema_version: SCHEMA_VERSION,
        verdict,
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
        dmarc,
        arc,
        iprev,
        bulk_sender,
        comparisons,
        headers: header_reports(&message),
        body: BodyReport {
            present: message.body_start.is_some(),
            bytes: message.body().map_or(0, <[u8]>::len),
        },
        findings,
        dkim,
        e2e,
        dns: resolver.into_trace(),
        redaction: None,
    }
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

/// The `e2e` report: checked in a build with the `e2e` feature (the CLI), detected only in the
/// page's Message view module, whose e2e module checks it when it is loaded; then the findings
/// that weigh it against DKIM.
fn end_to_end(
    message: &Message,
    summary: &message::Summary,
    options: &Options,
    dkim: &[DkimReport],
) -> E2eReport {
    #[cfg(feature = "e2e")]
    let mut report = e2e::check(message, summary, &options.e2e, options.now);
    #[cfg(not(feature = "e2e"))]
    let mut report = {
        let _ = (summary, options);
        e2e::detect(message)
    };
    let dkim_passed = (!dkim.is_empty()).then(|| {
        dkim.iter()
            .any(|signature| signature.result == dkim::DkimResult::Pass)
    });
    let dkim_findings = e2e::dkim_findings(&report, dkim_passed);
    report.findings.extend(dkim_findings);
    report
}
