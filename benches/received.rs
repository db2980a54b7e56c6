//! How long the transport-path analysis takes: one Received line, a typical message, and the
//! hostile 10,000-Received-line message (analysis is capped at `received::MAX_HOPS` hops).
//! Run with `cargo bench --bench received`.

use criterion::{criterion_group, criterion_main, Criterion};
use mailspect::dns::MemoryResolver;
use mailspect::received::parse_received;
use mailspect::{analyze_message, Options};

const POSTFIX: &str = "from mail.example.com (mail.example.com [192.0.2.10]) (using TLSv1.3 \
    with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.org (Postfix) with ESMTPS \
    id 4Q1Xyz3kQbz9sWL for <alice@example.org>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)";

fn many_received(count: usize) -> Vec<u8> {
    let mut input = String::new();
    for index in 0..count {
        input.push_str(&format!("Received: {POSTFIX}\r\n"));
        if index % 3 == 0 {
            input.push_str(
                "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@example.com\r\n",
            );
        }
    }
    input.push_str("From: a@example.com\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n");
    input.into_bytes()
}

fn bench(c: &mut Criterion) {
    c.bench_function("parse_received postfix line", |b| {
        b.iter(|| parse_received(std::hint::black_box(POSTFIX)))
    });
    let options = Options::default();
    let resolver = MemoryResolver::new();
    for count in [8, 10_000] {
        let input = many_received(count);
        c.bench_function(&format!("analyze_message {count} Received fields"), |b| {
            b.iter(|| pollster::block_on(analyze_message(&input, &options, &resolver)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
