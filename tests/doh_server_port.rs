//! Regression tests for the DoH server of the browser tests, which scripts/test.sh started on
//! the fixed port 8053 and then used even when another program already listened there (its
//! check only tried to connect). Now `serve-dns --listen 127.0.0.1:0` takes a free port and says
//! which, and `start_doh_server` in scripts/setup.sh (used by test.sh and serve.sh) reads that
//! address, or fails with serve-dns's own error when the port asked for is taken.
//!
//! No test here binds 8053 itself: other builds on the same machine may be using it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};

use base64::Engine;
use mailspect::dns::{wire, RecordType};

const ZONE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wasm-tests/fixtures/test.zone");

/// GETs an A query for `mailspect.test` from a DoH endpoint `http://ADDRESS/dns-query`; the
/// HTTP status line and the decoded answer.
fn ask(address: &str) -> (String, wire::Message) {
    let query = wire::encode_query("mailspect.test", RecordType::A).expect("a valid name");
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(query);
    let mut stream = TcpStream::connect(address).expect("the server listens where it says");
    write!(
        stream,
        "GET /dns-query?dns={encoded} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response read");
    let head_end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("an HTTP head")
        + 4;
    let status = String::from_utf8_lossy(response.get(..head_end).unwrap_or_default())
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let answer =
        wire::decode_message(response.get(head_end..).unwrap_or_default()).expect("a DNS message");
    (status, answer)
}

#[test]
fn serve_dns_on_port_0_reports_the_port_it_bound() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(["serve-dns", "--zone", ZONE, "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve-dns starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr is piped"))
        .read_line(&mut line)
        .expect("serve-dns says where it listens");
    let address = line
        .trim_end()
        .strip_prefix("mailspect: answering DNS-over-HTTPS from ")
        .and_then(|rest| rest.split_once(" at http://"))
        .and_then(|(_, url)| url.strip_suffix("/dns-query"))
        .unwrap_or_else(|| panic!("the line names the endpoint: {line:?}"))
        .to_string();
    let bound: SocketAddr = address.parse().expect("an address and a port");
    assert_ne!(
        bound.port(),
        0,
        "the port really bound, not the one asked for"
    );
    let (status, answer) = ask(&address);
    let _ = child.kill();
    let _ = child.wait();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert_eq!(answer.answers.len(), 1, "{answer:?}");
}

#[test]
fn serve_dns_on_a_taken_port_fails_with_one_clear_line() {
    let holder = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let taken = holder.local_addr().expect("bound");
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(["serve-dns", "--zone", ZONE, "--listen", &taken.to_string()])
        .output()
        .expect("serve-dns runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {taken}")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Runs `start_doh_server` of scripts/setup.sh with `--listen LISTEN` and prints DOH_URL: what
/// test.sh and serve.sh do. Returns (exit code, stdout, stderr).
fn start_doh_server(listen: &str) -> (Option<i32>, String, String) {
    let script = r#"
        source "$1/scripts/setup.sh"
        if start_doh_server "$2" --zone "$3" --listen "$4"; then
            echo "$DOH_URL"
            kill "$DOH_PID"
        else
            exit 3
        fi
    "#;
    let output = Command::new("bash")
        .args(["-c", script, "bash"])
        .args([
            env!("CARGO_MANIFEST_DIR"),
            env!("CARGO_BIN_EXE_mailspect"),
            ZONE,
            listen,
        ])
        .output()
        .expect("bash runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_scripts_take_a_free_port_and_refuse_a_taken_one() {
    let holder = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let taken = holder.local_addr().expect("bound");

    // test.sh: port 0, so whatever else listens, the server gets a port of its own.
    let (code, stdout, stderr) = start_doh_server("127.0.0.1:0");
    assert_eq!(code, Some(0), "{stderr}");
    let url = stdout.trim();
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.strip_suffix("/dns-query"))
        .unwrap_or_else(|| panic!("DOH_URL is the endpoint: {url:?}"));
    let bound: SocketAddr = address.parse().expect("an address and a port");
    assert_ne!(bound.port(), 0);
    assert_ne!(bound, taken);

    // serve.sh: a port asked for by number, already held by another program: a clear failure,
    // not a server that seems to start.
    let (code, stdout, stderr) = start_doh_server(&taken.to_string());
    assert_eq!(
        code,
        Some(3),
        "start_doh_server must fail: {stdout} {stderr}"
    );
    assert!(
        stderr.contains(&format!("cannot listen on {taken}")),
        "{stderr}"
    );
    drop(holder);
}
