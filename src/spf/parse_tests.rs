//! The record parser's hand-written readers against the standard library's, and its byte
//! checks at every position: the parts of `parse.rs` that trade generality for speed.

use super::*;

/// The hand-written `ip6-network` parser must accept exactly what the standard library's
/// does (RFC 4291 §2.2), and give the same address: edge cases, then pseudo-random strings
/// over the characters an address is made of.
#[test]
fn ip6_networks_parse_as_the_standard_library_does() {
    let mut cases: Vec<String> = [
        "::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::8",
        "1::2::3",
        ":::",
        ":1",
        "1:",
        "1:::2",
        "::ffff:192.0.2.1",
        "::192.0.2.1",
        "1:2:3:4:5:6:192.0.2.1",
        "1:2:3:4:5:6:7:192.0.2.1",
        "192.0.2.1::",
        "1:192.0.2.1::",
        "::ffff:192.0.2.01",
        "::ffff:256.0.0.1",
        "12345::",
        "fFfF::",
        "g::",
        "2001:DB8::",
        "::1.2.3",
        "1:2:3:4:5::1.2.3.4",
        "",
    ]
    .iter()
    .map(|case| case.to_string())
    .collect();
    // Pieces an address is made of, and some it must not be, joined by `:`.
    let pieces = [
        "", "0", "1", "ab", "ffff", "DB8", "0", "1", "ab", "ffff", "DB8", "1.2.3.4", "", "12345",
        "g", "01.2.3.4", "1.2.3",
    ];
    cases.extend(joined_pieces(&pieces, 0x9e37_79b9_7f4a_7c15, 1..10, ":"));
    let valid = cases
        .iter()
        .filter(|case| case.parse::<std::net::Ipv6Addr>().is_ok())
        .count();
    assert!(valid > 500, "only {valid} valid addresses among the cases");
    for case in cases {
        let expected = case.parse::<std::net::Ipv6Addr>().ok();
        // Alone, and with a prefix length after it, where the one-pass reader stops.
        for (suffix, prefix) in [("", 128), ("/64", 64)] {
            let parsed = parse_record(format!("v=spf1 ip6:{case}{suffix}").as_bytes());
            let network = match parsed.map(|record| record.terms[0].kind.clone()) {
                Ok(TermKind::Directive(Directive {
                    mechanism:
                        Mechanism::Ip6 {
                            network,
                            prefix: read,
                        },
                    ..
                })) => {
                    assert_eq!(read, prefix, "ip6:{case}{suffix}");
                    Some(network)
                }
                _ => None,
            };
            assert_eq!(network, expected, "ip6:{case}{suffix}");
        }
    }
}

/// The one-pass `ip4-network` parser must accept exactly the dotted quads the standard library
/// does (four `qnum`s: 0–255, no leading zeros), and give the same address: edge cases, then
/// pseudo-random strings of digits and dots.
#[test]
fn ip4_networks_parse_as_the_standard_library_does() {
    let mut cases: Vec<String> = [
        "0.0.0.0",
        "255.255.255.255",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.4.",
        ".1.2.3.4",
        "1..2.3",
        "01.2.3.4",
        "1.2.3.00",
        "1.2.3.0",
        "1000.2.3.4",
        "1.2.3.4a",
        "",
    ]
    .iter()
    .map(|case| case.to_string())
    .collect();
    let pieces = [
        "", "0", "1", "9", "10", "99", "199", "255", "256", "999", "00", "01", "1000", "x",
    ];
    cases.extend(joined_pieces(&pieces, 0x2545_f491_4f6c_dd1d, 3..6, "."));
    let valid = cases
        .iter()
        .filter(|case| case.parse::<std::net::Ipv4Addr>().is_ok())
        .count();
    assert!(valid > 300, "only {valid} valid addresses among the cases");
    for case in cases {
        let expected = case.parse::<std::net::Ipv4Addr>().ok();
        let parsed = parse_record(format!("v=spf1 ip4:{case}").as_bytes());
        let network = match parsed.map(|record| record.terms[0].kind.clone()) {
            Ok(TermKind::Directive(Directive {
                mechanism: Mechanism::Ip4 { network, .. },
                ..
            })) => Some(network),
            _ => None,
        };
        assert_eq!(network, expected, "ip4:{case}");
    }
}

/// The version is compared in any case by setting the letters' case bit: every byte value at
/// every place of `v=spf1` must be taken or refused as a byte-by-byte comparison in any case
/// would.
#[test]
fn the_version_is_matched_in_any_case_and_nothing_else() {
    let is_spf =
        |record: &[u8]| matches!(select_record(&[record.to_vec()]), RecordSelection::One(_));
    for position in 0..6 {
        for byte in 0..=255u8 {
            let mut record = b"v=spf1 -all".to_vec();
            record[position] = byte;
            let expected = record[..6].eq_ignore_ascii_case(b"v=spf1");
            assert_eq!(is_spf(&record), expected, "{record:?}");
        }
    }
    assert!(is_spf(b"v=spf1"));
    assert!(!is_spf(b"v=spf10"));
    assert!(!is_spf(b"v=spf"));
}

/// "ip4" reads its network and its prefix length in one pass, stopping the address at the
/// first `/`: it must answer as the address and the length read apart would, including which
/// error comes first (a bad address before a bad length) and for extra slashes.
#[test]
fn ip4_networks_and_prefixes_read_in_one_pass_answer_as_read_apart() {
    let addresses = [
        "192.0.2.0",
        "192.0.2",
        "01.2.3.4",
        "1.2.3.4x",
        "",
        "1.2.3.4.",
    ];
    let prefixes = [
        "", "/", "/0", "/8", "/32", "/33", "/01", "/1/2", "//24", "/x", "/255",
    ];
    for address in addresses {
        for prefix in prefixes {
            let expected = match address.parse::<std::net::Ipv4Addr>() {
                Err(_) => Err(ParseErrorKind::BadNetwork),
                Ok(network) => match prefix.strip_prefix('/') {
                    None => Ok((network, 32)),
                    // ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), at most 32.
                    Some(digits) => {
                        let well_formed = digits == "0"
                            || (matches!(digits.len(), 1..=2)
                                && !digits.starts_with('0')
                                && digits.bytes().all(|b| b.is_ascii_digit()));
                        match digits.parse::<u8>() {
                            Ok(length) if well_formed && length <= 32 => Ok((network, length)),
                            _ => Err(ParseErrorKind::BadCidr),
                        }
                    }
                },
            };
            let term = format!("ip4:{address}{prefix}");
            let parsed = match parse_record(format!("v=spf1 {term}").as_bytes()) {
                Ok(record) => match record.terms[0].kind.clone() {
                    TermKind::Directive(Directive {
                        mechanism: Mechanism::Ip4 { network, prefix },
                        ..
                    }) => Ok((network, prefix)),
                    other => panic!("{term}: {other:?}"),
                },
                Err(error) => Err(error.kind),
            };
            assert_eq!(parsed, expected, "{term}");
        }
    }
}

/// The word-at-a-time check for bytes outside `%x20-7E` must find exactly the first such byte,
/// wherever it falls in an eight-byte word and for every byte value.
#[test]
fn unprintable_bytes_are_found_at_every_position() {
    let base = b"v=spf1 ip4:192.0.2.0/24 a mx -all".to_vec();
    for byte in 0..=255u8 {
        for position in 6..base.len() {
            let mut record = base.clone();
            record[position] = byte;
            let parsed = parse_record(&record);
            if (b' '..=b'~').contains(&byte) {
                let not_ascii =
                    matches!(&parsed, Err(error) if error.kind == ParseErrorKind::NonAscii);
                assert!(!not_ascii, "byte {byte:#04x} at {position}");
            } else {
                let error = parsed.expect_err("an unprintable byte");
                assert_eq!(error.kind, ParseErrorKind::NonAscii, "byte {byte:#04x}");
                assert_eq!(error.span.start, position, "byte {byte:#04x}");
            }
        }
    }
}

/// 20,000 strings of `pieces` picked pseudo-randomly (xorshift64 from `seed`: reproducible, and
/// no dependency for a test), `count` of them joined by `separator`.
fn joined_pieces(
    pieces: &[&str],
    seed: u64,
    count: std::ops::Range<usize>,
    separator: &str,
) -> Vec<String> {
    let mut state = seed;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    (0..20_000)
        .map(|_| {
            let count = count.start + next(count.len());
            let case: Vec<&str> = (0..count).map(|_| pieces[next(pieces.len())]).collect();
            case.join(separator)
        })
        .collect()
}
