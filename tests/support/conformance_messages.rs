//! Reads the message files of `../shared/conformance/dkim/` and `arc-messages/` in place: `name
//! value` TXT records one a line, a blank line, then the message with LF line ends.

use std::path::PathBuf;

use mailspect::dns::{MemoryResolver, RecordData};

/// The suites' time of checking (their README: "every signature's last result is pass at Unix
/// time 1667843664").
pub const SUITE_NOW: u64 = 1_667_843_664;

pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance")
        .join(path)
}

/// The message files of one folder (`001.txt`, …; not the licence texts), sorted.
pub fn files(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(shared(folder))
        .unwrap_or_else(|error| panic!("{folder}: {error}"))
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt") && name.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    names.sort();
    names
}

/// One file as a resolver holding its records and the message bytes. Long values are split
/// into 255-byte strings, as DNS would carry them, so that the joining is exercised too.
pub fn load(folder: &str, file: &str) -> (MemoryResolver, Vec<u8>) {
    let path = shared(folder).join(file);
    let text = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let split = text
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or_else(|| panic!("{file}: no blank line after the records"));
    let mut resolver = MemoryResolver::new();
    for line in text[..split].split(|b| *b == b'\n') {
        let space = line
            .iter()
            .position(|b| *b == b' ')
            .unwrap_or_else(|| panic!("{file}: record line without a value"));
        let name = String::from_utf8_lossy(&line[..space]).into_owned();
        let strings = line[space + 1..].chunks(255).map(<[u8]>::to_vec).collect();
        resolver.insert(&name, 3600, RecordData::Txt { strings });
    }
    (resolver, text[split + 2..].to_vec())
}
