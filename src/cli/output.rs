//! Human-readable and JSON output.

use std::io::Write;

use mailspect::analysis::MessageReport;
use mailspect::message::Mailbox;
use serde::Serialize;

use super::CliError;

pub fn print_json<T: Serialize>(report: &T) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, report)?;
    writeln!(out)?;
    Ok(())
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
    println!();
    println!("Findings ({})", report.findings.len());
    for finding in &report.findings {
        let severity = format!("{:?}", finding.severity).to_lowercase();
        println!("  [{severity}] {}: {}", finding.code, finding.message);
    }
    print_dkim(report);
    println!();
    println!("Headers ({})", report.headers.len());
    for header in &report.headers {
        println!("  {}: {}", header.name, header.decoded);
    }
    if report.body.present {
        println!();
        println!("Body: {} bytes", report.body.bytes);
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
