//! `mailspect reports FILES…`: DMARC aggregate and failure reports and SMTP TLS reports read,
//! merged and classified; `--db` appends them to an SQLite archive, `--ndjson` prints them for
//! a search cluster's bulk API.

use mailspect::report::{quoted, reveal, Finding, Severity};
use mailspect::reports::{self, ndjson, InputFile, ReportsReport};

use super::args::ReportsArgs;
use super::output::{self, line, Text};
use super::resolve::resolver;
use super::{reports_db, CliError};

/// A file larger than this is not read (a finding says so): no report comes near it.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Source lines the text output shows; `--json` has them all.
const TEXT_SOURCES: usize = 40;

/// Exit code 0 when the files were read, whatever they held; 2 for a file that cannot be
/// opened or a report the archive could not take.
pub fn run(args: &ReportsArgs) -> Result<(), CliError> {
    let mut files = Vec::with_capacity(args.files.len());
    let mut skipped = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|error| CliError(format!("{name}: {error}")))?
            .len();
        if size > MAX_FILE_BYTES {
            // The other files are still read: one huge file does not cost the rest.
            skipped.push(Finding::new(
                Severity::Error,
                "reports.too-large",
                format!(
                    "{}: {size} bytes is larger than any report ({} MB at most); not read.",
                    quoted(&name),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
            continue;
        }
        let bytes = std::fs::read(path).map_err(|error| CliError(format!("{name}: {error}")))?;
        files.push(InputFile { name, bytes });
    }
    let mut report = reports::read_files(&files);
    drop(files);
    report.findings.extend(skipped);
    if args.ptr {
        let resolver = resolver(&args.dns.sources)?;
        let findings =
            pollster::block_on(reports::ptr::add_ptr_names(&mut report.summary, &resolver));
        report.findings.extend(findings);
    }
    let archived = match &args.db {
        Some(path) => Some(reports_db::append(path, &report)?),
        None => None,
    };
    if args.ndjson {
        output::print_raw(&ndjson::bulk_lines(&report))?;
    } else if args.json {
        output::print_json(&report)?;
    } else {
        let mut text = summary_text(&report);
        for finding in &report.findings {
            line!(text, "{}", reveal(&finding.message));
        }
        if let (Some(path), Some(archived)) = (&args.db, &archived) {
            line!(
                text,
                "Archive {}: {} reports added, {} already there.",
                path.display(),
                archived.added,
                archived.skipped
            );
        }
        output::print_text(text)?;
    }
    match archived {
        Some(archived) if !archived.failed.is_empty() => Err(CliError(format!(
            "{} reports could not be archived: {}",
            archived.failed.len(),
            archived.failed.join("; ")
        ))),
        _ => Ok(()),
    }
}

fn summary_text(report: &ReportsReport) -> Text {
    let mut text = Text::default();
    let duplicates: usize = report.files.iter().map(|file| file.duplicates).sum();
    line!(
        text,
        "Read {} files: {} aggregate, {} failure and {} TLS reports{}.",
        report.files.len(),
        report.aggregate.len(),
        report.failure.len(),
        report.tls.len(),
        if duplicates > 0 {
            format!(" ({duplicates} seen twice, counted once)")
        } else {
            String::new()
        }
    );
    for file in &report.files {
        for finding in &file.findings {
            line!(
                text,
                "  {}: {}",
                finding.severity.word(),
                reveal(&finding.message)
            );
        }
    }
    let summary = &report.summary;
    if !report.aggregate.is_empty() {
        text.blank();
        line!(
            text,
            "Domains: {}. Reporters: {}.",
            summary.domains.join(", "),
            summary.organisations.join(", ")
        );
        let percent = if summary.messages == 0 {
            0.0
        } else {
            summary.dmarc_pass as f64 * 100.0 / summary.messages as f64
        };
        line!(
            text,
            "Messages: {}, of which {} passed DMARC ({percent:.1}%), from {} source IPs.",
            summary.messages,
            summary.dmarc_pass,
            summary.sources.len()
        );
        for class in &summary.classes {
            line!(
                text,
                "  {:<22} {:>6} sources {:>10} messages",
                class.class.word(),
                class.sources,
                class.messages
            );
        }
        text.blank();
        for source in summary.sources.iter().take(TEXT_SOURCES) {
            let names = if source.ptr_names.is_empty() {
                String::new()
            } else {
                format!(" ({})", source.ptr_names.join(", "))
            };
            line!(
                text,
                "{}{}: {} messages, {} passed DMARC; {}",
                source.source_ip,
                reveal(&names),
                source.messages,
                source.dmarc_pass,
                source.class.word()
            );
            if source.class != reports::summary::SourceClass::Aligned {
                line!(text, "  {}", reveal(&source.action));
            }
        }
        if summary.sources.len() > TEXT_SOURCES {
            line!(
                text,
                "… and {} more sources (--json lists them all).",
                summary.sources.len() - TEXT_SOURCES
            );
        }
        for group in &summary.ptr_groups {
            line!(
                text,
                "PTR {}: {} sources, {} messages",
                group
                    .organisation
                    .as_deref()
                    .map_or_else(|| "(no name)".into(), quoted),
                group.sources.len(),
                group.messages
            );
        }
    }
    for failure in &report.failure {
        line!(
            text,
            "Failure report {}: {} from {} for {}",
            quoted(&failure.file),
            failure
                .auth_failure
                .as_deref()
                .unwrap_or("(no Auth-Failure)"),
            failure.source_ip.as_deref().unwrap_or("(no Source-IP)"),
            failure
                .reported_domain
                .as_deref()
                .unwrap_or("(no Reported-Domain)")
        );
    }
    if !report.tls.is_empty() {
        text.blank();
        line!(
            text,
            "TLS: {} sessions succeeded, {} failed.",
            summary.tls_successful_sessions,
            summary.tls_failed_sessions
        );
        for failure in &summary.tls_failures {
            line!(
                text,
                "  {} → {}: {} {} sessions",
                reveal(failure.organisation.as_deref().unwrap_or("?")),
                reveal(failure.policy_domain.as_deref().unwrap_or("?")),
                reveal(failure.result_type.as_deref().unwrap_or("?")),
                failure.sessions
            );
        }
    }
    text
}
