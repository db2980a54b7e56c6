//! Path analysis tests: delays, clock skew, future dates, the border hop, and robustness.

use super::tests::{check, Expect, JAN1_10UTC};
use super::*;
use crate::message::parse_message;

fn path_of(headers: &str) -> Path {
    let message = parse_message(headers.as_bytes()).expect("valid");
    analyze_path(&message, &[], 1_704_103_200)
}

fn path_codes(path: &Path) -> Vec<&'static str> {
    path.findings.iter().map(|f| f.code).collect()
}

#[test]
fn relay_without_authentication_before_the_border_is_reported() {
    let path = path_of(
        "Received: from relay.sender.example (relay.sender.example [192.0.2.10]) by \
         mx.receiver.example with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000\r\n\
         Received: from client.example (client.example [198.51.100.9]) by \
         relay.sender.example with ESMTP id 2; Mon, 1 Jan 2024 09:59:59 +0000\r\n",
    );
    assert_eq!(path.border.as_ref().map(|b| b.hop), Some(2));
    assert!(path_codes(&path).contains(&"received.unauthenticated-submission"));
    assert!(path_codes(&path).contains(&"received.plaintext-hop"));
}

#[test]
fn future_dates_and_day_long_delays_are_reported() {
    let path = path_of(
        "Received: from b.example (b.example [192.0.2.2]) by c.example with ESMTPS id 2; \
         Tue, 2 Jan 2024 10:00:00 +0000\r\n\
         Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTPS id 1; \
         Mon, 1 Jan 2024 10:00:00 +0000\r\n",
    );
    assert_eq!(path.hops[1].delay_seconds, Some(86_400));
    assert!(!path.hops[1].clock_skew);
    let codes = path_codes(&path);
    assert!(codes.contains(&"received.date-in-future"), "{codes:?}");
    assert!(codes.contains(&"received.long-delay"), "{codes:?}");
}

#[test]
fn border_uses_the_ip_the_receiver_recorded_when_sender_and_receiver_share_a_provider() {
    // Gmail to Gmail: every host is google.com, so names cannot tell where the receiver
    // began; the receiver's Received-SPF names the IP it evaluated.
    let headers = "Received: by 2002:a05:6a10:a48c::1 with SMTP id k1; Mon, 1 Jan 2024 \
                   10:00:02 +0000\r\n\
                   Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. \
                   [209.85.220.41]) by mx.google.com with SMTPS id a1; Mon, 1 Jan 2024 \
                   10:00:01 +0000\r\n\
                   Received-SPF: pass (google.com: domain of a@gmail.com designates \
                   209.85.220.41 as permitted sender) client-ip=209.85.220.41;\r\n\
                   Received: from [192.168.1.2] ([203.0.113.40]) by smtp.gmail.com with \
                   ESMTPSA id x1; Mon, 1 Jan 2024 10:00:00 +0000\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let names_only = analyze_path(&message, &[], 0);
    assert_eq!(
        names_only.border.as_ref().map(|b| b.method),
        Some(BorderMethod::HostNames)
    );
    assert_eq!(names_only.border.as_ref().map(|b| b.hop), Some(1));
    let recorded = [RecordedIp {
        field_index: 2,
        ip: "209.85.220.41".parse().expect("IP"),
        claimed_name: Some("google.com".into()),
    }];
    let path = analyze_path(&message, &recorded, 0);
    let border = path.border.expect("border");
    assert_eq!((border.hop, border.method), (2, BorderMethod::RecordedIp));
    // A recorded IP from below the sender's stamp (anyone's writing) is not believed.
    let forged = [RecordedIp {
        field_index: 3,
        ip: "209.85.220.41".parse().expect("IP"),
        claimed_name: Some("google.com".into()),
    }];
    let path = analyze_path(&message, &forged, 0);
    assert_eq!(path.border.map(|b| b.method), Some(BorderMethod::HostNames));
}

/// Robustness: every prefix of every known line parses without panicking.
#[test]
fn every_prefix_of_a_stamp_parses() {
    let line = "from mail.example.com ([2001:db8::10]:41234 helo=x) (using TLSv1.3 with cipher \
                TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.org (Postfix) with ESMTPS \
                id 4Q for <a@b.example>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)";
    for (index, _) in line.char_indices() {
        let _ = parse_received(&line[..index]);
        let _ = parse_date(&line[index..]);
    }
}

#[test]
fn two_digit_year_and_asctime_dates_are_read_with_a_finding() {
    check(
        "from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 24 10:00:00 +0000",
        Expect {
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
    check(
        "from a.example by b.example with SMTP; Mon Jan  1 10:00:00 2024",
        Expect {
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
    let tolerated = parse_date("Mon Jan  1 10:00:00 2024")
        .expect("read")
        .tolerated;
    assert!(
        tolerated.contains(&"no time zone (read as UTC)"),
        "{tolerated:?}"
    );
    assert!(parse_date("Mon, 1 Jan 2024 10:00:00 +0000")
        .expect("read")
        .tolerated
        .is_empty());
    assert_eq!(parse_date("Mon, 31 Feb 2024 10:00:00 +0000"), None);
    assert_eq!(parse_date("yesterday"), None);
    let colon = parse_date("Mon, 1 Jan 2024 11:00:00 +01:00").expect("read");
    assert_eq!(colon.timestamp, JAN1_10UTC);
    assert_eq!(colon.tolerated, ["a colon in the zone offset"]);
    let fraction = parse_date("1 Jan 2024 10:00:00.250 GMT").expect("read");
    assert_eq!(fraction.timestamp, JAN1_10UTC);
    assert_eq!(parse_date("1 Jan 99999999999999999 10:00:00 +0000"), None);
}

#[test]
fn missing_date_is_a_finding() {
    let message = parse_message(
        b"Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP id 1\r\n",
    )
    .expect("valid");
    let path = analyze_path(&message, &[], 0);
    assert_eq!(path.hops[0].timestamp, None);
    assert!(path
        .findings
        .iter()
        .any(|f| f.code == "received.date-missing"));
}

#[test]
fn unknown_format_still_gives_a_hop_and_a_finding() {
    check(
        "something completely different; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            timestamp: Some(JAN1_10UTC),
            unread: true,
            ..Expect::default()
        },
    );
    let message =
        parse_message(b"Received: something different; Mon, 1 Jan 2024 10:00:00 +0000\r\n")
            .expect("valid");
    let path = analyze_path(&message, &[], 0);
    assert!(path
        .findings
        .iter()
        .any(|f| f.code == "received.format-unrecognised"));
}

#[test]
fn unclosed_comment_is_reported() {
    check(
        "from a.example (a.example [192.0.2.1] by b.example with ESMTP; Mon, 1 Jan 2024 \
         10:00:00 +0000",
        Expect {
            helo: Some("a.example"),
            unread: true,
            ..Expect::default()
        },
    );
}

/// A filtering gateway in front of the mailbox provider: host names stop at the gateway, the
/// provider's own (trusted) result names the sender's IP further out.
#[test]
fn receivers_trusted_record_moves_the_border_out_past_an_inbound_gateway() {
    // Microsoft writes its results above the stamp of its own front door.
    let headers = "Authentication-Results: spf=pass (sender IP is 192.0.2.10) \
                   smtp.mailfrom=sender.example;\r\n\
                   Received: from mx0a-001.pphosted.com (mx0a-001.pphosted.com [148.163.1.1]) by \
                   DM6NAM11FT012.mail.protection.outlook.com (10.13.172.123) with Microsoft SMTP \
                   Server (version=TLS1_2, cipher=TLS_AES_256_GCM_SHA384) id 15.20.1; Mon, 1 Jan \
                   2024 10:00:02 +0000\r\n\
                   Received: from mail.sender.example (mail.sender.example [192.0.2.10]) by \
                   mx0a-001.pphosted.com with ESMTPS id 3a; Mon, 1 Jan 2024 10:00:00 +0000\r\n\
                   Received: from app.sender.example (app.sender.example [198.51.100.3]) by \
                   mail.sender.example with ESMTPS id 1; Mon, 1 Jan 2024 09:59:59 +0000\r\n\
                   Authentication-Results: mx.sender.example; spf=pass (sender IP is \
                   198.51.100.3) smtp.mailfrom=sender.example\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let names_only = analyze_path(&message, &[], 0);
    assert_eq!(names_only.border.map(|b| b.hop), Some(3));
    let mut results = crate::auth_results::read_result_fields(&message);
    let path = analyze_path(&message, &results.recorded_ips(), 0);
    let border = path.border.clone().expect("border");
    assert_eq!((border.hop, border.method), (2, BorderMethod::RecordedIp));
    assert_eq!(border.receiver_domains, ["outlook.com", "pphosted.com"]);
    results.judge(path.border.as_ref());
    // The upstream field's IP (198.51.100.3) did not move the border further.
    assert_eq!(results.authentication_results[1].trust, Trust::Untrusted);
}

/// Regression guard: a forged result below the receiver's stamp, in the receiver's name, must
/// not move the border out to a forged hop of the attacker's choosing.
#[test]
fn forged_result_in_the_receivers_name_does_not_move_the_border_out() {
    let headers = "Received: from attacker.example (attacker.example [203.0.113.66]) by \
                   mx.google.com with ESMTPS id 1; Mon, 1 Jan 2024 10:00:01 +0000\r\n\
                   Authentication-Results: mx.google.com; spf=pass (google.com: domain of \
                   a@bank.example designates 192.0.2.44 as permitted sender)\r\n\
                   Received: from mail.bank.example (mail.bank.example [192.0.2.44]) by \
                   attacker.example with ESMTPS id 0; Mon, 1 Jan 2024 10:00:00 +0000\r\n";
    let message = parse_message(headers.as_bytes()).expect("valid");
    let results = crate::auth_results::read_result_fields(&message);
    let path = analyze_path(&message, &results.recorded_ips(), 0);
    let border = path.border.expect("border");
    assert_eq!((border.hop, border.method), (2, BorderMethod::HostNames));
}

#[test]
fn sendgrid_go_time_without_semicolon_is_read() {
    check(
        "by filterdrecv-p3mdw1-6f7f4c7dc-x2kqz with SMTP id filterdrecv-p3mdw1-1-65A2B3C4-1A \
         2024-01-01 10:00:00.578346787 +0000 UTC m=+1234.567890",
        Expect {
            by: Some("filterdrecv-p3mdw1-6f7f4c7dc-x2kqz"),
            id: Some("filterdrecv-p3mdw1-1-65A2B3C4-1A"),
            timestamp: Some(JAN1_10UTC),
            unread: true,
            ..Expect::default()
        },
    );
    let rfc3339 = parse_date("2024-01-01T11:00:00+01:00").expect("read");
    assert_eq!(rfc3339.timestamp, JAN1_10UTC);
    assert_eq!(
        parse_date("2024-01-01T10:00:00Z").map(|d| d.timestamp),
        Some(JAN1_10UTC)
    );
    assert_eq!(parse_date("2024-13-01 10:00:00"), None);
}

#[test]
fn courier_tls_and_auth_comment() {
    check(
        "from mail.example.com (mail.example.com [::ffff:192.0.2.1]) (AUTH: LOGIN \
         user@example.com, TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384) by mx.example.org \
         with ESMTPSA; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("192.0.2.1"),
            tls_version: Some("TLS 1.2"),
            transport: Some(Transport::AuthenticatedSubmission),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
}

#[test]
fn yahoo_bare_ipv4_from_with_http() {
    check(
        "from 10.197.36.32 by sonic.gate.mail.ne1.yahoo.com with HTTP; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("10.197.36.32"),
            with: Some("HTTP"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}
