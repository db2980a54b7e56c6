//! DKIM verification speed, mailspect side by side with mail-auth 0.13.3, on the same messages
//! and keys: an rsa-2048 and an ed25519 signature (relaxed/relaxed) over a 4 KB message.
//!
//! Both sides do the same work per iteration: read the message, parse the key record's text
//! (the DNS answer is in memory for both; neither touches the network), canonicalize, hash and
//! verify. mail-auth gets its TXT answer from a cache that holds the record text and parses it
//! on every lookup, as our in-memory resolver does.
//!
//! Run: `cargo bench -p mailspect-bench --bench dkim`

#[path = "../../tests/support/dkim_signer.rs"]
#[allow(dead_code)]
mod signer;

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, MessageAuthenticator, Parameters, ResolverCache, Txt};
use mailspect::dkim::{verify_message, DkimResult};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;

/// A TXT cache for mail-auth that keeps the record text and parses it on each lookup.
struct RawTxtCache(HashMap<Box<str>, Vec<u8>>);

impl ResolverCache<Box<str>, Txt> for RawTxtCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0
            .get(name)
            .map(|record| Txt::from(DomainKey::parse(record)))
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: Txt, _: Instant) {}
}

/// A message with a realistic header block and a 4 KB body.
fn message() -> Vec<u8> {
    let mut text = String::from(
        "Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n\
         \tby mx.example.net with ESMTPS id 4A1B2C3D4E\r\n\
         \tfor <suzie@example.net>; Fri, 11 Jul 2003 21:01:54 -0700\r\n\
         From: Joe SixPack <joe@example.com>\r\n\
         To: Suzie Q <suzie@example.net>\r\n\
         Subject: Is dinner ready?\r\n\
         Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n\
         Message-ID: <20030712040037.46341.5F8J@example.com>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n",
    );
    for line in 0..64 {
        text.push_str(&format!(
            "Line {line:02} of the body, with  some   spacing to canonicalize.  \r\n"
        ));
    }
    text.into_bytes()
}

struct Case {
    name: &'static str,
    message: Vec<u8>,
    record: String,
}

fn cases() -> Vec<Case> {
    let base = message();
    let headers = "from:to:subject:date:message-id:mime-version:content-type:from:subject";
    let rsa = signer::Key::rsa(2048);
    let ed25519 = signer::Key::ed25519();
    let rsa_spec = signer::Spec {
        headers,
        ..signer::Spec::default()
    };
    let ed_spec = signer::Spec {
        algorithm: "ed25519-sha256",
        headers,
        ..signer::Spec::default()
    };
    vec![
        Case {
            name: "rsa-2048",
            message: signer::sign(&base, &rsa_spec, &rsa),
            record: rsa.record(),
        },
        Case {
            name: "ed25519",
            message: signer::sign(&base, &ed_spec, &ed25519),
            record: ed25519.record(),
        },
    ]
}

const KEY_NAME: &str = "sel._domainkey.example.com";

fn mailspect_verify(input: &[u8], resolver: &MemoryResolver) -> bool {
    let Ok(message) = parse_message(input) else {
        return false;
    };
    let reports = pollster::block_on(verify_message(&message, resolver, 1_700_000_000, false));
    reports
        .iter()
        .all(|report| report.result == DkimResult::Pass)
}

fn mail_auth_verify(
    input: &[u8],
    authenticator: &MessageAuthenticator,
    cache: &RawTxtCache,
) -> bool {
    let Some(message) = AuthenticatedMessage::parse(input) else {
        return false;
    };
    let params = Parameters::new(&message).with_txt_cache(cache);
    let outputs = pollster::block_on(authenticator.verify_dkim(params));
    !outputs.is_empty()
        && outputs
            .iter()
            .all(|output| *output.result() == mail_auth::DkimResult::Pass)
}

fn bench(c: &mut Criterion) {
    // Builds a resolver object only: no query is sent, every key comes from the cache.
    let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
    for case in cases() {
        let mut resolver = MemoryResolver::new();
        resolver.insert(
            KEY_NAME,
            300,
            RecordData::Txt {
                strings: vec![case.record.as_bytes().to_vec()],
            },
        );
        let cache = RawTxtCache(HashMap::from([(
            format!("{KEY_NAME}.").into_boxed_str(),
            case.record.as_bytes().to_vec(),
        )]));
        // Both must pass before anything is timed: a fast failure would be a meaningless number.
        assert!(mailspect_verify(&case.message, &resolver), "{}: mailspect", case.name);
        assert!(
            mail_auth_verify(&case.message, &authenticator, &cache),
            "{}: mail-auth",
            case.name
        );
        let mut group = c.benchmark_group(format!("dkim-verify/{}", case.name));
        group.bench_function("mailspect", |b| {
            b.iter(|| mailspect_verify(black_box(&case.message), &resolver))
        });
        group.bench_function("mail-auth-0.13.3", |b| {
            b.iter(|| mail_auth_verify(black_box(&case.message), &authenticator, &cache))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
