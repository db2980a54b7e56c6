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

/// The lookups an analysis joins must be in flight together: the server answers nobody until
/// two requests are open at once (or, after 5 s, answers 503 so that a serial client fails
/// instead of hanging). With the blocking client run on the caller's thread, each lookup
/// waited for the one before and a message took one round trip per lookup.
#[test]
fn joined_lookups_are_in_flight_together() {
    use std::sync::{Arc, Condvar, Mutex};
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("bound");
    let open = Arc::new((Mutex::new(0usize), Condvar::new()));
    let server = thread::spawn(move || {
        let mut handlers = Vec::new();
        for _ in 0..2 {
            let Ok((mut stream, _)) = listener.accept() else {
                break;
            };
            let open = Arc::clone(&open);
            handlers.push(thread::spawn(move || {
                let mut request = [0u8; 2048];
                let _ = stream.read(&mut request);
                let (count, wake) = &*open;
                let mut count = count.lock().expect("lock");
                *count += 1;
                wake.notify_all();
                let (count, timeout) = wake
                    .wait_timeout_while(count, std::time::Duration::from_secs(5), |count| {
                        *count < 2
                    })
                    .expect("lock");
                let status = if timeout.timed_out() && *count < 2 {
                    "503 Serial"
                } else {
                    "200 OK"
                };
                drop(count);
                let body = b"concurrent";
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/dns-message\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body);
            }));
        }
        for handler in handlers {
            let _ = handler.join();
        }
    });
    let transport = UreqTransport::new();
    let url = format!("http://{address}/dns-query?dns=AAAA");
    let (first, second) = pollster::block_on(futures_util::future::join(
        transport.get(&url, 10_000),
        transport.get(&url, 10_000),
    ));
    assert_eq!(first.as_deref(), Ok(&b"concurrent"[..]));
    assert_eq!(second.as_deref(), Ok(&b"concurrent"[..]));
    let _ = server.join();
}
