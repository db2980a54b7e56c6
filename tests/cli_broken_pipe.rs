//! Regression tests for `mailspect spf … | head`, which panicked with "failed printing to stdout:
//! Broken pipe": a reader that closes its end of the pipe must end the CLI quietly (exit code 0,
//! nothing on stderr), as it ends ripgrep or any C program. They exist because std's `println!`
//! panics on that error; the CLI writes everything through one function (`emit` in
//! src/cli/output.rs) that treats it as the end of the output: a print that slips past it shows
//! up here.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

const ZONE: &str = concat!(
    "zone:",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dns/spf.zone"
);

/// Runs the CLI with standard output a pipe whose reader is already closed: its first write
/// fails with EPIPE, whatever the size of the output, so nothing depends on timing.
fn run_with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .args(["--dns", ZONE])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs")
}

fn assert_quiet_exit(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(
        stderr.is_empty(),
        "{what}: a closed pipe is not an error: {stderr}"
    );
    assert_eq!(output.status.code(), Some(0), "{what}: {output:?}");
}

/// The report of the bug: `mailspect spf` with its human-readable trace.
#[test]
fn spf_check_into_a_closed_pipe_exits_quietly() {
    let check = [
        "spf",
        "--ip",
        "192.0.2.1",
        "--mail-from",
        "alice@example.org",
        "--helo",
        "mail.example.org",
    ];
    assert_quiet_exit(&run_with_closed_stdout(&check), "spf check");
    assert_quiet_exit(
        &run_with_closed_stdout(&["spf", "example.org"]),
        "spf audit",
    );
    assert_quiet_exit(
        &run_with_closed_stdout(&["dns", "example.org", "TXT"]),
        "dns lookup",
    );
    let mut json = check.to_vec();
    json.push("--json");
    assert_quiet_exit(&run_with_closed_stdout(&json), "spf --json");
}

/// As `| head -n 1` does it: read the first line of a long report, then close the pipe while the
/// CLI is still writing (the report is several times the 64 KiB a Linux pipe buffers).
#[test]
fn long_report_cut_short_by_the_reader_exits_quietly() {
    let mut message = String::from("From: a@example.org\nSubject: long\n");
    for index in 0..5_000 {
        message.push_str(&format!("X-Filler-{index}: {}\n", "x".repeat(60)));
    }
    for json in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mailspect"));
        command.args(["message", "-", "--dns", ZONE]);
        if json {
            command.arg("--json");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(message.as_bytes())
            .expect("writing stdin");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut first = [0u8; 64];
        let read = stdout.read(&mut first).expect("the report starts");
        assert!(read > 0, "json={json}: no output at all");
        drop(stdout);
        let output = child.wait_with_output().expect("the binary ends");
        assert_quiet_exit(&output, &format!("message, json={json}"));
    }
}
