//! `mailspect serve-dns`: a local DNS-over-HTTPS endpoint (RFC 8484) answering from zone files.
//!
//! The page resolves through it to preview a draft zone before it is published, and the browser
//! tests resolve through it instead of the Internet. Plain HTTP/1.1 on std sockets, one thread
//! per connection, one request per connection: a preview server sees a handful of requests, and
//! an HTTP framework would be most of the binary's size for it. Every read is bounded in size
//! and time, because a listening socket takes input from anyone who can reach it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use base64::Engine;
use mailspect::dns::{serve, wire, MemoryResolver};

use super::args::ServeDnsArgs;
use super::resolve::load_zones;
use super::CliError;

/// The request line and headers together may take this many bytes.
const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 64;
/// A client that sends nothing for this long is dropped.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// A whole request must arrive within this, however it trickles in.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
const PATH: &str = "/dns-query";

pub fn run(args: &ServeDnsArgs) -> Result<(), CliError> {
    let paths: Vec<&Path> = args.zones.iter().map(|path| path.as_path()).collect();
    let zone = Arc::new(load_zones(&paths)?);
    let listener = TcpListener::bind(args.listen)
        .map_err(|error| CliError(format!("cannot listen on {}: {error}", args.listen)))?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        eprintln!("mailspect: warning: {address} is not a loopback address: anyone who can reach it can read these zones");
    }
    eprintln!(
        "mailspect: answering DNS-over-HTTPS from {} record(s) at http://{address}{PATH}",
        zone.records().count()
    );
    let delay = Duration::from_millis(args.delay_ms);
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = write_response(&mut stream, 503, "Service Unavailable", &[], b"busy\n");
            continue;
        }
        let zone = Arc::clone(&zone);
        let active = Arc::clone(&active);
        thread::spawn(move || {
            // A failed connection concerns only its client; the server goes on.
            let _ = serve_connection(stream, &zone, delay);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// An HTTP outcome: status, reason, extra headers, body.
struct Reply {
    status: u16,
    reason: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn error(status: u16, reason: &'static str, why: &str) -> Self {
        Reply {
            status,
            reason,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: format!("{why}\n").into_bytes(),
        }
    }
}

fn serve_connection(
    mut stream: TcpStream,
    zone: &MemoryResolver,
    delay: Duration,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let reply = match read_request(&mut stream) {
        Ok(request) => {
            let reply = handle(zone, &request);
            if reply.status == 200 && !delay.is_zero() {
                thread::sleep(delay);
            }
            reply
        }
        Err(reply) => reply,
    };
    let headers: Vec<(&str, String)> = reply.headers;
    write_response(
        &mut stream,
        reply.status,
        reply.reason,
        &headers,
        &reply.body,
    )
}

struct Request {
    method: String,
    target: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Reads `request-line *(header-field CRLF) CRLF [message-body]` (RFC 9112 §2.1), bounded.
fn read_request(stream: &mut TcpStream) -> Result<Request, Reply> {
    let bad = |why: &str| Reply::error(400, "Bad Request", why);
    let started = std::time::Instant::now();
    let too_slow = || Reply::error(408, "Request Timeout", "the request took too long");
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            return Err(Reply::error(
                431,
                "Request Header Fields Too Large",
                "the request head is too large",
            ));
        }
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(too_slow());
        }
        let read = stream
            .read(&mut chunk)
            .map_err(|_| bad("the request could not be read in time"))?;
        if read == 0 {
            return Err(bad("the connection closed mid-request"));
        }
        buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
    };
    let head = std::str::from_utf8(buffer.get(..head_end).unwrap_or_default())
        .map_err(|_| bad("the request head is not text"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not METHOD TARGET VERSION"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Reply::error(
            505,
            "HTTP Version Not Supported",
            "only HTTP/1.x",
        ));
    }
    let mut content_length = 0usize;
    let mut content_type = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("a header line has no colon"));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value
                .parse()
                .map_err(|_| bad("Content-Length is not a number"))?;
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_ascii_lowercase());
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Reply::error(
                411,
                "Length Required",
                "send the body with Content-Length",
            ));
        }
    }
    if content_length > wire::MAX_MESSAGE {
        return Err(Reply::error(
            413,
            "Content Too Large",
            "a DNS message is at most 65535 bytes",
        ));
    }
    let mut body = buffer.get(head_end + 4..).unwrap_or_default().to_vec();
    body.truncate(content_length);
    while body.len() < content_length {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(too_slow());
        }
        let read = stream
            .read(&mut chunk)
            .map_err(|_| bad("the body could not be read in time"))?;
        if read == 0 {
            return Err(bad("the connection closed mid-body"));
        }
        body.extend_from_slice(chunk.get(..read).unwrap_or_default());
        body.truncate(content_length);
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        content_type,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Routes a request: RFC 8484 §4.1 GET `?dns=` and POST `application/dns-message`, and the CORS
/// preflight a browser sends before a POST.
fn handle(zone: &MemoryResolver, request: &Request) -> Reply {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    if path != PATH {
        return Reply::error(404, "Not Found", &format!("the endpoint is {PATH}"));
    }
    let message = match request.method.as_str() {
        "OPTIONS" => {
            return Reply {
                status: 204,
                reason: "No Content",
                headers: vec![
                    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS".into()),
                    (
                        "Access-Control-Allow-Headers",
                        "Content-Type, Accept".into(),
                    ),
                    // Chrome's Private Network Access: a public page may call this local server
                    // only if the preflight answer allows it.
                    ("Access-Control-Allow-Private-Network", "true".into()),
                    ("Access-Control-Max-Age", "86400".into()),
                ],
                body: Vec::new(),
            };
        }
        "GET" => {
            let Some(encoded) = query
                .split('&')
                .find_map(|parameter| parameter.strip_prefix("dns="))
            else {
                return Reply::error(400, "Bad Request", "the dns= parameter is missing");
            };
            // RFC 8484 §6: base64url without padding; tolerate padding anyway.
            match base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
            {
                Ok(message) => message,
                Err(_) => {
                    return Reply::error(400, "Bad Request", "dns= is not base64url");
                }
            }
        }
        "POST" => {
            if request.content_type.as_deref() != Some("application/dns-message") {
                return Reply::error(
                    415,
                    "Unsupported Media Type",
                    "POST a body of type application/dns-message",
                );
            }
            request.body.clone()
        }
        _ => {
            let mut reply = Reply::error(405, "Method Not Allowed", "GET, POST or OPTIONS");
            reply.headers.push(("Allow", "GET, POST, OPTIONS".into()));
            return reply;
        }
    };
    match serve::respond(zone, &message) {
        Ok(answer) => Reply {
            status: 200,
            reason: "OK",
            headers: vec![
                ("Content-Type", "application/dns-message".into()),
                // The zone can change between runs; the resolvers cache by TTL themselves.
                ("Cache-Control", "no-store".into()),
            ],
            body: answer,
        },
        Err(error) => Reply::error(400, "Bad Request", &format!("not a DNS query: {error}")),
    }
}

fn write_response(
    stream: &mut TcpStream,
    status: u16,
    reason: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\
         Access-Control-Allow-Origin: *\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}
