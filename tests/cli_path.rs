#![cfg(not(target_arch = "wasm32"))]
//! The `mailspect message` command on files: an Outlook .msg the test builds, and text headers,
//! in human and JSON output.

use std::io::Write;
use std::process::Command;

const HEADERS: &str = "Received: from mail.example.com (mail.example.com [192.0.2.10]) by \
    mx.example.org (Postfix) with ESMTPS id 4Q (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384); \
    Mon, 1 Jan 2024 10:00:00 +0000\r\n\
    Received: from laptop ([203.0.113.5]) by mail.example.com with ESMTP id 77; \
    Mon, 1 Jan 2024 09:59:50 +0000\r\n\
    X-Spam-Status: No, score=-0.1 required=5.0 tests=DKIM_SIGNED autolearn=ham version=3.4.6\r\n\
    From: alice@example.com\r\nDate: Mon, 1 Jan 2024 09:59:00 +0000\r\nMessage-ID: <1@example.com>\r\n";

fn temporary(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("mailspect-{}-{name}", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("temporary file");
    file.write_all(bytes).expect("write");
    path
}

/// Answers come from a zone file: tests never ask a real resolver.
const ZONE: &str = concat!(
    "zone:",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dns/spf.zone"
);

fn run(arguments: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(arguments)
        .args(["--dns", ZONE])
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn human_output_has_the_hop_table_and_envelope() {
    let path = temporary("headers.txt", HEADERS.as_bytes());
    let (ok, stdout) = run(&[
        "message",
        path.to_str().expect("path"),
        "--now",
        "1704103200",
    ]);
    std::fs::remove_file(&path).ok();
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("Path (2 hops, oldest first, 10 s in total)"),
        "{stdout}"
    );
    assert!(stdout.contains("Envelope (from received)"), "{stdout}");
    assert!(stdout.contains("TLS 1.2"), "{stdout}");
    assert!(stdout.contains("← border"), "{stdout}");
    assert!(stdout.contains("SpamAssassin: No, score -0.1"), "{stdout}");
}

#[test]
fn outlook_msg_file_is_read_and_flags_override_the_envelope() {
    let mut file =
        cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("in-memory file");
    let utf16: Vec<u8> = HEADERS.encode_utf16().flat_map(u16::to_le_bytes).collect();
    file.create_stream("/__substg1.0_007D001F")
        .and_then(|mut stream| stream.write_all(&utf16))
        .expect("stream");
    file.flush().expect("flush");
    let path = temporary("message.msg", &file.into_inner().into_inner());
    let (ok, stdout) = run(&[
        "message",
        path.to_str().expect("path"),
        "--json",
        "--helo",
        "override.example",
    ]);
    std::fs::remove_file(&path).ok();
    assert!(ok, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["hops"][1]["ip"], "192.0.2.10");
    assert_eq!(json["envelope"]["source"], "override");
    assert_eq!(json["envelope"]["helo"], "override.example");
    assert_eq!(json["envelope"]["ip"], "192.0.2.10");
    assert_eq!(
        json["findings"]
            .as_array()
            .map(|f| f.iter().any(|f| f["code"] == "intake.outlook-msg")),
        Some(true)
    );
}
