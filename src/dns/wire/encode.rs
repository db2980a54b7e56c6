//! Encoding DNS messages: the queries the DoH resolvers send, and the answers `serve-dns` gives.
//! Names are written without compression: it is optional (RFC 1035 §4.1.4) and answers from a
//! zone file are small.

use super::{
    Message, Question, WireData, WireError, WireErrorKind, WireRecord, CLASS_IN, MAX_MESSAGE,
    TYPE_OPT,
};
use crate::dns::name::labels_from_text;
use crate::dns::{normalize_name, RecordData, RecordType};

/// The EDNS UDP payload size advertised in queries. Over HTTPS it only tells the resolver that
/// large answers are welcome (RFC 6891 §6.2.3); 1232 is the DNS Flag Day 2020 value.
const EDNS_PAYLOAD: u16 = 1232;

/// A recursive query for `name`/`record_type`, class IN, as RFC 8484 §4.1 asks DoH clients to
/// send it: ID 0 so that HTTP caches can share answers, RD set, and AD set to ask the resolver
/// to say whether it validated the answer (RFC 6840 §5.7). An OPT record (RFC 6891) makes room
/// for answers over 512 bytes.
pub fn encode_query(name: &str, record_type: RecordType) -> Result<Vec<u8>, WireError> {
    let message = Message {
        recursion_desired: true,
        authenticated_data: true,
        questions: vec![Question {
            // Lower case, so that the answer's question section matches what is compared.
            name: normalize_name(name),
            type_code: record_type.code(),
            class: CLASS_IN,
        }],
        additionals: vec![WireRecord {
            name: String::new(),
            type_code: TYPE_OPT,
            class: EDNS_PAYLOAD,
            ttl: 0,
            data: WireData::Other(Vec::new()),
        }],
        ..Message::default()
    };
    encode_message(&message)
}

/// Encodes a whole message (RFC 1035 §4.1).
pub fn encode_message(message: &Message) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&message.id.to_be_bytes());
    let flags = (u16::from(message.response) << 15)
        | (u16::from(message.opcode & 0x0f) << 11)
        | (u16::from(message.authoritative) << 10)
        | (u16::from(message.truncated) << 9)
        | (u16::from(message.recursion_desired) << 8)
        | (u16::from(message.recursion_available) << 7)
        | (u16::from(message.authenticated_data) << 5)
        | (u16::from(message.checking_disabled) << 4)
        | (message.rcode & 0x0f);
    out.extend_from_slice(&flags.to_be_bytes());
    for count in [
        message.questions.len(),
        message.answers.len(),
        message.authorities.len(),
        message.additionals.len(),
    ] {
        let count =
            u16::try_from(count).map_err(|_| WireError::new(WireErrorKind::TooLarge, out.len()))?;
        out.extend_from_slice(&count.to_be_bytes());
    }
    for question in &message.questions {
        name(&mut out, &question.name)?;
        out.extend_from_slice(&question.type_code.to_be_bytes());
        out.extend_from_slice(&question.class.to_be_bytes());
    }
    for record in message
        .answers
        .iter()
        .chain(&message.authorities)
        .chain(&message.additionals)
    {
        resource_record(&mut out, record)?;
    }
    if out.len() > MAX_MESSAGE {
        return Err(WireError::new(WireErrorKind::TooLarge, MAX_MESSAGE));
    }
    Ok(out)
}

fn resource_record(out: &mut Vec<u8>, record: &WireRecord) -> Result<(), WireError> {
    name(out, &record.name)?;
    out.extend_from_slice(&record.type_code.to_be_bytes());
    out.extend_from_slice(&record.class.to_be_bytes());
    out.extend_from_slice(&record.ttl.to_be_bytes());
    let length_at = out.len();
    out.extend_from_slice(&[0, 0]);
    match &record.data {
        WireData::Known(data) => rdata(out, data)?,
        WireData::Other(bytes) => out.extend_from_slice(bytes),
    }
    let length = u16::try_from(out.len() - length_at - 2)
        .map_err(|_| WireError::new(WireErrorKind::TooLarge, length_at))?;
    // `length_at` and the byte after it were pushed above.
    if let Some(slot) = out.get_mut(length_at..length_at + 2) {
        slot.copy_from_slice(&length.to_be_bytes());
    }
    Ok(())
}

/// The RDATA layouts decoded in `decode.rs`, written back.
fn rdata(out: &mut Vec<u8>, data: &RecordData) -> Result<(), WireError> {
    match data {
        RecordData::A { address } => out.extend_from_slice(&address.octets()),
        RecordData::Aaaa { address } => out.extend_from_slice(&address.octets()),
        RecordData::Cname { target } | RecordData::Ptr { target } => name(out, target)?,
        RecordData::Ns { host } => name(out, host)?,
        RecordData::Mx {
            preference,
            exchange,
        } => {
            out.extend_from_slice(&preference.to_be_bytes());
            name(out, exchange)?;
        }
        RecordData::Soa {
            mname,
            rname,
            serial,
            minimum,
        } => {
            name(out, mname)?;
            name(out, rname)?;
            out.extend_from_slice(&serial.to_be_bytes());
            // REFRESH, RETRY, EXPIRE: not kept (see `RecordData::Soa`); values a secondary would
            // accept (RFC 1912 §2.2) so that the record stays well-formed.
            for value in [3600u32, 600, 604_800] {
                out.extend_from_slice(&value.to_be_bytes());
            }
            out.extend_from_slice(&minimum.to_be_bytes());
        }
        RecordData::Txt { strings } => {
            if strings.is_empty() {
                // TXT-DATA is one or more strings (RFC 1035 §3.3.14): write one empty string.
                out.push(0);
            }
            for string in strings {
                let length = u8::try_from(string.len())
                    .map_err(|_| WireError::new(WireErrorKind::StringTooLong, out.len()))?;
                out.push(length);
                out.extend_from_slice(string);
            }
        }
        RecordData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            out.extend_from_slice(&[*usage, *selector, *matching_type]);
            out.extend_from_slice(data);
        }
    }
    Ok(())
}

/// A name in wire form, uncompressed.
fn name(out: &mut Vec<u8>, text: &str) -> Result<(), WireError> {
    let labels = labels_from_text(text)
        .map_err(|error| WireError::new(WireErrorKind::Name(error), out.len()))?;
    for label in labels {
        // `labels_from_text` checked that every label is 1..=63 octets.
        out.push(label.len() as u8);
        out.extend_from_slice(&label);
    }
    out.push(0);
    Ok(())
}

/// A record for an answer section, class IN, typed by its data.
pub fn record_of(name: &str, ttl: u32, data: &RecordData) -> WireRecord {
    WireRecord {
        name: name.to_string(),
        type_code: data.record_type().code(),
        class: CLASS_IN,
        ttl,
        data: WireData::Known(data.clone()),
    }
}
