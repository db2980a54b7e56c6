//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found to break a property, kept here so
//! that the stable suite holds them fixed. Each test is named after what it caught and gives the
//! input inline, minimised where that kept the point.

use mailspect::dmarc::lint::fixed_record;
use mailspect::dmarc::parse_record;

/// `dmarc_record`: a `rua=` URI with a literal `!` before its size limit read as a valid URI
/// ("mailto:a@example.org!2o:a@example.orZ" with `!10m`). The fixed record dropped the size and
/// kept the URI, which then read as a URI with the invalid size "!2o:a@example.orZ": the fixed
/// record did not fix to itself. RFC 7489 §6.2 requires a `!` inside a URI to be `%21`, so the
/// URI is now invalid and the fixed record leaves it out.
#[test]
fn dmarc_uri_with_an_unescaped_bang_is_invalid_and_the_fixed_record_is_stable() {
    let text = "v=DMARC1; p=reject; rua=mailto:a@example.org!2o:a@example.orZ!10m,map=rect";
    let record = parse_record(text).expect("readable");
    let uri = &record.aggregate_uris[0];
    assert!(!uri.valid);
    assert!(uri.problem.as_deref().is_some_and(|p| p.contains("%21")));
    let fixed = fixed_record(&record);
    assert_eq!(fixed, "v=DMARC1; p=reject");
    let reread = parse_record(&fixed).expect("the fixed record reads");
    assert_eq!(fixed_record(&reread), fixed);
}

/// `records`: "v=STSv\u{FFFD}; id=1" (a byte that is not UTF-8 where the `1` of `STSv1` goes).
/// A finding's `record_span` ended inside the three bytes of U+FFFD, so the page could not mark
/// it and slicing the text there panicked. Every span of every kind's lint lies on character
/// boundaries of the linted text.
#[test]
fn record_spans_fall_on_character_boundaries() {
    use mailspect::records::{lint_record, RecordKind};
    for text in [
        "v=STSv\u{FFFD}; id=1",
        "v=TLSRPTv\u{e9}; rua=mailto:a@b",
        "v=BIMI\u{1F600}; l=https://x/y.svg",
    ] {
        for kind in std::iter::once(None).chain(RecordKind::ALL.into_iter().map(Some)) {
            let report = lint_record(text, kind);
            for finding in &report.findings {
                if let Some(span) = &finding.record_span {
                    assert!(
                        report.text.is_char_boundary(span.start)
                            && report.text.is_char_boundary(span.end),
                        "{kind:?}: {} at {}..{} of {:?}",
                        finding.code,
                        span.start,
                        span.end,
                        report.text
                    );
                }
            }
        }
    }
}
