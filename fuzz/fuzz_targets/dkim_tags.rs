//! DKIM: tag-lists (RFC 6376 §3.2), DKIM-Signature values, key records and their
//! quoted-printable, the signature and key checks, and both canonicalizations, which must be
//! idempotent: canonical text canonicalized again is unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::dkim::canon;
use mailspect::dkim::parse::{dkim_quoted_printable, key_record, signature, tag_list, tag_specs};
use mailspect::dkim::verify::{check_key, check_signature};
use mailspect::dkim::Canonicalization;

fuzz_target!(|data: &[u8]| {
    let _ = tag_list(data);
    let _ = tag_specs(data);
    let _ = dkim_quoted_printable(data);
    let parsed_signature = signature(data);
    let parsed_key = key_record(data);
    if let Ok(parsed) = &parsed_signature {
        let _ = check_signature(parsed, 1_667_843_664);
        if let Ok(key) = &parsed_key {
            let _ = check_key(parsed, key);
        }
    }
    for canonicalization in [Canonicalization::Simple, Canonicalization::Relaxed] {
        let mut once = Vec::new();
        canon::body(canonicalization, data, &mut once);
        let mut twice = Vec::new();
        canon::body(canonicalization, &once, &mut twice);
        assert_eq!(
            once, twice,
            "{canonicalization:?} body canonicalization is idempotent"
        );
        let mut field = Vec::new();
        canon::header_field(canonicalization, "Subject", data, data, &mut field);
    }
});
