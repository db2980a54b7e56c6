//! The receiver's recorded results set beside mailspect's own, end to end through the pipeline:
//! agreement, disagreement (with the reason a person needs), and results that cannot be compared.

use mailspect::dns::zone::parse_zone;
use mailspect::dns::MemoryResolver;
use mailspect::{analyze_message, MessageReport, Options};

const NEWSLETTER_ZONE: &str = include_str!("fixtures/dns/newsletter.zone");
const NEWSLETTER: &str = include_str!("fixtures/messages/newsletter-headers.txt");

fn resolver(zone: &str) -> MemoryResolver {
    let zone = parse_zone(zone.as_bytes(), None).expect("fixture zones parse");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    resolver
}

fn analyze(message: &str, resolver: &MemoryResolver) -> MessageReport {
    let options = Options {
        now: 1_667_843_664,
        ..Options::default()
    };
    pollster::block_on(analyze_message(message.as_bytes(), &options, resolver))
        .expect("the fixture is a message")
}

fn comparison(report: &MessageReport, method: &str) -> serde_json::Value {
    let found = report
        .comparisons
        .iter()
        .find(|comparison| comparison.method.name() == method)
        .unwrap_or_else(|| panic!("a {method} comparison in {:#?}", report.comparisons));
    serde_json::to_value(found).expect("serializable")
}

#[test]
fn spf_that_still_holds_agrees_and_a_withdrawn_dkim_key_is_explained() {
    let report = analyze(NEWSLETTER, &resolver(NEWSLETTER_ZONE));
    let spf = comparison(&report, "spf");
    assert_eq!(spf["recorded_by"], "mx.google.com");
    assert_eq!(spf["subject"], "em.example.org");
    assert_eq!(spf["recorded"], "pass");
    assert_eq!(spf["recomputed"], "pass");
    assert_eq!(spf["agreement"], "agree");

    // The zone publishes no s1._domainkey.example.org key: the receiver's pass cannot be
    // reproduced, and the note says why that is expected for old mail.
    let dkim = comparison(&report, "dkim");
    assert_eq!(dkim["subject"], "d=example.org s=s1");
    assert_eq!(dkim["recorded"], "pass");
    assert_eq!(dkim["recomputed"], "permerror");
    assert_eq!(dkim["agreement"], "disagree");
    assert!(
        dkim["note"]
            .as_str()
            .is_some_and(|note| note.contains("gone from DNS")),
        "{dkim}"
    );
    assert!(report.findings.iter().any(
        |finding| finding.code == "compare.disagrees" && finding.message.contains("dkim=pass")
    ));
}

#[test]
fn spf_that_no_longer_holds_is_a_disagreement() {
    // The sending service's record no longer lists 198.51.100.0/24.
    let zone = NEWSLETTER_ZONE.replace("ip4:198.51.100.0/24 ", "");
    let report = analyze(NEWSLETTER, &resolver(&zone));
    let spf = comparison(&report, "spf");
    assert_eq!(spf["recorded"], "pass");
    // em.example.org ends in -all: without a match in the include, the answer is fail.
    assert_eq!(spf["recomputed"], "fail");
    assert_eq!(spf["agreement"], "disagree");
    assert!(report.findings.iter().any(|finding| {
        finding.code == "compare.disagrees" && finding.message.contains("spf=pass")
    }));
}

#[test]
fn headers_only_dkim_is_not_comparable_with_a_receiver_that_saw_the_body() {
    // The RFC 8463 example's header section, delivered through a receiver that recorded a pass;
    // no body is given.
    let zone = "brisbane._domainkey.football.example.com. 300 TXT \
                \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n";
    let message = "Authentication-Results: mx.example.net;\r\n dkim=pass header.d=football.example.com header.s=brisbane\r\n\
         Received: from mail.football.example.com (mail.football.example.com [192.0.2.1])\r\n by mx.example.net with ESMTPS id 1; Fri, 11 Jul 2003 21:01:00 -0700\r\n\
         DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n subject : date : message-id : from : subject : date;\r\n bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n\
         From: Joe SixPack <joe@football.example.com>\r\n\
         To: Suzie Q <suzie@shopping.example.net>\r\n\
         Subject: Is dinner ready?\r\n\
         Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n\
         Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n";
    let report = analyze(message, &resolver(zone));
    let dkim = comparison(&report, "dkim");
    assert_eq!(dkim["recorded"], "pass");
    assert_eq!(dkim["recomputed"], "neutral");
    assert_eq!(dkim["agreement"], "not-comparable");
    assert!(!report
        .findings
        .iter()
        .any(|finding| finding.code == "compare.disagrees"));
}

#[test]
fn results_written_upstream_of_the_border_are_not_compared() {
    // A forged Authentication-Results in the receiver's name, written before the sender's own
    // server stamped the message: RFC 8601 §5 trust cannot reach it.
    let message = "Received: from mail.example.org (mail.example.org [192.0.2.7])\r\n by mx.example.net with ESMTPS id 2; Sat, 5 Nov 2022 17:54:31 +0000\r\n\
         Received: from laptop ([203.0.113.5]) by mail.example.org with ESMTPSA id 1;\r\n Sat, 5 Nov 2022 17:54:30 +0000\r\n\
         Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org\r\n\
         From: a@example.org\r\nReturn-Path: <a@example.org>\r\n";
    let report = analyze(message, &resolver(NEWSLETTER_ZONE));
    assert_eq!(
        serde_json::to_value(report.authentication_results[0].trust).expect("serializable"),
        "untrusted"
    );
    assert!(report.comparisons.is_empty(), "{:#?}", report.comparisons);
}
