//! The DKIM conformance messages in ../shared/conformance/dkim/ (RFC 8463, RFC 6376 Appendix A
//! re-signed, and real messages from ietf.org, facebookmail, topicbox and github), read in place.
//! Every signature in them passes at the suite's time of checking.

use mailspect::dkim::{verify_message, DkimResult, Outcome};
use mailspect::dns::MemoryResolver;
use mailspect::message::parse_message;

#[path = "support/conformance_messages.rs"]
mod messages;
use messages::SUITE_NOW;

fn load(file: &str) -> (MemoryResolver, Vec<u8>) {
    messages::load("dkim", file)
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
    assert_eq!(
        messages::files("dkim"),
        ["001.txt", "002.txt", "003.txt", "004.txt", "005.txt", "006.txt"]
    );
}
