//! Message intake: `.eml` text (mbox lines, copy-paste damage, header-only pastes), Apple Mail
//! `.emlx` wrappers and Outlook `.msg` compound files, then the summary and each field decoded.
//! An input that starts with `MSG:` is turned into a `.msg` holding the rest as its transport
//! headers (UTF-16 or 8-bit by the next byte), so that mutations reach the header stream as
//! well as the compound-file reader.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use mailspect::message::{decode_field, parse_input, summarize};

fn compound_file(headers: &[u8], unicode: bool) -> Option<Vec<u8>> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).ok()?;
    let (path, bytes) = if unicode {
        let text = String::from_utf8_lossy(headers);
        let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        ("/__substg1.0_007D001F", units)
    } else {
        ("/__substg1.0_007D001E", headers.to_vec())
    };
    let mut stream = file.create_stream(path).ok()?;
    stream.write_all(&bytes).ok()?;
    drop(stream);
    file.flush().ok()?;
    Some(file.into_inner().into_inner())
}

fuzz_target!(|data: &[u8]| {
    let built;
    let input = match data.strip_prefix(b"MSG:") {
        Some(rest) if !rest.is_empty() => match compound_file(&rest[1..], rest[0] % 2 == 0) {
            Some(file) => {
                built = file;
                &built[..]
            }
            None => return,
        },
        _ => data,
    };
    let Ok(message) = parse_input(input) else {
        return;
    };
    for field in &message.fields {
        // Every span indexes the normalised bytes, and a value lies inside its field.
        assert!(field.span.end <= message.bytes.len());
        assert!(field.span.start <= field.value.start && field.value.end <= field.span.end);
        let _ = decode_field(&field.name, message.value_bytes(field));
    }
    if let Some(start) = message.body_start {
        assert!(start <= message.bytes.len());
    }
    let _ = summarize(&message);
    let _ = message.return_path();
});
