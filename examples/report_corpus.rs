//! Writes a corpus of DMARC aggregate reports for measuring `mailspect reports`:
//! `cargo run --release --example report_corpus -- DIR [REPORTS] [RECORDS]` writes REPORTS
//! files (default 100) of RECORDS records each (default 100), alternating `.xml`, `.xml.gz` and
//! `.zip`, with sources of every class. BENCHMARKS.md ("Reports") reads them.

#[path = "../tests/support/report_samples.rs"]
mod samples;

use samples::{Aggregate, Row};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| {
        eprintln!("usage: report_corpus DIR [REPORTS] [RECORDS]");
        std::process::exit(2);
    }));
    let reports: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    let records: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    std::fs::create_dir_all(&dir).expect("the folder can be made");
    for index in 0..reports {
        let rows = (0..records)
            .map(|row| {
                let ip = format!("10.{}.{}.{}", index % 200, row / 250, row % 250);
                let base = Row::new(&ip, 1 + (row as u64 % 7), "example.com");
                match row % 4 {
                    0 | 1 => {
                        base.dkim_pass("example.com", true)
                            .spf_result("example.com", "pass", true)
                    }
                    2 => base.dkim_pass("esp.example.net", false).spf_result(
                        "bounce.esp.example.net",
                        "pass",
                        false,
                    ),
                    _ => base.spf_result("forger.example", "fail", false),
                }
            })
            .collect();
        let org = ["google.com", "Yahoo", "Outlook.com", "Mail.ru"][index % 4];
        let day = 1_774_915_200 + 86_400 * (index as u64 % 30);
        let xml = Aggregate::new(org, &format!("bench-{index}"), day, "example.com", rows).xml();
        let (name, bytes) = match index % 3 {
            0 => (format!("{org}!example.com!{index}.xml"), xml.into_bytes()),
            1 => (
                format!("{org}!example.com!{index}.xml.gz"),
                samples::gzip(xml.as_bytes()),
            ),
            _ => (
                format!("{org}!example.com!{index}.zip"),
                samples::zip(&[(&format!("{org}!example.com!{index}.xml"), xml.as_bytes())]),
            ),
        };
        std::fs::write(dir.join(name), bytes).expect("a report written");
    }
}
