//! Unit tests of the CLI's DoH transport against sockets on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use mailspect::dns::doh::DohTransport;
use mailspect::dns::DnsError;

use super::resolve::UreqTransport;

/// A server that accepts and then says nothing must become `Timeout`, not a hang or a vague
/// transport error: SPF and DMARC report it as a temporary error.
#[test]
fn a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("bound");
    let holder = thread::spawn(move || {
        // Hold the connection open without answering until the client gives up.
        if let Ok((mut stream, _)) = listener.accept() {
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink), Ok(read) if read > 0) {}
        }
    });
    let result = pollster::block_on(
        UreqTransport::new().get(&format!("http://{address}/dns-query?dns=AAAA"), 200),
    );
    assert_eq!(result, Err(DnsError::Timeout));
    let _ = holder.join();
}

/// An answer over 65,535 bytes cannot be a DNS message.
#[test]
fn an_oversized_answer_is_too_large() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("bound");
    let server = thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let body = vec![0u8; 70_000];
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/dns-message\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    let result = pollster::block_on(
        UreqTransport::new().get(&format!("http://{address}/dns-query?dns=AAAA"), 5_000),
    );
    assert_eq!(result, Err(DnsError::TooLarge));
    let _ = server.join();
}
