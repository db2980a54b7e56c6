//! Zone files (RFC 1035 §5): the grammar, and a round trip through the presentation form the
//! report prints: every record written back as a zone-file line reads as the same record. Each
//! record is then answered by the memory resolver.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{presentation, MemoryResolver};

fuzz_target!(|data: &[u8]| {
    let Ok(zone) = parse_zone(data, Some("example.com")) else {
        return;
    };
    let mut printed = String::new();
    for record in &zone.records {
        let owner = if record.name.is_empty() {
            "."
        } else {
            &record.name
        };
        let dot = if record.name.is_empty() { "" } else { "." };
        printed.push_str(&format!(
            "{owner}{dot} {} IN {} {}\n",
            record.ttl,
            record.data.record_type(),
            presentation(&record.data)
        ));
    }
    let reread = parse_zone(printed.as_bytes(), None)
        .unwrap_or_else(|error| panic!("printed zone does not read: {error}\n{printed}"));
    assert_eq!(reread.records, zone.records, "{printed}");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    for record in zone.records.iter().take(64) {
        let _ = resolver.answer(&record.name, record.data.record_type());
    }
});
