//! DMARC and TLS reports: one file through every reader (the container sniffing, gzip, zip,
//! e-mail and mbox, the forgiving XML tree, the aggregate, failure and TLS readers), the merge
//! and the NDJSON writer, under small caps so that a bomb costs little. The seeds are the
//! public report samples.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::reports::limits::Limits;
use mailspect::reports::{ndjson, read_files_with, InputFile};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        member_bytes: 4 * 1024 * 1024,
        total_bytes: 16 * 1024 * 1024,
        records_per_report: 10_000,
    };
    let report = read_files_with(
        &[InputFile {
            name: "fuzz".into(),
            bytes: data.to_vec(),
        }],
        limits,
    );
    let _ = serde_json::to_string(&report);
    let _ = ndjson::bulk_lines(&report);
});
