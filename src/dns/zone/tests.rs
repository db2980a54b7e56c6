use std::net::Ipv4Addr;

use super::*;
use crate::dns::{DnsError, RecordData, RecordType};

const ZONE: &str = r#"; a zone in the style of RFC 1035 §5.3
$ORIGIN example.com.
$TTL 1h
@   IN  SOA ns1 hostmaster (
            2024010101 ; serial
            3600 600 604800
            300 )
    IN  NS  ns1
    IN  MX  10 mx1
    IN  MX  20 mx2.example.net.
    IN  TXT "v=spf1 ip4:192.0.2.0/24 " "-all"
ns1 300 IN A 192.0.2.53
mx1     A   192.0.2.25
        AAAA 2001:db8::25
www CNAME @
sel._domainkey TXT ( "v=DKIM1; k=rsa; "
                     "p=MIGfMA0" )
esc TXT "quote\" semi\; back\\ octet\255" unquoted\032word
_25._tcp.mx1 IN TLSA 3 1 1 ( 0123456789abcdef
                             0123456789ABCDEF )
caa CAA 0 issue "ca.example"
$ORIGIN sub
child A 192.0.2.7
"#;

fn parsed() -> Zone {
    parse_zone(ZONE.as_bytes(), None).expect("the sample zone parses")
}

fn data_of(zone: &Zone, name: &str, record_type: RecordType) -> Vec<RecordData> {
    zone.records
        .iter()
        .filter(|record| record.name == name && record.data.record_type() == record_type)
        .map(|record| record.data.clone())
        .collect()
}

#[test]
fn origin_at_sign_blank_owners_and_relative_names() {
    let zone = parsed();
    assert_eq!(
        data_of(&zone, "example.com", RecordType::Mx),
        vec![
            RecordData::Mx {
                preference: 10,
                exchange: "mx1.example.com".into()
            },
            RecordData::Mx {
                preference: 20,
                exchange: "mx2.example.net".into()
            },
        ]
    );
    assert_eq!(
        data_of(&zone, "www.example.com", RecordType::Cname),
        vec![RecordData::Cname {
            target: "example.com".into()
        }]
    );
    // The blank owner after `mx1` is mx1.
    assert_eq!(data_of(&zone, "mx1.example.com", RecordType::Aaaa).len(), 1);
    // `$ORIGIN sub` is relative to the origin before it.
    assert_eq!(
        data_of(&zone, "child.sub.example.com", RecordType::A),
        vec![RecordData::A {
            address: Ipv4Addr::new(192, 0, 2, 7)
        }]
    );
}

#[test]
fn ttls_come_from_the_record_or_from_dollar_ttl() {
    let zone = parsed();
    let ttl_of = |name: &str| {
        zone.records
            .iter()
            .find(|record| record.name == name)
            .map(|record| record.ttl)
    };
    assert_eq!(ttl_of("ns1.example.com"), Some(300));
    assert_eq!(ttl_of("mx1.example.com"), Some(3600), "$TTL 1h");
}

#[test]
fn parentheses_span_lines_and_soa_fields_are_read() {
    let zone = parsed();
    assert_eq!(
        data_of(&zone, "example.com", RecordType::Soa),
        vec![RecordData::Soa {
            mname: "ns1.example.com".into(),
            rname: "hostmaster.example.com".into(),
            serial: 2024010101,
            minimum: 300
        }]
    );
}

#[test]
fn txt_strings_are_kept_apart_and_escapes_undone() {
    let zone = parsed();
    assert_eq!(
        data_of(&zone, "sel._domainkey.example.com", RecordType::Txt),
        vec![RecordData::Txt {
            strings: vec![b"v=DKIM1; k=rsa; ".to_vec(), b"p=MIGfMA0".to_vec()]
        }]
    );
    assert_eq!(
        data_of(&zone, "esc.example.com", RecordType::Txt),
        vec![RecordData::Txt {
            strings: vec![
                b"quote\" semi; back\\ octet\xff".to_vec(),
                b"unquoted word".to_vec()
            ]
        }]
    );
}

#[test]
fn tlsa_hex_may_be_split() {
    let zone = parsed();
    let tlsa = data_of(&zone, "_25._tcp.mx1.example.com", RecordType::Tlsa);
    let [RecordData::Tlsa { usage, data, .. }] = tlsa.as_slice() else {
        panic!("not one TLSA record: {tlsa:?}");
    };
    assert_eq!(*usage, 3);
    assert_eq!(data.len(), 16);
}

#[test]
fn types_mailspect_does_not_use_are_listed_not_dropped() {
    let zone = parsed();
    assert_eq!(
        zone.skipped,
        vec![SkippedRecord {
            line: 21,
            name: "caa.example.com".into(),
            record_type: "CAA".into()
        }]
    );
}

#[test]
fn the_resolver_answers_from_the_zone() {
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&parsed());
    let answer = resolver
        .answer("WWW.example.com.", RecordType::Mx)
        .expect("www is a CNAME to the apex");
    assert_eq!(answer.cnames.len(), 1);
    assert_eq!(answer.records.len(), 2);
    assert_eq!(
        resolver.answer("nope.example.com", RecordType::A),
        Err(DnsError::NxDomain)
    );
    assert_eq!(
        resolver
            .closest_soa("nope.example.com")
            .map(|soa| soa.name.as_str()),
        Some("example.com")
    );
}

fn error_of(text: &str) -> ZoneError {
    parse_zone(text.as_bytes(), Some("example.com")).expect_err("the zone is bad")
}

#[test]
fn errors_name_line_and_column() {
    let error = error_of("$TTL 60\nok A 192.0.2.1\nbad A 192.0.2.300\n");
    assert_eq!((error.line, error.column), (3, 7));
    assert!(error.to_string().contains("not an IPv4 address"), "{error}");

    assert_eq!(
        error_of("$TTL 60\nx TXT \"open\n").kind,
        ZoneErrorKind::UnterminatedString
    );
    assert_eq!(
        error_of("$TTL 60\nx TXT ( \"a\"\n").kind,
        ZoneErrorKind::UnbalancedParentheses
    );
    assert_eq!(
        error_of("$TTL 60\nx TXT \"a\" )\n").kind,
        ZoneErrorKind::UnbalancedParentheses
    );
    assert_eq!(error_of("x A 192.0.2.1\n").kind, ZoneErrorKind::NoTtl);
    assert_eq!(
        error_of("$TTL 60\n  A 192.0.2.1\n").kind,
        ZoneErrorKind::NoPreviousOwner
    );
    assert_eq!(
        error_of("$TTL 60\nx CH A 192.0.2.1\n").kind,
        ZoneErrorKind::UnsupportedClass("CH".into())
    );
    assert!(matches!(
        error_of("$INCLUDE other.zone\n").kind,
        ZoneErrorKind::UnsupportedDirective(_)
    ));
    assert!(matches!(
        error_of("$TTL 60\nx TXTT \"typo\"\n").kind,
        ZoneErrorKind::Invalid(_)
    ));
    assert_eq!(
        error_of("$TTL 60\nx MX 10 a.example. extra\n").kind,
        ZoneErrorKind::TrailingField
    );
    assert!(matches!(
        error_of(&format!("$TTL 60\nx TXT {}\n", "a".repeat(256))).kind,
        ZoneErrorKind::Invalid(_)
    ));
}

#[test]
fn relative_names_need_an_origin() {
    let error = parse_zone(b"$TTL 60\nhost A 192.0.2.1\n", None).expect_err("no origin");
    assert_eq!(error.kind, ZoneErrorKind::NoOrigin);
    let zone = parse_zone(b"$TTL 60\nhost.example. A 192.0.2.1\n", None).expect("absolute");
    assert_eq!(zone.records[0].name, "host.example");
}

#[test]
fn ttl_units_and_limits() {
    let zone = parse_zone(b"x.example. 1w2d3h4m5s A 192.0.2.1\n", None).expect("units");
    assert_eq!(
        zone.records[0].ttl,
        604_800 + 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5
    );
    assert!(parse_zone(b"x.example. 2147483648 A 192.0.2.1\n", None).is_err());
    assert!(parse_zone(b"x.example. 99999999999999999999 A 192.0.2.1\n", None).is_err());
}

#[test]
fn hostile_bytes_never_panic() {
    // Every prefix of the sample, and some odd input, must parse or fail cleanly.
    for end in 0..ZONE.len() {
        let _ = parse_zone(ZONE.as_bytes().get(..end).unwrap_or_default(), None);
    }
    for text in [
        &b"\\"[..],
        b"x \\",
        b"\"\\",
        b"x.example. 1 TXT \\25",
        b"@",
        b"\xff\xfe A",
    ] {
        let _ = parse_zone(text, Some("example"));
    }
}

/// `$SIGNED` marks a subtree as DNSSEC-validated: answers there carry the AD flag, answers
/// elsewhere do not, and a CNAME chain that leaves the signed subtree is not authenticated.
#[test]
fn signed_directive_sets_the_ad_flag_per_subtree() {
    let text = "$ORIGIN example.com.\n$TTL 300\n$SIGNED secure\n\
                secure A 192.0.2.1\nmx.secure A 192.0.2.2\nplain A 192.0.2.3\n\
                out.secure CNAME plain\nin CNAME mx.secure\n";
    let zone = parse_zone(text.as_bytes(), None).expect("parses");
    assert_eq!(zone.signed, vec!["secure.example.com".to_string()]);
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    let ad = |name: &str| {
        resolver
            .answer(name, RecordType::A)
            .map(|answer| answer.authenticated)
    };
    assert_eq!(ad("secure.example.com"), Ok(true));
    assert_eq!(ad("MX.Secure.example.com."), Ok(true));
    assert_eq!(ad("plain.example.com"), Ok(false));
    assert_eq!(ad("out.secure.example.com"), Ok(false), "the chain leaves");
    assert_eq!(ad("in.example.com"), Ok(false), "the chain starts outside");
    let missing = parse_zone(b"$SIGNED\n", None).expect_err("needs a name");
    assert!(matches!(missing.kind, ZoneErrorKind::MissingField(_)));
}
