//! The size probe: one exported function that decodes a DNS answer (A, MX, TXT) and encodes a
//! query with the codec the feature picks. The input is built from the argument so that the
//! optimizer cannot precompute anything.
// No `forbid(unsafe_code)`: that lint also forbids `#[no_mangle]`, the only way to export `run`
// without wasm-bindgen. The probe has no `unsafe` block.

#[cfg(feature = "ours")]
#[path = "../../../src/dns/mod.rs"]
#[allow(dead_code, unused_imports)]
mod dns;

fn input(seed: u32) -> Vec<u8> {
    (0..seed)
        .map(|index| (index.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

#[cfg(not(any(feature = "ours", feature = "simple", feature = "hickory")))]
fn probe(input: &[u8]) -> u32 {
    input.iter().map(|&byte| u32::from(byte)).sum()
}

#[cfg(feature = "ours")]
fn probe(input: &[u8]) -> u32 {
    use crate::dns::{wire, RecordData, RecordType};
    let mut total = 0;
    if let Ok(message) = wire::decode_message(input) {
        for record in &message.answers {
            if let wire::WireData::Known(data) = &record.data {
                total += match data {
                    RecordData::A { address } => u32::from(address.octets()[0]),
                    RecordData::Mx {
                        preference,
                        exchange,
                    } => u32::from(*preference) + exchange.len() as u32,
                    RecordData::Txt { strings } => strings.len() as u32,
                    _ => 1,
                };
            }
        }
    }
    total + wire::encode_query("example.com", RecordType::Txt).map_or(0, |q| q.len() as u32)
}

#[cfg(feature = "simple")]
fn probe(input: &[u8]) -> u32 {
    use simple_dns::{rdata::RData, Name, Packet, Question, CLASS, TYPE};
    let mut total = 0;
    if let Ok(packet) = Packet::parse(input) {
        for record in &packet.answers {
            total += match &record.rdata {
                RData::A(a) => a.address,
                RData::MX(mx) => u32::from(mx.preference) + mx.exchange.to_string().len() as u32,
                RData::TXT(txt) => txt
                    .clone()
                    .try_into()
                    .map_or(0, |text: String| text.len() as u32),
                _ => 1,
            };
        }
    }
    let mut query = Packet::new_query(0);
    if let Ok(name) = Name::new("example.com") {
        query.questions.push(Question::new(
            name,
            TYPE::TXT.into(),
            CLASS::IN.into(),
            false,
        ));
    }
    total + query.build_bytes_vec().map_or(0, |q| q.len() as u32)
}

#[cfg(feature = "hickory")]
fn probe(input: &[u8]) -> u32 {
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    use hickory_proto::rr::{Name, RData, RecordType};
    use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};
    let mut total = 0;
    if let Ok(message) = Message::from_bytes(input) {
        for record in &message.answers {
            total += match &record.data {
                RData::A(a) => u32::from(a.0.octets()[0]),
                RData::MX(mx) => u32::from(mx.preference) + mx.exchange.to_string().len() as u32,
                RData::TXT(txt) => txt.txt_data.len() as u32,
                _ => 1,
            };
        }
    }
    let mut query = Message::new(0, MessageType::Query, OpCode::Query);
    if let Ok(name) = Name::from_ascii("example.com.") {
        query.add_query(Query::query(name, RecordType::TXT));
    }
    total + query.to_bytes().map_or(0, |q| q.len() as u32)
}

#[no_mangle]
pub extern "C" fn run(seed: u32) -> u32 {
    probe(&input(seed))
}
