//! Header decoding for display: unfolding and RFC 2047 encoded-words in unstructured, address,
//! date and message-id fields. The first byte picks the field name, so that each grammar runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::message::{decode_field, unfold_value};

const NAMES: [&str; 6] = ["Subject", "From", "To", "Date", "Message-ID", "X-Mailer"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, value)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    let _ = decode_field(name, value);
    let _ = unfold_value(value);
});
