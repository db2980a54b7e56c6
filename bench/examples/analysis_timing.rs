//! The native side of the browser/native ratio (`scripts/bench-browser.mjs`): analyses one
//! message again and again with its DNS answered from a zone file in memory, and prints the best
//! and the median time of one analysis, the report written as JSON included, as JSON. Each
//! sample is the mean of a batch of at least 5 ms, as on the page's side. The page's side runs the same analysis in
//! Chromium with every answer already in its DoH cache, so both sides time the analysis alone.
//!
//! `cargo build --release -p mailspect-bench --example analysis_timing`, then
//! `target/release/examples/analysis_timing ZONE MESSAGE RUNS NOW`

use std::time::Instant;

use mailspect::analysis::{analyze_message, Options};
use mailspect::dns::MemoryResolver;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [zone, message, runs, now] = args.as_slice() else {
        eprintln!("usage: analysis_timing ZONE MESSAGE RUNS NOW");
        std::process::exit(2);
    };
    let zone_text = std::fs::read(zone).expect("the zone file can be read");
    let zone = mailspect::dns::zone::parse_zone(&zone_text, None).expect("the zone file parses");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    let message = std::fs::read(message).expect("the message can be read");
    let runs: usize = runs.parse().expect("RUNS is a number");
    let options = Options {
        now: now.parse().expect("NOW is seconds since the Unix epoch"),
        ..Options::default()
    };
    let analyse = || {
        let report = pollster::block_on(analyze_message(&message, &options, &resolver))
            .expect("the message is a message");
        // The page's analyzeMessage hands the report over as JSON text: so does this side.
        let json = serde_json::to_string(&report).expect("the report serializes");
        std::hint::black_box(json);
        report.dns.len()
    };
    // Sampled as the page's side is: a first run, then one that says how many runs make a
    // sample of at least 5 ms, each sample their mean. The page must batch (its clock counts in
    // 0.1 ms steps); timing this side run by run instead would set the median of single runs
    // against the median of means, which counts the rare slow run (an allocation that grows
    // the heap) on one side only.
    let lookups = analyse();
    let second = Instant::now();
    analyse();
    let single_ms = second.elapsed().as_secs_f64() * 1000.0;
    let batch = (5.0 / single_ms.max(0.001)).ceil().max(1.0) as usize;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        for _ in 0..batch {
            analyse();
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0 / batch as f64);
    }
    times.sort_by(f64::total_cmp);
    let best = times.first().copied().unwrap_or(0.0);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!("{{\"best_ms\":{best:.4},\"median_ms\":{median:.4},\"lookups\":{lookups}}}");
}
