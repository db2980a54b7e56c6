use std::net::IpAddr;

use super::*;
use crate::dns::{MemoryResolver, TraceOutcome};

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test addresses are valid")
}

fn ptr(zone: &mut MemoryResolver, address: &str, target: &str) {
    zone.insert(
        &reverse_name(ip(address)),
        300,
        RecordData::Ptr {
            target: target.to_string(),
        },
    );
}

fn a(zone: &mut MemoryResolver, name: &str, address: &str) {
    zone.insert(
        name,
        300,
        RecordData::A {
            address: address.parse().expect("test addresses are valid"),
        },
    );
}

fn aaaa(zone: &mut MemoryResolver, name: &str, address: &str) {
    zone.insert(
        name,
        300,
        RecordData::Aaaa {
            address: address.parse().expect("test addresses are valid"),
        },
    );
}

fn run(zone: &MemoryResolver, address: &str) -> IprevReport {
    pollster::block_on(check(ip(address), zone))
}

#[test]
fn pass_when_the_ptr_name_maps_back() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "Mail.Example.com.");
    a(&mut zone, "mail.example.com", "192.0.2.9");
    a(&mut zone, "mail.example.com", "192.0.2.1");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Pass);
    assert_eq!(report.outcome, IprevOutcome::NameMapsBack);
    assert_eq!(report.names.len(), 1);
    assert_eq!(report.names[0].name, "mail.example.com");
    assert!(report.names[0].matches);
    assert_eq!(report.names[0].addresses.len(), 2);
    assert_eq!(report.queries.len(), 2);
    assert_eq!(report.queries[0].name, "1.2.0.192.in-addr.arpa");
    assert_eq!(report.queries[0].record_type, RecordType::Ptr);
    assert_eq!(report.queries[1].record_type, RecordType::A);
    assert!(report.reason.contains("\"mail.example.com\""));
}

#[test]
fn pass_when_one_of_several_names_maps_back() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "a.example.com");
    ptr(&mut zone, "192.0.2.1", "b.example.com");
    a(&mut zone, "a.example.com", "198.51.100.1");
    a(&mut zone, "b.example.com", "192.0.2.1");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Pass);
    let matches: Vec<bool> = report.names.iter().map(|name| name.matches).collect();
    assert_eq!(matches, [false, true]);
}

#[test]
fn fail_when_no_name_maps_back() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "mail.example.com");
    a(&mut zone, "mail.example.com", "198.51.100.1");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Fail);
    assert_eq!(report.outcome, IprevOutcome::NoNameMapsBack);
    assert!(!report.names[0].matches);
    assert!(report.names[0].error.is_none());
}

/// RFC 8601 §2.7.3: a forward query that "completed but produced no result, e.g., … NXDOMAIN"
/// is `fail`, not `permerror` (which is for the PTR query).
#[test]
fn fail_when_the_ptr_name_does_not_exist() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "gone.example.com");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Fail);
    assert_eq!(report.names[0].error, Some(DnsError::NxDomain));
}

#[test]
fn permerror_when_there_is_no_ptr() {
    let zone = MemoryResolver::new();
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Permerror);
    assert_eq!(report.outcome, IprevOutcome::NoPtr);
    assert!(report.names.is_empty());
    assert_eq!(report.queries.len(), 1);
    assert!(matches!(
        report.queries[0].outcome,
        TraceOutcome::Error(DnsError::NxDomain)
    ));
}

#[test]
fn permerror_when_the_reverse_name_has_no_ptr_records() {
    // 1.2.0.192.in-addr.arpa exists as an empty non-terminal: NODATA for PTR (RFC 8020).
    let mut zone = MemoryResolver::new();
    zone.insert(
        &format!("sub.{}", reverse_name(ip("192.0.2.1"))),
        300,
        RecordData::Ptr {
            target: "x.example.com".into(),
        },
    );
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Permerror);
    assert!(matches!(
        report.queries[0].outcome,
        TraceOutcome::Error(DnsError::NoData)
    ));
}

#[test]
fn temperror_when_the_ptr_lookup_fails() {
    let mut zone = MemoryResolver::new();
    zone.insert_failure(&reverse_name(ip("192.0.2.1")), DnsError::ServFail);
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Temperror);
    assert_eq!(report.outcome, IprevOutcome::PtrLookupFailed);
}

#[test]
fn temperror_when_a_forward_lookup_fails_and_none_matches() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "a.example.com");
    ptr(&mut zone, "192.0.2.1", "b.example.com");
    a(&mut zone, "a.example.com", "198.51.100.1");
    zone.insert_failure("b.example.com", DnsError::Timeout);
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Temperror);
    assert_eq!(report.outcome, IprevOutcome::ForwardLookupFailed);
    assert_eq!(report.names[1].error, Some(DnsError::Timeout));
}

#[test]
fn a_match_passes_even_when_another_forward_lookup_fails() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "a.example.com");
    ptr(&mut zone, "192.0.2.1", "b.example.com");
    zone.insert_failure("a.example.com", DnsError::ServFail);
    a(&mut zone, "b.example.com", "192.0.2.1");
    assert_eq!(run(&zone, "192.0.2.1").result, IprevResult::Pass);
}

#[test]
fn ipv6_uses_ip6_arpa_and_aaaa() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "2001:db8::25", "mx.example.net");
    aaaa(&mut zone, "mx.example.net", "2001:db8::25");
    // An A record can never hold an IPv6 address and is not asked for.
    a(&mut zone, "mx.example.net", "192.0.2.1");
    let report = run(&zone, "2001:db8::25");
    assert_eq!(report.result, IprevResult::Pass);
    assert!(report.queries[0].name.ends_with(".ip6.arpa"));
    assert_eq!(report.queries[1].record_type, RecordType::Aaaa);
    assert_eq!(report.names[0].addresses, [ip("2001:db8::25")]);
}

#[test]
fn ipv4_mapped_ipv6_is_checked_as_ipv4() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "mail.example.com");
    a(&mut zone, "mail.example.com", "192.0.2.1");
    let report = run(&zone, "::ffff:192.0.2.1");
    assert_eq!(report.ip, ip("192.0.2.1"));
    assert_eq!(report.queries[0].name, "1.2.0.192.in-addr.arpa");
    assert_eq!(report.queries[1].record_type, RecordType::A);
    assert_eq!(report.result, IprevResult::Pass);
}

#[test]
fn at_most_ten_names_are_looked_up() {
    let mut zone = MemoryResolver::new();
    for number in 0..12 {
        ptr(&mut zone, "192.0.2.1", &format!("h{number}.example.com"));
    }
    // Only the twelfth name maps back, and it is past the limit.
    a(&mut zone, "h11.example.com", "192.0.2.1");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.names.len(), MAX_PTR_NAMES);
    assert_eq!(report.queries.len(), 1 + MAX_PTR_NAMES);
    assert_eq!(report.result, IprevResult::Fail);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].code, "iprev.names-limited");
}

#[test]
fn a_name_given_twice_is_asked_once() {
    let mut zone = MemoryResolver::new();
    ptr(&mut zone, "192.0.2.1", "mail.example.com.");
    ptr(&mut zone, "192.0.2.1", "MAIL.example.com");
    a(&mut zone, "mail.example.com", "192.0.2.1");
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.names.len(), 1);
    assert_eq!(report.queries.len(), 2);
}

/// A hostile PTR target that no server could hold must not be a panic, and is a name that
/// "produced no result": `fail`.
#[test]
fn an_invalid_ptr_target_fails_without_panicking() {
    let mut zone = MemoryResolver::new();
    ptr(
        &mut zone,
        "192.0.2.1",
        &format!("{}.example.com", "x".repeat(70)),
    );
    let report = run(&zone, "192.0.2.1");
    assert_eq!(report.result, IprevResult::Fail);
    assert!(matches!(
        report.names[0].error,
        Some(DnsError::InvalidName(_))
    ));
}

#[test]
fn the_report_serializes_with_every_field() {
    let zone = MemoryResolver::new();
    let json = serde_json::to_value(run(&zone, "192.0.2.1")).expect("serializes");
    for field in [
        "ip", "result", "outcome", "reason", "names", "queries", "findings",
    ] {
        assert!(json.get(field).is_some(), "missing {field}");
    }
    assert_eq!(json["result"], "permerror");
    assert_eq!(json["outcome"], "no-ptr");
    assert_eq!(json["ip"], "192.0.2.1");
}

#[test]
fn decide_is_the_rfc_8601_table() {
    let name = |matches: bool, error: Option<DnsError>| IprevName {
        name: "n.example".into(),
        addresses: Vec::new(),
        matches,
        error,
    };
    assert_eq!(decide(Some(&DnsError::NxDomain), &[]), IprevOutcome::NoPtr);
    assert_eq!(
        decide(Some(&DnsError::Refused), &[]),
        IprevOutcome::PtrLookupFailed
    );
    assert_eq!(decide(None, &[]), IprevOutcome::NoPtr);
    assert_eq!(
        decide(None, &[name(false, Some(DnsError::NoData))]),
        IprevOutcome::NoNameMapsBack
    );
    assert_eq!(
        decide(
            None,
            &[name(false, Some(DnsError::ServFail)), name(true, None)]
        ),
        IprevOutcome::NameMapsBack
    );
}
