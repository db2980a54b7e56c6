//! Helpers shared by the DKIM known-answer tests: a resolver holding one key, verification of
//! a message, and edits of signed messages.

use mailspect::dkim::{verify_message, DkimReport, DkimResult, Outcome};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;

use super::signer::{sign, Key, Spec, MESSAGE};

/// The time of checking for every test; signatures carry `t=` before it.
pub const NOW: u64 = 1_700_000_000;

pub fn txt(resolver: &mut MemoryResolver, name: &str, record: &str) {
    resolver.insert(
        name,
        300,
        RecordData::Txt {
            strings: vec![record.as_bytes().to_vec()],
        },
    );
}

pub fn resolver_with(record: &str) -> MemoryResolver {
    let mut resolver = MemoryResolver::new();
    txt(&mut resolver, "sel._domainkey.example.com", record);
    resolver
}

pub fn verify_with(input: &[u8], resolver: &MemoryResolver) -> Vec<DkimReport> {
    let message = parse_message(input).expect("a message");
    pollster::block_on(verify_message(&message, resolver, NOW, true))
}

pub fn only(reports: Vec<DkimReport>) -> DkimReport {
    assert_eq!(reports.len(), 1, "{reports:#?}");
    reports.into_iter().next().unwrap()
}

pub fn check(input: &[u8], record: &str) -> DkimReport {
    only(verify_with(input, &resolver_with(record)))
}

pub fn assert_outcome(report: &DkimReport, result: DkimResult, outcome: Outcome) {
    assert_eq!(
        (report.result, report.outcome),
        (result, outcome),
        "reason: {}",
        report.reason
    );
    assert!(!report.reason.is_empty());
}

pub fn signed(spec: &Spec<'_>, key: &Key) -> Vec<u8> {
    sign(MESSAGE.as_bytes(), spec, key)
}

/// Replaces the first occurrence of `from` in the message.
pub fn edit(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).unwrap();
    assert!(text.contains(from), "{from:?} not in the message");
    text.replacen(from, to, 1).into_bytes()
}

/// The header block alone, as a user pastes it.
pub fn headers_only(message: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).unwrap();
    let end = text.find("\r\n\r\n").unwrap();
    text.as_bytes()[..end + 2].to_vec()
}
