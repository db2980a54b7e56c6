//! The RFC 7208 suite over DNS-over-HTTPS, against a server that is not mailspect's.
//!
//! Every case runs as `mailspect spf --json --dns doh:http://127.0.0.1:PORT/…`, so through
//! `DohResolver` with the CLI's own transport (ureq), and the answers come from
//! tests/support/spf_doh_responder.py: dnspython builds the DNS messages and the zone semantics
//! are written there, so a name mailspect encodes, escapes or compares wrongly cannot be hidden
//! by mailspect's own decoder or `serve-dns` making the same mistake on the other side.
//!
//! It exists because the suite passed from zone files (tests/spf_conformance.rs) while over DoH
//! `macro-mania-in-domain`, whose name holds spaces and `%`, failed with "the response does not
//! answer the question asked". Needs python3 with dnspython and PyYAML (scripts/setup.sh
//! installs them); without them it fails and says so. Run with `-- --nocapture` for the tally.

#[path = "support/spf_suite.rs"]
#[allow(dead_code)]
mod spf_suite;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};

use mailspect::dns::{wire, RecordType};
use mailspect::spf::SpfResult;
use serde_json::Value;
use spf_suite::{judge, scenarios, suite_path, Case, Tally, Verdict};

const SUITE: &str = "rfc7208-tests.yml";

/// The responder, on a free loopback port; killed when dropped.
struct Responder {
    child: Child,
    /// Held open: the responder ends when its standard input closes, should the test die
    /// without dropping this.
    _stdin: ChildStdin,
    port: u16,
    /// The scenario descriptions in the responder's order, to check it numbers them as we do.
    scenarios: Vec<String>,
}

impl Responder {
    fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/spf_doh_responder.py"
        );
        let stderr_path = std::env::temp_dir().join(format!(
            "mailspect-doh-responder-{}.log",
            std::process::id()
        ));
        let stderr = std::fs::File::create(&stderr_path).expect("a log file for the responder");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(suite_path(SUITE))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|error| {
                panic!("this test needs python3 (with dnspython and PyYAML; scripts/setup.sh installs them): {error}")
            });
        let stdin = child.stdin.take().expect("stdin is piped");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("reading the responder's first line");
        let started: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
            let _ = child.wait();
            let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            panic!("the DoH responder did not start:\n{log}")
        });
        let _ = std::fs::remove_file(&stderr_path);
        let port = started["port"]
            .as_u64()
            .and_then(|port| u16::try_from(port).ok())
            .expect("the responder prints its port");
        let scenarios = started["scenarios"]
            .as_array()
            .expect("and its scenarios")
            .iter()
            .map(|description| description.as_str().unwrap_or_default().to_string())
            .collect();
        Responder {
            child,
            _stdin: stdin,
            port,
            scenarios,
        }
    }

    fn endpoint(&self, scenario: usize) -> String {
        format!(
            "http://127.0.0.1:{}/scenario/{scenario}/dns-query",
            self.port
        )
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One case through the CLI: its verdict, or why there is none.
fn run_case(endpoint: &str, case: &Case) -> Result<Verdict, String> {
    // `--flag=value`, so that values starting with `-` or empty ones stay values.
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .arg("spf")
        .arg(format!("--ip={}", case.host))
        .arg(format!("--mail-from={}", case.mailfrom))
        .arg(format!("--helo={}", case.helo))
        .arg("--json")
        .arg(format!("--dns=doh:{endpoint}"))
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() != Some(0) {
        return Err(format!("exit {:?}: {stderr}", output.status.code()));
    }
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("stdout is not JSON ({error}); stderr: {stderr}"))?;
    let word = report["result"].as_str().unwrap_or_default();
    Ok(Verdict {
        result: SpfResult::from_word(word).ok_or_else(|| format!("result {word:?}"))?,
        reason: report["reason"].as_str().unwrap_or_default().to_string(),
        explanation: report["explanation"].as_str().map(str::to_string),
        default_explanation: report["explanation_source"] == "default",
    })
}

#[test]
fn rfc7208_suite_passes_completely_over_doh_from_an_independent_server() {
    let responder = Responder::start();
    let scenarios = scenarios(SUITE);
    let descriptions: Vec<&str> = scenarios
        .iter()
        .map(|scenario| scenario.description.as_str())
        .collect();
    assert_eq!(
        responder.scenarios, descriptions,
        "the responder must number the scenarios as this test does"
    );
    let mut tally = Tally::default();
    for (index, scenario) in scenarios.iter().enumerate() {
        let endpoint = responder.endpoint(index);
        for (name, case) in &scenario.tests {
            let outcome = match run_case(&endpoint, case) {
                Ok(verdict) => judge(name, case, &verdict),
                Err(why) => Some(why),
            };
            tally.record(scenario, name, outcome);
        }
    }
    tally.print(&format!("{SUITE} over DoH"));
    assert!(
        tally.failures.is_empty(),
        "{} RFC 7208 tests failed over DoH: {:#?}",
        tally.failures.len(),
        tally.failures
    );
    assert_eq!(tally.passed, 203, "the suite has 203 tests");
}

/// mailspect's resolver asks by GET; the responder must also speak RFC 8484 POST, as a DoH
/// server does, or it would be a weaker stand-in for one. Raw HTTP, so that no client eases it.
#[test]
fn the_responder_answers_post_and_get_as_rfc_8484_says() {
    let responder = Responder::start();
    let scenario = responder
        .scenarios
        .iter()
        .position(|description| description == "Macro expansion rules")
        .expect("the suite has the macro scenario");
    let path = format!("/scenario/{scenario}/dns-query");
    let query = wire::encode_query(
        "macro%percent  space%20url-space.example.com",
        RecordType::A,
    )
    .expect("a valid name");
    let exchange = |head: String, body: &[u8]| -> wire::Message {
        let mut stream =
            TcpStream::connect(("127.0.0.1", responder.port)).expect("the responder listens");
        stream.write_all(head.as_bytes()).expect("request head");
        stream.write_all(body).expect("request body");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response");
        let text = String::from_utf8_lossy(&response);
        assert!(
            text.starts_with("HTTP/1.0 200") || text.starts_with("HTTP/1.1 200"),
            "{text}"
        );
        assert!(text.contains("application/dns-message"), "{text}");
        let start = response
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .expect("a head")
            + 4;
        wire::decode_message(response.get(start..).unwrap_or_default()).expect("a DNS message")
    };
    let post = exchange(
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/dns-message\r\n\
             Accept: application/dns-message\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            query.len()
        ),
        &query,
    );
    let url = mailspect::dns::doh::request_url(&path, &query);
    let get = exchange(
        format!("GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        b"",
    );
    for answer in [post, get] {
        assert_eq!(answer.rcode, wire::rcode::NO_ERROR);
        assert_eq!(answer.answers.len(), 1, "{answer:?}");
    }
}
