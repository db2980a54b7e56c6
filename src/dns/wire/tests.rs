use std::net::Ipv4Addr;

use super::*;
use crate::dns::RecordType;

/// A response to `example.com TXT` by hand, with compression: the answer's owner is a pointer
/// to the question name at offset 12.
fn compressed_txt_response() -> Vec<u8> {
    let mut bytes = vec![
        0x00, 0x00, // ID
        0x81, 0xa0, // QR RD RA AD
        0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    ];
    bytes.extend_from_slice(b"\x07example\x03com\x00\x00\x10\x00\x01");
    bytes.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c]);
    let rdata = b"\x05v=spf\x0b1 -all tail";
    bytes.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    bytes.extend_from_slice(rdata);
    bytes
}

#[test]
fn decodes_a_compressed_answer_and_keeps_txt_strings_apart() {
    let message = decode_message(&compressed_txt_response()).expect("well-formed");
    assert!(message.response && message.authenticated_data && message.recursion_available);
    assert_eq!(message.questions[0].name, "example.com");
    let record = &message.answers[0];
    assert_eq!(record.name, "example.com");
    assert_eq!(record.ttl, 300);
    assert_eq!(
        record.data,
        WireData::Known(RecordData::Txt {
            strings: vec![b"v=spf".to_vec(), b"1 -all tail".to_vec()]
        })
    );
}

#[test]
fn query_round_trips_and_asks_for_the_ad_bit() {
    let query = encode_query("Sel._DomainKey.Example.com.", RecordType::Txt).expect("valid name");
    let message = decode_message(&query).expect("own encoding decodes");
    assert_eq!(message.id, 0, "RFC 8484 §4.1: ID 0 for cache friendliness");
    assert!(message.recursion_desired && message.authenticated_data && !message.response);
    assert_eq!(message.questions[0].name, "sel._domainkey.example.com");
    assert_eq!(message.questions[0].type_code, 16);
    assert_eq!(message.additionals[0].type_code, TYPE_OPT);
    assert_eq!(encode_message(&message).expect("re-encodes"), query);
}

#[test]
fn every_record_type_round_trips() {
    let datas = vec![
        RecordData::A {
            address: Ipv4Addr::new(192, 0, 2, 1),
        },
        RecordData::Aaaa {
            address: "2001:db8::1".parse().expect("literal"),
        },
        RecordData::Cname {
            target: "target.example".into(),
        },
        RecordData::Mx {
            preference: 10,
            exchange: "mx.example".into(),
        },
        RecordData::Ns {
            host: "ns1.example".into(),
        },
        RecordData::Ptr {
            target: "host.example".into(),
        },
        RecordData::Soa {
            mname: "ns1.example".into(),
            rname: "hostmaster.example".into(),
            serial: 2024010101,
            minimum: 300,
        },
        RecordData::Txt {
            strings: vec![b"a".to_vec(), vec![0xff, 0x00, b'"'], Vec::new()],
        },
        RecordData::Tlsa {
            usage: 3,
            selector: 1,
            matching_type: 1,
            data: vec![0xab; 32],
        },
    ];
    let message = Message {
        response: true,
        answers: datas
            .iter()
            .map(|data| record_of("odd\\.label.example", 60, data))
            .collect(),
        ..Message::default()
    };
    let bytes = encode_message(&message).expect("encodes");
    assert_eq!(decode_message(&bytes).expect("decodes"), message);
}

#[test]
fn rejects_a_pointer_to_itself() {
    let mut bytes = vec![0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
    let error = decode_message(&bytes).expect_err("a loop");
    assert_eq!(error, WireError::new(WireErrorKind::PointerLoop, 12));
}

#[test]
fn rejects_a_pointer_loop_between_two_names() {
    // The question name is "a" then a pointer forward to the answer's owner, which points back.
    let mut bytes = vec![0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    bytes.extend_from_slice(&[0x01, b'a', 0xc0, 0x16, 0x00, 0x01, 0x00, 0x01]);
    bytes.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]);
    let error = decode_message(&bytes).expect_err("a forward pointer");
    assert_eq!(error.kind, WireErrorKind::PointerLoop);
}

#[test]
fn rejects_counts_the_message_cannot_hold() {
    // 65535 answers promised in a 12-byte message: refused before anything is allocated.
    let bytes = vec![0, 0, 0x81, 0x80, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    let error = decode_message(&bytes).expect_err("huge counts");
    assert_eq!(error.kind, WireErrorKind::CountTooLarge);
}

#[test]
fn rejects_every_truncation_of_a_valid_message() {
    let bytes = compressed_txt_response();
    for length in 0..bytes.len() {
        let prefix = bytes.get(..length).expect("length below len");
        assert!(
            decode_message(prefix).is_err(),
            "a {length}-byte prefix decoded"
        );
    }
}

#[test]
fn rejects_rdata_shorter_or_longer_than_declared() {
    let mut bytes = vec![0, 0, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0];
    // An A record with RDLENGTH 5.
    bytes.extend_from_slice(&[0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]);
    let error = decode_message(&bytes).expect_err("A with 5 bytes");
    assert!(matches!(error.kind, WireErrorKind::BadRdata(_)));
}

#[test]
fn rejects_reserved_label_types_and_trailing_bytes() {
    let mut bytes = vec![0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&[0x40, 0x00, 0, 1, 0, 1]);
    assert_eq!(
        decode_message(&bytes).expect_err("0x40 label").kind,
        WireErrorKind::BadLabelType
    );
    let mut bytes = encode_query("example.com", RecordType::A).expect("valid");
    bytes.push(0);
    assert_eq!(
        decode_message(&bytes).expect_err("trailing").kind,
        WireErrorKind::TrailingBytes
    );
}

#[test]
fn rejects_names_longer_than_255_octets_even_through_pointers() {
    // 5 labels of 63 octets = 320 octets: each is a fresh label run, no pointer needed.
    let mut bytes = vec![0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
    for _ in 0..5 {
        bytes.push(63);
        bytes.extend_from_slice(&[b'a'; 63]);
    }
    bytes.extend_from_slice(&[0, 0, 1, 0, 1]);
    assert!(matches!(
        decode_message(&bytes).expect_err("too long").kind,
        WireErrorKind::Name(_)
    ));
}

#[test]
fn refuses_to_encode_names_dns_cannot_carry() {
    let long_label = format!("{}.example", "a".repeat(64));
    assert!(encode_query(&long_label, RecordType::A).is_err());
    assert!(encode_query("a..example", RecordType::A).is_err());
}

/// A deterministic fuzz pass (xorshift, no dependency): random bytes, and valid messages with
/// random bytes flipped, must decode or fail without a panic, and whatever decodes must
/// re-encode and decode to the same message (the imap-codec round trip).
#[test]
fn survives_mutated_and_random_input() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seed = compressed_txt_response();
    let mut decoded = 0;
    for round in 0..20_000 {
        let mut bytes = if round % 2 == 0 {
            seed.clone()
        } else {
            let length = (next() % 96) as usize;
            (0..length).map(|_| next() as u8).collect()
        };
        for _ in 0..(next() % 4) {
            if bytes.is_empty() {
                break;
            }
            let at = (next() as usize) % bytes.len();
            if let Some(byte) = bytes.get_mut(at) {
                *byte = next() as u8;
            }
        }
        if let Ok(message) = decode_message(&bytes) {
            decoded += 1;
            // Unknown RDATA is kept raw, so every decoded message can be written back, unless a
            // flipped bit made a name the encoder must refuse (never the case for decoded names).
            let again = encode_message(&message).expect("a decoded message re-encodes");
            assert_eq!(decode_message(&again).as_ref(), Ok(&message));
        }
    }
    assert!(
        decoded > 100,
        "the mutations should leave some messages valid"
    );
}
