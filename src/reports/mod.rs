//! DMARC and TLS reports: the aggregate (`rua`) and failure (`ruf`) reports receivers send a
//! domain's owner, and SMTP TLS reports (RFC 8460), read from the files a postmaster saves.
//!
//! Where it sits: beside the message pipeline, not in it. [`read_files`] takes files as bytes
//! (the CLI reads them from disk, the page from a drop or a file picker), opens their containers
//! ([`container`]: gzip, zip, an e-mail or an mbox whose attachments are the reports), parses
//! each report ([`aggregate`], [`failure`], [`tls`]) and merges them ([`summary`]) into one
//! [`ReportsReport`]: per source IP, classified, with the action to take. PTR names for the
//! source IPs are a separate, optional step over the core's [`crate::dns::Resolver`]
//! ([`ptr::add_ptr_names`]), so that reading never waits for the network.
//!
//! Every file is hostile: sizes, nesting and record counts are capped ([`limits`]), XML entity
//! definitions are never expanded (a document type declaration is refused), and a file that
//! fails part way keeps what was read before the fault, with a finding naming the file and the
//! place.

pub mod aggregate;
pub mod container;
pub mod failure;
pub mod limits;
pub mod ndjson;
pub mod ptr;
pub mod summary;
pub mod tls;
mod xml;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::report::{Finding, SCHEMA_VERSION};

pub use aggregate::{AggregateFormat, AggregateRecord, AggregateReport};
pub use failure::FailureReport;
pub use summary::Summary;
pub use tls::TlsReport;

/// One file as given: its name (for findings and the report's `file` fields) and its bytes.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything read from a set of files: `mailspect reports --json`, `readReports()`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReportsReport {
    pub schema_version: &'static str,
    /// Always `reports`.
    pub kind: &'static str,
    /// Each file given, in order: what was found in it and what went wrong.
    pub files: Vec<FileOutcome>,
    /// DMARC aggregate reports, each once: a report seen again (same organisation and report
    /// id) is counted in its file's `duplicates`, not here.
    pub aggregate: Vec<AggregateReport>,
    /// DMARC failure (forensic) reports.
    pub failure: Vec<FailureReport>,
    /// SMTP TLS reports.
    pub tls: Vec<TlsReport>,
    /// The aggregate and TLS reports merged: per source IP, per day, per failure type.
    pub summary: Summary,
    /// What the run as a whole met, not one file: the PTR lookups' limits and failures.
    pub findings: Vec<Finding>,
}

/// What one given file held.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct FileOutcome {
    /// The file's name as given.
    pub name: String,
    /// Its size in bytes, as given (before decompression).
    pub size: usize,
    /// Reports read from it (aggregate, failure and TLS), duplicates included.
    pub reports: usize,
    /// Reports in it already read from an earlier file or member (same organisation and id).
    pub duplicates: usize,
    /// What went wrong or is worth knowing, each naming the member and the place.
    pub findings: Vec<Finding>,
}

/// One report found in a file, before merging.
#[derive(Debug, Clone)]
pub enum Parsed {
    Aggregate(AggregateReport),
    Failure(FailureReport),
    Tls(TlsReport),
}

/// Reads every file: containers opened, reports parsed, duplicates dropped, all merged. Never
/// fails: a file that holds no report gets a finding saying why.
pub fn read_files(files: &[InputFile]) -> ReportsReport {
    read_files_with(files, limits::Limits::default())
}

/// [`read_files`] under other caps.
pub fn read_files_with(files: &[InputFile], limits: limits::Limits) -> ReportsReport {
    let mut outcomes = Vec::with_capacity(files.len());
    let mut aggregate: Vec<AggregateReport> = Vec::new();
    let mut failure = Vec::new();
    let mut tls: Vec<TlsReport> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut budget = limits::Budget::new(limits);
    for file in files {
        let mut findings = Vec::new();
        let parsed = container::open(&file.name, &file.bytes, &mut budget, &mut findings);
        let mut outcome = FileOutcome {
            name: file.name.clone(),
            size: file.bytes.len(),
            reports: parsed.len(),
            duplicates: 0,
            findings: Vec::new(),
        };
        for report in parsed {
            let key = match &report {
                Parsed::Aggregate(report) => Some(("dmarc", report.dedup_key())),
                Parsed::Tls(report) => Some(("tls", report.dedup_key())),
                Parsed::Failure(_) => None,
            };
            if let Some(key) = key {
                if !seen.insert(key) {
                    outcome.duplicates += 1;
                    continue;
                }
            }
            match report {
                Parsed::Aggregate(report) => aggregate.push(report),
                Parsed::Failure(report) => failure.push(report),
                Parsed::Tls(report) => tls.push(report),
            }
        }
        if outcome.reports == 0 && findings.is_empty() {
            findings.push(no_report(&file.name));
        }
        outcome.findings = findings;
        outcomes.push(outcome);
    }
    let summary = summary::summarize(&aggregate, &tls);
    ReportsReport {
        schema_version: SCHEMA_VERSION,
        kind: "reports",
        files: outcomes,
        aggregate,
        failure,
        tls,
        summary,
        findings: Vec::new(),
    }
}

/// The report of reports already read (an archive's, kept by the page): merged again, with no
/// files.
pub fn from_reports(
    aggregate: Vec<AggregateReport>,
    failure: Vec<FailureReport>,
    tls: Vec<TlsReport>,
) -> ReportsReport {
    let summary = summary::summarize(&aggregate, &tls);
    ReportsReport {
        schema_version: SCHEMA_VERSION,
        kind: "reports",
        files: Vec::new(),
        aggregate,
        failure,
        tls,
        summary,
        findings: Vec::new(),
    }
}

fn no_report(name: &str) -> Finding {
    Finding::new(
        crate::report::Severity::Error,
        "reports.no-report",
        format!(
            "{}: no DMARC aggregate, failure or TLS report was found in it.",
            crate::report::quoted(name)
        ),
    )
}
