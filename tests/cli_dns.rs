//! The CLI's DNS: offline zone files, `mailspect dns`, and `serve-dns` answered through the
//! CLI's own DoH client over loopback (no test reaches a real DNS server).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const ZONE: &str = "wasm-tests/fixtures/test.zone";

fn mailspect(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn lookup_json(name: &str, record_type: &str, dns: &str) -> Value {
    let (code, stdout, stderr) = mailspect(&["dns", name, record_type, "--dns", dns, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("--json prints JSON")
}

#[test]
fn resolves_against_a_zone_file() {
    let zone = format!("zone:{ZONE}");
    let mx = lookup_json("www.mailspect.test", "MX", &zone);
    assert_eq!(mx["cache"], "none");
    assert_eq!(
        mx["outcome"]["answer"]["cnames"][0]["data"]["target"],
        "mailspect.test"
    );
    assert_eq!(
        mx["outcome"]["answer"]["records"][0]["data"]["exchange"],
        "mx1.mailspect.test"
    );
    let missing = lookup_json("nope.mailspect.test", "A", &zone);
    assert_eq!(missing["outcome"]["error"]["kind"], "nxdomain");
}

#[test]
fn several_zone_files_are_merged() {
    let extra = std::env::temp_dir().join(format!("mailspect-extra-{}.zone", std::process::id()));
    std::fs::write(&extra, "$TTL 60\nother.example. A 198.51.100.1\n").expect("temp file");
    let (code, stdout, stderr) = mailspect(&[
        "dns",
        "other.example",
        "A",
        "--dns",
        &format!("zone:{ZONE}"),
        "--dns",
        &format!("zone:{}", extra.display()),
    ]);
    let _ = std::fs::remove_file(&extra);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("198.51.100.1"), "{stdout}");
}

#[test]
fn a_bad_zone_file_is_an_error_with_its_place() {
    let bad = std::env::temp_dir().join(format!("mailspect-bad-{}.zone", std::process::id()));
    std::fs::write(
        &bad,
        "$TTL 60\nok.example. A 192.0.2.1\nbad.example. A 192.0.2.300\n",
    )
    .expect("temp file");
    let (code, _, stderr) = mailspect(&[
        "dns",
        "ok.example",
        "A",
        "--dns",
        &format!("zone:{}", bad.display()),
    ]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(code, 2);
    assert!(stderr.contains("line 3, column 16"), "{stderr}");
}

#[test]
fn plain_http_is_refused_for_other_hosts() {
    let (code, _, stderr) =
        mailspect(&["dns", "x", "A", "--dns", "doh:http://192.0.2.1/dns-query"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[test]
fn the_message_report_lists_its_dns_lookups() {
    let message = std::env::temp_dir().join(format!("mailspect-msg-{}.eml", std::process::id()));
    std::fs::write(&message, "From: a@mailspect.test\r\n\r\nhi\r\n").expect("temp file");
    let (code, stdout, stderr) = mailspect(&[
        "message",
        &message.display().to_string(),
        "--dns",
        &format!("zone:{ZONE}"),
        "--json",
    ]);
    let _ = std::fs::remove_file(&message);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(report["dns"].is_array());
}

/// A `serve-dns` on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start() -> Self {
        Self::start_with(&[])
    }

    fn start_with(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailspect"))
            .args(["serve-dns", "--zone", ZONE, "--listen", "127.0.0.1:0"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve-dns starts");
        let mut line = String::new();
        let stderr = child.stderr.take().expect("piped");
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("serve-dns says where it listens");
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("the line names the address")
            .to_string();
        Server { child, address }
    }

    fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(&self.address).expect("the server listens");
        stream.write_all(request).expect("request sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response read");
        response
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_dns_answers_the_cli_doh_client() {
    let server = Server::start();
    let doh = format!("doh:http://{}/dns-query", server.address);
    let txt = lookup_json("mailspect.test", "TXT", &doh);
    assert_eq!(txt["cache"], "miss");
    assert_eq!(txt["requests"], 1);
    assert_eq!(
        txt["outcome"]["answer"]["records"][0]["data"]["strings"],
        serde_json::json!([
            "v=spf1 ip4:192.0.2.0/24 ",
            "include:_spf.mailspect.test -all"
        ])
    );
    let a = lookup_json("mx2.mailspect.test", "A", &doh);
    assert_eq!(
        a["outcome"]["answer"]["records"][0]["data"]["address"],
        "192.0.2.26"
    );
    let nodata = lookup_json("mailspect.test", "AAAA", &doh);
    assert_eq!(nodata["outcome"]["error"]["kind"], "nodata");
}

#[test]
fn serve_dns_speaks_post_cors_and_refuses_nonsense() {
    let server = Server::start();
    let query =
        mailspect::dns::wire::encode_query("mx1.mailspect.test", mailspect::dns::RecordType::A)
            .expect("valid name");
    let mut post = format!(
        "POST /dns-query HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\n\
         Content-Length: {}\r\n\r\n",
        query.len()
    )
    .into_bytes();
    post.extend_from_slice(&query);
    let response = server.raw(&post);
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("Access-Control-Allow-Origin: *"));
    let body_start = text.find("\r\n\r\n").expect("a head") + 4;
    let answer =
        mailspect::dns::wire::decode_message(response.get(body_start..).unwrap_or_default())
            .expect("a DNS message");
    assert_eq!(answer.answers.len(), 1);

    let preflight = server.raw(b"OPTIONS /dns-query HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(String::from_utf8_lossy(&preflight).starts_with("HTTP/1.1 204"));
    let wrong_type = server.raw(b"POST /dns-query HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert!(String::from_utf8_lossy(&wrong_type).starts_with("HTTP/1.1 415"));
    let too_big = server.raw(
        b"POST /dns-query HTTP/1.1\r\nContent-Type: application/dns-message\r\nContent-Length: 70000\r\n\r\n",
    );
    assert!(String::from_utf8_lossy(&too_big).starts_with("HTTP/1.1 413"));
    // Three zero bytes: not a query, but its ID can be read, so DNS itself says FORMERR.
    let short = server.raw(b"GET /dns-query?dns=AAAA HTTP/1.1\r\n\r\n");
    let head_end = short
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let formerr = mailspect::dns::wire::decode_message(short.get(head_end..).unwrap_or_default())
        .expect("a DNS message");
    assert_eq!(formerr.rcode, mailspect::dns::wire::rcode::FORMAT_ERROR);
    let garbage = server.raw(b"GET /dns-query?dns=!! HTTP/1.1\r\n\r\n");
    assert!(String::from_utf8_lossy(&garbage).starts_with("HTTP/1.1 400"));
    let elsewhere = server.raw(b"GET /other HTTP/1.1\r\n\r\n");
    assert!(String::from_utf8_lossy(&elsewhere).starts_with("HTTP/1.1 404"));
}

/// `--delay-ms` is what page benchmarks use to stand for a slow network: the answer must really
/// wait (a lower bound on a sleep, not a speed claim).
#[test]
fn serve_dns_delays_answers_when_asked() {
    let server = Server::start_with(&["--delay-ms", "300"]);
    let doh = format!("doh:http://{}/dns-query", server.address);
    let trace = lookup_json("mailspect.test", "A", &doh);
    assert!(trace["outcome"]["answer"].is_object());
    let duration = trace["duration_ms"]
        .as_f64()
        .expect("DoH lookups are timed");
    assert!(duration >= 300.0, "answered after {duration} ms");
}
