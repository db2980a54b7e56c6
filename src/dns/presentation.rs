//! Record data as a zone file writes it (RFC 1035 §5.1): the one place that turns RDATA into
//! text. The report carries it beside each record (`text`), the SPF tree and the CLI print it,
//! and it can be pasted into a zone file as it is.

use std::fmt::Write;

use super::RecordData;

/// RDATA in zone-file form; names end in a dot, character-strings are quoted.
pub fn presentation(data: &RecordData) -> String {
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
        } => {
            // The wire decoder keeps only these four of SOA's seven fields; the others are
            // written as 0 so that the text still has the shape of RFC 1035 §3.3.13.
            format!("{mname}. {rname}. {serial} 0 0 0 {minimum}")
        }
        RecordData::Txt { strings } => {
            // Quotes and a space per string, and the text itself: one allocation for the usual
            // record, which is long and all printable.
            let length = strings.iter().map(|string| string.len() + 3).sum();
            let mut out = String::with_capacity(length);
            for (index, string) in strings.iter().enumerate() {
                if index > 0 {
                    out.push(' ');
                }
                quote_character_string(string, &mut out);
            }
            out
        }
        RecordData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            let mut out = format!("{usage} {selector} {matching_type} ");
            for byte in data {
                // Writing to a String cannot fail.
                let _ = write!(out, "{byte:02x}");
            }
            out
        }
    }
}

/// A character-string as a zone file writes it (RFC 1035 §5.1): in double quotes, with `"` and
/// `\\` escaped and any byte outside printable ASCII as `\DDD`, so that hostile bytes show as
/// what they are.
pub fn quote_character_string(bytes: &[u8], out: &mut String) {
    out.push('"');
    let mut rest = bytes;
    while !rest.is_empty() {
        // Runs of plain printable ASCII are copied whole; they are nearly all of a record.
        let plain = rest
            .iter()
            .position(|&byte| !matches!(byte, b' '..=b'~') || matches!(byte, b'"' | b'\\'))
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(plain);
        // Printable ASCII, hence UTF-8.
        out.push_str(std::str::from_utf8(run).unwrap_or_default());
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\{byte:03}");
            }
        }
        rest = tail;
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_txt_bytes_are_escaped_not_passed_through() {
        let data = RecordData::Txt {
            strings: vec![
                b"v=spf1 \"a\\b\" \x00\xe2\x80\xae".to_vec(),
                b"-all".to_vec(),
            ],
        };
        assert_eq!(
            presentation(&data),
            r#""v=spf1 \"a\\b\" \000\226\128\174" "-all""#
        );
    }

    #[test]
    fn names_end_in_a_dot_so_the_text_pastes_into_a_zone() {
        let data = RecordData::Mx {
            preference: 10,
            exchange: "mx.example.org".into(),
        };
        assert_eq!(presentation(&data), "10 mx.example.org.");
    }
}
