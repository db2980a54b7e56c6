//! Each case is written by both writers; the texts must be equal byte for byte.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::to_string;

/// The writer's text, after checking that it is serde_json's.
#[track_caller]
fn same<T: Serialize + ?Sized>(value: &T) -> String {
    let ours = to_string(value).expect("the compact writer writes it");
    let theirs = serde_json::to_string(value).expect("serde_json writes it");
    assert_eq!(ours, theirs);
    ours
}

#[test]
fn strings_escape_quotes_backslash_and_every_control_character() {
    let all_controls: String = (0u8..0x20).map(char::from).collect();
    let text = same(&all_controls);
    assert!(text.starts_with(r#""\u0000\u0001"#), "{text}");
    assert!(text.contains(r"\b\t\n\u000b\f\r\u000e"), "{text}");
    assert_eq!(same(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
    assert_eq!(same(""), r#""""#);
    assert_eq!(same("\""), r#""\"""#);
    assert_eq!(same("a\\"), r#""a\\""#);
}

#[test]
fn non_ascii_u2028_and_delete_are_written_as_they_are() {
    assert_eq!(
        same("caf\u{e9} \u{2028}\u{2029} \u{7f} \u{1f600}"),
        "\"caf\u{e9} \u{2028}\u{2029} \u{7f} \u{1f600}\""
    );
    same("\u{ffff}\n\u{10ffff}\u{0}");
    same(&'\u{2028}');
    same(&'"');
}

#[test]
fn integers_at_their_limits() {
    assert_eq!(same(&u64::MAX), "18446744073709551615");
    assert_eq!(same(&i64::MIN), "-9223372036854775808");
    assert_eq!(same(&i64::MAX), "9223372036854775807");
    same(&0u64);
    same(&-1i8);
    same(&i16::MIN);
    same(&u32::MAX);
    same(&i32::MIN);
    same(&u128::MAX);
    same(&i128::MIN);
    same(&[0u8, 9, 10, 99, 100, 255]);
}

#[test]
fn floats_are_serde_json_s_and_null_when_not_finite() {
    for value in [
        0.0,
        -0.0,
        1.0,
        1764638400123.0,
        0.1,
        1e300,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
    ] {
        same(&value);
    }
    assert_eq!(same(&f64::NAN), "null");
    assert_eq!(same(&f64::INFINITY), "null");
    same(&0.1f32);
    same(&f32::NEG_INFINITY);
    same(&Some(12.5));
}

#[test]
fn empty_maps_sequences_and_structs() {
    same(&Vec::<u8>::new());
    same(&BTreeMap::<String, u8>::new());
    same(&Vec::<Vec<String>>::from([vec![], vec![]]));
    #[derive(Serialize)]
    struct Empty {}
    #[derive(Serialize)]
    struct Unit;
    assert_eq!(same(&Empty {}), "{}");
    assert_eq!(same(&Unit), "null");
    same(&());
    same(&(1, "two", [3]));
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
struct Inner {
    alpha_beta: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<String>,
    present: Option<bool>,
}

#[derive(Serialize)]
struct Middle {
    name: &'static str,
    #[serde(flatten)]
    inner: Inner,
    extra: BTreeMap<String, Vec<i64>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outer {
    #[serde(skip_serializing_if = "Option::is_none")]
    first_field: Option<u8>,
    #[serde(flatten)]
    middle: Middle,
    #[serde(flatten)]
    more: BTreeMap<String, String>,
    #[serde(serialize_with = "upper")]
    shout: String,
}

fn upper<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&text.to_uppercase())
}

#[test]
fn nested_flatten_rename_all_skip_and_serialize_with() {
    let value = Outer {
        first_field: None,
        middle: Middle {
            name: "m",
            inner: Inner {
                alpha_beta: 7,
                missing: None,
                present: None,
            },
            extra: BTreeMap::from([("k\n".to_string(), vec![i64::MIN, 0])]),
        },
        more: BTreeMap::from([("z".to_string(), "\u{2028}".to_string())]),
        shout: "quiet".to_string(),
    };
    let text = same(&value);
    assert!(
        text.starts_with(r#"{"name":"m","alpha_beta":7,"present":null,"#),
        "{text}"
    );
    let value = Outer {
        first_field: Some(1),
        ..value
    };
    same(&value);
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Tagged {
    UnitCase,
    StructWithFields { some_value: u64, list: Vec<Tagged> },
    NewtypeCase(Inner),
    MapCase(BTreeMap<String, u8>),
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum External {
    Plain,
    Wrapped(String),
    Pair(u8, i8),
    Fields { a: bool, b: Option<Box<External>> },
}

#[derive(Serialize)]
struct Wrapper(Vec<External>);

#[test]
fn internally_tagged_and_externally_tagged_enums() {
    same(&Tagged::UnitCase);
    same(&Tagged::StructWithFields {
        some_value: u64::MAX,
        list: vec![Tagged::UnitCase, Tagged::MapCase(BTreeMap::new())],
    });
    same(&Tagged::NewtypeCase(Inner {
        alpha_beta: 0,
        missing: Some("x".into()),
        present: Some(true),
    }));
    same(&Tagged::MapCase(BTreeMap::from([
        ("a".into(), 1),
        ("b".into(), 2),
    ])));
    assert_eq!(same(&External::Plain), r#""plain""#);
    same(&External::Wrapped("w".into()));
    same(&External::Pair(1, -1));
    same(&External::Fields {
        a: false,
        b: Some(Box::new(External::Fields { a: true, b: None })),
    });
    same(&Wrapper(vec![External::Plain, External::Pair(0, 0)]));
}

#[test]
fn map_keys_that_are_not_strings_are_quoted_as_serde_json_quotes_them() {
    same(&BTreeMap::from([(1u64, "a"), (u64::MAX, "b")]));
    same(&BTreeMap::from([(-5i32, ())]));
    same(&BTreeMap::from([(true, 1), (false, 0)]));
    same(&BTreeMap::from([('c', 1)]));
    same(&BTreeMap::from([(Some("k"), 1)]));
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Key {
        First,
    }
    same(&BTreeMap::from([(Key::First, 1)]));
}

#[test]
fn keys_json_cannot_hold_are_errors_naming_the_kind() {
    let error = to_string(&BTreeMap::from([(vec![1u8], 1)])).unwrap_err();
    assert_eq!(error.to_string(), "key must be a string, not a sequence");
    assert!(serde_json::to_string(&BTreeMap::from([(vec![1u8], 1)])).is_err());
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Point {
        x: u8,
    }
    let error = to_string(&BTreeMap::from([(Point { x: 1 }, 1)])).unwrap_err();
    assert_eq!(error.to_string(), "key must be a string, not Point");
    let error = to_string(&BTreeMap::from([(None::<String>, 1)])).unwrap_err();
    assert_eq!(error.to_string(), "key must be a string, not None");
}

#[test]
fn a_serialize_impl_s_own_error_is_returned() {
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot write a Refuses"))
        }
    }
    let error = to_string(&vec![Refuses]).unwrap_err();
    assert_eq!(error.to_string(), "cannot write a Refuses");
}

#[test]
fn json_values_round_trip_through_both_writers() {
    let value = serde_json::json!({
        "b": [1, -2, 3.5, null, true, "x\u{1}"],
        "a": {"nested": {}, "empty": []},
        "big": u64::MAX,
    });
    same(&value);
}

/// The only floats of the Message view's report: the DNS trace's timings on the page's clock
/// (`Date.now()` milliseconds), which the zone-file resolvers of the other tests leave out.
#[test]
fn a_timed_dns_trace_is_written_as_serde_json_writes_it() {
    use crate::commands::DnsLookupReport;
    use crate::dns::{DnsError, QueryTrace, RecordType};
    let mut trace = QueryTrace::untimed(
        "Example.ORG.",
        RecordType::Txt,
        Err(DnsError::Malformed("label \"a\\b\"\u{1} at 12".into())),
    );
    trace.start_ms = Some(1_764_638_400_123.0);
    trace.duration_ms = Some(48.700_000_000_000_01);
    trace.source = Some("https://cloudflare-dns.com/dns-query".into());
    let text = same(&DnsLookupReport::new(trace.clone()));
    assert!(text.contains(r#""start_ms":1764638400123.0,"#), "{text}");
    trace.start_ms = Some(0.25);
    trace.duration_ms = Some(f64::NAN);
    same(&DnsLookupReport::new(trace));
}
