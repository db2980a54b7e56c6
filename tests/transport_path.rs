#![cfg(not(target_arch = "wasm32"))]
//! The transport path through the public API: the JSON shape scripts read, the envelope chosen
//! from the border hop, and hostile input ending in bounded time with a finding.

use mailspect::dns::MemoryResolver;
use mailspect::envelope::EnvelopeSource;
use mailspect::{analyze_message, EnvelopeOverride, MessageReport, Options};

const MESSAGE: &str = "Received: by 10.0.0.5 with LMTP id x1; Mon, 1 Jan 2024 10:00:09 +0000\r\n\
Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=alice@example.com\r\n\
Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n\
\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\
\tby mx.example.org (Postfix) with ESMTPS id 4Q1X\r\n\
\tfor <bob@example.org>; Mon, 1 Jan 2024 09:59:58 +0000 (UTC)\r\n\
Received: from laptop (dsl.example.net [203.0.113.5])\r\n\
\tby mail.example.com (Postfix) with ESMTPSA id 77; Mon, 1 Jan 2024 10:00:01 +0000\r\n\
Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=forged.example\r\n\
Return-Path: <alice@example.com>\r\n\
From: alice@example.com\r\n\
Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\
Message-ID: <1@example.com>\r\n";

fn analyze(input: &[u8], envelope: EnvelopeOverride) -> MessageReport {
    let options = Options {
        envelope,
        now: 1_704_103_200,
        include_canonicalized: false,
        trusted_arc_sealers: Vec::new(),
        e2e: Default::default(),
    };
    pollster::block_on(analyze_message(input, &options, &MemoryResolver::new())).expect("a message")
}

#[test]
fn json_has_hops_oldest_first_with_delays_and_the_chosen_envelope() {
    let report = analyze(MESSAGE.as_bytes(), EnvelopeOverride::default());
    let json = serde_json::to_value(&report).expect("serialisable");
    let hops = json["hops"].as_array().expect("hops");
    assert_eq!(hops.len(), 3);
    assert_eq!(hops[0]["from"], "laptop");
    assert_eq!(hops[0]["ip"], "203.0.113.5");
    assert_eq!(hops[0]["transport"], "authenticated-submission");
    assert_eq!(hops[1]["by"], "mx.example.org");
    assert_eq!(hops[1]["with"], "ESMTPS");
    assert_eq!(hops[1]["tls"]["version"], "TLS 1.3");
    assert_eq!(hops[1]["timestamp"], 1_704_103_198);
    // 09:59:58 after 10:00:01: three seconds of clock skew, not a day.
    assert_eq!(hops[1]["delay_seconds"], -3);
    assert_eq!(hops[1]["clock_skew"], true);
    assert_eq!(hops[1]["border"], true);
    assert_eq!(hops[2]["delay_seconds"], 11);
    assert_eq!(json["transit"]["total_seconds"], 8);
    assert_eq!(json["transit"]["border"]["hop"], 2);
    assert_eq!(json["envelope"]["source"], "received");
    assert_eq!(json["envelope"]["ip"], "192.0.2.10");
    assert_eq!(json["envelope"]["helo"], "mail.example.com");
    assert_eq!(json["envelope"]["mail_from"], "alice@example.com");
    let trust: Vec<&str> = json["authentication_results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|results| results["trust"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(trust, ["trusted", "untrusted"]);
    let finding = &json["findings"][0];
    for key in ["severity", "code", "message"] {
        assert!(finding.get(key).is_some(), "{finding}");
    }
}

#[test]
fn the_users_envelope_overrides_the_border_hop_part_by_part() {
    let report = analyze(
        MESSAGE.as_bytes(),
        EnvelopeOverride {
            ip: Some("198.51.100.1".parse().expect("IP")),
            helo: None,
            mail_from: None,
        },
    );
    assert_eq!(report.envelope.source, EnvelopeSource::Override);
    assert_eq!(
        report.envelope.ip,
        Some("198.51.100.1".parse().expect("IP"))
    );
    assert_eq!(report.envelope.helo.as_deref(), Some("mail.example.com"));
}

fn codes(report: &MessageReport) -> Vec<&'static str> {
    report.findings.iter().map(|finding| finding.code).collect()
}

#[test]
fn ten_thousand_received_lines_are_capped_with_a_finding() {
    let mut input = String::new();
    for index in 0..10_000 {
        input.push_str(&format!(
            "Received: from h{index}.example (h{index}.example [192.0.2.{}]) by r{index}.example \
             with ESMTP id {index}; Mon, 1 Jan 2024 10:00:00 +0000\r\n",
            index % 250
        ));
    }
    input.push_str("From: a@example.com\r\n");
    let report = analyze(input.as_bytes(), EnvelopeOverride::default());
    assert_eq!(report.hops.len(), mailspect::received::MAX_HOPS);
    assert_eq!(report.transit.received_fields, 10_000);
    assert!(codes(&report).contains(&"received.too-many"));
}

#[test]
fn five_megabyte_header_field_is_read_in_part_with_a_finding() {
    let mut input = String::from("Received: from a.example (a.example [192.0.2.1]) by b.example");
    while input.len() < 5 * 1024 * 1024 {
        input.push_str(" (comment comment comment comment)\r\n\t");
    }
    input.push_str("; Mon, 1 Jan 2024 10:00:00 +0000\r\nAuthentication-Results: x; spf=pass");
    for _ in 0..200_000 {
        input.push_str(" a=b");
    }
    input.push_str("\r\nFrom: a@example.com\r\n");
    let report = analyze(input.as_bytes(), EnvelopeOverride::default());
    assert_eq!(report.hops.len(), 1);
    assert!(
        codes(&report).contains(&"received.unread-part"),
        "{:?}",
        codes(&report)
    );
    assert!(codes(&report).contains(&"auth-results.nonstandard"));
}

#[test]
fn binary_and_garbage_end_in_errors_or_findings_never_panics() {
    let binary = b"Received: \x00\x01\x02 from\r\n";
    let options = Options::default();
    let outcome = pollster::block_on(analyze_message(binary, &options, &MemoryResolver::new()));
    assert!(outcome.is_err());
    // Deterministic pseudo-random bytes, with line ends and colons sprinkled in.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut garbage = b"Received: ".to_vec();
    for _ in 0..200_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        garbage.push(match state % 16 {
            0 => b'\n',
            1 => b':',
            2 => b'(',
            3 => b';',
            _ => (state >> 8) as u8 | 1,
        });
    }
    let _ = pollster::block_on(analyze_message(&garbage, &options, &MemoryResolver::new()));
}
