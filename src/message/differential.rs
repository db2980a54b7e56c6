//! Our decoding of display values and address lists ([`super::words`], [`super::address`])
//! against mail-parser's, which it replaced in the page's module: the same output for the fields
//! of every message the tests carry, for hand-written hard cases, and for random field text.
//! Natively the charsets beyond UTF-8 and ISO-8859-1 are mail-parser's own decoders, so any
//! difference is in the reading, not the charsets.

use std::path::{Path, PathBuf};

use mail_parser::parsers::MessageStream;
use mail_parser::HeaderValue;

use super::decode::Mailbox;
use super::{address, parse_message, words};

fn line(value: &[u8]) -> Vec<u8> {
    let mut line = value.to_vec();
    line.extend_from_slice(b"\r\n");
    line
}

fn theirs_unstructured(value: &[u8]) -> Option<String> {
    let line = line(value);
    match MessageStream::new(&line).parse_unstructured() {
        HeaderValue::Text(text) => Some(text.into_owned()),
        _ => None,
    }
}

fn theirs_addresses(value: &[u8]) -> Vec<Mailbox> {
    let line = line(value);
    match MessageStream::new(&line).parse_address() {
        HeaderValue::Address(address) => address
            .iter()
            .map(|addr| Mailbox {
                name: addr.name.as_ref().map(|name| name.to_string()),
                address: addr.address.as_ref().map(|address| address.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Both readings of `value` agree, as display text and as an address list.
fn assert_same(value: &[u8]) {
    let line = line(value);
    assert_eq!(
        words::unstructured(&line),
        theirs_unstructured(value),
        "unstructured {:?}",
        String::from_utf8_lossy(value)
    );
    assert_eq!(
        address::address_list(&line),
        theirs_addresses(value),
        "address list {:?}",
        String::from_utf8_lossy(value)
    );
}

fn files_under(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

/// The From, To, Cc, Reply-To and Subject values in a file: of the message it holds (or the
/// message after a DKIM suite's records), and of every line that starts with one of those
/// names, which finds the messages inside the YAML suites too.
fn sample_values(bytes: &[u8], values: &mut Vec<Vec<u8>>) {
    const NAMES: [&str; 5] = ["from", "to", "cc", "reply-to", "subject"];
    let starts = [Some(0), bytes.windows(2).position(|w| w == b"\n\n")];
    for start in starts.into_iter().flatten() {
        if let Ok(message) = parse_message(&bytes[start..]) {
            for field in &message.fields {
                if NAMES
                    .iter()
                    .any(|name| field.name.eq_ignore_ascii_case(name))
                {
                    values.push(message.value_bytes(field).to_vec());
                }
            }
        }
    }
    for text_line in bytes.split(|&byte| byte == b'\n') {
        let text_line = text_line.trim_ascii();
        let Some(colon) = text_line.iter().position(|&byte| byte == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&text_line[..colon]).to_ascii_lowercase();
        if NAMES.contains(&name.as_str()) {
            values.push(text_line[colon + 1..].to_vec());
        }
    }
}

#[test]
fn the_fields_of_every_test_message_read_as_mail_parser_reads_them() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("../shared/conformance"), &mut files);
    files_under(&root.join("tests/fixtures"), &mut files);
    let mut values = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        if bytes.len() < 4 << 20 {
            sample_values(&bytes, &mut values);
        }
    }
    // So that the test cannot pass by finding nothing: the suites hold hundreds of messages.
    assert!(
        values.len() > 100,
        "only {} field values found",
        values.len()
    );
    for value in &values {
        assert_same(value);
    }
}

/// Cases that took care to get right, each as a field value (after the colon).
const HARD_CASES: &[&str] = &[
    // Encoded-words and the white space between them.
    "=?UTF-8?Q?J=C3=BCrgen?= =?UTF-8?Q?_M=C3=BCller?=",
    "=?UTF-8?B?SsO8cmdlbg==?=\r\n =?UTF-8?B?IE3DvGxsZXI=?=",
    "a =?utf-8?q?b?= c",
    "a=?utf-8?q?b?=c",
    "=?utf-8?q?a?=\r\n\t\r\n =?utf-8?q?b?=",
    "=?ISO-8859-1*fr?Q?Caf=E9?= =?iso-8859-1*?q?x?=",
    "=?*utf-8?q?x?=",
    "=?u?q?x?= =??q?x?= =?ab?x?y?=",
    // Mixed charsets, one of them unknown.
    "=?windows-1252?Q?=93quoted=94?= =?KOI8-R?B?8NLJ18XU?= =?x-unknown?Q?caf=C3=A9?=",
    "=?iso-8859-2?q?=B1?= =?utf-16?b?//7hAA==?= =?us-ascii?q?=80?=",
    // Bad base64 and bad hex: left as written.
    "=?utf-8?b?S!GVsbG8=?= =?utf-8?b?SGVsbG8?x?= =?utf-8?q?=ZZ?= =?utf-8?q?=4?=",
    "=?utf-8?b?S===?= =?utf-8?b?SG?= =?utf-8?b?SGV?= =?utf-8?b?SGVs=?= =?utf-8?b?S G V s?=",
    // `=?` without an end, and words inside words.
    "=?utf-8?q?never ends",
    "=?utf-8?q?=?utf-8?q?inner?= after",
    "=?=?=?=?utf-8?b?eA==?=",
    "=?utf-8?q?a\r\nb?=",
    "=?utf-8?q?a\r\n b?= =?utf-8?b?YW\r\n Jj?=",
    "=?utf-8?q?a?b?c??=",
    // Quoted strings, comments, groups, angle brackets.
    "\"=?UTF-8?Q?J=C3=BCrgen?=\" <j@example.de>",
    "\"Last, First\" <a@example.com>, \"B \\\"x\\\"\" <b@example.com>",
    "\"unterminated <a@example.com>",
    "a@example.com (=?UTF-8?Q?J=C3=BCrgen?=)",
    "Name (comment (nested) more) <a@example.com>",
    "user (Real Name)",
    "two words (Real Name)",
    "(only a comment)",
    "Friends: a@example.com, B <b@example.com>; c@example.com",
    "Undisclosed recipients:;",
    "g1: a@b;, g2: (c) d@e;",
    "missing.brackets@example.com Name",
    "Name a@example.com",
    "<a@example.com",
    "a@example.com>",
    "<<a@example.com>>",
    "Name <a@example.com> <b@example.com>",
    "\\(escaped\\) <a@example.com>",
    "<a\\@b@example.com>",
    "\"a\\",
    "(a\\",
    ",,;;::",
    "=?utf-8?q?x?=@example.com",
    "\"quoted\"word\"again\" <a@example.com>",
    "a\r\n b\r\n\tc",
    "\"folded\r\n quote\" <a@example.com>",
    "\"folded\r\nend",
    "",
    "   ",
    "\u{e9}t\u{e9} <\u{e9}@example.com>",
];

#[test]
fn hard_cases_read_as_mail_parser_reads_them() {
    for case in HARD_CASES {
        assert_same(case.as_bytes());
    }
    assert_same(b"\xff\xfe <a@\xc3> =?utf-8?q?=FF?=");
}

#[test]
fn two_thousand_encoded_words_read_as_mail_parser_reads_them() {
    let words = "=?utf-8?q?caf=C3=A9?= ".repeat(2_000);
    assert_same(words.as_bytes());
    let names: Vec<String> = (0..2_000)
        .map(|index| format!("=?iso-8859-1?q?n=E9{index}?= <a{index}@example.com>"))
        .collect();
    assert_same(names.join(", ").as_bytes());
}

/// A small deterministic generator (xorshift64*), so that a failure names its seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        // The bound is small; the modulo bias does not matter for a test generator.
        (self.next() % bound as u64) as usize
    }
}

/// Pieces that random field text is made of: the syntax both readers act on, in every role.
const PIECES: &[&[u8]] = &[
    b"=?",
    b"?=",
    b"?",
    b"=",
    b"utf-8",
    b"UTF-8",
    b"iso-8859-1",
    b"windows-1252",
    b"koi8-r",
    b"x-bogus",
    b"*en",
    b"*",
    b"q",
    b"Q",
    b"b",
    b"B",
    b"?q?",
    b"?B?",
    b"=C3=A9",
    b"=E9",
    b"=4",
    b"=ZZ",
    b"_",
    b"SGVsbG8=",
    b"w6k=",
    b"YQ",
    b"=?utf-8?q?caf=C3=A9?=",
    b"=?utf-8?b?w6k=?=",
    b" ",
    b"  ",
    b"\t",
    b"\r\n ",
    b"\r\n\t",
    b"\r\n",
    b"\n",
    b"\r",
    b"\"",
    b"\\",
    b"(",
    b")",
    b"<",
    b">",
    b"@",
    b",",
    b";",
    b":",
    b"a",
    b"Bob",
    b"example.com",
    b"\xc3\xa9",
    b"\xff",
    b".",
    b"x@y",
];

#[test]
fn random_field_text_reads_as_mail_parser_reads_it() {
    for seed in 1..=20_000u64 {
        let mut random = Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut value = Vec::new();
        for _ in 0..random.below(40) {
            value.extend_from_slice(PIECES[random.below(PIECES.len())]);
        }
        let line = line(&value);
        let ours = (words::unstructured(&line), address::address_list(&line));
        let theirs = (theirs_unstructured(&value), theirs_addresses(&value));
        assert_eq!(
            ours,
            theirs,
            "seed {seed}: {:?}",
            String::from_utf8_lossy(&value)
        );
    }
}
