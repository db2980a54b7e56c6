//! From a DNS response to mailspect's [`Answer`] or [`DnsError`]: the RCODE, the CNAME chain in
//! the answer section, and how long the outcome may be cached.

use crate::dns::name::same_name;
use crate::dns::wire::{self, rcode, Message, WireData, CLASS_IN};
use crate::dns::{normalize_name, Answer, DnsError, Record, RecordType};

/// A chain longer than this is treated as broken, as `MemoryResolver` does.
const MAX_CNAME_CHAIN: usize = 16;

/// What a response says, and for how many seconds it may be reused (`None`: not at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreted {
    pub result: Result<Answer, DnsError>,
    pub cache_seconds: Option<u32>,
}

/// Decodes a DoH response body and reads the answer to `name`/`record_type` from it.
pub fn interpret_response(bytes: &[u8], name: &str, record_type: RecordType) -> Interpreted {
    if bytes.len() > wire::MAX_MESSAGE {
        return uncached(Err(DnsError::TooLarge));
    }
    match wire::decode_message(bytes) {
        Ok(message) => interpret(&message, name, record_type),
        Err(error) => uncached(Err(DnsError::Malformed(error.to_string()))),
    }
}

fn uncached(result: Result<Answer, DnsError>) -> Interpreted {
    Interpreted {
        result,
        cache_seconds: None,
    }
}

/// Reads the answer to `name`/`record_type` from a decoded response.
pub fn interpret(message: &Message, name: &str, record_type: RecordType) -> Interpreted {
    let name = normalize_name(name);
    // Names are compared as wire labels, not as text (see `same_name`): the question was sent as
    // octets, and the decoder writes octets such as a space back as `\032`.
    let asked = message.questions.first().is_some_and(|question| {
        same_name(&question.name, &name)
            && question.type_code == record_type.code()
            && question.class == CLASS_IN
    });
    if !message.response || message.questions.len() != 1 || !asked {
        return uncached(Err(DnsError::Malformed(
            "the response does not answer the question asked".into(),
        )));
    }
    if message.truncated {
        // RFC 8484 §6: DoH answers are never truncated; a TC answer is incomplete.
        return uncached(Err(DnsError::Malformed(
            "the resolver truncated the answer (TC)".into(),
        )));
    }
    match message.rcode {
        rcode::NO_ERROR => {}
        // RFC 2308 §5: negative answers may be cached for the SOA's TTL, capped by its MINIMUM.
        rcode::NAME_ERROR => {
            return Interpreted {
                result: Err(DnsError::NxDomain),
                cache_seconds: negative_ttl(message),
            }
        }
        rcode::REFUSED => return uncached(Err(DnsError::Refused)),
        // SERVFAIL, and FORMERR/NOTIMP/others that a resolver should never send for a plain
        // query: all mean "no answer this time".
        _ => return uncached(Err(DnsError::ServFail)),
    }
    let mut current = name;
    let mut cnames = Vec::new();
    loop {
        let records: Vec<Record> = message
            .answers
            .iter()
            .filter(|record| {
                record.class == CLASS_IN
                    && record.type_code == record_type.code()
                    && same_name(&record.name, &current)
            })
            .filter_map(|record| match &record.data {
                WireData::Known(data) => Some(Record {
                    name: record.name.clone(),
                    ttl: record.ttl,
                    data: data.clone(),
                }),
                WireData::Other(_) => None,
            })
            .collect();
        if !records.is_empty() {
            let cache_seconds = records
                .iter()
                .chain(&cnames)
                .map(|record: &Record| record.ttl)
                .min();
            return Interpreted {
                result: Ok(Answer {
                    records: records.into(),
                    cnames,
                    authenticated: message.authenticated_data,
                }),
                cache_seconds,
            };
        }
        let cname = message.answers.iter().find(|record| {
            record.class == CLASS_IN
                && record.type_code == RecordType::Cname.code()
                && same_name(&record.name, &current)
        });
        let Some(record) = cname.filter(|_| record_type != RecordType::Cname) else {
            // RFC 2308 §2.2: NOERROR without the records asked for is NODATA.
            return Interpreted {
                result: Err(DnsError::NoData),
                cache_seconds: negative_ttl(message),
            };
        };
        let WireData::Known(data @ crate::dns::RecordData::Cname { target }) = &record.data else {
            return uncached(Err(DnsError::Malformed(
                "a CNAME record has no target".into(),
            )));
        };
        // A name met twice is a loop; the chain is at most 16 long, so a scan beats a set.
        let looped = cnames
            .iter()
            .any(|earlier: &Record| same_name(&earlier.name, &record.name));
        if looped || cnames.len() >= MAX_CNAME_CHAIN {
            return uncached(Err(DnsError::Malformed(
                "the CNAME chain in the answer loops".into(),
            )));
        }
        cnames.push(Record {
            name: record.name.clone(),
            ttl: record.ttl,
            data: data.clone(),
        });
        current = target.clone();
    }
}

/// `min(SOA TTL, SOA MINIMUM)` of the authority section (RFC 2308 §5), if it has a SOA.
fn negative_ttl(message: &Message) -> Option<u32> {
    message
        .authorities
        .iter()
        .find_map(|record| match &record.data {
            WireData::Known(crate::dns::RecordData::Soa { minimum, .. }) => {
                Some(record.ttl.min(*minimum))
            }
            _ => None,
        })
}
