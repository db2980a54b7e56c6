//! Answering DNS queries from zone data: the DNS half of `mailspect serve-dns`, which lets the
//! page (and the browser tests) resolve through a local DoH endpoint. The HTTP half lives in the
//! CLI; this half is pure, so it is tested here without sockets.

use super::wire::{self, rcode, Message, WireRecord};
use super::{DnsError, MemoryResolver, RecordType};

/// The response to a wire-format query, in wire format. A query that cannot be decoded gets
/// FORMERR when its ID can be read, and `Err` otherwise (the HTTP layer answers 400).
pub fn respond(zone: &MemoryResolver, query: &[u8]) -> Result<Vec<u8>, wire::WireError> {
    let query = match wire::decode_message(query) {
        Ok(query) => query,
        Err(error) => {
            let Some(&[high, low]) = query.first_chunk::<2>() else {
                return Err(error);
            };
            let response = Message {
                id: u16::from_be_bytes([high, low]),
                response: true,
                recursion_available: true,
                rcode: rcode::FORMAT_ERROR,
                ..Message::default()
            };
            return wire::encode_message(&response);
        }
    };
    let mut response = Message {
        id: query.id,
        response: true,
        opcode: query.opcode,
        recursion_desired: query.recursion_desired,
        recursion_available: true,
        questions: query.questions.clone(),
        ..Message::default()
    };
    // RFC 1035 §4.1.2 allows several questions, but no server answers more than one; neither
    // does this one (FORMERR, as RFC 9619 now requires).
    let question = match query.questions.as_slice() {
        [question] if query.opcode == 0 && !query.response => question,
        _ => {
            response.rcode = rcode::FORMAT_ERROR;
            return wire::encode_message(&response);
        }
    };
    let Some(record_type) = RecordType::from_code(question.type_code) else {
        // A type the zone format cannot hold: the name's existence still decides the answer.
        response.rcode = match zone.answer(&question.name, RecordType::Txt) {
            Err(DnsError::NxDomain) => rcode::NAME_ERROR,
            _ => rcode::NO_ERROR,
        };
        response
            .authorities
            .extend(negative_soa(zone, &question.name));
        return wire::encode_message(&response);
    };
    match zone.answer(&question.name, record_type) {
        Ok(answer) => {
            response.authenticated_data = answer.authenticated;
            for record in answer.cnames.iter().chain(answer.records.iter()) {
                response
                    .answers
                    .push(wire::record_of(&record.name, record.ttl, &record.data));
            }
        }
        Err(error) => {
            response.rcode = match error {
                DnsError::NxDomain => rcode::NAME_ERROR,
                DnsError::NoData => rcode::NO_ERROR,
                DnsError::Refused => rcode::REFUSED,
                DnsError::InvalidName(_) => rcode::FORMAT_ERROR,
                _ => rcode::SERVER_FAILURE,
            };
            if matches!(error, DnsError::NxDomain | DnsError::NoData) {
                response
                    .authorities
                    .extend(negative_soa(zone, &question.name));
            }
        }
    }
    wire::encode_message(&response)
}

/// The SOA of the closest enclosing zone, for negative caching (RFC 2308 §3).
fn negative_soa(zone: &MemoryResolver, name: &str) -> Option<WireRecord> {
    let record = zone.closest_soa(name)?;
    Some(wire::record_of(&record.name, record.ttl, &record.data))
}
