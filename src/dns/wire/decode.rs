//! Decoding a DNS message (RFC 1035 §4.1). Every read is bounds-checked; nothing here indexes
//! the input directly.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Message, Question, WireData, WireError, WireErrorKind, WireRecord, MAX_MESSAGE};
use crate::dns::name::{push_label_text, MAX_NAME};
use crate::dns::{RecordData, RecordType};

/// A question takes at least 5 bytes (root name, type, class); a record at least 11 (root name,
/// type, class, TTL, RDLENGTH). Counts that cannot fit are rejected before anything is allocated.
const MIN_QUESTION: usize = 5;
const MIN_RECORD: usize = 11;

/// A name takes at most 127 pointers: every hop goes strictly backwards and a name has at most
/// 127 labels, so this bound only shortens the error path of a hostile message.
const MAX_POINTERS: usize = 127;

/// Decodes a whole message: `header question answer authority additional` (RFC 1035 §4.1).
pub fn decode_message(bytes: &[u8]) -> Result<Message, WireError> {
    if bytes.len() > MAX_MESSAGE {
        return Err(WireError::new(WireErrorKind::TooLarge, MAX_MESSAGE));
    }
    let mut reader = Reader { bytes, position: 0 };
    let id = reader.u16()?;
    let flags = reader.u16()?;
    let question_count = usize::from(reader.u16()?);
    let answer_count = usize::from(reader.u16()?);
    let authority_count = usize::from(reader.u16()?);
    let additional_count = usize::from(reader.u16()?);
    let needed = question_count * MIN_QUESTION
        + (answer_count + authority_count + additional_count) * MIN_RECORD;
    if needed > reader.remaining() {
        return Err(WireError::new(WireErrorKind::CountTooLarge, bytes.len()));
    }
    let mut message = Message {
        id,
        response: flags & 0x8000 != 0,
        opcode: ((flags >> 11) & 0x0f) as u8,
        authoritative: flags & 0x0400 != 0,
        truncated: flags & 0x0200 != 0,
        recursion_desired: flags & 0x0100 != 0,
        recursion_available: flags & 0x0080 != 0,
        authenticated_data: flags & 0x0020 != 0,
        checking_disabled: flags & 0x0010 != 0,
        rcode: flags & 0x000f,
        ..Message::default()
    };
    for _ in 0..question_count {
        message.questions.push(question(&mut reader)?);
    }
    for (count, section) in [
        (answer_count, &mut message.answers),
        (authority_count, &mut message.authorities),
        (additional_count, &mut message.additionals),
    ] {
        for _ in 0..count {
            section.push(resource_record(&mut reader)?);
        }
    }
    if reader.remaining() > 0 {
        return Err(WireError::new(
            WireErrorKind::TrailingBytes,
            reader.position,
        ));
    }
    Ok(message)
}

/// `QNAME QTYPE QCLASS` (RFC 1035 §4.1.2).
fn question(reader: &mut Reader<'_>) -> Result<Question, WireError> {
    let name = reader.name()?;
    let type_code = reader.u16()?;
    let class = reader.u16()?;
    Ok(Question {
        name,
        type_code,
        class,
    })
}

/// `NAME TYPE CLASS TTL RDLENGTH RDATA` (RFC 1035 §4.1.3).
fn resource_record(reader: &mut Reader<'_>) -> Result<WireRecord, WireError> {
    let name = reader.name()?;
    let type_code = reader.u16()?;
    let class = reader.u16()?;
    let raw_ttl = reader.u32()?;
    // RFC 2181 §8: a TTL with the top bit set is treated as zero.
    let ttl = if raw_ttl > i32::MAX as u32 {
        0
    } else {
        raw_ttl
    };
    let length = usize::from(reader.u16()?);
    let start = reader.position;
    let end = start + length;
    if end > reader.bytes.len() {
        return Err(WireError::new(WireErrorKind::Truncated, reader.bytes.len()));
    }
    let data = match RecordType::from_code(type_code) {
        Some(record_type) => {
            let mut rdata = Reader {
                // Names inside RDATA may point anywhere earlier in the message, so the reader sees
                // the whole message but must end exactly at `end`.
                bytes: reader.bytes.get(..end).unwrap_or_default(),
                position: start,
            };
            let data = rdata_of(record_type, &mut rdata)?;
            if rdata.position != end {
                return Err(WireError::new(
                    WireErrorKind::BadRdata("shorter than RDLENGTH says"),
                    rdata.position,
                ));
            }
            WireData::Known(data)
        }
        None => WireData::Other(reader.bytes.get(start..end).unwrap_or_default().to_vec()),
    };
    reader.position = end;
    Ok(WireRecord {
        name,
        type_code,
        class,
        ttl,
        data,
    })
}

/// The RDATA layouts of RFC 1035 §3.3 and §3.4, RFC 3596 §2.2 (AAAA) and RFC 6698 §2.1 (TLSA).
fn rdata_of(record_type: RecordType, reader: &mut Reader<'_>) -> Result<RecordData, WireError> {
    Ok(match record_type {
        RecordType::A => {
            let octets: [u8; 4] = reader.array()?;
            RecordData::A {
                address: Ipv4Addr::from(octets),
            }
        }
        RecordType::Aaaa => {
            let octets: [u8; 16] = reader.array()?;
            RecordData::Aaaa {
                address: Ipv6Addr::from(octets),
            }
        }
        RecordType::Cname => RecordData::Cname {
            target: reader.name()?,
        },
        RecordType::Ns => RecordData::Ns {
            host: reader.name()?,
        },
        RecordType::Ptr => RecordData::Ptr {
            target: reader.name()?,
        },
        RecordType::Mx => RecordData::Mx {
            preference: reader.u16()?,
            exchange: reader.name()?,
        },
        RecordType::Soa => {
            let mname = reader.name()?;
            let rname = reader.name()?;
            let serial = reader.u32()?;
            // REFRESH, RETRY and EXPIRE matter to secondaries, not to mailspect.
            reader.skip(12)?;
            let minimum = reader.u32()?;
            RecordData::Soa {
                mname,
                rname,
                serial,
                minimum,
            }
        }
        // RFC 1035 §3.3.14: `TXT-DATA: One or more <character-string>s`.
        RecordType::Txt | RecordType::Spf => {
            let mut strings = Vec::new();
            while reader.remaining() > 0 {
                let length = usize::from(reader.u8()?);
                strings.push(reader.take(length)?.to_vec());
            }
            if strings.is_empty() {
                return Err(WireError::new(
                    WireErrorKind::BadRdata("a TXT record holds no character-string"),
                    reader.position,
                ));
            }
            RecordData::Txt { strings }
        }
        RecordType::Tlsa => {
            let usage = reader.u8()?;
            let selector = reader.u8()?;
            let matching_type = reader.u8()?;
            let remaining = reader.remaining();
            RecordData::Tlsa {
                usage,
                selector,
                matching_type,
                data: reader.take(remaining)?.to_vec(),
            }
        }
    })
}

/// A cursor over the message. `position` never passes `bytes.len()`.
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.position)
    }

    fn take(&mut self, length: usize) -> Result<&[u8], WireError> {
        let slice = self
            .bytes
            .get(self.position..self.position + length)
            .ok_or_else(|| WireError::new(WireErrorKind::Truncated, self.bytes.len()))?;
        self.position += length;
        Ok(slice)
    }

    fn skip(&mut self, length: usize) -> Result<(), WireError> {
        self.take(length).map(|_| ())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let position = self.position;
        let slice = self.take(N)?;
        <[u8; N]>::try_from(slice).map_err(|_| {
            WireError::new(
                WireErrorKind::BadRdata("an address has the wrong length"),
                position,
            )
        })
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        let [byte] = self.array()?;
        Ok(byte)
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A domain name, following compression pointers (RFC 1035 §4.1.4).
    ///
    /// Each pointer must point before the start of the run of labels that contains it. Every hop
    /// therefore moves strictly backwards, so the walk ends however the message is built; the
    /// rejected alternative, a visited set, costs an allocation per name for the same guarantee.
    fn name(&mut self) -> Result<String, WireError> {
        let mut text = String::new();
        let mut position = self.position;
        let mut run_start = position;
        let mut after_name = None;
        let mut wire_length = 1;
        let mut pointers = 0;
        loop {
            let length_byte = *self
                .bytes
                .get(position)
                .ok_or_else(|| WireError::new(WireErrorKind::Truncated, self.bytes.len()))?;
            match length_byte & 0xc0 {
                0x00 if length_byte == 0 => {
                    after_name.get_or_insert(position + 1);
                    break;
                }
                0x00 => {
                    let length = usize::from(length_byte);
                    let label = self
                        .bytes
                        .get(position + 1..position + 1 + length)
                        .ok_or_else(|| {
                            WireError::new(WireErrorKind::Truncated, self.bytes.len())
                        })?;
                    wire_length += 1 + length;
                    if wire_length > MAX_NAME {
                        return Err(WireError::new(
                            WireErrorKind::Name(crate::dns::name::NameError::NameTooLong),
                            position,
                        ));
                    }
                    if !text.is_empty() {
                        text.push('.');
                    }
                    push_label_text(&mut text, label);
                    position += 1 + length;
                }
                0xc0 => {
                    let low = *self.bytes.get(position + 1).ok_or_else(|| {
                        WireError::new(WireErrorKind::Truncated, self.bytes.len())
                    })?;
                    let target = usize::from(u16::from_be_bytes([length_byte & 0x3f, low]));
                    pointers += 1;
                    if target >= run_start || pointers > MAX_POINTERS {
                        return Err(WireError::new(WireErrorKind::PointerLoop, position));
                    }
                    after_name.get_or_insert(position + 2);
                    run_start = target;
                    position = target;
                }
                _ => return Err(WireError::new(WireErrorKind::BadLabelType, position)),
            }
        }
        // `after_name` was set on the way out of the loop, at the first pointer or the root label.
        self.position = after_name.unwrap_or(position);
        Ok(text)
    }
}
