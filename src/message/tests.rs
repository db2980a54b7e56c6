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

#[test]
fn the_summary_reads_a_date_as_an_instant_only_when_it_names_its_zone() {
    let instant = |date: &str| {
        let input = format!("From: a@example.com\r\nDate: {date}\r\n");
        summarize(&parse_message(input.as_bytes()).expect("valid")).date_unix
    };
    // Sat, 5 Nov 2022 17:54:24 UTC, however it is written.
    let expected = Some(1667670864);
    assert_eq!(instant("Sat, 5 Nov 2022 17:54:24 +0000"), expected);
    assert_eq!(instant("Sat, 5 Nov 2022 18:54:24 +0100 (CET)"), expected);
    assert_eq!(instant("Sat, 5 Nov 22 12:54:24 EST"), expected);
    assert_eq!(instant("Sat,\r\n 5 Nov 2022 17:54:24 GMT"), expected);
    assert_eq!(instant("2022-11-05T17:54:24Z"), expected);
    // A leap second is read as :59.
    assert_eq!(instant("Sat, 5 Nov 2022 17:54:60 +0000"), Some(1667670899));
    // No zone, a zone whose minutes are out of range, no such day: no instant.
    assert_eq!(instant("Sat, 5 Nov 2022 17:54:24"), None);
    assert_eq!(instant("Sat, 5 Nov 2022 17:54:24 +0099"), None);
    assert_eq!(instant("Tue, 31 Feb 2022 10:00:00 +0000"), None);
    assert_eq!(instant("yesterday"), None);
}

#[test]
fn blank_lines_between_header_lines_are_removed() {
    let input = b"Received: from a.example\n\n\tby b.example; Mon, 1 Jan 2024 10:00:00 +0000\n\n\
                  From: a@example.com\n\nTo: b@example.com\n\nSubject: hi\n\n\n\nNote: body text\n\nmore\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["Received", "From", "To", "Subject"]);
    assert_eq!(
        message.value_bytes(&message.fields[0]),
        b" from a.example\r\n\tby b.example; Mon, 1 Jan 2024 10:00:00 +0000"
    );
    assert_eq!(
        message.body(),
        Some(&b"Note: body text\r\n\r\nmore\r\n"[..])
    );
    assert!(codes(&message).contains(&"intake.blank-lines-between-fields-removed"));
}

/// Regression guard for the double-spacing repair: a one-field header and a body whose lines
/// look like fields ("Note: …") must stay a header and a body.
#[test]
fn body_that_looks_like_fields_is_not_read_as_headers() {
    let input = b"From: a@example.com\n\nNote: call me\n\nTodo: buy milk\n\nthanks\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["From"]);
    assert_eq!(
        message.body(),
        Some(&b"Note: call me\r\n\r\nTodo: buy milk\r\n\r\nthanks\r\n"[..])
    );
    assert!(!codes(&message).contains(&"intake.blank-lines-between-fields-removed"));
}

#[test]
fn gmail_show_original_summary_is_removed() {
    let input = "Original Message\n\
                 Message ID\t<abc@mail.example.com>\n\
                 Created at:\tMon, Jan 1, 2024 at 10:00 AM (Delivered after 2 seconds)\n\
                 From:\tAlice <alice@example.com>\n\
                 To:\tbob@gmail.com\n\
                 Subject:\thi\n\
                 SPF:\tPASS with IP 192.0.2.10 Learn more\n\
                 DKIM:\t'PASS' with domain example.com Learn more\n\
                 DMARC:\t'PASS' Learn more\n\
                 Download Original\tCopy to clipboard\t\n\
                 \n\
                 Delivered-To: bob@gmail.com\n\
                 Received: by 2002:a05:6a10:a48c:b0:4f1:2345:6789 with SMTP id k12csp1; Mon, 1 Jan 2024 02:00:01 -0800 (PST)\n\
                 From: Alice <alice@example.com>\n\
                 Subject: hi\n";
    let message = parse_message(input.as_bytes()).expect("valid");
    assert_eq!(
        names(&message),
        ["Delivered-To", "Received", "From", "Subject"]
    );
    assert!(codes(&message).contains(&"intake.gmail-summary-removed"));
}

#[test]
fn outlook_internet_headers_preamble_is_removed() {
    let input = b"Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a by b; Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: a@example.com\r\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["Received", "From"]);
    assert!(codes(&message).contains(&"intake.outlook-preamble-removed"));
}

#[test]
fn apple_mail_emlx_wrapper_is_removed() {
    let inner = b"From: a@example.com\nSubject: hi\n\nbody\n";
    let mut input = format!("{}\n", inner.len()).into_bytes();
    input.extend_from_slice(inner);
    input.extend_from_slice(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict/>\n</plist>\n",
    );
    let message = parse_message(&input).expect("valid");
    assert_eq!(names(&message), ["From", "Subject"]);
    assert_eq!(message.body(), Some(&b"body\r\n"[..]));
    assert!(codes(&message).contains(&"intake.emlx-wrapper-removed"));
}

#[test]
fn thunderbird_mbox_export_with_mozilla_fields() {
    let input = b"From - Mon Jan  1 10:00:00 2024\r\nX-Mozilla-Status: 0001\r\nX-Mozilla-Status2: 00000000\r\nFrom: a@example.com\r\n\r\nbody\r\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(
        names(&message),
        ["X-Mozilla-Status", "X-Mozilla-Status2", "From"]
    );
    assert!(codes(&message).contains(&"intake.mbox-line-removed"));
}

#[test]
fn mixed_line_ends_in_one_paste() {
    let message =
        parse_message(b"From: a@example.com\r\nTo: b@example.com\nSubject: x\rDate: y\r\n")
            .expect("valid");
    assert_eq!(names(&message), ["From", "To", "Subject", "Date"]);
    assert!(codes(&message).contains(&"intake.line-ends-normalized"));
}

/// Builds an Outlook .msg with the same compound-file crate the reader uses.
fn outlook_msg(stream: &str, content: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut file =
        cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("in-memory file");
    {
        let mut writer = file.create_stream(stream).expect("stream");
        writer.write_all(content).expect("write");
    }
    file.create_stream("/__substg1.0_0037001F")
        .and_then(|mut subject| subject.write_all(&utf16(Some("hi"))))
        .expect("subject");
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

fn utf16(text: Option<&str>) -> Vec<u8> {
    text.unwrap_or_default()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect()
}

#[test]
fn outlook_msg_transport_headers_are_read() {
    let headers = "Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTPS; Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: Jürgen <j@example.de>\r\nSubject: hi\r\n\r\n\0";
    let bytes = outlook_msg("/__substg1.0_007D001F", &utf16(Some(headers)));
    assert!(is_compound_file(&bytes));
    let message = parse_input(&bytes).expect("headers read");
    assert_eq!(names(&message), ["Received", "From", "Subject"]);
    assert_eq!(codes(&message)[0], "intake.outlook-msg");
    assert_eq!(summarize(&message).from[0].name.as_deref(), Some("Jürgen"));
    let eight_bit = outlook_msg("/__substg1.0_007D001E", b"From: a@example.com\r\n");
    assert_eq!(names(&parse_input(&eight_bit).expect("read")), ["From"]);
}

#[test]
fn outlook_msg_without_headers_or_broken_is_a_clear_error() {
    let draft = outlook_msg("/__substg1.0_1000001F", &utf16(Some("body only")));
    assert_eq!(
        parse_input(&draft).map(|_| ()).unwrap_err().kind,
        IntakeErrorKind::OutlookWithoutHeaders
    );
    let mut broken = COMPOUND_FILE_MAGIC.to_vec();
    broken.extend_from_slice(&[0xff; 600]);
    assert!(matches!(
        parse_input(&broken).map(|_| ()).unwrap_err().kind,
        IntakeErrorKind::OutlookUnreadable { .. }
    ));
}

/// Outlook on Windows can copy headers with CR CR LF line ends, which read as a blank line
/// after every header line.
#[test]
fn cr_cr_lf_copy_is_read_as_double_spacing() {
    let input =
        b"From: a@example.com\r\r\nTo: b@example.com\r\r\nSubject: hi\r\r\n\r\r\nbody\r\r\n";
    let message = parse_message(input).expect("valid");
    assert_eq!(names(&message), ["From", "To", "Subject"]);
    assert_eq!(message.value_bytes(&message.fields[2]), b" hi");
    assert!(codes(&message).contains(&"intake.blank-lines-between-fields-removed"));
    assert!(message.body().is_some_and(|body| body.starts_with(b"body")));
}

/// `tests/fixtures/messages/newsletter.msg` is the newsletter's headers as Outlook stores them;
/// the page test of the msg module opens it. This writes it anew when asked
/// (`MAILSPECT_WRITE_MSG_FIXTURE=1`) and otherwise checks that it still holds those headers.
#[test]
fn the_newsletter_msg_fixture_holds_the_newsletter_headers() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!(
        "{root}/tests/fixtures/messages/newsletter-headers.txt"
    ))
    .expect("fixture");
    let path = format!("{root}/tests/fixtures/messages/newsletter.msg");
    if std::env::var_os("MAILSPECT_WRITE_MSG_FIXTURE").is_some() {
        let stored = format!("{text}\0");
        let bytes = outlook_msg("/__substg1.0_007D001F", &utf16(Some(&stored)));
        std::fs::write(&path, bytes).expect("write the fixture");
    }
    let from_msg = parse_input(&std::fs::read(&path).expect("fixture")).expect("headers read");
    let from_text = parse_message(text.as_bytes()).expect("valid");
    assert_eq!(names(&from_msg), names(&from_text));
    assert_eq!(codes(&from_msg)[0], "intake.outlook-msg");
}

/// A CRLF message's body is copied in one run, the others line by line: both must give the
/// same message (bytes, fields, body) as the same text with LF or mixed line ends, for bodies
/// with blank lines, a missing final line end, double spacing above and an mbox line.
#[test]
fn crlf_body_copied_whole_reads_as_repaired_line_ends() {
    let bodies = [
        "hi\r\n",
        "hi",
        "\r\n\r\nfirst\r\n\r\nlast\r\n\r\n",
        "line one\r\n  indented\r\nno end",
    ];
    let headers = [
        "From: a@example.com\r\nTo: b@example.com\r\n\r\n",
        "From a@example.com Mon Jan  1 00:00:00 2024\r\nFrom: a@example.com\r\n\r\n",
        "From: a@example.com\r\n\r\nTo: b@example.com\r\n\r\nSubject: s\r\n\r\n\r\n",
    ];
    for header in headers {
        for body in bodies {
            let crlf = format!("{header}{body}");
            let lf = crlf.replace("\r\n", "\n");
            let mixed = crlf.replacen("\r\n", "\n", 1);
            let whole = parse_message(crlf.as_bytes()).expect("valid");
            for repaired in [lf, mixed] {
                let repaired = parse_message(repaired.as_bytes()).expect("valid");
                assert_eq!(whole.bytes, repaired.bytes, "{crlf:?}");
                assert_eq!(whole.fields, repaired.fields, "{crlf:?}");
                assert_eq!(whole.body_start, repaired.body_start, "{crlf:?}");
            }
        }
    }
}
