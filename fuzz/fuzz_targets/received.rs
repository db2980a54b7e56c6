//! Received fields: the clause grammar, dates, address literals and TLS details of one value,
//! and the whole transport path (hops, the border, delays) of a header block built from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::auth_results::read_result_fields;
use mailspect::message::parse_message;
use mailspect::received::{address_literal, analyze_path, parse_date, parse_received, tls_details};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let received = parse_received(&text);
    let _ = format!("{received:?}");
    let _ = parse_date(&text);
    for word in text.split_whitespace().take(64) {
        let _ = address_literal(word);
    }
    let _ = tls_details(text.lines().take(64));
    // A header block: lines that look like fields are taken as they are; otherwise the input is
    // one Received field's value.
    let block = if data.contains(&b':') && data.contains(&b'\n') {
        data.to_vec()
    } else {
        [b"Received: ", data, b"\r\n"].concat()
    };
    if let Ok(message) = parse_message(&block) {
        let results = read_result_fields(&message);
        let path = analyze_path(&message, &results.recorded_ips(), 1_667_843_664);
        assert!(path.hops.len() <= mailspect::received::MAX_HOPS);
    }
});
