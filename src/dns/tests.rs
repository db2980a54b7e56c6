use super::*;

fn txt(s: &str) -> RecordData {
    RecordData::Txt {
        strings: vec![s.as_bytes().to_vec()],
    }
}

#[test]
fn memory_resolver_distinguishes_nxdomain_nodata_and_empty_non_terminals() {
    let mut zone = MemoryResolver::new();
    zone.insert("sel._domainkey.Example.COM.", 300, txt("v=DKIM1; p="));
    assert_eq!(
        zone.answer("example.com", RecordType::Txt),
        Err(DnsError::NoData)
    );
    assert_eq!(
        zone.answer("_domainkey.example.com", RecordType::Txt),
        Err(DnsError::NoData)
    );
    assert_eq!(
        zone.answer("other.example.com", RecordType::Txt),
        Err(DnsError::NxDomain)
    );
    let answer = zone
        .answer("SEL._domainkey.example.com.", RecordType::Txt)
        .expect("record inserted above");
    assert_eq!(answer.records[0].name, "sel._domainkey.example.com");
}

#[test]
fn memory_resolver_follows_cnames_and_stops_loops() {
    let mut zone = MemoryResolver::new();
    zone.insert(
        "a.example",
        60,
        RecordData::Cname {
            target: "b.example".into(),
        },
    );
    zone.insert("b.example", 60, txt("hello"));
    zone.insert(
        "loop1.example",
        60,
        RecordData::Cname {
            target: "loop2.example".into(),
        },
    );
    zone.insert(
        "loop2.example",
        60,
        RecordData::Cname {
            target: "loop1.example".into(),
        },
    );
    let answer = zone
        .answer("a.example", RecordType::Txt)
        .expect("chain ends at b");
    assert_eq!(answer.cnames.len(), 1);
    assert_eq!(answer.records[0].data.txt_joined(), Some(b"hello".to_vec()));
    assert_eq!(
        zone.answer("loop1.example", RecordType::Txt),
        Err(DnsError::ServFail)
    );
}

#[test]
fn memory_resolver_serves_failures() {
    let mut zone = MemoryResolver::new();
    zone.insert_failure("slow.example", DnsError::Timeout);
    assert_eq!(
        zone.answer("slow.example", RecordType::A),
        Err(DnsError::Timeout)
    );
}

#[test]
fn recorder_lists_lookups_in_starting_order_and_passes_answers_through() {
    let mut zone = MemoryResolver::new();
    zone.insert("a.example", 60, txt("first"));
    let recorder = Recorder::new(&zone);
    let first = pollster::block_on(recorder.lookup("a.example", RecordType::Txt));
    let second = pollster::block_on(recorder.lookup("b.example", RecordType::A));
    assert_eq!(first, zone.answer("a.example", RecordType::Txt));
    assert_eq!(second, Err(DnsError::NxDomain));
    let trace = recorder.into_trace();
    let names: Vec<&str> = trace.iter().map(|lookup| lookup.name.as_str()).collect();
    assert_eq!(names, ["a.example", "b.example"]);
    assert_eq!(trace[0].cache, CacheUse::None);
    assert_eq!(trace[1].outcome, TraceOutcome::Error(DnsError::NxDomain));
}

#[test]
fn memory_resolver_answers_from_wildcards_below_the_closest_encloser_only() {
    let mut zone = MemoryResolver::new();
    zone.insert("*.example", 60, txt("wild"));
    zone.insert("host.example", 60, txt("host"));
    zone.insert("deep.sub.example", 60, txt("deep"));
    let answer = zone
        .answer("anything.example", RecordType::Txt)
        .expect("the wildcard covers it");
    assert_eq!(answer.records[0].name, "anything.example");
    assert_eq!(answer.records[0].data.txt_joined(), Some(b"wild".to_vec()));
    // RFC 4592 §2.2.1: a wildcard covers names below it too, but not existing names or names
    // below an existing one (sub.example exists as an empty non-terminal).
    assert!(zone.answer("a.b.example", RecordType::Txt).is_ok());
    assert_eq!(
        zone.answer("host.example", RecordType::Txt)
            .map(|answer| answer.records[0].data.txt_joined()),
        Ok(Some(b"host".to_vec()))
    );
    assert_eq!(
        zone.answer("other.sub.example", RecordType::Txt),
        Err(DnsError::NxDomain)
    );
    assert_eq!(
        zone.answer("anything.example", RecordType::A),
        Err(DnsError::NoData)
    );
}

/// Names are the same when their wire labels are: escapes and raw octets alike, ASCII letters
/// without case, and nothing else folded (RFC 4343 §3: `Ã` and `ã` are different octets).
#[test]
fn same_name_compares_wire_labels() {
    use name::same_name;
    assert!(same_name("Mail.Example.COM.", "mail.example.com"));
    assert!(same_name(
        "macro%percent  space%20url-space.example.com",
        "macro%percent\\032\\032space%20url-space.example.com"
    ));
    assert!(same_name("a\\.b.example", "a\\046b.example"));
    assert!(!same_name("a\\.b.example", "a.b.example"));
    assert!(same_name("\\195.example", "\\195.EXAMPLE"));
    assert!(!same_name("\\195.example", "\\227.example"));
    assert!(!same_name("a b.example", "a\\032c.example"));
    assert!(!same_name("example.com", "example.com.evil"));
    assert!(!same_name("a..b", "a..b"));
    assert!(same_name("", "."));
}

#[test]
fn no_dns_answers_every_lookup_as_an_empty_zone_does() {
    let empty = MemoryResolver::new();
    let long_label = "a".repeat(64);
    let names = [
        "example.com",
        "Example.COM.",
        "_dmarc.example.com",
        "",
        ".",
        "a..b",
        long_label.as_str(),
        "with space.example",
        "*.example",
    ];
    for name in names {
        for record_type in [RecordType::Txt, RecordType::A, RecordType::Mx] {
            assert_eq!(
                pollster::block_on(NoDns.lookup(name, record_type)),
                pollster::block_on(empty.lookup(name, record_type)),
                "{name:?} {record_type:?}"
            );
        }
    }
}

/// The eight-at-a-time capital test must agree with the byte-by-byte one: every byte value at
/// every place of names up to 17 bytes long (two words and a remainder), among lower-case
/// letters, and next to bytes with the high bit set, whose carries it must not misread.
#[test]
fn ascii_uppercase_test_agrees_with_the_bytewise_one() {
    for length in 1..=17 {
        for place in 0..length {
            for byte in 0..=255u8 {
                for filler in [b'a', 0xff, b'@', b'['] {
                    let mut name = vec![filler; length];
                    name[place] = byte;
                    assert_eq!(
                        has_ascii_uppercase(&name),
                        name.iter().any(u8::is_ascii_uppercase),
                        "{name:?}"
                    );
                }
            }
        }
    }
}
