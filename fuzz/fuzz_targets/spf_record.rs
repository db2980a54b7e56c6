//! SPF: record selection among a name's TXT strings, the record grammar with its macro-strings,
//! the lint, and `check_host()` over hostile records. The first line is example.com's record,
//! line N (from 1) is `lN.example.com`'s, so that include, redirect, exists and macro
//! expansion walk records the fuzzer wrote, loops included.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::spf::{
    check_host, lint_record, parse_record, select_record, CheckInput, CheckOptions, Identity,
};

fuzz_target!(|data: &[u8]| {
    let strings: Vec<Vec<u8>> = data
        .split(|&byte| byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let _ = select_record(&strings);
    let _ = lint_record("example.com", &strings);
    let _ = parse_record(data);
    let mut resolver = MemoryResolver::new();
    for (index, line) in strings.iter().enumerate().take(64) {
        let name = match index {
            0 => "example.com".to_string(),
            _ => format!("l{index}.example.com"),
        };
        resolver.insert(
            &name,
            300,
            RecordData::Txt {
                strings: line.chunks(255).map(<[u8]>::to_vec).collect(),
            },
        );
        resolver.insert(
            &name,
            300,
            RecordData::A {
                address: Ipv4Addr::new(192, 0, 2, index as u8),
            },
        );
    }
    let options = CheckOptions {
        receiver: Some("mx.example.net".into()),
        now: 1_667_843_664,
    };
    let input = CheckInput {
        identity: Identity::MailFrom,
        ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)),
        domain: "example.com",
        sender: "user@example.com",
        helo: Some("mail.example.com"),
        options: &options,
    };
    let report = mailspect_fuzz::run(check_host(&resolver, &input));
    let _ = serde_json::to_string(&report).expect("a report always serializes");
});
