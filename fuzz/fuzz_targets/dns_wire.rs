//! The DNS wire format (RFC 1035 §4) as DoH carries it: a decoded message encodes and decodes
//! back to itself; the DoH answer reading (RCODE, CNAME chains, caching) of the same bytes; and
//! `serve-dns` answering them as a query from a small zone.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailspect::dns::doh::interpret_response;
use mailspect::dns::serve::respond;
use mailspect::dns::wire::{decode_message, encode_message};
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{MemoryResolver, RecordType};

const ZONE: &str = "$ORIGIN example.com.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 604800 60\n\
                    @ TXT \"v=spf1 -all\"\n@ MX 10 mx\nmx A 192.0.2.25\nmx AAAA 2001:db8::25\n\
                    www CNAME @\n";

static ZONE_RESOLVER: OnceLock<MemoryResolver> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = decode_message(data) {
        let encoded = encode_message(&message);
        if let Ok(encoded) = encoded {
            let decoded = decode_message(&encoded)
                .unwrap_or_else(|error| panic!("an encoded message does not decode: {error}"));
            assert_eq!(decoded, message);
        }
        if let Some(question) = message.questions.first() {
            if let Some(record_type) = RecordType::from_code(question.type_code) {
                let _ = interpret_response(data, &question.name, record_type);
            }
        }
    }
    let _ = interpret_response(data, "example.com", RecordType::Txt);
    let zone = ZONE_RESOLVER.get_or_init(|| {
        let mut zone = MemoryResolver::new();
        zone.insert_zone(&parse_zone(ZONE.as_bytes(), None).expect("the target's zone reads"));
        zone
    });
    if let Ok(response) = respond(zone, data) {
        assert!(
            decode_message(&response).is_ok(),
            "serve-dns answers in valid wire format"
        );
    }
});
