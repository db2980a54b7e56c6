//! ARC (RFC 8617): each ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results value
//! through its grammar, then the whole chain of a message (sets, structure, seals and
//! signatures against the case's keys). Input: a case (see `mailspect_fuzz::case`); the seeds
//! are the sealed conformance messages with their keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::arc::parse::{
    aar_instance, arc_message_signature, arc_seal, field_chain_validation, field_instance,
    readable_tags,
};
use mailspect::arc::verify_message;
use mailspect::message::parse_message;
use mailspect_fuzz::{case, run, SUITE_NOW};

fuzz_target!(|data: &[u8]| {
    let case = case(data);
    let Ok(message) = parse_message(case.message) else {
        return;
    };
    for field in &message.fields {
        if !field.name.to_ascii_lowercase().starts_with("arc-") {
            continue;
        }
        let value = message.value_bytes(field);
        let _ = field_instance(value);
        let _ = field_chain_validation(value);
        let _ = aar_instance(value);
        let _ = arc_seal(value);
        let _ = arc_message_signature(value);
        for (_, span) in readable_tags(value) {
            assert!(span.end <= value.len());
        }
    }
    let report = run(verify_message(&message, &case.resolver, SUITE_NOW));
    let _ = serde_json::to_string(&report).expect("a report always serializes");
});
