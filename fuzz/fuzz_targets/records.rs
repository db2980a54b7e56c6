//! Record mode and the record linters that landed with the domain audit: every kind of record
//! (SPF, DMARC, DKIM key, MTA-STS TXT and policy, TLS-RPT, BIMI, TLSA), guessed and given, the
//! MTA-STS policy against MX hosts, the BIMI logo check, and the next-step generators. Every
//! finding's `record_span` lies inside the text the report says it linted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailspect::records::{bimi, generate, lint_record, mta_sts, RecordKind};

fuzz_target!(|data: &[u8]| {
    let _ = bimi::check_svg(data);
    let text = String::from_utf8_lossy(data);
    for kind in std::iter::once(None).chain(RecordKind::ALL.into_iter().map(Some)) {
        let report = lint_record(&text, kind);
        for finding in &report.findings {
            if let Some(span) = &finding.record_span {
                assert!(
                    span.start <= span.end && span.end <= report.text.len(),
                    "{} points outside the linted text",
                    finding.code
                );
                assert!(report.text.is_char_boundary(span.start) && report.text.is_char_boundary(span.end));
            }
        }
    }
    // The first line as MX host names, the rest as the policy.
    let (hosts, policy) = text.split_once('\n').unwrap_or((&text, ""));
    let hosts: Vec<String> = hosts.split_whitespace().map(str::to_string).collect();
    let _ = mta_sts::lint_policy(policy, Some(&hosts));
    for host in &hosts {
        let _ = mta_sts::mx_matches(host, policy.trim());
    }
    let _ = generate::next_dmarc(&text, Some("example.org"));
    let _ = generate::next_spf(&text);
});
