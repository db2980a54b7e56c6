//! The DKIM conformance messages in ../shared/conformance/dkim/ (RFC 8463, RFC 6376 Appendix A
//! re-signed, and real messages from ietf.org, facebookmail, topicbox and github), read in place.
//! Every signature in them passes at the suite's time of checking.

use std::path::PathBuf;

use mailspect::dkim::{verify_message, DkimResult, Outcome};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;

/// The suite's time of checking (its README: "every signature's last result is pass at Unix
/// time 1667843664").
const SUITE_NOW: u64 = 1_667_843_664;

fn suite_directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/dkim")
}

/// Reads one suite file: `name value` TXT records one a line, a blank line, then the message
/// with LF line ends (intake turns them into CRLF).
fn load(file: &str) -> (MemoryResolver, Vec<u8>) {
    let path = suite_directory().join(file);
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
        // One TXT string per record line; longer values are split into 255-byte strings, as DNS
        // would carry them, so that the joining is exercised too.
        let strings = line[space + 1..].chunks(255).map(<[u8]>::to_vec).collect();
        resolver.insert(&name, 3600, RecordData::Txt { strings });
    }
    (resolver, text[split + 2..].to_vec())
}

fn check(file: &str, expected_signatures: usize) {
    let (resolver, input) = load(file);
    let message = parse_message(&input).unwrap_or_else(|error| panic!("{file}: {error}"));
    let reports = pollster::block_on(verify_message(&message, &resolver, SUITE_NOW, true));
    assert_eq!(
        reports.len(),
        expected_signatures,
        "{file}: signature count"
    );
    for (index, report) in reports.iter().enumerate() {
        assert_eq!(
            (report.result, report.outcome),
            (DkimResult::Pass, Outcome::Pass),
            "{file} signature {index} ({} {}): {}",
            report.domain,
            report.selector,
            report.reason
        );
        assert!(report.verified.is_some(), "{file} signature {index}");
        assert!(report.body_checked && report.header_signature_valid);
    }
}

#[test]
fn rfc8463_ed25519_and_rsa_examples_pass() {
    check("001.txt", 2);
}

#[test]
fn rfc6376_appendix_a_resigned_passes() {
    check("002.txt", 1);
}

#[test]
fn ietf_org_message_passes() {
    check("003.txt", 2);
}

#[test]
fn facebookmail_message_with_strict_key_passes() {
    check("004.txt", 1);
}

#[test]
fn topicbox_message_passes() {
    check("005.txt", 1);
}

#[test]
fn github_message_passes() {
    check("006.txt", 1);
}

/// Every file of the suite is covered above; a file added to the suite fails here until it is.
#[test]
fn every_suite_file_is_checked() {
    let mut files: Vec<String> = std::fs::read_dir(suite_directory())
        .expect("conformance directory")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt") && name.starts_with('0'))
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["001.txt", "002.txt", "003.txt", "004.txt", "005.txt", "006.txt"]
    );
}
