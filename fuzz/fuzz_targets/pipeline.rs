//! The whole pipeline on a hostile message with its DNS records: intake, the path, DKIM (keys,
//! canonicalization, hashing, signatures), SPF, ARC, DMARC, iprev, the comparison and the
//! verdict, then the JSON report. Input: a case (see `mailspect_fuzz::case`); the seeds are the
//! signed conformance messages with their keys, SPF and DMARC records and an envelope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::{analyze_message, Options};
use mailspect_fuzz::{case, run, SUITE_NOW};

fuzz_target!(|data: &[u8]| {
    let case = case(data);
    let options = Options {
        envelope: case.envelope,
        now: SUITE_NOW,
        include_canonicalized: data.len() % 2 == 0,
        trusted_arc_sealers: Vec::new(),
    };
    if let Ok(report) = run(analyze_message(case.message, &options, &case.resolver)) {
        let json = serde_json::to_string(&report).expect("a report always serializes");
        assert!(json.starts_with('{'));
    }
});
