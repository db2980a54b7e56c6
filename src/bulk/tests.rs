use super::*;
use crate::message::parse_message;
use crate::report::Span;

fn signature(domain: &str, state: SignatureState, aligned: Option<bool>) -> SignatureFacts {
    SignatureFacts {
        domain: domain.to_string(),
        state,
        aligned,
        signed_headers: ["from", "to", "subject", "date"].map(String::from).to_vec(),
    }
}

fn signing_unsubscribe(mut facts: SignatureFacts) -> SignatureFacts {
    facts.signed_headers.push("List-Unsubscribe".into());
    facts.signed_headers.push("list-unsubscribe-post".into());
    facts
}

fn one_click_list() -> ListHeaders {
    ListHeaders {
        list_unsubscribe_fields: 1,
        list_unsubscribe: list_unsubscribe(
            b"<mailto:leave@example.com>, <https://example.com/u?id=1>",
        ),
        list_unsubscribe_post_fields: 1,
        list_unsubscribe_post: Some("List-Unsubscribe=One-Click".into()),
        list_id: false,
        precedence: None,
    }
}

/// A message that meets everything: SPF and DKIM pass aligned, p=none, FCrDNS, TLS, signed
/// one-click unsubscribe.
fn ready() -> BulkInput {
    BulkInput {
        spf: SpfFacts {
            passed: Some(true),
            aligned: Some(true),
        },
        dkim: vec![signing_unsubscribe(signature(
            "example.com",
            SignatureState::Passed,
            Some(true),
        ))],
        dmarc: DmarcPublished::Policy(Policy::None),
        border: Some(BorderFacts {
            transport: Transport::Encrypted,
            tls: true,
            iprev: Some(IprevResult::Pass),
        }),
        list: one_click_list(),
    }
}

fn status_of(input: &BulkInput, requirement: Requirement) -> Status {
    checklist(input)
        .items
        .iter()
        .find(|item| item.requirement == requirement)
        .map(|item| item.status)
        .expect("every requirement is listed")
}

fn evidence_of(input: &BulkInput, requirement: Requirement) -> String {
    checklist(input)
        .items
        .into_iter()
        .find(|item| item.requirement == requirement)
        .map(|item| item.evidence)
        .expect("every requirement is listed")
}

#[test]
fn a_ready_message_meets_every_requirement() {
    let report = checklist(&ready());
    assert!(report.applies);
    assert_eq!(report.bulk_signals, ["List-Unsubscribe"]);
    assert_eq!(report.items.len(), 8);
    for item in &report.items {
        assert_eq!(
            item.status,
            Status::Met,
            "{:?}: {}",
            item.requirement,
            item.evidence
        );
        assert!(item.source.starts_with("https://"));
    }
}

#[test]
fn spf_or_dkim_met_by_either_and_not_met_by_neither() {
    let mut input = ready();
    input.spf.passed = Some(false);
    assert_eq!(status_of(&input, Requirement::SpfOrDkim), Status::Met);
    input.dkim[0].state = SignatureState::NotPassed;
    assert_eq!(status_of(&input, Requirement::SpfOrDkim), Status::NotMet);
    input.dkim.clear();
    assert_eq!(status_of(&input, Requirement::SpfOrDkim), Status::NotMet);
}

/// A headers-only paste: the DKIM header signature verified but the body was not checked. It
/// is never counted as a pass.
#[test]
fn a_signature_whose_body_was_not_checked_is_unknown_not_met() {
    let mut input = ready();
    input.spf.passed = None;
    input.dkim[0].state = SignatureState::Undetermined;
    assert_eq!(status_of(&input, Requirement::SpfOrDkim), Status::Unknown);
    assert!(evidence_of(&input, Requirement::SpfOrDkim).contains("headers-only paste"));
    assert_eq!(status_of(&input, Requirement::SpfAndDkim), Status::Unknown);
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::Unknown
    );
    // SPF passing aligned is enough for alignment, whatever DKIM's state.
    input.spf.passed = Some(true);
    assert_eq!(
        status_of(&input, Requirement::SpfOrDkimAligned),
        Status::Met
    );
}

#[test]
fn alignment_met_by_dkim_alone() {
    let mut input = ready();
    input.spf.aligned = Some(false);
    assert_eq!(
        status_of(&input, Requirement::SpfOrDkimAligned),
        Status::Met
    );
}

#[test]
fn alignment_not_met_when_only_an_unaligned_identity_passes() {
    let mut input = ready();
    input.spf.aligned = Some(false);
    input.dkim = vec![
        signature("esp.example", SignatureState::Passed, Some(false)),
        signature("example.com", SignatureState::NotPassed, Some(true)),
    ];
    assert_eq!(
        status_of(&input, Requirement::SpfOrDkimAligned),
        Status::NotMet
    );
    // SPF and DKIM both pass, unaligned: the Gmail "SPF and DKIM" item is met anyway.
    assert_eq!(status_of(&input, Requirement::SpfAndDkim), Status::Met);
}

/// An unaligned `d=` whose body was not checked cannot make alignment pass whatever its body,
/// so it does not leave the answer open.
#[test]
fn an_unaligned_unverified_signature_does_not_make_alignment_unknown() {
    let mut input = ready();
    input.spf.passed = Some(false);
    input.dkim = vec![signature(
        "esp.example",
        SignatureState::Undetermined,
        Some(false),
    )];
    assert_eq!(
        status_of(&input, Requirement::SpfOrDkimAligned),
        Status::NotMet
    );
    input.dkim[0].aligned = Some(true);
    assert_eq!(
        status_of(&input, Requirement::SpfOrDkimAligned),
        Status::Unknown
    );
}

#[test]
fn dmarc_published_with_p_none_and_not_published() {
    let mut input = ready();
    assert!(evidence_of(&input, Requirement::DmarcPublished).contains("p=none"));
    input.dmarc = DmarcPublished::Policy(Policy::Reject);
    assert_eq!(status_of(&input, Requirement::DmarcPublished), Status::Met);
    input.dmarc = DmarcPublished::NotPublished;
    assert_eq!(
        status_of(&input, Requirement::DmarcPublished),
        Status::NotMet
    );
    input.dmarc = DmarcPublished::Unknown;
    assert_eq!(
        status_of(&input, Requirement::DmarcPublished),
        Status::Unknown
    );
}

#[test]
fn spf_and_dkim_not_met_without_spf() {
    let mut input = ready();
    input.spf.passed = Some(false);
    assert_eq!(status_of(&input, Requirement::SpfAndDkim), Status::NotMet);
}

#[test]
fn iprev_met_not_met_and_unknown() {
    let mut input = ready();
    let set = |input: &mut BulkInput, iprev| {
        if let Some(border) = input.border.as_mut() {
            border.iprev = iprev;
        }
    };
    set(&mut input, Some(IprevResult::Fail));
    assert_eq!(status_of(&input, Requirement::Iprev), Status::NotMet);
    set(&mut input, Some(IprevResult::Permerror));
    assert_eq!(status_of(&input, Requirement::Iprev), Status::NotMet);
    set(&mut input, Some(IprevResult::Temperror));
    assert_eq!(status_of(&input, Requirement::Iprev), Status::Unknown);
    set(&mut input, None);
    assert_eq!(status_of(&input, Requirement::Iprev), Status::Unknown);
    input.border = None;
    assert_eq!(status_of(&input, Requirement::Iprev), Status::Unknown);
}

#[test]
fn tls_met_not_met_and_unknown_without_a_border_hop() {
    let mut input = ready();
    let border = |transport, tls| {
        Some(BorderFacts {
            transport,
            tls,
            iprev: Some(IprevResult::Pass),
        })
    };
    input.border = border(Transport::Plaintext, false);
    assert_eq!(status_of(&input, Requirement::Tls), Status::NotMet);
    // ESMTPSA: the transport says authenticated submission, the details say TLS.
    input.border = border(Transport::AuthenticatedSubmission, true);
    assert_eq!(status_of(&input, Requirement::Tls), Status::Met);
    input.border = border(Transport::Unknown, false);
    assert_eq!(status_of(&input, Requirement::Tls), Status::Unknown);
    input.border = None;
    assert_eq!(status_of(&input, Requirement::Tls), Status::Unknown);
    let tls_item = checklist(&input)
        .items
        .into_iter()
        .find(|item| item.requirement == Requirement::Tls)
        .expect("listed");
    assert_eq!(tls_item.required_by, [Provider::Gmail]);
}

#[test]
fn one_click_not_met_without_https_or_without_the_post_field() {
    let mut input = ready();
    input.list.list_unsubscribe = list_unsubscribe(b"<mailto:leave@example.com>");
    assert_eq!(
        status_of(&input, Requirement::OneClickUnsubscribe),
        Status::NotMet
    );
    assert!(evidence_of(&input, Requirement::OneClickUnsubscribe).contains("no https URI"));

    let mut input = ready();
    input.list.list_unsubscribe_post = Some("List-Unsubscribe=Yes".into());
    assert_eq!(
        status_of(&input, Requirement::OneClickUnsubscribe),
        Status::NotMet
    );
    input.list.list_unsubscribe_post = None;
    input.list.list_unsubscribe_post_fields = 0;
    assert_eq!(
        status_of(&input, Requirement::OneClickUnsubscribe),
        Status::NotMet
    );
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotApplicable
    );
}

#[test]
fn subscribed_mail_items_do_not_apply_without_list_fields() {
    let mut input = ready();
    input.list = ListHeaders::default();
    let report = checklist(&input);
    assert!(!report.applies);
    assert!(report.bulk_signals.is_empty());
    assert_eq!(
        status_of(&input, Requirement::OneClickUnsubscribe),
        Status::NotApplicable
    );
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotApplicable
    );
    // Bulk-sender requirements are still checked: volume cannot be seen in one message.
    assert_eq!(status_of(&input, Requirement::SpfAndDkim), Status::Met);
}

#[test]
fn unsubscribe_signed_not_met_when_h_leaves_a_field_out() {
    let mut input = ready();
    input.dkim[0]
        .signed_headers
        .retain(|name| name != "list-unsubscribe-post");
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotMet
    );
}

#[test]
fn unsubscribe_signed_not_met_when_the_covering_signature_fails() {
    let mut input = ready();
    input.dkim[0].state = SignatureState::NotPassed;
    input
        .dkim
        .push(signature("esp.example", SignatureState::Passed, None));
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotMet
    );
    assert!(evidence_of(&input, Requirement::UnsubscribeSigned).contains("did not pass"));
}

/// A second List-Unsubscribe added above a signed one is not covered when `h=` names the field
/// once (RFC 6376 §5.4.2 signs from the bottom up), and the reader takes the topmost.
#[test]
fn an_unsigned_copy_of_list_unsubscribe_is_not_covered() {
    let mut input = ready();
    input.list.list_unsubscribe_fields = 2;
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotMet
    );
    input.dkim[0].signed_headers.push("List-Unsubscribe".into());
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::Met
    );
}

#[test]
fn list_unsubscribe_reads_bracketed_uris_and_ignores_whitespace() {
    let uris = list_unsubscribe(
        b" <https://example.com/\r\n unsub?u=1> (comment <https://no.example>),\r\n <MAILTO:x@example.com>",
    );
    assert_eq!(uris.len(), 2);
    assert_eq!(uris[0].scheme, UriScheme::Https);
    assert_eq!(
        uris[0].uri.as_deref(),
        Some("https://example.com/unsub?u=1")
    );
    assert_eq!(uris[0].value_span, Span::new(1, 35));
    assert_eq!(uris[1].scheme, UriScheme::Mailto);
}

/// Never treat a script or data URI as a link, nor keep its text.
#[test]
fn javascript_and_data_uris_are_not_links() {
    let uris = list_unsubscribe(
        b"<javascript:alert(1)>, <data:text/html,<b>x</b>>, <http://plain.example/u>, <https:///nohost>",
    );
    assert!(uris.iter().all(|uri| uri.scheme == UriScheme::Other));
    assert!(uris.iter().all(|uri| uri.uri.is_none()));
}

#[test]
fn hostile_list_unsubscribe_values_are_bounded_and_do_not_panic() {
    let many = "<https://example.com/u>,".repeat(10_000);
    assert_eq!(
        list_unsubscribe(many.as_bytes()).len(),
        MAX_UNSUBSCRIBE_URIS
    );
    let long = format!("<https://example.com/{}>", "a".repeat(MAX_URI_BYTES));
    assert_eq!(
        list_unsubscribe(long.as_bytes())[0].scheme,
        UriScheme::Other
    );
    for value in [
        &b"<https://example.com/u"[..],
        b"(((((unclosed <https://example.com>",
        b"\\",
        b"(\\",
        b"<>",
        b"<\xff\xfe>",
        b"<https://ex\xc3\xa9.com/>",
        b">>>,,,<<<",
    ] {
        let uris = list_unsubscribe(value);
        assert!(uris.iter().all(|uri| uri.scheme == UriScheme::Other));
    }
    let deep = format!("{}<https://example.com>", "(".repeat(100));
    assert!(list_unsubscribe(deep.as_bytes()).is_empty());
}

#[test]
fn list_headers_are_read_from_the_message() {
    let message = parse_message(
        b"From: news@example.com\r\n\
          List-Unsubscribe: <mailto:u@example.com>,\r\n <https://example.com/u>\r\n\
          List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\
          List-Id: News <news.example.com>\r\n\
          Precedence: Bulk\r\n\
          Subject: hi\r\n\r\nbody\r\n",
    )
    .expect("a valid message");
    let list = list_headers(&message);
    assert_eq!(list.list_unsubscribe_fields, 1);
    assert_eq!(list.https_uri(), Some("https://example.com/u"));
    assert!(list.one_click_post());
    assert!(list.list_id);
    assert_eq!(
        list.bulk_signals(),
        ["List-Unsubscribe", "List-Id", "Precedence: bulk"]
    );
}

#[test]
fn precedence_bulk_alone_makes_the_message_bulk() {
    let message =
        parse_message(b"From: a@example.com\r\nPrecedence: list\r\n\r\n").expect("a valid message");
    let input = BulkInput {
        list: list_headers(&message),
        ..BulkInput::default()
    };
    let report = checklist(&input);
    assert!(report.applies);
    assert_eq!(
        status_of(&input, Requirement::OneClickUnsubscribe),
        Status::NotMet
    );
    assert!(
        evidence_of(&input, Requirement::OneClickUnsubscribe).contains("no List-Unsubscribe field")
    );
}

#[test]
fn the_checklist_serializes_in_the_report_conventions() {
    let json = serde_json::to_value(checklist(&BulkInput::default())).expect("serializes");
    assert_eq!(json["applies"], false);
    assert_eq!(json["bulk_signals"], serde_json::json!([]));
    let item = &json["items"][0];
    assert_eq!(item["requirement"], "spf-or-dkim");
    assert_eq!(item["status"], "unknown");
    assert_eq!(item["scope"], "all-senders");
    assert_eq!(item["required_by"], serde_json::json!(["gmail", "yahoo"]));
    assert_eq!(item["source"], GMAIL_GUIDELINES);
    assert!(item["rfc"].is_null());
    assert_eq!(json["items"][6]["status"], "not-applicable");
    assert_eq!(json["items"][1]["requirement"], "spf-or-dkim-aligned");
}

#[test]
fn signature_facts_from_dkim_reports() {
    use crate::dns::{DnsError, MemoryResolver};
    let message = parse_message(
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; c=relaxed/relaxed;\r\n \
          h=from:list-unsubscribe:list-unsubscribe-post; bh=AAAA; b=AAAA\r\n\
          From: news@example.com\r\n\
          List-Unsubscribe: <https://example.com/u>\r\n\
          List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nbody\r\n",
    )
    .expect("a valid message");
    let mut zone = MemoryResolver::new();
    zone.insert_failure("s1._domainkey.example.com", DnsError::ServFail);
    let reports = pollster::block_on(crate::dkim::verify_message(&message, &zone, 0, false));
    let facts = SignatureFacts::from_report(&reports[0], Some(true));
    assert_eq!(facts.state, SignatureState::Undetermined);
    assert_eq!(facts.domain, "example.com");
    assert_eq!(
        facts.signed_headers,
        ["from", "list-unsubscribe", "list-unsubscribe-post"]
    );
    // No key at all: a permanent error, not a pass.
    let reports = pollster::block_on(crate::dkim::verify_message(
        &message,
        &MemoryResolver::new(),
        0,
        false,
    ));
    let facts = SignatureFacts::from_report(&reports[0], Some(true));
    assert_eq!(facts.state, SignatureState::NotPassed);
    let input = BulkInput {
        dkim: vec![facts],
        list: list_headers(&message),
        ..BulkInput::default()
    };
    assert_eq!(
        status_of(&input, Requirement::UnsubscribeSigned),
        Status::NotMet
    );
}
