//! DMARC records (RFC 7489 §6.4 and DMARCbis tags): the grammar, the lint and the fixed record
//! the lint proposes, which round-trips: a fixed record reads back and fixes to itself. Names go
//! through the Public Suffix List and the organisational-domain rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::dmarc::lint::fixed_record;
use mailspect::dmarc::{lint_record, parse_record};
use mailspect::org_domain::{organisation, public_suffix};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = lint_record("example.org", &text);
    let _ = organisation(&text);
    let _ = public_suffix(&text);
    let Ok(record) = parse_record(&text) else {
        return;
    };
    for tag in &record.tags {
        assert!(tag.record_span.end <= record.text.len());
    }
    let fixed = fixed_record(&record);
    let reread = parse_record(&fixed)
        .unwrap_or_else(|error| panic!("the fixed record {fixed:?} does not read: {error:?}"));
    assert_eq!(
        fixed_record(&reread),
        fixed,
        "a fixed record fixes to itself"
    );
});
