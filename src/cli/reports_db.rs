//! `mailspect reports --db FILE`: the postmaster's report archive in SQLite.
//!
//! Each report goes in with its records in one transaction, so that a write cut short (a full
//! disk, a killed process, a constraint the database refuses) leaves the report either whole or
//! absent, never half there. A report is identified by its kind, organisation and report id
//! (`UNIQUE`): fed the same files twice, the archive keeps one copy.

use std::path::Path;

use mailspect::reports::{AggregateReport, FailureReport, ReportsReport, TlsReport};
use rusqlite::{params, Connection, Transaction};

use super::CliError;

const SCHEMA: &str = "
BEGIN;
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    report_id TEXT NOT NULL,
    file TEXT NOT NULL,
    date_begin INTEGER,
    date_end INTEGER,
    policy_domain TEXT,
    record_count INTEGER NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (kind, org, report_id)
);
CREATE TABLE IF NOT EXISTS records (
    report INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    source_ip TEXT NOT NULL,
    count INTEGER NOT NULL,
    disposition TEXT,
    dkim TEXT,
    spf TEXT,
    header_from TEXT,
    envelope_from TEXT,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_source ON records (source_ip);
CREATE TABLE IF NOT EXISTS tls_failures (
    report INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    policy_domain TEXT,
    result_type TEXT,
    sending_mta_ip TEXT,
    receiving_mx_hostname TEXT,
    sessions INTEGER NOT NULL
);
COMMIT;
";

/// What one run did to the archive.
pub struct Archived {
    pub added: usize,
    pub skipped: usize,
    /// Reports the database refused, each with why; the others are archived.
    pub failed: Vec<String>,
}

pub fn append(path: &Path, report: &ReportsReport) -> Result<Archived, CliError> {
    let name = path.display();
    let mut connection =
        Connection::open(path).map_err(|error| CliError(format!("{name}: {error}")))?;
    connection
        .execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
        .and_then(|()| connection.execute_batch(SCHEMA))
        .map_err(|error| CliError(format!("{name}: {error}")))?;
    let mut archived = Archived {
        added: 0,
        skipped: 0,
        failed: Vec::new(),
    };
    let mut record = |outcome: rusqlite::Result<bool>, file: &str| match outcome {
        Ok(true) => archived.added += 1,
        Ok(false) => archived.skipped += 1,
        Err(error) => archived.failed.push(format!("{file}: {error}")),
    };
    for aggregate in &report.aggregate {
        let outcome = in_transaction(&mut connection, |tx| insert_aggregate(tx, aggregate));
        record(outcome, &aggregate.file);
    }
    for tls in &report.tls {
        let outcome = in_transaction(&mut connection, |tx| insert_tls(tx, tls));
        record(outcome, &tls.file);
    }
    for failure in &report.failure {
        let outcome = in_transaction(&mut connection, |tx| insert_failure(tx, failure));
        record(outcome, &failure.file);
    }
    Ok(archived)
}

/// Runs `work` in a transaction: committed when it returns `Ok(true)` (added), rolled back
/// otherwise (`Ok(false)`: already archived; `Err`: refused).
fn in_transaction(
    connection: &mut Connection,
    work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<bool>,
) -> rusqlite::Result<bool> {
    let tx = connection.transaction()?;
    let added = work(&tx)?;
    if added {
        tx.commit()?;
    }
    Ok(added)
}

/// One row of `reports`.
struct ReportRow<'a> {
    kind: &'a str,
    org: &'a str,
    report_id: &'a str,
    file: &'a str,
    dates: (Option<u64>, Option<u64>),
    policy_domain: Option<&'a str>,
    record_count: usize,
    json: String,
}

/// Inserts the report's row; `None` when the archive has it already.
fn insert_report(tx: &Transaction<'_>, row: ReportRow<'_>) -> rusqlite::Result<Option<i64>> {
    let changed = tx.execute(
        "INSERT OR IGNORE INTO reports
           (kind, org, report_id, file, date_begin, date_end, policy_domain, record_count, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            row.kind,
            row.org,
            row.report_id,
            row.file,
            row.dates.0.and_then(|seconds| i64::try_from(seconds).ok()),
            row.dates.1.and_then(|seconds| i64::try_from(seconds).ok()),
            row.policy_domain,
            i64::try_from(row.record_count).unwrap_or(i64::MAX),
            row.json
        ],
    )?;
    Ok((changed == 1).then(|| tx.last_insert_rowid()))
}

fn insert_aggregate(tx: &Transaction<'_>, report: &AggregateReport) -> rusqlite::Result<bool> {
    let org = report.org_name.clone().unwrap_or_default();
    let id = report
        .report_id
        .clone()
        .unwrap_or_else(|| report.file.clone());
    let metadata = serde_json::json!({
        "format": report.format,
        "version": report.version,
        "email": report.email,
        "policy": report.policy,
        "errors": report.errors,
    });
    let Some(row) = insert_report(
        tx,
        ReportRow {
            kind: "dmarc-aggregate",
            org: &org,
            report_id: &id,
            file: &report.file,
            dates: (report.date_begin, report.date_end),
            policy_domain: report.policy.domain.as_deref(),
            record_count: report.records.len(),
            json: metadata.to_string(),
        },
    )?
    else {
        return Ok(false);
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO records
           (report, source_ip, count, disposition, dkim, spf, header_from, envelope_from, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for record in &report.records {
        insert.execute(params![
            row,
            record.source_ip,
            i64::try_from(record.count).unwrap_or(i64::MAX),
            record.disposition,
            record.dkim,
            record.spf,
            record.header_from,
            record.envelope_from,
            serde_json::to_string(record).unwrap_or_default()
        ])?;
    }
    Ok(true)
}

fn insert_tls(tx: &Transaction<'_>, report: &TlsReport) -> rusqlite::Result<bool> {
    let org = report.organization_name.clone().unwrap_or_default();
    let id = report
        .report_id
        .clone()
        .unwrap_or_else(|| report.file.clone());
    let details: usize = report
        .policies
        .iter()
        .map(|policy| policy.failure_details.len())
        .sum();
    let Some(row) = insert_report(
        tx,
        ReportRow {
            kind: "smtp-tls",
            org: &org,
            report_id: &id,
            file: &report.file,
            dates: (None, None),
            policy_domain: report
                .policies
                .first()
                .and_then(|policy| policy.policy_domain.as_deref()),
            record_count: details,
            json: serde_json::to_string(report).unwrap_or_default(),
        },
    )?
    else {
        return Ok(false);
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO tls_failures
           (report, policy_domain, result_type, sending_mta_ip, receiving_mx_hostname, sessions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for policy in &report.policies {
        for detail in &policy.failure_details {
            insert.execute(params![
                row,
                policy.policy_domain,
                detail.result_type,
                detail.sending_mta_ip,
                detail.receiving_mx_hostname,
                i64::try_from(detail.failed_session_count).unwrap_or(i64::MAX)
            ])?;
        }
    }
    Ok(true)
}

/// Failure reports carry no report id: the reporter and the original message's id (or the
/// arrival date and source, or the file) stand in for one.
fn insert_failure(tx: &Transaction<'_>, report: &FailureReport) -> rusqlite::Result<bool> {
    let org = report
        .reporting_mta
        .clone()
        .or_else(|| report.user_agent.clone())
        .unwrap_or_default();
    let id = report.original_message_id.clone().unwrap_or_else(|| {
        format!(
            "{}|{}|{}",
            report.arrival_date.as_deref().unwrap_or_default(),
            report.source_ip.as_deref().unwrap_or_default(),
            report.file
        )
    });
    let added = insert_report(
        tx,
        ReportRow {
            kind: "dmarc-failure",
            org: &org,
            report_id: &id,
            file: &report.file,
            dates: (None, None),
            policy_domain: report.reported_domain.as_deref(),
            record_count: 0,
            json: serde_json::to_string(report).unwrap_or_default(),
        },
    )?;
    Ok(added.is_some())
}
