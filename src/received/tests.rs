//! Known-answer tests: one Received line per MTA format variant, each written from that MTA's
//! documented stamp format (Postfix `smtpd`/`cleanup`, Exim `received_header_text`, Sendmail
//! `HReceived`, qmail-smtpd, Exchange / Exchange Online, Gmail, Amazon SES, Proofpoint, Mimecast,
//! Zimbra, Dovecot LMTP), with the hop analysis and border tests after them.

use std::net::IpAddr;

use super::*;
use crate::message::parse_message;

/// What one line must yield; `None` fields are not checked.
#[derive(Default)]
pub(super) struct Expect {
    pub(super) helo: Option<&'static str>,
    pub(super) reverse_dns: Option<&'static str>,
    pub(super) ip: Option<&'static str>,
    pub(super) by: Option<&'static str>,
    pub(super) with: Option<&'static str>,
    pub(super) id: Option<&'static str>,
    pub(super) recipient: Option<&'static str>,
    pub(super) tls_version: Option<&'static str>,
    pub(super) cipher: Option<&'static str>,
    pub(super) transport: Option<Transport>,
    pub(super) timestamp: Option<i64>,
    /// Whether something must be reported as not understood.
    pub(super) unread: bool,
}

/// 2024-01-01T10:00:00Z.
pub(super) const JAN1_10UTC: i64 = 1_704_103_200;

pub(super) fn check(line: &str, expect: Expect) {
    let message = format!("Received: {line}\r\n");
    let message = parse_message(message.as_bytes()).expect("a header field");
    let path = analyze_path(&message, &[], 0);
    let hop = path.hops.first().expect("one hop");
    let stamp = parse_received(line);
    let from = stamp.from.clone().unwrap_or_default();
    let show = format!("{line}\n  → {stamp:#?}\n  → {hop:#?}");
    if let Some(helo) = expect.helo {
        assert_eq!(from.helo.as_deref(), Some(helo), "helo in {show}");
    }
    if let Some(name) = expect.reverse_dns {
        assert_eq!(from.reverse_dns.as_deref(), Some(name), "rdns in {show}");
    }
    if let Some(ip) = expect.ip {
        assert_eq!(
            hop.ip,
            Some(ip.parse::<IpAddr>().expect("test IP")),
            "ip in {show}"
        );
    }
    if let Some(by) = expect.by {
        assert_eq!(hop.by.as_deref(), Some(by), "by in {show}");
    }
    if let Some(with) = expect.with {
        assert_eq!(hop.with.as_deref(), Some(with), "with in {show}");
    }
    if let Some(id) = expect.id {
        assert_eq!(hop.id.as_deref(), Some(id), "id in {show}");
    }
    if let Some(recipient) = expect.recipient {
        assert_eq!(hop.recipient.as_deref(), Some(recipient), "for in {show}");
    }
    let tls = hop.tls.as_ref();
    if let Some(version) = expect.tls_version {
        assert_eq!(
            tls.and_then(|t| t.version.as_deref()),
            Some(version),
            "TLS in {show}"
        );
    }
    if let Some(cipher) = expect.cipher {
        assert_eq!(
            tls.and_then(|t| t.cipher.as_deref()),
            Some(cipher),
            "cipher in {show}"
        );
    }
    if let Some(transport) = expect.transport {
        assert_eq!(hop.transport, transport, "transport in {show}");
    }
    if let Some(timestamp) = expect.timestamp {
        assert_eq!(hop.timestamp, Some(timestamp), "date in {show}");
    }
    assert_eq!(!hop.problems.is_empty(), expect.unread, "unread in {show}");
}

#[test]
fn postfix_inbound_tls13_with_comment_on_its_own_lines() {
    check(
        "from mail.example.com (mail.example.com [192.0.2.10])\r\n\t(using TLSv1.3 with cipher \
         TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature \
         RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\t\
         by mx.example.org (Postfix) with ESMTPS id 4Q1Xyz3kQbz9sWL\r\n\tfor \
         <alice@example.org>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
        Expect {
            helo: Some("mail.example.com"),
            reverse_dns: Some("mail.example.com"),
            ip: Some("192.0.2.10"),
            by: Some("mx.example.org"),
            with: Some("ESMTPS"),
            id: Some("4Q1Xyz3kQbz9sWL"),
            recipient: Some("alice@example.org"),
            tls_version: Some("TLS 1.3"),
            cipher: Some("TLS_AES_256_GCM_SHA384"),
            transport: Some(Transport::Encrypted),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
}

#[test]
fn postfix_plaintext_from_host_without_reverse_dns() {
    check(
        "from helo.example (unknown [198.51.100.7]) by mx.example.org (Postfix) with ESMTP id \
         4ABCD; Mon, 1 Jan 2024 11:00:00 +0100",
        Expect {
            helo: Some("helo.example"),
            ip: Some("198.51.100.7"),
            transport: Some(Transport::Plaintext),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
    assert_eq!(
        parse_received("from h (unknown [198.51.100.7]) by m")
            .from
            .and_then(|f| f.reverse_dns),
        None
    );
}

#[test]
fn postfix_authenticated_submission() {
    check(
        "from [192.168.1.20] (unknown [203.0.113.5]) (Authenticated sender: bob@example.com) by \
         smtp.example.com (Postfix) with ESMTPSA id 4XYZ for <c@example.net>; Mon, 1 Jan 2024 \
         10:00:00 +0000",
        Expect {
            helo: Some("[192.168.1.20]"),
            ip: Some("203.0.113.5"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
}

#[test]
fn postfix_local_pickup_has_no_from_clause() {
    check(
        "by mail.example.com (Postfix, from userid 1000) id 4B2C3D; Mon, 1 Jan 2024 10:00:00 \
         +0000 (UTC)",
        Expect {
            by: Some("mail.example.com"),
            id: Some("4B2C3D"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn postfix_ipv6_literal_and_tls12() {
    check(
        "from mail6.example.com (mail6.example.com [IPv6:2001:db8::25]) (using TLSv1.2 with \
         cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) by mx.example.org (Postfix) with \
         ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("2001:db8::25"),
            tls_version: Some("TLS 1.2"),
            cipher: Some("ECDHE-RSA-AES256-GCM-SHA384"),
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
}

#[test]
fn ipv6_mapped_ipv4_is_read_as_ipv4() {
    check(
        "from client.example (client.example [IPv6:::ffff:192.0.2.33]) by mx.example.org \
         (Postfix) with ESMTP id 2; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("192.0.2.33"),
            ..Expect::default()
        },
    );
}

#[test]
fn postfix_tls10_is_outdated() {
    let message = "Received: from old.example (old.example [192.0.2.9]) (using TLSv1 with \
                   cipher ECDHE-RSA-AES256-SHA (256/256 bits)) by mx.example.org (Postfix) with \
                   ESMTPS id 3; Mon, 1 Jan 2024 10:00:00 +0000\r\n";
    let message = parse_message(message.as_bytes()).expect("valid");
    let path = analyze_path(&message, &[], 0);
    let tls = path.hops[0].tls.clone().expect("TLS read");
    assert_eq!(tls.version.as_deref(), Some("TLS 1.0"));
    assert!(tls.outdated);
    assert!(path
        .findings
        .iter()
        .any(|f| f.code == "received.outdated-tls"));
}

#[test]
fn postfix_from_localhost_is_internal() {
    check(
        "from localhost (localhost [127.0.0.1]) by mta.example.org (Postfix) with ESMTP id X1; \
         Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("127.0.0.1"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn dovecot_lmtp_delivery() {
    check(
        "from mx.example.org ([192.168.0.5]) by mail.example.org with LMTP id 0C4vJQ8VlmUvCgAA \
         (envelope-from <a@example.com>) for <b@example.org>; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            reverse_dns: None,
            helo: Some("mx.example.org"),
            ip: Some("192.168.0.5"),
            with: Some("LMTP"),
            recipient: Some("b@example.org"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_496_tls_word_and_helo_in_comment() {
    check(
        "from mail.example.com ([192.0.2.10] helo=smtp.example.com) by mx.example.org with \
         esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from \
         <a@example.com>) id 1rKzAb-000123-4C for bob@example.org; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("smtp.example.com"),
            reverse_dns: Some("mail.example.com"),
            ip: Some("192.0.2.10"),
            with: Some("esmtps tls TLS_AES_256_GCM_SHA384"),
            id: Some("1rKzAb-000123-4C"),
            recipient: Some("bob@example.org"),
            tls_version: Some("TLS 1.3"),
            cipher: Some("TLS_AES_256_GCM_SHA384"),
            transport: Some(Transport::Encrypted),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_before_495_colon_separated_tls() {
    check(
        "from [198.51.100.20] (helo=client.example) by mx.example.org with esmtps \
         (TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256) (Exim 4.92) (envelope-from <a@b.example>) id \
         1abc-0001-XY; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("client.example"),
            ip: Some("198.51.100.20"),
            tls_version: Some("TLS 1.2"),
            cipher: Some("ECDHE-RSA-AES256-GCM-SHA384"),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_tls1_with_port_is_outdated() {
    check(
        "from host.example.net ([203.0.113.9]:51234 helo=host) by mx.example.org with esmtps \
         (TLSv1:AES256-SHA:256) (Exim 4.80) id 1x-2; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("host"),
            reverse_dns: Some("host.example.net"),
            ip: Some("203.0.113.9"),
            tls_version: Some("TLS 1.0"),
            cipher: Some("AES256-SHA"),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_local_submission() {
    check(
        "from alice by host.example.org with local (Exim 4.94.2) (envelope-from \
         <alice@host.example.org>) id 1q2w3e-0004-AB; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            with: Some("local"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_authenticated_with_port_and_literal_helo() {
    check(
        "from [203.0.113.50] (port=50123 helo=[192.168.0.10]) by smtp.example.org with esmtpsa \
         (TLS1.3) tls TLS_AES_128_GCM_SHA256 (Exim 4.96) (envelope-from <x@example.org>) id \
         1r-0001-AA; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("[192.168.0.10]"),
            ip: Some("203.0.113.50"),
            cipher: Some("TLS_AES_128_GCM_SHA256"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_ipv6_plaintext() {
    check(
        "from [2001:db8:1::5] (helo=mx6.example.net) by mx.example.org with esmtp (Exim 4.96) \
         (envelope-from <a@example.net>) id 1r-2; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("mx6.example.net"),
            ip: Some("2001:db8:1::5"),
            transport: Some(Transport::Plaintext),
            ..Expect::default()
        },
    );
}

#[test]
fn exim_ipv6_with_port() {
    check(
        "from mx.example.net ([2001:db8::10]:41234 helo=mx.example.net) by mx.example.org with \
         esmtp (Exim 4.96) id 1r-3; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("2001:db8::10"),
            ..Expect::default()
        },
    );
}

#[test]
fn sendmail_starttls_comment() {
    check(
        "from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.org \
         (8.17.1/8.17.1) with ESMTPS id 40AA0abc012345 (version=TLSv1.3 \
         cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT) for <bob@example.org>; Mon, 1 Jan \
         2024 05:00:00 -0500",
        Expect {
            id: Some("40AA0abc012345"),
            recipient: Some("bob@example.org"),
            tls_version: Some("TLS 1.3"),
            cipher: Some("TLS_AES_256_GCM_SHA384"),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
}

#[test]
fn sendmail_may_be_forged() {
    check(
        "from helo.example (rdns.example.net [198.51.100.3] (may be forged)) by mx.example.org \
         (8.15.2/8.15.2) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("helo.example"),
            reverse_dns: Some("rdns.example.net"),
            ip: Some("198.51.100.3"),
            ..Expect::default()
        },
    );
}

#[test]
fn sendmail_authenticated_without_tls() {
    let line = "Received: from laptop (user@dsl.example.net [203.0.113.77]) (authenticated \
                bits=0) by smtp.example.org (8.15.2/8.15.2) with ESMTP id x; Mon, 1 Jan 2024 \
                10:00:00 +0000\r\n";
    check(
        &line["Received: ".len()..line.len() - 2],
        Expect {
            helo: Some("laptop"),
            reverse_dns: Some("dsl.example.net"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
    let message = parse_message(line.as_bytes()).expect("valid");
    let path = analyze_path(&message, &[], 0);
    assert!(path
        .findings
        .iter()
        .any(|f| f.code == "received.authentication-without-tls"));
}

#[test]
fn sendmail_local_submission_stamp() {
    check(
        "(from root@localhost) by host.example.org (8.15.2/8.15.2/Submit) id 01AB; Mon, 1 Jan \
         2024 10:00:00 +0000",
        Expect {
            by: Some("host.example.org"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn qmail_network_stamp() {
    check(
        "from unknown (HELO mail.example.com) (198.51.100.25) by mx.example.org with SMTP; 1 Jan \
         2024 10:00:00 -0000",
        Expect {
            helo: Some("mail.example.com"),
            ip: Some("198.51.100.25"),
            with: Some("SMTP"),
            transport: Some(Transport::Plaintext),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
    assert_eq!(
        parse_received("from unknown (HELO a) (198.51.100.25) by m")
            .from
            .and_then(|f| f.reverse_dns),
        None
    );
}

#[test]
fn qmail_comment_only_stamps() {
    for line in [
        "(qmail 12345 invoked from network); 1 Jan 2024 10:00:00 -0000",
        "(qmail 9876 invoked by uid 89); 1 Jan 2024 10:00:00 -0000",
    ] {
        check(
            line,
            Expect {
                timestamp: Some(JAN1_10UTC),
                transport: Some(Transport::Internal),
                ..Expect::default()
            },
        );
    }
}

#[test]
fn qmail_authenticated_user_at_ip() {
    check(
        "from unknown (HELO client) (user@203.0.113.8) by mail.example.org with ESMTPA; 1 Jan \
         2024 10:00:00 -0000",
        Expect {
            helo: Some("client"),
            ip: Some("203.0.113.8"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
}

#[test]
fn exchange_online_internal_hop() {
    check(
        "from AM6PR03MB1234.eurprd03.prod.outlook.com (2603:10a6:20b:1::12) by \
         DB9PR03MB5678.eurprd03.prod.outlook.com (2603:10a6:10:2::34) with Microsoft SMTP \
         Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id \
         15.20.7135.20; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("AM6PR03MB1234.eurprd03.prod.outlook.com"),
            ip: Some("2603:10a6:20b:1::12"),
            by: Some("DB9PR03MB5678.eurprd03.prod.outlook.com"),
            with: Some("Microsoft SMTP Server"),
            id: Some("15.20.7135.20"),
            tls_version: Some("TLS 1.2"),
            cipher: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
}

#[test]
fn exchange_online_inbound_via_frontend_transport() {
    check(
        "from mail.example.com (192.0.2.10) by DM6NAM11FT012.mail.protection.outlook.com \
         (10.13.172.123) with Microsoft SMTP Server (version=TLS1_3, \
         cipher=TLS_AES_256_GCM_SHA384) id 15.20.7000.20 via Frontend Transport; Mon, 1 Jan \
         2024 10:00:00 +0000",
        Expect {
            helo: Some("mail.example.com"),
            ip: Some("192.0.2.10"),
            tls_version: Some("TLS 1.3"),
            id: Some("15.20.7000.20"),
            ..Expect::default()
        },
    );
    assert_eq!(
        parse_received("from a (192.0.2.10) by b id 1 via Frontend Transport; x")
            .via
            .as_deref(),
        Some("Frontend Transport")
    );
}

#[test]
fn exchange_mapi_submission_with_zone_index() {
    check(
        "from DB9PR03MB5678.eurprd03.prod.outlook.com ([fe80::1234:5678:9abc:def0%11]) by \
         DB9PR03MB5678.eurprd03.prod.outlook.com ([fe80::1234:5678:9abc:def0%5]) with mapi id \
         15.20.7135.010; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("fe80::1234:5678:9abc:def0"),
            with: Some("mapi"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn exchange_onpremises_without_and_with_tls() {
    check(
        "from EXCH01.corp.example.com (10.0.0.11) by EXCH02.corp.example.com (10.0.0.12) with \
         Microsoft SMTP Server id 15.1.2507.6; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("10.0.0.11"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
    check(
        "from EXCH01.corp.example.com (10.0.0.11) by EXCH02.corp.example.com (10.0.0.12) with \
         Microsoft SMTP Server (TLS) id 15.0.1497.2; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
}

#[test]
fn exchange_mailbox_transport() {
    check(
        "from EXCH02.corp.example.com (10.0.0.12) by EXCH01.corp.example.com (10.0.0.11) with \
         Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id \
         15.1.2507.6 via Mailbox Transport; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            tls_version: Some("TLS 1.2"),
            ..Expect::default()
        },
    );
}

#[test]
fn exchange_online_protection_outbound_to_postfix() {
    check(
        "from EUR05-AM6-obe.outbound.protection.outlook.com \
         (mail-am6eur05on2070.outbound.protection.outlook.com [40.107.22.70]) by mx.example.org \
         (Postfix) with ESMTPS id 4T; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            helo: Some("EUR05-AM6-obe.outbound.protection.outlook.com"),
            reverse_dns: Some("mail-am6eur05on2070.outbound.protection.outlook.com"),
            ip: Some("40.107.22.70"),
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
}

#[test]
fn gmail_inbound_smtps_with_trailing_root_dot() {
    check(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by \
         mx.google.com with SMTPS id a1sor1234567qtb.12.2024.01.01.10.00.00 for \
         <bob@gmail.com> (Google Transport Security); Mon, 01 Jan 2024 02:00:00 -0800 (PST)",
        Expect {
            reverse_dns: Some("mail-sor-f41.google.com"),
            ip: Some("209.85.220.41"),
            by: Some("mx.google.com"),
            with: Some("SMTPS"),
            recipient: Some("bob@gmail.com"),
            transport: Some(Transport::Encrypted),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
}

#[test]
fn gmail_internal_hop_by_bare_ipv6() {
    check(
        "by 2002:a05:6a10:a48c:b0:4f1:2345:6789 with SMTP id k12csp1234567pxv; Mon, 1 Jan 2024 \
         02:00:01 -0800 (PST)",
        Expect {
            by: Some("2002:a05:6a10:a48c:b0:4f1:2345:6789"),
            transport: Some(Transport::Internal),
            timestamp: Some(JAN1_10UTC + 1),
            ..Expect::default()
        },
    );
}

#[test]
fn gmail_esmtpsa_submission_literal_helo() {
    check(
        "from [192.168.1.2] ([203.0.113.40]) by smtp.gmail.com with ESMTPSA id \
         x1-20020a05600c0001b0040e1234567sm123456wmb.1.2024.01.01.02.00.00 for \
         <bob@example.org> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Mon, \
         01 Jan 2024 02:00:00 -0800 (PST)",
        Expect {
            helo: Some("[192.168.1.2]"),
            ip: Some("203.0.113.40"),
            tls_version: Some("TLS 1.3"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
}

#[test]
fn google_workspace_smtp_relay() {
    check(
        "from smtp-relay.gmail.com (smtp-relay.gmail.com. [209.85.220.15]) by mx.example.org \
         with ESMTPS id 5 (version=TLS1_2 cipher=ECDHE-ECDSA-AES128-GCM-SHA256 bits=128/128); \
         Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            tls_version: Some("TLS 1.2"),
            cipher: Some("ECDHE-ECDSA-AES128-GCM-SHA256"),
            ..Expect::default()
        },
    );
}

#[test]
fn amazon_ses_outbound_and_submission() {
    check(
        "from a8-30.smtp-out.amazonses.com (a8-30.smtp-out.amazonses.com [54.240.8.30]) by \
         mx.example.org (Postfix) with ESMTPS id 2; Mon, 1 Jan 2024 10:00:00 +0000",
        Expect {
            ip: Some("54.240.8.30"),
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
    check(
        "from ip-10-0-0-5.ec2.internal (ec2-203-0-113-60.compute-1.amazonaws.com \
         [203.0.113.60]) by email-smtp.amazonaws.com with SMTP (SimpleEmailService-d-ABCDEF123) \
         id Xa1b2c3 for bob@example.org; Mon, 01 Jan 2024 10:00:00 +0000 (UTC)",
        Expect {
            helo: Some("ip-10-0-0-5.ec2.internal"),
            ip: Some("203.0.113.60"),
            id: Some("Xa1b2c3"),
            transport: Some(Transport::Plaintext),
            ..Expect::default()
        },
    );
}

#[test]
fn amazon_ses_inbound() {
    check(
        "from mail.example.com (mail.example.com [192.0.2.10]) by \
         inbound-smtp.us-east-1.amazonaws.com with SMTP id abcdefghij0123456789 for \
         bob@example.org; Mon, 01 Jan 2024 10:00:00 +0000 (UTC)",
        Expect {
            by: Some("inbound-smtp.us-east-1.amazonaws.com"),
            recipient: Some("bob@example.org"),
            ..Expect::default()
        },
    );
}

#[test]
fn proofpoint_inbound_and_internal_filter() {
    check(
        "from mail.example.com (mail.example.com [192.0.2.10]) by mx0a-00123456.pphosted.com \
         (PPS) with ESMTPS id 3vabcd1234-1 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 \
         bits=256 verify=NOT) for <bob@example.org>; Mon, 01 Jan 2024 05:00:00 -0500",
        Expect {
            id: Some("3vabcd1234-1"),
            tls_version: Some("TLS 1.2"),
            timestamp: Some(JAN1_10UTC),
            ..Expect::default()
        },
    );
    check(
        "from pps.filterd (m0123456.ppops.net [127.0.0.1]) by mx0a-00123456.pphosted.com \
         (8.17.1.19/8.17.1.19) with SMTP id 40A9abcd012345; Mon, 1 Jan 2024 05:00:01 -0500",
        Expect {
            helo: Some("pps.filterd"),
            ip: Some("127.0.0.1"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}

#[test]
fn mimecast_repeated_with_clause() {
    check(
        "from mail.example.com (mail.example.com [192.0.2.10]) by relay.mimecast.com with ESMTP \
         with STARTTLS (version=TLSv1.2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id \
         us-mta-12-AbCdEfGhIjK-1; Mon, 01 Jan 2024 05:00:00 -0500",
        Expect {
            with: Some("ESMTP with STARTTLS"),
            tls_version: Some("TLS 1.2"),
            transport: Some(Transport::Encrypted),
            ..Expect::default()
        },
    );
}

#[test]
fn mimecast_starttls_and_auth() {
    check(
        "from client.example.org (client.example.org [203.0.113.70]) by relay.mimecast.com with \
         ESMTP with both STARTTLS and AUTH (version=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384) id \
         eu-smtp-1-abc; Mon, 01 Jan 2024 10:00:00 +0000",
        Expect {
            tls_version: Some("TLS 1.3"),
            transport: Some(Transport::AuthenticatedSubmission),
            ..Expect::default()
        },
    );
}

#[test]
fn zimbra_lmtp_with_lhlo() {
    check(
        "from mta.example.org (LHLO mta.example.org) (192.0.2.20) by mbox.example.org with LMTP; \
         Mon, 1 Jan 2024 05:00:02 -0500 (EST)",
        Expect {
            helo: Some("mta.example.org"),
            reverse_dns: Some("mta.example.org"),
            ip: Some("192.0.2.20"),
            transport: Some(Transport::Internal),
            timestamp: Some(JAN1_10UTC + 2),
            ..Expect::default()
        },
    );
}

#[test]
fn zimbra_amavis_loopback() {
    check(
        "from mta.example.org ([127.0.0.1]) by localhost (mta.example.org [127.0.0.1]) \
         (amavisd-new, port 10032) with ESMTP id AbCdEf12; Mon, 1 Jan 2024 05:00:01 -0500 (EST)",
        Expect {
            by: Some("localhost"),
            ip: Some("127.0.0.1"),
            transport: Some(Transport::Internal),
            ..Expect::default()
        },
    );
}
