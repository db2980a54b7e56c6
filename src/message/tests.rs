use super::*;

fn names(message: &Message) -> Vec<&str> {
    message.fields.iter().map(|f| f.name.as_str()).collect()
}

fn codes(message: &Message) -> Vec<&str> {
    message.findings.iter().map(|f| f.code).collect()
}

#[test]
fn splits_fields_with_folding_and_keeps_exact_bytes() {
    let input = b"Subject: hello\r\n world\r\nFrom: a@example.com\r\n\r\nbody\r\n";
    let message = parse_message(input).expect("valid message");
    assert_eq!(names(&message), ["Subject", "From"]);
    assert_eq!(
        message.field_bytes(&message.fields[0]),
        b"Subject: hello\r\n world\r\n"
    );
    assert_eq!(message.value_bytes(&message.fields[0]), b" hello\r\n world");
    assert_eq!(message.body(), Some(&b"body\r\n"[..]));
    assert!(message.findings.is_empty());
}

#[test]
fn lf_line_ends_become_crlf_with_a_finding() {
    let message = parse_message(b"From: a@example.com\nTo: b@example.com\n\nhi\n").expect("valid");
    assert_eq!(
        message.bytes,
        b"From: a@example.com\r\nTo: b@example.com\r\n\r\nhi\r\n"
    );
    assert_eq!(codes(&message), ["intake.line-ends-normalized"]);
}

#[test]
fn mbox_line_and_leading_blank_lines_are_dropped() {
    let input = b"\n\nFrom alice@example.com Sat Jan  3 01:05:34 1996\nFrom: alice@example.com\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["From"]);
    assert!(codes(&message).contains(&"intake.mbox-line-removed"));
    assert!(codes(&message).contains(&"intake.leading-blank-lines-removed"));
    assert_eq!(message.body_start, None);
}

#[test]
fn copy_paste_indentation_is_removed_and_folding_survives() {
    let input = b"    Received: from a\n        by b\n    Subject: hi\n    there\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["Received", "Subject"]);
    assert_eq!(message.value_bytes(&message.fields[1]), b" hi\r\n there");
    assert!(codes(&message).contains(&"intake.indentation-removed"));
}

#[test]
fn lines_that_are_not_fields_are_reported_not_dropped_silently() {
    let message = parse_message(b"From: a@example.com\nthis is not a field\nTo: b@example.com\n")
        .expect("valid");
    assert_eq!(names(&message), ["From", "To"]);
    let finding = message
        .findings
        .iter()
        .find(|f| f.code == "intake.not-a-header-field")
        .expect("the stray line is reported");
    let span = finding.span.expect("with its place");
    assert_eq!(
        &message.bytes[span.start..span.end],
        b"this is not a field\r\n"
    );
}

#[test]
fn obsolete_space_before_colon_is_a_field() {
    let message = parse_message(b"Subject : old style\r\n").expect("valid");
    assert_eq!(names(&message), ["Subject"]);
}

#[test]
fn hostile_inputs_get_errors_not_panics() {
    let kind = |input: &[u8]| parse_message(input).map(|_| ()).unwrap_err().kind;
    assert_eq!(kind(b""), IntakeErrorKind::Empty);
    assert_eq!(kind(b" \r\n\t\n"), IntakeErrorKind::Empty);
    assert_eq!(kind(b"From: a\x00b\r\n"), IntakeErrorKind::Binary);
    assert_eq!(
        kind(b"just some prose\nwithout fields\n"),
        IntakeErrorKind::NoHeaderFields
    );
    let huge = vec![b'a'; MAX_MESSAGE_BYTES + 1];
    assert!(matches!(kind(&huge), IntakeErrorKind::TooLarge { .. }));
}

#[test]
fn header_section_that_never_ends_stops_at_the_field_limit_with_a_finding() {
    let mut input = Vec::new();
    for index in 0..MAX_HEADER_FIELDS + 5 {
        input.extend_from_slice(format!("X-Line-{index}: value\n").as_bytes());
    }
    let message = parse_message(&input).expect("valid");
    assert_eq!(message.fields.len(), MAX_HEADER_FIELDS);
    assert!(codes(&message).contains(&"intake.header-section-too-large"));
}

#[test]
fn a_blank_body_is_read_as_headers_only() {
    let message = parse_message(b"From: a@example.com\n\n\n").expect("valid");
    assert_eq!(message.body_start, None);
}

#[test]
fn summary_decodes_encoded_words_and_addresses() {
    let input = "From: =?UTF-8?B?SsO8cmdlbg==?= <jurgen@example.de>\r\n\
                 To: a@example.com, \"B\" <b@example.com>\r\n\
                 Subject: =?ISO-8859-1?Q?Caf=E9?= time\r\n\
                 Date: Sat, 5 Nov 2022 17:54:24 +0000\r\n\
                 Message-ID: <abc@example.de>\r\n";
    let message = parse_message(input.as_bytes()).expect("valid");
    let summary = summarize(&message);
    assert_eq!(summary.from[0].name.as_deref(), Some("Jürgen"));
    assert_eq!(
        summary.from[0].address.as_deref(),
        Some("jurgen@example.de")
    );
    assert_eq!(summary.to.len(), 2);
    assert_eq!(summary.subject.as_deref(), Some("Café time"));
    assert_eq!(summary.date_unix, Some(1667670864));
    assert_eq!(summary.message_id.as_deref(), Some("<abc@example.de>"));
}
