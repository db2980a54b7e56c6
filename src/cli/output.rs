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
    super::spf::print_message_spf(&report.spf);
    println!();
    println!("Findings ({})", report.findings.len());
    for finding in &report.findings {
        let severity = format!("{:?}", finding.severity).to_lowercase();
        println!("  [{severity}] {}: {}", finding.code, finding.message);
    }
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
