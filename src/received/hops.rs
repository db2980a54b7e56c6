//! Hop analysis: stamps ordered oldest first, with delays, a transport verdict per hop, the
//! receiver's border hop, and findings about all of it.

use serde::Serialize;

use super::border::{find_border, is_private, Border, RecordedIp};
use super::{parse_date, parse_received, tls_details, Hop, Received, TlsDetails, Transport};
use crate::message::{unfold_value, Message};
use crate::report::{Finding, Severity, Span};

/// At most this many Received fields (the topmost, nearest the receiver) are analysed. RFC 5321
/// §6.3 suggests treating more than 100 as a mail loop; real paths have fewer than 30.
pub const MAX_HOPS: usize = 100;

/// A hop delay of this many seconds or more is reported (greylisting, queues, outages).
const LONG_DELAY_SECONDS: i64 = 15 * 60;

/// Dates this far ahead of the analysis clock are reported as in the future; a little skew is
/// normal.
const FUTURE_TOLERANCE_SECONDS: i64 = 15 * 60;

const RFC5321_TRACE: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-4.4";
const RFC5322_DATE: &str = "https://www.rfc-editor.org/rfc/rfc5322#section-3.3";
const RFC3848: &str = "https://www.rfc-editor.org/rfc/rfc3848";
const RFC8996: &str = "https://www.rfc-editor.org/rfc/rfc8996";
const RFC8601_TRUST: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-5";
const RFC5321_LOOP: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-6.3";

/// The transport path of a message.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Path {
    /// Oldest first.
    pub hops: Vec<Hop>,
    /// Seconds from the oldest dated hop to the newest; negative when the clocks disagree.
    pub total_seconds: Option<i64>,
    /// How many Received fields the message has (more than [`MAX_HOPS`] are not analysed).
    pub received_fields: usize,
    /// The receiver's border hop, when one was found.
    pub border: Option<Border>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Reads every Received field of `message` into hops and analyses them. `recorded` are the IPs
/// the receiver's own result fields name (see [`RecordedIp`]); `now` is the analysis clock in
/// Unix seconds (0: do not check for dates in the future).
pub fn analyze_path(message: &Message, recorded: &[RecordedIp], now: u64) -> Path {
    let mut findings = Vec::new();
    let received: Vec<(usize, &crate::message::HeaderField)> = message
        .fields
        .iter()
        .enumerate()
        .filter(|(_, field)| field.name.eq_ignore_ascii_case("Received"))
        .collect();
    if received.len() > MAX_HOPS {
        findings.push(
            Finding::new(
                Severity::Warning,
                "received.too-many",
                format!(
                    "The message has {} Received fields; only the {MAX_HOPS} nearest the \
                     recipient were analysed. More than 100 usually means a mail loop.",
                    received.len()
                ),
            )
            .with_rfc(RFC5321_LOOP),
        );
    }
    let mut hops = Vec::new();
    let mut field_indexes = Vec::new();
    for (index, field) in received.iter().take(MAX_HOPS).rev() {
        let stamp = parse_received(&unfold_value(message.value_bytes(field)));
        hops.push(hop(&stamp, field.span()));
        field_indexes.push(*index);
    }
    for (position, hop) in hops.iter_mut().enumerate() {
        hop.number = position + 1;
    }
    date_findings(&mut hops, now, &mut findings);
    let total_seconds = match (
        hops.iter().find_map(|hop| hop.timestamp),
        hops.iter().rev().find_map(|hop| hop.timestamp),
    ) {
        (Some(first), Some(last)) => Some(last.saturating_sub(first)),
        _ => None,
    };
    for hop in &hops {
        findings.extend(hop_findings(hop));
    }
    let border = find_border(&hops, &field_indexes, recorded);
    if let Some(border) = &border {
        if let Some(hop) = border.hop.checked_sub(1).and_then(|i| hops.get_mut(i)) {
            hop.border = true;
        }
    } else if !hops.is_empty() {
        findings.push(
            Finding::new(
                Severity::Info,
                "received.border-not-found",
                "No hop could be identified as where the receiving organisation took the message \
             from outside, so the connecting IP for SPF is not known from the Received fields.",
            )
            .with_rfc(RFC8601_TRUST),
        );
    }
    findings.extend(submission_finding(&hops, border.as_ref()));
    Path {
        hops,
        total_seconds,
        received_fields: received.len(),
        border,
        findings,
    }
}

fn hop(stamp: &Received, span: Span) -> Hop {
    let from = stamp.from.as_ref();
    let ip = from.and_then(|from| from.ip);
    let (transport, tls, authenticated) = transport(stamp, ip);
    Hop {
        number: 0,
        from: from.and_then(|from| {
            from.helo
                .clone()
                .or_else(|| (!from.text.is_empty()).then(|| from.text.clone()))
        }),
        helo: from.and_then(|from| from.helo.clone()),
        reverse_dns: from.and_then(|from| from.reverse_dns.clone()),
        ip,
        by: stamp.by.clone(),
        via: stamp.via.clone(),
        with: stamp.with.clone(),
        id: stamp.id.clone(),
        recipient: stamp.recipient.clone(),
        date: stamp.date.clone(),
        timestamp: None,
        delay_seconds: None,
        clock_skew: false,
        transport,
        tls,
        authenticated,
        border: false,
        span,
        problems: stamp.problems.clone(),
    }
}

/// The transport verdict, from the `with` protocol type (RFC 3848 §1, RFC 6531 §3.7.3: an `S`
/// means TLS, an `A` means the client authenticated) and the TLS comments.
fn transport(
    stamp: &Received,
    ip: Option<std::net::IpAddr>,
) -> (Transport, Option<TlsDetails>, bool) {
    let with = stamp.with.as_deref().unwrap_or_default();
    let protocol = with
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let base = protocol.strip_prefix("UTF8").unwrap_or(&protocol);
    let texts = stamp.comments.iter().map(String::as_str).chain([with]);
    let mut tls = tls_details(texts);
    // HTTPS is TLS by definition (Exchange records Outlook's submissions `with HTTPS`).
    let typed_tls = matches!(
        base,
        "ESMTPS" | "ESMTPSA" | "LMTPS" | "LMTPSA" | "SMTPS" | "HTTPS"
    );
    if typed_tls && tls.is_none() {
        tls = Some(TlsDetails {
            version: None,
            cipher: None,
            outdated: false,
            evidence: format!("with {protocol}"),
        });
    }
    let lower_comments = stamp.comments.join(" ").to_ascii_lowercase();
    let authenticated = matches!(base, "ESMTPA" | "ESMTPSA" | "LMTPA" | "LMTPSA")
        || crate::find::contains(&lower_comments, "authenticated sender:")
        || crate::find::contains(&lower_comments, "authenticated bits=")
        || crate::find::contains(&with.to_ascii_uppercase(), " AUTH");
    let local = matches!(base, "LOCAL" | "LMTP" | "MAPI" | "QMQP" | "PICKUP")
        || stamp
            .via
            .as_deref()
            .is_some_and(|via| via.eq_ignore_ascii_case("Mailbox Transport"))
        || stamp.from.is_none()
        || ip.is_some_and(is_private);
    let plain = matches!(base, "SMTP" | "ESMTP") || with.starts_with("Microsoft SMTP Server");
    let verdict = if authenticated {
        Transport::AuthenticatedSubmission
    } else if tls.is_some() {
        Transport::Encrypted
    } else if local {
        Transport::Internal
    } else if plain {
        Transport::Plaintext
    } else {
        Transport::Unknown
    };
    (verdict, tls, authenticated)
}

/// Reads each hop's date, works out the delays, and reports missing, malformed, future and
/// out-of-order dates. A negative delay is clock skew between two hosts, never a day's delay.
fn date_findings(hops: &mut [Hop], now: u64, findings: &mut Vec<Finding>) {
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let mut previous: Option<(usize, i64)> = None;
    for hop in hops.iter_mut() {
        let Some(date) = hop.date.as_deref() else {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "received.date-missing",
                    format!("Hop {} has no date after a \";\".", hop.number),
                )
                .with_rfc(RFC5321_TRACE)
                .with_span(hop.span),
            );
            continue;
        };
        let Some(parsed) = parse_date(date) else {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "received.date-unreadable",
                    format!("Hop {}'s date \"{date}\" could not be read.", hop.number),
                )
                .with_rfc(RFC5322_DATE)
                .with_span(hop.span),
            );
            continue;
        };
        if !parsed.tolerated.is_empty() {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "received.date-malformed",
                    format!(
                        "Hop {}'s date \"{date}\" does not follow RFC 5322; it was read \
                         despite {}.",
                        hop.number,
                        parsed.tolerated.join(", ")
                    ),
                )
                .with_rfc(RFC5322_DATE)
                .with_span(hop.span),
            );
        }
        if now > 0 && parsed.timestamp > now.saturating_add(FUTURE_TOLERANCE_SECONDS) {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "received.date-in-future",
                    format!(
                        "Hop {}'s date is {} in the future of the analysis clock: that host's \
                         clock is wrong, or the stamp was forged.",
                        hop.number,
                        duration(parsed.timestamp - now)
                    ),
                )
                .with_rfc(RFC5321_TRACE)
                .with_span(hop.span),
            );
        }
        hop.timestamp = Some(parsed.timestamp);
        if let Some((number, earlier)) = previous {
            let delay = parsed.timestamp.saturating_sub(earlier);
            hop.delay_seconds = Some(delay);
            if delay < 0 {
                hop.clock_skew = true;
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "received.clock-skew",
                        format!(
                            "Hop {} is dated {} before hop {number}, which handed it the \
                             message: the two hosts' clocks disagree. This is clock skew, not a \
                             delay.",
                            hop.number,
                            duration(-delay)
                        ),
                    )
                    .with_rfc(RFC5321_TRACE)
                    .with_span(hop.span),
                );
            } else if delay >= LONG_DELAY_SECONDS {
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "received.long-delay",
                        format!(
                            "The message waited {} before hop {} (greylisting, a queue or an \
                             outage).",
                            duration(delay),
                            hop.number
                        ),
                    )
                    .with_rfc(RFC5321_TRACE)
                    .with_span(hop.span),
                );
            }
        }
        previous = Some((hop.number, parsed.timestamp));
    }
}

fn hop_findings(hop: &Hop) -> Vec<Finding> {
    let mut findings = Vec::new();
    let number = hop.number;
    let names = format!(
        "{} → {}",
        hop.from.as_deref().unwrap_or("?"),
        hop.by.as_deref().unwrap_or("?")
    );
    if hop.transport == Transport::Plaintext {
        findings.push(
            Finding::new(
                Severity::Warning,
                "received.plaintext-hop",
                format!(
                    "Hop {number} ({names}) went over the network without TLS (with {}): anyone \
                     on the path could read or change the message.",
                    hop.with.as_deref().unwrap_or("?")
                ),
            )
            .with_rfc(RFC3848)
            .with_span(hop.span),
        );
    }
    if let Some(tls) = hop.tls.as_ref().filter(|tls| tls.outdated) {
        findings.push(
            Finding::new(
                Severity::Warning,
                "received.outdated-tls",
                format!(
                    "Hop {number} ({names}) used {}, which is deprecated and no longer safe.",
                    tls.version.as_deref().unwrap_or("an old TLS version")
                ),
            )
            .with_rfc(RFC8996)
            .with_span(hop.span),
        );
    }
    if hop.authenticated && hop.tls.is_none() && hop.ip.is_some_and(|ip| !is_private(ip)) {
        findings.push(
            Finding::new(
                Severity::Warning,
                "received.authentication-without-tls",
                format!(
                    "Hop {number} ({names}) was an authenticated submission without TLS: the \
                     password may have crossed the network in the clear."
                ),
            )
            .with_rfc(RFC3848)
            .with_span(hop.span),
        );
    }
    // A stamp that is only a comment (`(qmail 12345 invoked from network)`) is a known form;
    // one with words but no clause is not.
    if hop.from.is_none() && hop.by.is_none() && hop.with.is_none() && !hop.problems.is_empty() {
        findings.push(
            Finding::new(
                Severity::Info,
                "received.format-unrecognised",
                format!(
                    "Hop {number}'s Received field has neither from, by nor with clause; only \
                     its date was read. Not understood: {}.",
                    problem_list(&hop.problems)
                ),
            )
            .with_rfc(RFC5321_TRACE)
            .with_span(hop.span),
        );
    } else if !hop.problems.is_empty() {
        findings.push(
            Finding::new(
                Severity::Info,
                "received.unread-part",
                format!(
                    "Parts of hop {number}'s Received field were not understood: {}.",
                    problem_list(&hop.problems)
                ),
            )
            .with_rfc(RFC5321_TRACE)
            .with_span(hop.span),
        );
    }
    findings
}

/// The first hop from a public address, when it lies before the receiver's border, is where
/// the message entered the sender's mail system; without authentication there, anyone who can
/// reach that server could have sent it.
fn submission_finding(hops: &[Hop], border: Option<&Border>) -> Option<Finding> {
    let border = border?;
    let first = hops
        .iter()
        .find(|hop| hop.ip.is_some_and(|ip| !is_private(ip)))?;
    if first.number >= border.hop || first.authenticated {
        return None;
    }
    Some(
        Finding::new(
            Severity::Info,
            "received.unauthenticated-submission",
            format!(
                "Hop {}, where the message first entered a mail system from a public address \
                 ({}), records no authentication: the sending system accepted it without a \
                 login (an address allow list, a relay, or an open relay).",
                first.number,
                first.ip.map(|ip| ip.to_string()).unwrap_or_default()
            ),
        )
        .with_rfc("https://www.rfc-editor.org/rfc/rfc6409#section-4.3")
        .with_span(first.span),
    )
}

/// A duration for people: `42 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`.
pub fn duration(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        3600..86400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} d {} h", seconds / 86400, seconds % 86400 / 3600),
    }
}

/// The problems' messages as one list for a sentence.
fn problem_list(problems: &[crate::report::Problem]) -> String {
    problems
        .iter()
        .map(|problem| problem.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}
