//! Authentication-Results, ARC-Authentication-Results and Received-SPF values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::auth_results::{parse_authentication_results, parse_received_spf, ResultsKind};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for kind in [
        ResultsKind::AuthenticationResults,
        ResultsKind::ArcAuthenticationResults,
    ] {
        let results = parse_authentication_results(&text, kind);
        let _ = format!("{results:?}");
    }
    let _ = parse_received_spf(&text);
});
