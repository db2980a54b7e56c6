//! Known-answer tests of `mailspect::reports` over reports the tests make (every layout and
//! container, and the broken and hostile ones), and over the public samples of
//! `../shared/conformance/reports/parsedmarc/`, read in place.

use mailspect::report::Finding;
use mailspect::reports::limits::Limits;
use mailspect::reports::summary::SourceClass;
use mailspect::reports::{read_files, read_files_with, AggregateFormat, InputFile, ReportsReport};

#[path = "support/report_samples.rs"]
mod samples;

use samples::{Aggregate, Layout, Row};

fn file(name: &str, bytes: impl Into<Vec<u8>>) -> InputFile {
    InputFile {
        name: name.into(),
        bytes: bytes.into(),
    }
}

fn read_one(name: &str, bytes: impl Into<Vec<u8>>) -> ReportsReport {
    read_files(&[file(name, bytes)])
}

fn codes(report: &ReportsReport) -> Vec<&'static str> {
    report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(|finding| finding.code))
        .collect()
}

fn finding<'a>(report: &'a ReportsReport, code: &str) -> &'a Finding {
    report
        .files
        .iter()
        .flat_map(|file| &file.findings)
        .find(|finding| finding.code == code)
        .unwrap_or_else(|| panic!("no finding {code}: {:?}", codes(report)))
}

fn sample() -> Aggregate {
    Aggregate::new(
        "google.com",
        "r-1",
        1_774_915_200,
        "example.com",
        samples::mixed_rows("example.com"),
    )
}

#[test]
fn rfc7489_report_reads_every_field_and_classifies_each_source() {
    let report = read_one("google.xml", sample().xml());
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    let aggregate = &report.aggregate[0];
    assert_eq!(aggregate.format, AggregateFormat::Rfc7489);
    assert_eq!(aggregate.org_name.as_deref(), Some("google.com"));
    assert_eq!(aggregate.report_id.as_deref(), Some("r-1"));
    assert_eq!(aggregate.date_begin, Some(1_774_915_200));
    assert_eq!(aggregate.policy.p.as_deref(), Some("none"));
    assert_eq!(aggregate.policy.pct, Some(100));
    assert_eq!(aggregate.records.len(), 4);
    let service = &aggregate.records[1];
    assert_eq!(service.source_ip, "198.51.100.20");
    assert_eq!(
        service.dkim_results[0].domain.as_deref(),
        Some("sendgrid.net")
    );
    assert_eq!(service.dkim_results[0].selector.as_deref(), Some("s1"));
    assert_eq!(service.spf_results[0].scope.as_deref(), Some("mfrom"));

    let summary = &report.summary;
    assert_eq!(summary.messages, 161);
    assert_eq!(summary.dmarc_pass, 120);
    assert_eq!(summary.domains, ["example.com"]);
    assert_eq!(summary.days.len(), 1);
    assert_eq!(summary.days[0].day, "2026-03-31");
    let class = |ip: &str| {
        let source = summary
            .sources
            .iter()
            .find(|source| source.source_ip == ip)
            .expect("source listed");
        (source.class, source.action.clone())
    };
    assert_eq!(class("192.0.2.10").0, SourceClass::Aligned);
    let (service_class, service_action) = class("198.51.100.20");
    assert_eq!(service_class, SourceClass::OwnServiceUnaligned);
    assert!(
        service_action.contains("sign with d=example.com"),
        "{service_action}"
    );
    assert!(
        service_action.contains("include:bounces.sendgrid.net"),
        "{service_action}"
    );
    let (forgery, forgery_action) = class("203.0.113.66");
    assert_eq!(forgery, SourceClass::LikelyForgery);
    assert!(forgery_action.contains("p=quarantine"), "{forgery_action}");
    assert_eq!(class("192.0.2.200").0, SourceClass::Forwarded);
    assert_eq!(
        summary.sources[0].source_ip, "192.0.2.10",
        "most messages first"
    );
    assert_eq!(summary.classes.len(), 4);
}

#[test]
fn rfc9990_and_draft_layouts_are_told_apart() {
    let mut rfc9990 = sample();
    rfc9990.layout = Layout::Rfc9990;
    let report = read_one("new.xml", rfc9990.xml());
    let aggregate = &report.aggregate[0];
    assert_eq!(aggregate.format, AggregateFormat::Rfc9990);
    assert_eq!(aggregate.version.as_deref(), Some("1.0"));
    assert_eq!(aggregate.policy.np.as_deref(), Some("reject"));
    assert_eq!(aggregate.policy.testing.as_deref(), Some("n"));
    assert_eq!(
        aggregate.policy.discovery_method.as_deref(),
        Some("treewalk")
    );
    assert_eq!(aggregate.generator.as_deref(), Some("mailspect tests"));
    assert_eq!(aggregate.policy.pct, None);

    let mut draft = sample();
    draft.layout = Layout::Draft;
    let report = read_one("old.xml", draft.xml());
    let aggregate = &report.aggregate[0];
    assert_eq!(aggregate.format, AggregateFormat::Draft);
    assert_eq!(
        aggregate.records[0].header_from.as_deref(),
        Some("example.com"),
        "<identities> read as <identifiers>"
    );
}

#[test]
fn every_container_gives_the_same_report_and_duplicates_count_once() {
    let xml = sample().xml().into_bytes();
    let gz = samples::gzip(&xml);
    let zip = samples::zip(&[("google.xml", &xml)]);
    let eml_zip = samples::email_with("google.zip", "application/zip", &zip);
    let eml_gz = samples::email_with("google.xml.gz", "application/gzip", &gz);
    let mut other = sample();
    other.report_id = "r-2".into();
    let eml_other = samples::email_with("other.xml", "text/xml", other.xml().as_bytes());
    let mbox = samples::mbox(&[eml_other.clone(), eml_gz.clone()]);
    let report = read_files(&[
        file("a.xml", xml.clone()),
        file("a.xml.gz", gz),
        file("a.zip", zip),
        file("a.eml", eml_zip),
        file("b.eml", eml_gz),
        file("box.mbox", mbox),
    ]);
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    assert_eq!(report.aggregate.len(), 2, "r-1 once, r-2 once");
    assert_eq!(
        report
            .files
            .iter()
            .map(|file| file.reports)
            .collect::<Vec<_>>(),
        [1, 1, 1, 1, 1, 2]
    );
    assert_eq!(
        report
            .files
            .iter()
            .map(|file| file.duplicates)
            .collect::<Vec<_>>(),
        [0, 1, 1, 1, 1, 1]
    );
    assert_eq!(report.summary.messages, 2 * 161, "duplicates not counted");
    assert_eq!(report.aggregate[1].file, "box.mbox#1/other.xml");
}

#[test]
fn tls_reports_from_json_and_a_gzip_attachment() {
    let json = samples::tls_json(
        "mail.example.net",
        "t-1",
        &[
            ("certificate-expired", "192.0.2.1", 5),
            ("starttls-not-supported", "192.0.2.2", 2),
        ],
    );
    let other = samples::tls_json("Other", "t-2", &[("certificate-expired", "192.0.2.9", 1)]);
    let eml = samples::email_with(
        "t.json.gz",
        "application/tlsrpt+gzip",
        &samples::gzip(other.as_bytes()),
    );
    let report = read_files(&[file("t.json", json), file("t.eml", eml)]);
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    assert_eq!(report.tls.len(), 2);
    let policy = &report.tls[0].policies[0];
    assert_eq!(policy.policy_type.as_deref(), Some("sts"));
    assert_eq!(policy.mx_host, ["mx.example.com"]);
    assert_eq!(policy.failed_sessions, 7);
    assert_eq!(report.summary.tls_successful_sessions, 2000);
    assert_eq!(report.summary.tls_failed_sessions, 8);
    let first = &report.summary.tls_failures[0];
    assert_eq!(first.organisation.as_deref(), Some("mail.example.net"));
    assert_eq!(first.result_type.as_deref(), Some("certificate-expired"));
    assert_eq!(first.sessions, 5);
}

#[test]
fn failure_report_fields_and_original_headers() {
    let report = read_one("ruf.eml", samples::failure_report("203.0.113.66"));
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    let failure = &report.failure[0];
    assert_eq!(failure.feedback_type.as_deref(), Some("auth-failure"));
    assert_eq!(failure.auth_failure.as_deref(), Some("dmarc"));
    assert_eq!(failure.reported_domain.as_deref(), Some("example.com"));
    assert_eq!(failure.source_ip.as_deref(), Some("203.0.113.66"));
    assert_eq!(failure.identity_alignment.as_deref(), Some("none"));
    assert_eq!(
        failure.authentication_results,
        ["receiver.example; dmarc=fail header.from=example.com; spf=fail smtp.mailfrom=forger.example"],
        "folded field unfolded"
    );
    assert_eq!(
        failure.original_subject.as_deref(),
        Some("Verify your account")
    );
    assert_eq!(
        failure.original_message_id.as_deref(),
        Some("<forged-1@forger.example>")
    );
    assert_eq!(failure.fields.len(), 10);
}

#[test]
fn xml_bomb_and_external_entity_are_refused_unexpanded() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n\
                <feedback><report_metadata><org_name>&lol2;</org_name></report_metadata></feedback>";
    let report = read_one("bomb.xml", bomb);
    assert!(report.aggregate.is_empty());
    let refused = finding(&report, "reports.xml-doctype");
    assert!(
        refused.message.contains("\"bomb.xml\" line 2, column 1"),
        "{}",
        refused.message
    );

    let external = "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY x SYSTEM \
                    \"file:///etc/passwd\">]><feedback><report_metadata><org_name>&x;\
                    </org_name></report_metadata></feedback>";
    let report = read_one("xxe.xml", external);
    assert!(report.aggregate.is_empty());
    finding(&report, "reports.xml-doctype");
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(!json.contains("root:"), "nothing of /etc/passwd read");

    // Without a document type the reference is only text: kept as written, never expanded.
    let undeclared = sample()
        .xml()
        .replace("<org_name>google.com", "<org_name>&x;google.com");
    let report = read_one("ref.xml", undeclared);
    assert_eq!(
        report.aggregate[0].org_name.as_deref(),
        Some("&x;google.com")
    );
    finding(&report, "reports.xml-entity");
}

#[test]
fn wrong_schema_is_an_error_naming_the_root() {
    let report = read_one("feed.xml", "<?xml version=\"1.0\"?><rss><channel/></rss>");
    assert!(report.aggregate.is_empty());
    let wrong = finding(&report, "reports.wrong-schema");
    assert!(wrong.message.contains("<rss>"), "{}", wrong.message);
    let report = read_one("other.json", "{\"kind\": \"not a report\"}");
    finding(&report, "reports.wrong-schema");
}

#[test]
fn stray_schema_element_and_declaration_without_newline_still_read() {
    let mut flat = sample();
    flat.declaration_newline = false;
    let report = read_one("flat.xml", flat.xml());
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    assert_eq!(report.aggregate[0].records.len(), 4);

    let wrapped = sample().xml().replacen(
        "<feedback>",
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<feedback>",
        1,
    );
    let report = read_one("wrapped.xml", wrapped);
    assert_eq!(report.aggregate[0].records.len(), 4);
    let unclosed = finding(&report, "reports.xml-unclosed");
    assert!(
        unclosed.message.contains("<schema>"),
        "{}",
        unclosed.message
    );
}

#[test]
fn invalid_utf8_is_named_and_the_rest_kept() {
    let mut bytes = sample().xml().into_bytes();
    let at = bytes
        .windows(11)
        .position(|window| window == b"<header_fro")
        .expect("a header_from");
    bytes.splice(at + 13..at + 13, [0x91u8]);
    let report = read_one("cp1252.xml", bytes);
    let invalid = finding(&report, "reports.invalid-utf8");
    assert!(
        invalid.message.contains("\"cp1252.xml\" line "),
        "{}",
        invalid.message
    );
    assert_eq!(report.aggregate[0].records.len(), 4);
    assert!(report.aggregate[0].records[0]
        .header_from
        .as_deref()
        .is_some_and(|from| from.contains('\u{FFFD}')));
}

#[test]
fn yahoo_unused_is_read_as_absent() {
    let mut yahoo = sample();
    yahoo.pct = "unused";
    let report = read_one("yahoo.xml", yahoo.xml());
    assert_eq!(report.aggregate[0].policy.pct, None);
    let unused = finding(&report, "reports.unused-value");
    assert!(unused.message.contains("<pct>"), "{}", unused.message);
}

fn big_report(rows: usize) -> Aggregate {
    let rows = (0..rows)
        .map(|index| {
            Row::new(
                &format!("10.0.{}.{}", index / 250, index % 250),
                1,
                "example.com",
            )
            .dkim_pass("example.com", true)
        })
        .collect();
    Aggregate::new("big.example", "big-1", 1_774_915_200, "example.com", rows)
}

#[test]
fn truncated_gzip_keeps_the_records_before_the_cut() {
    let xml = big_report(2000).xml();
    let gz = samples::gzip(xml.as_bytes());
    let cut = &gz[..gz.len() / 2];
    let report = read_one("cut.xml.gz", cut.to_vec());
    let truncated = finding(&report, "reports.truncated");
    assert!(
        truncated.message.contains("\"cut.xml.gz\""),
        "{}",
        truncated.message
    );
    let kept = report.aggregate[0].records.len();
    assert!(kept > 100 && kept < 2000, "{kept} records kept");
    assert!(
        codes(&report).contains(&"reports.xml-unclosed"),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn truncated_zip_reads_members_from_the_start() {
    let first = sample().xml();
    let second = big_report(500).xml();
    let zip = samples::zip(&[
        ("one.xml", first.as_bytes()),
        ("two.xml", second.as_bytes()),
    ]);
    let cut = &zip[..zip.len() - 200];
    let report = read_one("cut.zip", cut.to_vec());
    finding(&report, "reports.truncated");
    assert!(
        report
            .aggregate
            .iter()
            .any(|aggregate| aggregate.report_id.as_deref() == Some("r-1")),
        "the whole first member is read"
    );
}

#[test]
fn zip_and_gzip_bombs_stop_at_the_cap() {
    let zeros = vec![b'<'; 4 * 1024 * 1024];
    let limits = Limits {
        member_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let zip = samples::zip(&[("bomb.xml", &zeros)]);
    assert!(zip.len() < 40_000, "a bomb: {} bytes", zip.len());
    let report = read_files_with(&[file("bomb.zip", zip)], limits);
    let large = finding(&report, "reports.too-large");
    assert!(
        large.message.contains("\"bomb.zip/bomb.xml\""),
        "{}",
        large.message
    );
    let report = read_files_with(&[file("bomb.gz", samples::gzip(&zeros))], limits);
    finding(&report, "reports.too-large");
}

#[test]
fn records_past_the_cap_are_counted_not_kept() {
    let limits = Limits {
        records_per_report: 100,
        ..Limits::default()
    };
    let report = read_files_with(&[file("big.xml", big_report(150).xml())], limits);
    assert_eq!(report.aggregate[0].records.len(), 100);
    assert_eq!(report.aggregate[0].records_dropped, 50);
    finding(&report, "reports.too-many-records");
}

#[test]
fn empty_and_unknown_files_say_so() {
    let report = read_files(&[file("empty.xml", ""), file("x.bin", vec![0u8, 1, 2, 3])]);
    finding(&report, "reports.empty");
    finding(&report, "reports.unknown-format");
    let report = read_one("note.eml", "Subject: hello\r\n\r\nno report here\r\n");
    finding(&report, "reports.no-attachment");
}

#[test]
fn ndjson_pairs_an_action_line_with_each_record() {
    let report = read_files(&[
        file("a.xml", sample().xml()),
        file(
            "t.json",
            samples::tls_json("o", "t", &[("certificate-expired", "192.0.2.1", 1)]),
        ),
    ]);
    let text = mailspect::reports::ndjson::bulk_lines(&report);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2 * (4 + 1));
    assert_eq!(lines[0]["index"]["_index"], "mailspect-dmarc-aggregate");
    assert_eq!(lines[0]["index"]["_id"], "google.com:r-1:0");
    assert_eq!(lines[1]["record"]["source_ip"], "192.0.2.10");
    assert_eq!(lines[1]["dmarc_pass"], true);
    assert_eq!(lines[8]["index"]["_index"], "mailspect-smtp-tls");
    assert_eq!(lines[9]["failure"]["result_type"], "certificate-expired");
}

// The public samples, read in place (../shared/conformance/reports/README.md).

fn samples_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance/reports/parsedmarc")
}

fn folder(name: &str) -> Vec<InputFile> {
    let mut files: Vec<InputFile> = std::fs::read_dir(samples_dir().join(name))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            InputFile {
                name: path
                    .file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned(),
                bytes: std::fs::read(&path).expect("a sample file"),
            }
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

#[test]
fn every_public_aggregate_sample_gives_a_report() {
    let files = folder("aggregate");
    assert_eq!(files.len(), 19);
    let report = read_files(&files);
    for outcome in &report.files {
        assert_eq!(
            outcome.reports, 1,
            "{}: {:?}",
            outcome.name, outcome.findings
        );
    }
    let by_file = |prefix: &str| {
        report
            .aggregate
            .iter()
            .find(|aggregate| aggregate.file.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"))
    };
    assert_eq!(by_file("!large-example.com").records.len(), 2286);
    assert_eq!(by_file("rfc9990-sample").format, AggregateFormat::Rfc9990);
    assert_eq!(by_file("rfc9990-sample").records[0].count, 123);
    assert_eq!(
        by_file("old_draft_from_wiki").org_name.as_deref(),
        Some("acme.com")
    );
    assert_eq!(by_file("ikea.com").org_name.as_deref(), Some("ikea.com"));
    assert!(!by_file("ikea.com").records.is_empty());
    assert_eq!(
        by_file("mimecast-weird-gzip.eml").org_name.as_deref(),
        Some("Mimecast"),
        "bytes after the gzip stream ignored"
    );
    assert!(!by_file("twilight.eml").records.is_empty());
    let upper = read_files(&folder("aggregate_invalid"));
    let record = &upper.aggregate[0].records[0];
    assert_eq!(record.dkim.as_deref(), Some("pass"), "Pass read as pass");
}

#[test]
fn public_failure_tls_and_extract_samples() {
    let failure = read_files(&folder("failure"));
    assert_eq!(failure.failure.len(), 5);
    assert!(failure
        .failure
        .iter()
        .any(|report| report.source_ip.as_deref() == Some("10.10.10.10")
            && report.auth_failure.as_deref() == Some("dmarc")));
    let exim = failure
        .files
        .iter()
        .find(|file| file.name.starts_with("exim"))
        .expect("the exim sample");
    assert!(exim
        .findings
        .iter()
        .any(|finding| finding.code == "reports.failure-no-arf"));

    let tls = read_files(&folder("smtp_tls"));
    assert_eq!(tls.tls.len(), 4);
    let rfc = tls
        .tls
        .iter()
        .find(|report| report.file == "rfc8460.json")
        .expect("the RFC's example");
    assert_eq!(rfc.policies[0].successful_sessions, 5326);
    assert_eq!(rfc.policies[0].failed_sessions, 303);
    assert_eq!(rfc.policies[0].failure_details.len(), 3);

    let extract = read_files(&folder("extract_report"));
    assert_eq!(
        extract.aggregate.len(),
        2,
        "nice-input thrice, changed-input once"
    );
    assert_eq!(extract.aggregate[0].records.len(), 20);

    let empty = read_files(&[InputFile {
        name: "empty.xml".into(),
        bytes: std::fs::read(samples_dir().join("empty.xml")).expect("empty.xml"),
    }]);
    assert!(empty.aggregate.is_empty());
    assert!(codes(&empty).contains(&"reports.empty"));
}
