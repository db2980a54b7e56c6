//! Human-readable and JSON output.

use std::fmt;
use std::io::{self, Write};

use mailspect::analysis::MessageReport;
use mailspect::dns::TraceOutcome;
use mailspect::message::Mailbox;
use serde::Serialize;

use super::CliError;

pub fn print_json<T: Serialize>(report: &T) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match serde_json::to_writer_pretty(&mut out, report) {
        Ok(()) => {}
        Err(error) if error.is_io() => end_on_write_error(&io::Error::from(error)),
        Err(error) => return Err(error.into()),
    }
    if let Err(error) = writeln!(out) {
        end_on_write_error(&error);
    }
    Ok(())
}

/// Writes to standard output through its lock: what the CLI's `println!` (in `cli/mod.rs`)
/// does instead of panicking as std's does when the write fails.
pub fn write_stdout(text: fmt::Arguments<'_>) {
    if let Err(error) = io::stdout().lock().write_fmt(text) {
        end_on_write_error(&error);
    }
}

/// Ends the program after a failed write to standard output. A closed pipe means the reader
/// has all it wanted (`| head`), so the program stops writing and exits 0 without a message,
/// as ripgrep does (its `eprintln_locked!`, and `main` for errors that reach it); a C program
/// would die of SIGPIPE, which Rust ignores, and turning the signal back on would need `unsafe`.
/// Any other failure (a full disk) is an error like the others: one line, exit code 2.
fn end_on_write_error(error: &io::Error) -> ! {
    if error.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("mailspect: error: cannot write to standard output: {error}");
    std::process::exit(2);
}

fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(|mailbox| match (&mailbox.name, &mailbox.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn print_message(report: &MessageReport) {
    let summary = &report.summary;
    println!("Summary");
    let rows = [
        ("From", mailboxes(&summary.from)),
        ("To", mailboxes(&summary.to)),
        ("Reply-To", mailboxes(&summary.reply_to)),
        ("Subject", summary.subject.clone().unwrap_or_default()),
        ("Date", summary.date.clone().unwrap_or_default()),
        ("Message-ID", summary.message_id.clone().unwrap_or_default()),
    ];
    for (label, value) in rows.iter().filter(|(_, value)| !value.is_empty()) {
        println!("  {label:<11} {value}");
    }
    print_envelope(report);
    print_hops(report);
    print_results(report);
    println!();
    super::spf::print_message_spf(&report.spf);
    println!();
    println!("Findings ({})", report.findings.len());
    for finding in &report.findings {
        let severity = format!("{:?}", finding.severity).to_lowercase();
        println!("  [{severity}] {}: {}", finding.code, finding.message);
    }
    print_dkim(report);
    print_comparisons(report);
    println!();
    println!("Headers ({})", report.headers.len());
    for header in &report.headers {
        println!("  {}: {}", header.name, header.decoded);
    }
    if !report.dns.is_empty() {
        println!();
        println!("DNS lookups ({})", report.dns.len());
        for lookup in &report.dns {
            let outcome = match &lookup.outcome {
                TraceOutcome::Answer(answer) => format!("{} record(s)", answer.records.len()),
                TraceOutcome::Error(error) => error.to_string(),
            };
            println!("  {} {}: {outcome}", lookup.name, lookup.record_type);
        }
    }
    if report.body.present {
        println!();
        println!("Body: {} bytes", report.body.bytes);
    }
}

fn print_envelope(report: &MessageReport) {
    let envelope = &report.envelope;
    let source = serde_json::to_value(envelope.source)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default();
    println!();
    println!("Envelope (from {source})");
    let ip = envelope.ip.map(|ip| ip.to_string()).unwrap_or_default();
    for (label, value) in [
        ("IP", ip.as_str()),
        ("HELO", envelope.helo.as_deref().unwrap_or_default()),
        (
            "MAIL FROM",
            envelope.mail_from.as_deref().unwrap_or_default(),
        ),
    ] {
        if !value.is_empty() {
            println!("  {label:<11} {value}");
        }
    }
}

/// The path as a compact table, oldest hop first.
fn print_hops(report: &MessageReport) {
    if report.hops.is_empty() {
        return;
    }
    let total = report
        .transit
        .total_seconds
        .map(|seconds| format!(", {} in total", signed_duration(seconds)))
        .unwrap_or_default();
    println!();
    println!("Path ({} hops, oldest first{total})", report.hops.len());
    for hop in &report.hops {
        let delay = match hop.delay_seconds {
            Some(seconds) if hop.clock_skew => format!("skew {}", signed_duration(seconds)),
            Some(seconds) => format!("+{}", mailspect::received::duration(seconds)),
            None if hop.timestamp.is_none() => "no date".into(),
            None => String::new(),
        };
        let from = match (&hop.from, hop.ip) {
            (Some(name), Some(ip)) => format!("{name} [{ip}]"),
            (Some(name), None) => name.clone(),
            (None, Some(ip)) => format!("[{ip}]"),
            (None, None) => "-".into(),
        };
        let transport = serde_json::to_value(hop.transport)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        let tls = hop
            .tls
            .as_ref()
            .map(|tls| {
                let mut parts: Vec<&str> = Vec::new();
                parts.extend(tls.version.as_deref());
                parts.extend(tls.cipher.as_deref());
                if tls.outdated {
                    parts.push("OUTDATED");
                }
                parts.join(" ")
            })
            .unwrap_or_default();
        let border = if hop.border { "  ← border" } else { "" };
        println!(
            "  {:>2} {:<16} {from} → {}  with {}  {transport} {tls}{border}",
            hop.number,
            delay,
            hop.by.as_deref().unwrap_or("-"),
            hop.with.as_deref().unwrap_or("-"),
        );
    }
}

fn signed_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    format!("{sign}{}", mailspect::received::duration(seconds))
}

fn print_results(report: &MessageReport) {
    let trust_word = |trust| {
        serde_json::to_value(trust)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    if !report.authentication_results.is_empty() || !report.received_spf.is_empty() {
        println!();
        println!("Authentication results written by receivers");
        for results in &report.authentication_results {
            let list: Vec<String> = results
                .results
                .iter()
                .map(|result| format!("{}={}", result.method, result.result))
                .collect();
            println!(
                "  [{}] {}: {}",
                trust_word(results.trust),
                results.authserv_id.as_deref().unwrap_or("(no authserv-id)"),
                list.join(" ")
            );
        }
        for spf in &report.received_spf {
            println!(
                "  [{}] Received-SPF: {} {}",
                trust_word(spf.trust),
                spf.result,
                spf.value("client-ip").unwrap_or_default()
            );
        }
    }
    if !report.vendor_verdicts.is_empty() {
        println!();
        println!("Vendor verdicts");
        for verdict in &report.vendor_verdicts {
            println!(
                "  [{}] {}: {}",
                trust_word(verdict.trust),
                verdict.header,
                verdict.summary.as_deref().unwrap_or(&verdict.raw)
            );
        }
    }
}

fn print_dkim(report: &MessageReport) {
    if report.dkim.is_empty() {
        return;
    }
    println!();
    println!("DKIM ({})", report.dkim.len());
    for signature in &report.dkim {
        println!(
            "  {} d={} s={} a={}: {}",
            signature.result,
            signature.domain,
            signature.selector,
            signature.algorithm,
            signature.reason
        );
        if let Some(key) = &signature.key {
            let key_type = key.key_type.map_or("?", |key_type| key_type.name());
            let bits = key
                .bits
                .map_or_else(|| "?".to_string(), |bits| bits.to_string());
            let dnssec = if key.authenticated {
                ", DNSSEC-validated"
            } else {
                ""
            };
            println!(
                "    key {key_type} {bits} bits at {} (TTL {}{dnssec})",
                key.name, key.ttl
            );
        }
        if !signature.signed_headers.is_empty() {
            println!("    signed: {}", signature.signed_headers.join(":"));
        }
        for coverage in &signature.header_coverage {
            use mailspect::dkim::CoverageStatus;
            let note = match coverage.status {
                CoverageStatus::OverSigned => continue,
                CoverageStatus::SignedNotOverSigned => {
                    "signed, but a second copy could be added above"
                }
                CoverageStatus::NotSigned => "present but not (all copies) signed",
                CoverageStatus::AbsentNotSigned => "absent and not signed: one could be added",
            };
            println!("    {}: {note}", coverage.name);
        }
        for warning in &signature.warnings {
            println!("    warning: {warning}");
        }
        if let Some(canonicalized) = &signature.canonicalized {
            // Debug formatting shows CR, LF and tabs as escapes: the point is to see every byte.
            println!("    hashed headers: {:?}", canonicalized.headers);
            if let Some(body) = &canonicalized.body {
                println!("    hashed body: {body:?}");
            }
        }
    }
}

fn print_comparisons(report: &MessageReport) {
    if report.comparisons.is_empty() {
        return;
    }
    println!();
    println!("Receiver's results, rechecked");
    for comparison in &report.comparisons {
        let agreement = serde_json::to_value(comparison.agreement)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        println!(
            "  {} {}: recorded {} by {}, mailspect {} ({agreement}). {}",
            comparison.method,
            comparison.subject,
            comparison.recorded,
            comparison.recorded_by.as_deref().unwrap_or("the receiver"),
            comparison.recomputed.as_deref().unwrap_or("-"),
            comparison.note
        );
    }
}
