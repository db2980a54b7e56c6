//! The message's verdict end to end: the conformance messages read in place, the newsletter
//! fixture, and the cases where the evidence is missing (headers only, DNS failing, several
//! From addresses), each of which must say so rather than guess.

use mailspect::dns::zone::parse_zone;
use mailspect::dns::{DnsError, MemoryResolver};
use mailspect::verdict::{EncryptionStatus, VerdictStatus};
use mailspect::{analyze_message, MessageReport, Options};

#[path = "support/conformance_messages.rs"]
mod messages;

fn analyze(input: &[u8], resolver: &MemoryResolver) -> MessageReport {
    let options = Options {
        now: messages::SUITE_NOW,
        ..Options::default()
    };
    pollster::block_on(analyze_message(input, &options, resolver)).expect("a message")
}

fn conformance(folder: &str, file: &str) -> MessageReport {
    let (resolver, input) = messages::load(folder, file);
    analyze(&input, &resolver)
}

/// Every conformance message gets a verdict whose sentence names its From domain; the ones
/// signed by their own domain are authenticated by that signature (none of these domains
/// publishes a DMARC policy in the suite's records).
#[test]
fn conformance_messages_get_a_verdict_naming_their_evidence() {
    let cases = [
        (
            "dkim",
            "001.txt",
            VerdictStatus::AuthenticatedNoPolicy,
            "Sent by football.example.com",
        ),
        (
            "dkim",
            "002.txt",
            VerdictStatus::AuthenticatedNoPolicy,
            "Sent by football.example.com",
        ),
        (
            "dkim",
            "003.txt",
            VerdictStatus::NotAuthenticated,
            "valid DKIM signature of ietf.org",
        ),
        (
            "dkim",
            "004.txt",
            VerdictStatus::AuthenticatedNoPolicy,
            "Sent by facebookmail.com",
        ),
        (
            "dkim",
            "005.txt",
            VerdictStatus::AuthenticatedNoPolicy,
            "Sent by topicbox.com",
        ),
        (
            "dkim",
            "006.txt",
            VerdictStatus::AuthenticatedNoPolicy,
            "Sent by github.com",
        ),
    ];
    for (folder, file, status, words) in cases {
        let report = conformance(folder, file);
        let verdict = &report.verdict;
        assert_eq!(
            verdict.status, status,
            "{folder}/{file}: {}",
            verdict.sentence
        );
        assert!(
            verdict.sentence.contains(words),
            "{folder}/{file}: {}",
            verdict.sentence
        );
        println!("{folder}/{file}: {}", verdict.sentence);
    }
    for file in messages::files("arc-messages") {
        let report = conformance("arc-messages", &file);
        assert!(!report.verdict.sentence.is_empty());
        println!(
            "arc-messages/{file}: [{:?}] {}",
            report.verdict.status, report.verdict.sentence
        );
    }
}

#[test]
fn newsletter_is_authenticated_by_aligned_spf_and_agrees_with_the_receiver() {
    let zone = parse_zone(include_bytes!("fixtures/dns/newsletter.zone"), None).expect("zone");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    let report = analyze(
        include_bytes!("fixtures/messages/newsletter-headers.txt"),
        &resolver,
    );
    let verdict = &report.verdict;
    assert_eq!(verdict.status, VerdictStatus::Authenticated);
    assert_eq!(verdict.from_domain.as_deref(), Some("example.org"));
    assert_eq!(verdict.aligned_by.len(), 1);
    assert_eq!(verdict.aligned_by[0].domain, "em.example.org");
    assert!(
        verdict
            .sentence
            .starts_with("Sent by example.org: the server that delivered it"),
        "{}",
        verdict.sentence
    );
    // Hop 1 (inside the sending service) was plaintext, and the verdict says so.
    assert_eq!(verdict.transport.status, EncryptionStatus::NotAllEncrypted);
    assert_eq!(verdict.transport.plaintext_hops, [1]);
    assert!(verdict
        .sentence
        .ends_with("Hop 1 between servers was not encrypted."));
    let dmarc = report
        .comparisons
        .iter()
        .find(|comparison| comparison.method.name() == "dmarc")
        .expect("the receiver recorded dmarc=pass");
    assert_eq!(dmarc.agreement, mailspect::auth_results::Agreement::Agree);
    assert!(verdict.top_findings.len() <= 3);
}

/// Only the header block of the RFC 8463 message: its signatures' header parts verify, the body
/// was not given. The verdict must not call that authenticated.
#[test]
fn headers_only_is_never_called_authenticated() {
    let (resolver, input) = messages::load("dkim", "001.txt");
    let text = String::from_utf8(input).expect("text");
    let headers = text.split("\n\n").next().expect("a header block");
    let mut zone_with_policy = resolver.clone();
    zone_with_policy.insert(
        "_dmarc.football.example.com",
        300,
        mailspect::dns::RecordData::Txt {
            strings: vec![b"v=DMARC1; p=reject".to_vec()],
        },
    );
    let report = analyze(headers.as_bytes(), &zone_with_policy);
    assert_eq!(
        report.verdict.status,
        VerdictStatus::HeaderSignatureOnly,
        "{}",
        report.verdict.sentence
    );
    assert!(
        report.verdict.sentence.contains("the body was not given"),
        "{}",
        report.verdict.sentence
    );
}

#[test]
fn a_dns_failure_leaves_the_verdict_undetermined() {
    let (resolver, input) = messages::load("dkim", "006.txt");
    let mut failing = resolver.clone();
    failing.insert_failure("_dmarc.github.com", DnsError::ServFail);
    let report = analyze(&input, &failing);
    assert_eq!(
        report.verdict.status,
        VerdictStatus::Undetermined,
        "{}",
        report.verdict.sentence
    );
    assert!(report
        .verdict
        .sentence
        .starts_with("Could not be decided: a DNS lookup failed"));
}

#[test]
fn several_from_addresses_are_not_guessed_at() {
    let input = b"From: a@example.com, b@example.org\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\
                  Subject: two authors\r\n\r\n";
    let report = analyze(input, &MemoryResolver::new());
    assert_eq!(
        report.dmarc.result,
        mailspect::dmarc::DmarcResult::Permerror
    );
    assert_eq!(report.verdict.status, VerdictStatus::Undetermined);
    assert!(
        report.verdict.sentence.starts_with("Could not be decided"),
        "{}",
        report.verdict.sentence
    );
}

/// The example of the issue that asked for the verdict: nothing aligns and no policy.
#[test]
fn no_policy_and_nothing_aligned_means_anyone_could_have_sent_it() {
    let input = b"From: notifications@github.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\
                  Subject: hello\r\n\r\n";
    let report = analyze(input, &MemoryResolver::new());
    assert_eq!(report.verdict.status, VerdictStatus::NotAuthenticated);
    assert_eq!(
        report.verdict.sentence,
        "Anyone could have sent this: github.com publishes no DMARC policy and nothing matches \
         the From address."
    );
}
