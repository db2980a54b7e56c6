//! `mailspect dns NAME TYPE`: one lookup through the same resolvers the analyses use.

use mailspect::dns::{CacheUse, RecordData, RecordType, Resolver, TraceOutcome};

use super::args::DnsLookupArgs;
use super::resolve::resolver;
use super::{output, CliError};

/// Exit code 0 whatever DNS answered (NXDOMAIN is an answer); 2 for unusable arguments.
pub fn run(args: &DnsLookupArgs) -> Result<(), CliError> {
    let record_type = RecordType::from_name(&args.record_type).ok_or_else(|| {
        CliError(format!(
            "{:?} is not a record type mailspect looks up (A, AAAA, CNAME, MX, NS, PTR, SOA, \
             TXT, TLSA, SPF)",
            args.record_type
        ))
    })?;
    let resolver = resolver(&args.dns.sources)?;
    let trace = pollster::block_on(resolver.lookup_traced(&args.name, record_type));
    if args.json {
        return output::print_json(&trace);
    }
    let mut facts = Vec::new();
    if let Some(source) = &trace.source {
        facts.push(format!("from {source}"));
    }
    if let Some(duration) = trace.duration_ms {
        facts.push(format!("{duration:.0} ms"));
    }
    facts.push(
        match trace.cache {
            CacheUse::None => "zone data",
            CacheUse::Miss => "asked",
            CacheUse::Hit => "cached",
            CacheUse::Merged => "merged with an identical lookup",
        }
        .to_string(),
    );
    match &trace.outcome {
        TraceOutcome::Answer(answer) => {
            if answer.authenticated {
                facts.push("DNSSEC-validated by the resolver (AD)".into());
            }
            println!(
                ";; {} {}: {} record(s), {}",
                trace.name,
                record_type,
                answer.records.len(),
                facts.join(", ")
            );
            for record in answer.cnames.iter().chain(answer.records.iter()) {
                println!(
                    "{}.\t{}\t{}\t{}",
                    record.name,
                    record.ttl,
                    record.data.record_type(),
                    presentation(&record.data)
                );
            }
        }
        TraceOutcome::Error(error) => {
            println!(
                ";; {} {}: {error}, {}",
                trace.name,
                record_type,
                facts.join(", ")
            );
        }
    }
    Ok(())
}

/// RDATA in zone-file form (RFC 1035 §5.1), so that output can be pasted into a zone file.
fn presentation(data: &RecordData) -> String {
    match data {
        RecordData::A { address } => address.to_string(),
        RecordData::Aaaa { address } => address.to_string(),
        RecordData::Cname { target } | RecordData::Ptr { target } => format!("{target}."),
        RecordData::Ns { host } => format!("{host}."),
        RecordData::Mx {
            preference,
            exchange,
        } => format!("{preference} {exchange}."),
        RecordData::Soa {
            mname,
            rname,
            serial,
            minimum,
        } => format!("{mname}. {rname}. {serial} (refresh retry expire not kept) {minimum}"),
        RecordData::Txt { strings } => strings
            .iter()
            .map(|string| quoted(string))
            .collect::<Vec<_>>()
            .join(" "),
        RecordData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            let hex: String = data.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("{usage} {selector} {matching_type} {hex}")
        }
        other => format!("{other:?}"),
    }
}

/// A character-string in quotes, with `"` and `\` escaped and other bytes as `\DDD`.
fn quoted(bytes: &[u8]) -> String {
    let mut text = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' | b'\\' => {
                text.push('\\');
                text.push(char::from(byte));
            }
            0x20..=0x7e => text.push(char::from(byte)),
            _ => text.push_str(&format!("\\{byte:03}")),
        }
    }
    text.push('"');
    text
}
