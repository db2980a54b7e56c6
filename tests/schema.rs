//! The report as a contract: the committed JSON Schemas in `schema/` are exactly what the report
//! types generate, and real reports validate against them (strictly: a field the schema does not
//! declare fails too). The reports come from every test fixture, every conformance message, the
//! hostile corpus and the SPF and DNS commands, through the CLI as well as the library.
//!
//! After a deliberate change to the report (fields added; never renamed or removed, see
//! docs/report.md and CHANGELOG.md): `MAILSPECT_UPDATE_SCHEMA=1 cargo test --test schema`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;

use mailspect::commands::{
    DmarcAuditReport, DnsLookupReport, DomainAuditReport, MtaStsAuditReport, RecordLintReport,
    SpfAuditReport, SpfCheck, SpfCheckReport, SpfEnvelopeReport,
};
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{DnsError, MemoryResolver, RecordType, Resolver};
use mailspect::records::mode::lint_record;
use mailspect::records::mta_sts::{audit_domain, AuditOptions};
use mailspect::records::{
    FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch, RecordKind,
};
use mailspect::schema::{schemas, strict};
use mailspect::spf::{self, CheckOptions};
use mailspect::{analyze_message, Options};
use serde_json::Value;

#[path = "support/conformance_messages.rs"]
mod messages;
#[path = "support/mutate.rs"]
mod mutate;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema")
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a schema serializes");
    text.push('\n');
    text
}

#[test]
fn committed_schemas_are_what_the_types_generate() {
    let update = std::env::var_os("MAILSPECT_UPDATE_SCHEMA").is_some();
    let mut expected_files = Vec::new();
    for (stem, schema) in schemas() {
        let path = schema_dir().join(format!("{stem}.schema.json"));
        expected_files.push(format!("{stem}.schema.json"));
        let generated = pretty(&schema);
        if update {
            std::fs::create_dir_all(schema_dir()).expect("schema/ can be made");
            std::fs::write(&path, &generated).expect("schema written");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "{}: {error}; run MAILSPECT_UPDATE_SCHEMA=1 cargo test --test schema",
                path.display()
            )
        });
        assert!(
            committed == generated,
            "{} differs from what the report types generate. If the change is deliberate (fields \
             added, none renamed or removed), run MAILSPECT_UPDATE_SCHEMA=1 cargo test --test \
             schema and record it in CHANGELOG.md.",
            path.display()
        );
    }
    let mut present: Vec<String> = std::fs::read_dir(schema_dir())
        .expect("schema/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected_files.sort();
    assert_eq!(
        present, expected_files,
        "schema/ holds exactly the generated schemas"
    );
}

/// The strict validator of one report kind.
struct Validators(Vec<(&'static str, jsonschema::Validator)>);

impl Validators {
    fn new() -> Self {
        Validators(
            schemas()
                .into_iter()
                .map(|(stem, schema)| {
                    let validator = jsonschema::validator_for(&strict(&schema))
                        .unwrap_or_else(|error| panic!("{stem}: the schema compiles: {error}"));
                    (stem, validator)
                })
                .collect(),
        )
    }

    fn check(&self, stem: &str, report: &Value, what: &str) {
        let (_, validator) = self
            .0
            .iter()
            .find(|(name, _)| *name == stem)
            .unwrap_or_else(|| panic!("no schema {stem}"));
        let errors: Vec<String> = validator
            .iter_errors(report)
            .take(5)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not follow {stem}.schema.json: {errors:#?}"
        );
    }
}

fn zone(text: &str) -> MemoryResolver {
    let zone = parse_zone(text.as_bytes(), None).expect("fixture zones parse");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    resolver
}

/// The report as the page and the CLI both see it. The page's modules write reports with the
/// compact writer (`mailspect::json_writer`, smaller code in the wasm) and the CLI with
/// serde_json: the two texts must be the same, byte for byte, for every report checked here.
fn report_json<T: serde::Serialize>(report: &T) -> Value {
    let text = serde_json::to_string(report).expect("a report serializes");
    let compact = mailspect::json_writer::to_string(report).expect("the compact writer writes it");
    assert!(
        compact == text,
        "the compact writer and serde_json differ:\n{compact}\n{text}"
    );
    serde_json::from_str(&text).expect("the text is JSON")
}

fn message_report(input: &[u8], resolver: &MemoryResolver, canonicalized: bool) -> Option<Value> {
    let options = Options {
        now: messages::SUITE_NOW,
        include_canonicalized: canonicalized,
        ..Options::default()
    };
    pollster::block_on(analyze_message(input, &options, resolver))
        .ok()
        .map(|report| report_json(&report))
}

#[test]
fn message_reports_of_fixtures_and_conformance_messages_validate() {
    let validators = Validators::new();
    let newsletter_zone = zone(include_str!("fixtures/dns/newsletter.zone"));
    let fixtures = mutate::fixtures();
    for (index, fixture) in fixtures.iter().enumerate() {
        for canonicalized in [false, true] {
            let report = message_report(fixture, &newsletter_zone, canonicalized)
                .expect("fixtures are messages");
            validators.check("message", &report, &format!("fixture {index}"));
        }
    }
    let mut checked = 0;
    for folder in ["dkim", "arc-messages"] {
        for file in messages::files(folder) {
            let (resolver, input) = messages::load(folder, &file);
            let report = message_report(&input, &resolver, true)
                .unwrap_or_else(|| panic!("{folder}/{file} is a message"));
            validators.check("message", &report, &format!("{folder}/{file}"));
            // The same message with DNS failing: errors take their own shape.
            let mut failing = MemoryResolver::new();
            for record in resolver.records() {
                failing.insert_failure(
                    &record.name,
                    DnsError::Transport("connection refused".into()),
                );
            }
            let report = message_report(&input, &failing, false).expect("still a message");
            validators.check(
                "message",
                &report,
                &format!("{folder}/{file} with DNS failing"),
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 8,
        "the conformance messages were found ({checked})"
    );
}

#[test]
fn message_reports_of_the_hostile_corpus_validate() {
    let validators = Validators::new();
    let mut inputs = mutate::fixtures();
    for folder in ["dkim", "arc-messages"] {
        for file in messages::files(folder) {
            inputs.push(messages::load(folder, &file).1);
        }
    }
    let resolver = zone(include_str!("fixtures/dns/newsletter.zone"));
    let mut reports = 0;
    for (index, input) in inputs.iter().enumerate() {
        let seed = 0x5EED_0000_0000_0000 ^ index as u64;
        let mut rng = mutate::XorShift(seed);
        for iteration in 0..60 {
            let mutated = mutate::mutate(&mut rng, input);
            if let Some(report) = message_report(&mutated, &resolver, iteration % 7 == 0) {
                validators.check(
                    "message",
                    &report,
                    &format!("input {index}, seed {seed:#x}, iteration {iteration}"),
                );
                reports += 1;
            }
        }
    }
    assert!(
        reports > 400,
        "most mutations are still messages ({reports})"
    );
}

#[test]
fn spf_and_dns_reports_validate() {
    let validators = Validators::new();
    let resolver = zone(include_str!("fixtures/dns/spf.zone"));
    let options = CheckOptions::default();
    let ips: [IpAddr; 3] = [
        "192.0.2.1".parse().expect("an IP"),
        "203.0.113.9".parse().expect("an IP"),
        "2001:db8::1".parse().expect("an IP"),
    ];
    for ip in ips {
        for mail_from in ["alice@example.org", "bob@nowhere.example", ""] {
            let helo = Some("mail.example.org");
            let envelope = pollster::block_on(spf::check_envelope(
                &resolver,
                Some(ip),
                Some(mail_from),
                helo,
                &options,
            ));
            let value = report_json(&SpfEnvelopeReport::new(envelope.clone()));
            validators.check(
                "spf-envelope",
                &value,
                &format!("envelope {ip} {mail_from:?}"),
            );
            if let Some(check) = envelope.mail_from {
                let report = SpfCheckReport::new(SpfCheck {
                    check,
                    helo_check: envelope.helo,
                });
                let value = report_json(&report);
                validators.check("spf-check", &value, &format!("check {ip} {mail_from:?}"));
            }
        }
    }
    let nothing = pollster::block_on(spf::check_envelope(&resolver, None, None, None, &options));
    let value = report_json(&SpfEnvelopeReport::new(nothing));
    validators.check("spf-envelope", &value, "no envelope");
    for domain in [
        "example.org",
        "mail.example.org",
        "nowhere.example",
        "not a domain",
    ] {
        let audit = pollster::block_on(spf::audit_domain(&resolver, domain));
        let value = report_json(&SpfAuditReport::new(audit));
        validators.check("spf-audit", &value, &format!("audit {domain}"));
    }
    let newsletter = zone(include_str!("fixtures/dns/newsletter.zone"));
    for domain in [
        "example.org",
        "em.example.org",
        "nowhere.example",
        "not a domain",
        "co.uk",
    ] {
        let audit = pollster::block_on(mailspect::dmarc::audit_domain(domain, &newsletter));
        let value = report_json(&DmarcAuditReport::new(audit));
        validators.check("dmarc-audit", &value, &format!("dmarc audit {domain}"));
    }
    for (name, record_type) in [
        ("example.org", RecordType::Txt),
        ("mail.example.org", RecordType::A),
        ("nowhere.example", RecordType::Mx),
        ("example.org", RecordType::Aaaa),
    ] {
        let trace = pollster::block_on(resolver.lookup_traced(name, record_type));
        let value = report_json(&DnsLookupReport::new(trace));
        validators.check(
            "dns-lookup",
            &value,
            &format!("lookup {name} {record_type}"),
        );
    }
}

/// Records of every kind, good and bad, and guessed or given kinds: each report follows
/// record.schema.json.
#[test]
fn record_reports_validate() {
    let validators = Validators::new();
    let records = [
        "v=spf1 ip4:192.0.2.0/24 ptr include:_spf.example.com ?all",
        "v=spf1 ip4:nonsense",
        "v=DMARC1; p=none; pct=50; rua=mailto:d@example.com,https://x",
        "v=DMARC1",
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        "v=DKIM1; k=rsa; p=",
        "v=DKIM1; p=!!!",
        "v=STSv1; id=20240101000000Z;",
        "v=STSv1; id=bad-id; x",
        "version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n",
        "version: STSv2\nmode: on\nmax_age: -1\nmx: a..b\n\nfoo: bar\n",
        "v=TLSRPTv1; rua=mailto:a@example.com,http://x",
        "v=BIMI1; l=https://example.com/l.svg; a=https://example.com/a.pem",
        "v=BIMI1; l=;",
        "v=BIMI1; l=http://example.com/l.png; avp=x",
        "3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1",
        "0 0 0 zz",
        "nothing at all",
        "",
    ];
    for text in records {
        for kind in RecordKind::ALL.map(Some).into_iter().chain([None]) {
            let report = RecordLintReport::new(lint_record(text, kind));
            let value = report_json(&report);
            validators.check("record", &value, &format!("record {text:?} as {kind:?}"));
        }
    }
}

/// Answers every GET from a table: URL → status, content type, body.
struct TableFetcher(Vec<(&'static str, Result<FetchedBody, FetchError>)>);

impl HttpFetch for TableFetcher {
    async fn get(&self, url: &str, _: &FetchOptions) -> Result<FetchedBody, FetchError> {
        self.0
            .iter()
            .find(|(known, _)| *known == url)
            .map(|(_, answer)| answer.clone())
            .unwrap_or_else(|| Err(FetchError::new(FetchErrorKind::Connect, Some(url.into()))))
    }
}

#[test]
fn mta_sts_audits_validate() {
    let validators = Validators::new();
    let resolver = zone(include_str!("fixtures/dns/mta-sts.zone"));
    let policy = |body: &str, content_type: Option<&str>| {
        Ok(FetchedBody {
            status: 200,
            content_type: content_type.map(str::to_string),
            body: body.as_bytes().to_vec(),
        })
    };
    let fetchers = [
        TableFetcher(vec![(
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
            policy(
                "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n",
                Some("text/plain; charset=utf-8"),
            ),
        )]),
        TableFetcher(vec![(
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
            policy("<html>not a policy</html>", Some("text/html")),
        )]),
        TableFetcher(vec![(
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
            Err(FetchError::new(
                FetchErrorKind::Redirect,
                Some("301 to https://elsewhere/".into()),
            )),
        )]),
        TableFetcher(Vec::new()),
    ];
    for (index, fetcher) in fetchers.iter().enumerate() {
        for domain in [
            "example.com",
            "twice.example",
            "none.example",
            "not a domain",
        ] {
            let audit = pollster::block_on(audit_domain(
                &resolver,
                fetcher,
                domain,
                AuditOptions::default(),
            ));
            let value = report_json(&MtaStsAuditReport::new(audit));
            validators.check(
                "mta-sts",
                &value,
                &format!("mta-sts {domain}, fetcher {index}"),
            );
        }
    }
}

/// The domain audit of the well- and the badly configured fixture domains, of a name that is
/// not a domain, and of both with DNS failing, validate.
#[test]
fn domain_audit_reports_validate() {
    let validators = Validators::new();
    let options = mailspect::domain::DomainOptions {
        selectors: vec!["custom".into()],
    };
    for (file, domain) in [
        ("good-domain.zone", "good.example"),
        ("bad-domain.zone", "bad.example"),
    ] {
        let text = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/dns")
                .join(file),
        )
        .expect("the fixture zone");
        let resolver = zone(&text);
        let mut failing = MemoryResolver::new();
        for record in resolver.records() {
            failing.insert_failure(
                &record.name,
                DnsError::Transport("connection refused".into()),
            );
        }
        for (what, resolver) in [("zone", &resolver), ("failing DNS", &failing)] {
            for name in [domain, "not a domain", "sub.nowhere.example"] {
                let audit = pollster::block_on(mailspect::domain::audit_domain(
                    name,
                    &options,
                    resolver,
                    &mailspect::domain::PastedPolicy(None),
                ));
                let value = report_json(&DomainAuditReport::new(audit));
                validators.check(
                    "domain-audit",
                    &value,
                    &format!("{name} over {file}, {what}"),
                );
            }
        }
    }
}

/// What scripts read is the CLI's `--json`: it must be the same contract.
#[test]
fn cli_json_output_validates() {
    let validators = Validators::new();
    let manifest = env!("CARGO_MANIFEST_DIR");
    let spf_zone = format!("zone:{manifest}/tests/fixtures/dns/spf.zone");
    let newsletter_zone = format!("zone:{manifest}/tests/fixtures/dns/newsletter.zone");
    let message = format!("{manifest}/tests/fixtures/messages/newsletter-headers.txt");
    let good_zone = format!("zone:{manifest}/tests/fixtures/dns/good-domain.zone");
    let bad_zone = format!("zone:{manifest}/tests/fixtures/dns/bad-domain.zone");
    let runs: [(&str, Vec<&str>); 10] = [
        ("record", vec!["record", "v=spf1 mx ?all", "--json"]),
        (
            "record",
            vec!["record", "--type", "tlsa", "1 0 0 abcd", "--json"],
        ),
        (
            "domain-audit",
            vec!["domain", "good.example", "--json", "--dns", &good_zone],
        ),
        (
            "domain-audit",
            vec![
                "domain",
                "bad.example",
                "--selector",
                "s9",
                "--json",
                "--dns",
                &bad_zone,
            ],
        ),
        (
            "dmarc-audit",
            vec!["dmarc", "example.org", "--json", "--dns", &newsletter_zone],
        ),
        (
            "message",
            vec!["message", &message, "--json", "--dns", &newsletter_zone],
        ),
        (
            "spf-check",
            vec![
                "spf",
                "--ip",
                "192.0.2.1",
                "--mail-from",
                "a@example.org",
                "--helo",
                "mail.example.org",
                "--json",
                "--dns",
                &spf_zone,
            ],
        ),
        (
            "spf-check",
            vec![
                "spf",
                "--ip",
                "192.0.2.1",
                "--helo",
                "mail.example.org",
                "--json",
                "--dns",
                &spf_zone,
            ],
        ),
        (
            "spf-audit",
            vec!["spf", "example.org", "--json", "--dns", &spf_zone],
        ),
        (
            "dns-lookup",
            vec!["dns", "example.org", "TXT", "--json", "--dns", &spf_zone],
        ),
    ];
    for (stem, args) in runs {
        let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
            .args(&args)
            .output()
            .expect("the CLI runs");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        let value: Value = serde_json::from_slice(&output.stdout).expect("the CLI prints JSON");
        assert_eq!(
            value["schema_version"],
            mailspect::report::SCHEMA_VERSION,
            "{args:?}"
        );
        validators.check(stem, &value, &format!("mailspect {}", args.join(" ")));
    }
}

/// The validation above must be able to fail: a report that drops a field, adds one the types do
/// not declare, or writes an enum value the schema does not list is refused.
#[test]
fn a_report_that_breaks_the_contract_is_refused() {
    let schema = schemas()
        .into_iter()
        .find(|(stem, _)| *stem == "message")
        .map(|(_, schema)| strict(&schema))
        .expect("the message schema");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let resolver = zone(include_str!("fixtures/dns/newsletter.zone"));
    let good = message_report(&mutate::fixtures()[0], &resolver, false).expect("a report");
    assert!(validator.is_valid(&good));

    let mut dropped = good.clone();
    dropped["spf"]
        .as_object_mut()
        .expect("an object")
        .remove("domain");
    assert!(
        !validator.is_valid(&dropped),
        "a dropped null field must fail"
    );

    let mut added = good.clone();
    added["envelope"]["undeclared"] = Value::Bool(true);
    assert!(!validator.is_valid(&added), "an undeclared field must fail");

    let mut renamed = good.clone();
    renamed["findings"][0]["severity"] = Value::String("fatal".into());
    assert!(
        !validator.is_valid(&renamed),
        "an unknown enum value must fail"
    );
}

/// Reports read from every public sample (broken ones included), with PTR names looked up over
/// a zone, validate.
#[test]
fn reports_validate() {
    let validators = Validators::new();
    let base =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/reports/parsedmarc");
    let mut files = Vec::new();
    for folder in [
        "aggregate",
        "aggregate_invalid",
        "failure",
        "smtp_tls",
        "extract_report",
    ] {
        for entry in std::fs::read_dir(base.join(folder)).expect("a sample folder") {
            let path = entry.expect("an entry").path();
            files.push(mailspect::reports::InputFile {
                name: path.display().to_string(),
                bytes: std::fs::read(&path).expect("a sample"),
            });
        }
    }
    files.push(mailspect::reports::InputFile {
        name: "empty.xml".into(),
        bytes: Vec::new(),
    });
    let mut report = mailspect::reports::read_files(&files);
    let resolver =
        zone("$ORIGIN in-addr.arpa.\n69.220.85.209 300 IN PTR mail-sor-f69.google.com.\n");
    let _ = pollster::block_on(mailspect::reports::ptr::add_ptr_names(
        &mut report.summary,
        &resolver,
    ));
    assert!(!report.summary.ptr_groups.is_empty());
    let value = report_json(&report);
    validators.check("reports", &value, "the public report samples");
}
