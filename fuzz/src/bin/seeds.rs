//! Writes the seed corpus of every fuzz target from the project's fixtures and the shared
//! conformance suites, read in place: `seeds CORPUS_DIR` fills `CORPUS_DIR/<target>/`. The seeds
//! are derived at run time rather than committed, so that nothing from `../shared` enters the
//! repository and the seeds follow the fixtures as they change.

use std::fs;
use std::path::{Path, PathBuf};

use mailspect::dns::serve::respond;
use mailspect::dns::wire::encode_query;
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;

struct Seeds {
    root: PathBuf,
    count: usize,
}

impl Seeds {
    fn add(&mut self, target: &str, bytes: &[u8]) {
        let folder = self.root.join(target);
        fs::create_dir_all(&folder).expect("the corpus folder can be created");
        fs::write(folder.join(format!("seed-{:05}", self.count)), bytes)
            .expect("a seed can be written");
        self.count += 1;
    }
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of a folder with one of the given endings, sorted; none when it is missing.
fn files(folder: &Path, endings: &[&str]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    let name = path.to_string_lossy();
                    endings.iter().any(|ending| name.ends_with(ending))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// A conformance case file: records, an empty line, the message with LF line ends.
fn split_case(text: &[u8]) -> (&[u8], &[u8]) {
    match text.windows(2).position(|pair| pair == b"\n\n") {
        Some(split) => (&text[..split], &text[split + 2..]),
        None => (&[], text),
    }
}

/// The zone's TXT, A and AAAA records as the lines of a case.
fn case_lines(zone: &[u8]) -> String {
    let mut lines = String::new();
    let Ok(zone) = parse_zone(zone, None) else {
        return lines;
    };
    for record in &zone.records {
        let value = match &record.data {
            RecordData::Txt { strings } => String::from_utf8_lossy(&strings.concat()).into_owned(),
            RecordData::A { address } => address.to_string(),
            RecordData::Aaaa { address } => address.to_string(),
            _ => continue,
        };
        lines.push_str(&format!("{} {value}\n", record.name));
    }
    lines
}

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .expect("usage: seeds CORPUS_DIR");
    let mut seeds = Seeds { root, count: 0 };
    let repo = repository();
    let shared = repo.join("../shared/conformance");

    let mut cases: Vec<Vec<u8>> = Vec::new();
    for folder in ["dkim", "arc-messages"] {
        for path in files(&shared.join(folder), &[".txt"]) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|name| name.starts_with(|c: char| c.is_ascii_digit())) {
                cases.push(fs::read(&path).expect("a conformance file is readable"));
            }
        }
    }
    let mut messages: Vec<Vec<u8>> = cases
        .iter()
        .map(|case| split_case(case).1.to_vec())
        .collect();
    for path in files(&repo.join("tests/fixtures/messages"), &[""]) {
        messages.push(fs::read(&path).expect("a fixture is readable"));
    }
    let mut zones: Vec<Vec<u8>> = Vec::new();
    for path in files(&repo.join("tests/fixtures/dns"), &[".zone"])
        .into_iter()
        .chain(files(&repo.join("wasm-tests/fixtures"), &[".zone"]))
    {
        zones.push(fs::read(&path).expect("a zone fixture is readable"));
    }

    // Whole pipeline and ARC: each case as it is, and with SPF and DMARC records and an
    // envelope for its From domain, so that SPF and DMARC evaluate too.
    for case in &cases {
        seeds.add("pipeline", case);
        seeds.add("arc_set", case);
        let (records, message) = split_case(case);
        let domain = String::from_utf8_lossy(message)
            .lines()
            .find_map(|line| line.strip_prefix("From:"))
            .and_then(|from| from.rsplit_once('@'))
            .map(|(_, domain)| domain.trim_end_matches(['>', ' ']).to_string())
            .unwrap_or_else(|| "example.com".into());
        let extra = format!(
            "@ip 192.0.2.7\n@mail-from user@{domain}\n@helo mail.{domain}\n\
             {domain} v=spf1 ip4:192.0.2.0/24 include:_spf.{domain} -all\n\
             _spf.{domain} v=spf1 a mx exists:%{{i}}.%{{d}} ~all\n\
             _dmarc.{domain} v=DMARC1; p=reject; adkim=s; rua=mailto:d@{domain}\n"
        );
        let enriched = [extra.as_bytes(), records, b"\n\n", message].concat();
        seeds.add("pipeline", &enriched);
    }
    if let (Some(zone), Some(message)) = (zones.first(), messages.last()) {
        let lines = format!("@ip 198.51.100.25\n{}", case_lines(zone));
        seeds.add("pipeline", &[lines.as_bytes(), b"\n", message].concat());
    }

    for message in &messages {
        seeds.add("intake", message);
        seeds.add("intake", &[b"MSG:\x00", &message[..]].concat());
        seeds.add("intake", &[b"MSG:\x01", &message[..]].concat());
        let emlx = [
            format!("{}\n", message.len()).as_bytes(),
            message,
            b"<?xml version=\"1.0\"?><plist><dict/></plist>\n",
        ]
        .concat();
        seeds.add("intake", &emlx);
        seeds.add("received", message);
        let Ok(parsed) = parse_message(message) else {
            continue;
        };
        if let Some(body) = parsed.body() {
            seeds.add("dkim_tags", body);
        }
        for field in &parsed.fields {
            let value = parsed.value_bytes(field);
            let name = field.name.to_ascii_lowercase();
            seeds.add("rfc2047", &[&[field.name.len() as u8][..], value].concat());
            let target = match name.as_str() {
                "received" => "received",
                "authentication-results" | "arc-authentication-results" | "received-spf" => {
                    "auth_results"
                }
                "dkim-signature" | "arc-message-signature" | "arc-seal" => "dkim_tags",
                _ => continue,
            };
            seeds.add(target, value);
        }
    }
    for word in [
        &b"\x00=?utf-8?q?caf=C3=A9_cr=C3=A8me?= =?iso-8859-1?b?Y2Fm6Q==?="[..],
        b"\x01\"=?utf-8?b?w4k=?=\" <a@example.com>, =?us-ascii?q?x?= <b@example.com>",
    ] {
        seeds.add("rfc2047", word);
    }
    for case in &cases {
        for line in split_case(case).0.split(|&byte| byte == b'\n') {
            if let Some(space) = line.iter().position(|&byte| byte == b' ') {
                seeds.add("dkim_tags", &line[space + 1..]);
            }
        }
    }

    // SPF records: those of the RFC 7208 and 4408 suites, as written after `SPF:` or `TXT:`.
    for suite in ["rfc7208-tests.yml", "rfc4408-tests.yml"] {
        let text = fs::read_to_string(shared.join("spf").join(suite)).unwrap_or_default();
        for line in text.lines() {
            if let Some(at) = line.find("v=spf1") {
                let record = line[at..].trim_end_matches(['"', '\'']);
                seeds.add("spf_record", record.as_bytes());
            }
        }
    }
    for zone in &zones {
        seeds.add("zone_file", zone);
        let text = String::from_utf8_lossy(zone);
        for line in text.lines() {
            for (marker, target) in [("v=spf1", "spf_record"), ("v=DMARC1", "dmarc_record")] {
                if let Some(at) = line.find(marker) {
                    seeds.add(target, line[at..].trim_end_matches(['"', ' ']).as_bytes());
                }
            }
            // Record mode reads every kind: each TXT value of the zones (the fixture domains'
            // MTA-STS, TLS-RPT, BIMI and DKIM records among them) and each TLSA record's data.
            if let Some(at) = line.find(" TXT ").or_else(|| line.find(" TLSA ")) {
                let value = line[at + 5..].trim().trim_matches('"');
                seeds.add("records", value.as_bytes());
            }
        }
        // DNS wire: each record's question and the answer serve-dns gives to it.
        let mut resolver = MemoryResolver::new();
        if let Ok(parsed) = parse_zone(zone, None) {
            resolver.insert_zone(&parsed);
            for record in &parsed.records {
                if let Ok(query) = encode_query(&record.name, record.data.record_type()) {
                    if let Ok(answer) = respond(&resolver, &query) {
                        seeds.add("dns_wire", &answer);
                    }
                    seeds.add("dns_wire", &query);
                }
            }
        }
    }
    for record in [
        "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=r; \
         rua=mailto:a@example.org!10m,mailto:b@example.net; ruf=mailto:f@example.org; \
         fo=0:1:d:s; pct=50; rf=afrf; ri=86400",
        "v=DMARC1; p=none",
        "p=reject; v=DMARC1",
    ] {
        seeds.add("dmarc_record", record.as_bytes());
    }
    for policy in [
        "mx1.example.org mx2.example.org\nversion: STSv1\nmode: enforce\nmx: *.example.org\nmax_age: 604800\n",
        "mail.example.com\r\nversion: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" baseProfile=\"tiny-ps\"><title>x</title></svg>",
    ] {
        seeds.add("records", policy.as_bytes());
    }
    // DMARC and TLS reports: every public sample (XML, JSON, gzip, zip, e-mails), read in place.
    let reports = shared.join("reports/parsedmarc");
    for folder in ["aggregate", "aggregate_invalid", "failure", "smtp_tls", "extract_report"] {
        for path in files(&reports.join(folder), &[""]) {
            seeds.add("reports", &fs::read(&path).expect("a report sample is readable"));
        }
    }
    println!("wrote {} seeds to {}", seeds.count, seeds.root.display());
}
