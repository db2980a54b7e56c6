//! What the fuzz targets share: the "case" format of the whole-pipeline and ARC targets, and a
//! way to run the core's futures to the end.
//!
//! A case is the shape of the shared conformance suites' message files: DNS records one a line
//! (`name value`), an empty line, then the message. A value that reads as an IP address is an A or
//! AAAA record, any other value a TXT record (cut into 255-byte strings, as DNS carries it).
//! Three names set the SMTP envelope instead: `@ip`, `@mail-from` and `@helo`. Without the
//! empty line the whole input is the message and the resolver is empty.

use std::net::IpAddr;

use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::EnvelopeOverride;

/// The time of checking the conformance suites are written for (their README).
pub const SUITE_NOW: u64 = 1_667_843_664;

/// A case split into its resolver, its envelope and its message.
pub struct Case<'a> {
    pub resolver: MemoryResolver,
    pub envelope: EnvelopeOverride,
    pub message: &'a [u8],
}

pub fn case(data: &[u8]) -> Case<'_> {
    let mut resolver = MemoryResolver::new();
    let mut envelope = EnvelopeOverride::default();
    let Some(split) = data.windows(2).position(|pair| pair == b"\n\n") else {
        return Case {
            resolver,
            envelope,
            message: data,
        };
    };
    for line in data[..split].split(|&byte| byte == b'\n') {
        let Some(space) = line.iter().position(|&byte| byte == b' ') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..space]);
        let value = &line[space + 1..];
        let text = String::from_utf8_lossy(value);
        match &*name {
            "@ip" => envelope.ip = text.trim().parse().ok(),
            "@mail-from" => envelope.mail_from = Some(text.into_owned()),
            "@helo" => envelope.helo = Some(text.into_owned()),
            _ => {
                let data = match text.trim().parse::<IpAddr>() {
                    Ok(IpAddr::V4(address)) => RecordData::A { address },
                    Ok(IpAddr::V6(address)) => RecordData::Aaaa { address },
                    Err(_) => RecordData::Txt {
                        strings: value.chunks(255).map(<[u8]>::to_vec).collect(),
                    },
                };
                resolver.insert(&name, 3600, data);
            }
        }
    }
    Case {
        resolver,
        envelope,
        message: &data[split + 2..],
    }
}

/// Runs a future of the core to its end. The memory resolver never waits, so this never blocks.
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
