//! `mailspect reports`: the summary, `--json`, `--ndjson`, `--ptr` over a zone file, and the
//! SQLite archive of `--db` fed twice (no duplicates) and cut short (no partial report).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/report_samples.rs"]
mod samples;

use samples::{Aggregate, Row};

fn mailspect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .output()
        .expect("mailspect runs")
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailspect-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("a test file");
    path.display().to_string()
}

fn report(id: &str, rows: Vec<Row>) -> Vec<u8> {
    Aggregate::new("reporter.example", id, 1_774_915_200, "example.com", rows)
        .xml()
        .into_bytes()
}

fn rows() -> Vec<Row> {
    samples::mixed_rows("example.com")
}

fn count(db: &Path, sql: &str) -> i64 {
    let connection = rusqlite::Connection::open(db).expect("the archive opens");
    connection
        .query_row(sql, [], |row| row.get(0))
        .expect("the query runs")
}

#[test]
fn summary_json_and_ndjson() {
    let dir = scratch("out");
    let xml = write(&dir, "a.xml", report("r-1", rows()));
    let gz = write(&dir, "b.xml.gz", samples::gzip(&report("r-2", rows())));
    let output = mailspect(&["reports", &xml, &gz]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Read 2 files: 2 aggregate"), "{text}");
    assert!(
        text.contains("Messages: 322, of which 240 passed DMARC"),
        "{text}"
    );
    assert!(
        text.contains("198.51.100.20: 60 messages, 0 passed DMARC; own-service-unaligned"),
        "{text}"
    );

    let output = mailspect(&["reports", "--json", &xml, &gz]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["kind"], "reports");
    assert_eq!(json["summary"]["messages"], 322);
    assert_eq!(json["aggregate"].as_array().map(Vec::len), Some(2));

    let output = mailspect(&["reports", "--ndjson", &xml, &gz]);
    assert!(output.status.success(), "{output:?}");
    let lines = String::from_utf8_lossy(&output.stdout).lines().count();
    assert_eq!(lines, 2 * 8, "an action line and a document per record");
}

#[test]
fn ptr_names_are_grouped_by_organisation() {
    let dir = scratch("ptr");
    let zone = write(
        &dir,
        "ptr.zone",
        "$ORIGIN in-addr.arpa.\n\
         10.2.0.192 300 IN PTR mail-a.outbound.example.com.\n\
         20.100.51.198 300 IN PTR o1.sendgrid.net.\n\
         200.2.0.192 300 IN PTR mx.pobox.com.\n",
    );
    let xml = write(&dir, "a.xml", report("r-1", rows()));
    let output = mailspect(&[
        "reports",
        "--json",
        "--ptr",
        "--dns",
        &format!("zone:{zone}"),
        &xml,
    ]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let sources = json["summary"]["sources"].as_array().expect("sources");
    let source = |ip: &str| {
        sources
            .iter()
            .find(|source| source["source_ip"] == ip)
            .expect("listed")
    };
    assert_eq!(source("198.51.100.20")["ptr_names"][0], "o1.sendgrid.net");
    assert_eq!(source("198.51.100.20")["ptr_organisation"], "sendgrid.net");
    assert_eq!(
        source("203.0.113.66")["ptr_names"].as_array().map(Vec::len),
        Some(0)
    );
    let groups = json["summary"]["ptr_groups"].as_array().expect("groups");
    assert_eq!(groups[0]["organisation"], "example.com");
    assert_eq!(groups[0]["messages"], 120);
    assert!(groups.iter().any(|group| group["organisation"].is_null()));
}

#[test]
fn archive_fed_twice_keeps_one_copy() {
    let dir = scratch("twice");
    let db = dir.join("reports.sqlite");
    let db_arg = db.display().to_string();
    let a = write(&dir, "a.xml", report("r-1", rows()));
    let b = write(
        &dir,
        "b.zip",
        samples::zip(&[("b.xml", &report("r-2", rows()))]),
    );
    let tls = write(
        &dir,
        "t.json",
        samples::tls_json("o", "t-1", &[("certificate-expired", "192.0.2.1", 3)]),
    );
    let ruf = write(&dir, "f.eml", samples::failure_report("203.0.113.66"));
    let first = mailspect(&["reports", "--db", &db_arg, &a, &b, &tls, &ruf]);
    assert!(first.status.success(), "{first:?}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("4 reports added, 0 already there"));
    let second = mailspect(&["reports", "--db", &db_arg, &a, &b, &tls, &ruf]);
    assert!(second.status.success(), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stdout).contains("0 reports added, 4 already there"));
    assert_eq!(count(&db, "SELECT count(*) FROM reports"), 4);
    assert_eq!(count(&db, "SELECT count(*) FROM records"), 8);
    assert_eq!(count(&db, "SELECT count(*) FROM tls_failures"), 1);
    assert_eq!(count(&db, "SELECT sum(count) FROM records"), 322);
}

#[test]
fn a_refused_write_leaves_no_partial_report() {
    let dir = scratch("refused");
    let db = dir.join("reports.sqlite");
    let db_arg = db.display().to_string();
    let a = write(&dir, "a.xml", report("r-1", rows()));
    assert!(mailspect(&["reports", "--db", &db_arg, &a])
        .status
        .success());
    // The database refuses the third record of r-2 part way through its transaction, as a full
    // disk or an I/O error would.
    rusqlite::Connection::open(&db)
        .expect("the archive opens")
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.source_ip = '203.0.113.66'
             AND (SELECT report_id FROM reports WHERE id = NEW.report) = 'r-2'
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .expect("the trigger is made");
    let b = write(&dir, "b.xml", report("r-2", rows()));
    let c = write(&dir, "c.xml", report("r-3", rows()));
    let output = mailspect(&["reports", "--db", &db_arg, &b, &c]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("1 reports could not be archived") && error.contains("b.xml"),
        "{error}"
    );
    assert!(error.contains("disk full"), "{error}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM reports WHERE report_id = 'r-2'"),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM reports"), 2, "r-1 and r-3");
    assert_eq!(
        count(&db, "SELECT count(*) FROM records"),
        8,
        "none of r-2's"
    );
    rusqlite::Connection::open(&db)
        .expect("the archive opens")
        .execute_batch("DROP TRIGGER refuse;")
        .expect("the trigger is dropped");
    assert!(mailspect(&["reports", "--db", &db_arg, &b])
        .status
        .success());
    assert_eq!(
        count(&db, "SELECT count(*) FROM records"),
        12,
        "r-2 whole once written"
    );
}

#[test]
fn a_killed_write_leaves_whole_reports_only() {
    let dir = scratch("killed");
    let mut args = vec!["reports".to_owned(), "--db".to_owned()];
    let db = dir.join("reports.sqlite");
    args.push(db.display().to_string());
    for index in 0..120 {
        let rows = (0..50)
            .map(|row| Row::new(&format!("10.1.{index}.{row}"), 1, "example.com"))
            .collect();
        args.push(write(
            &dir,
            &format!("r{index}.xml"),
            report(&format!("k-{index}"), rows),
        ));
    }
    let mut interrupted = 0;
    for run in 0..2 {
        let _ = std::fs::remove_file(&db);
        let _ = std::fs::remove_file(dir.join("reports.sqlite-wal"));
        let _ = std::fs::remove_file(dir.join("reports.sqlite-shm"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailspect"))
            .args(&args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("mailspect starts");
        // Reading comes first; kill once the first reports are in the archive, while the rest
        // are being written (a reader does not block SQLite's writer in WAL mode).
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(60)
            && child.try_wait().ok().flatten().is_none()
        {
            let written = rusqlite::Connection::open(&db)
                .and_then(|connection| {
                    connection.query_row("SELECT count(*) FROM reports", [], |row| {
                        row.get::<_, i64>(0)
                    })
                })
                .unwrap_or(0);
            if written > run * 20 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = child.kill();
        let status = child.wait().expect("mailspect ends");
        let reports = count(&db, "SELECT count(*) FROM reports");
        let mismatched = count(
            &db,
            "SELECT count(*) FROM reports WHERE record_count !=
               (SELECT count(*) FROM records WHERE records.report = reports.id)",
        );
        assert_eq!(
            mismatched, 0,
            "run {run} ({status}): a report is partly written"
        );
        if !status.success() && reports < 120 {
            interrupted += 1;
        }
    }
    assert!(interrupted > 0, "no run was cut short while writing");
}

#[test]
fn a_huge_file_is_named_and_the_others_read() {
    let dir = scratch("huge");
    let huge = dir.join("huge.xml");
    // Sparse: the size is there without the bytes; mailspect must refuse it unread.
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(300 * 1024 * 1024))
        .expect("a sparse file");
    let a = write(&dir, "a.xml", report("r-1", rows()));
    let output = mailspect(&["reports", "--json", &huge.display().to_string(), &a]);
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["aggregate"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["findings"][0]["code"], "reports.too-large");
    assert!(json["findings"][0]["message"]
        .as_str()
        .is_some_and(|message| message.contains("huge.xml")));
}
