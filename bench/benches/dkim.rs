//! DKIM verification speed, mailspect side by side with mail-auth 0.13.3, on the same messages
//! and keys: an rsa-2048, an rsa-4096 and an ed25519 signature (relaxed/relaxed) over a 4 KB
//! message.
//!
//! Both sides do the same work per iteration: read the message, parse the key record's text
//! (the DNS answer is in memory for both; neither touches the network), canonicalize, hash and
//! verify. mail-auth gets its TXT answer from a cache that holds the record text and parses it
//! on every lookup, as our in-memory resolver does.
//!
//! Run: `cargo bench -p mailspect-bench --bench dkim`

#[path = "support/raw_txt.rs"]
mod raw_txt;
#[path = "../../tests/support/dkim_signer.rs"]
#[allow(dead_code)]
mod signer;

use std::hint::black_box;

use criterion::{criterion_group, Criterion};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, MessageAuthenticator, Parameters, Txt};
use mailspect::dkim::{verify_message, DkimResult};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;
use mailspect_bench::{interleave, print_ratio};
use raw_txt::RawTxtCache;

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
    let rsa_4096 = signer::Key::rsa(4096);
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
            name: "rsa-4096",
            message: signer::sign(&base, &rsa_spec, &rsa_4096),
            record: rsa_4096.record(),
        },
        Case {
            name: "ed25519",
            message: signer::sign(&base, &ed_spec, &ed25519),
            record: ed25519.record(),
        },
    ]
}

const KEY_NAME: &str = "sel._domainkey.example.com";

/// The same key record, served to each side: our in-memory resolver, mail-auth's TXT cache.
fn key_sources(case: &Case) -> (MemoryResolver, RawTxtCache) {
    let mut resolver = MemoryResolver::new();
    let strings = vec![case.record.as_bytes().to_vec()];
    resolver.insert(KEY_NAME, 300, RecordData::Txt { strings });
    let cache = RawTxtCache::new([(KEY_NAME, case.record.as_bytes())], |_, record| {
        Txt::from(DomainKey::parse(record))
    });
    (resolver, cache)
}

/// The time of checking: after the signatures' (absent) t=, as a real check would be.
const NOW: u64 = 1_700_000_000;

fn mailspect_verify(input: &[u8], resolver: &MemoryResolver) -> bool {
    let Ok(message) = parse_message(input) else {
        return false;
    };
    let reports = pollster::block_on(verify_message(&message, resolver, NOW, false));
    !reports.is_empty()
        && reports
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
        let (resolver, cache) = key_sources(&case);
        // Both must pass before anything is timed: a fast failure would be a meaningless number.
        assert!(
            mailspect_verify(&case.message, &resolver),
            "{}: mailspect",
            case.name
        );
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

        // Where the time goes, for whoever tunes this: intake alone, verification of an
        // already-read message, and mail-auth's message reading (which includes its body hash).
        let mut parts = c.benchmark_group(format!("dkim-parts/{}", case.name));
        parts.bench_function("mailspect-intake", |b| {
            b.iter(|| parse_message(black_box(&case.message)).is_ok())
        });
        let message = parse_message(&case.message).expect("message");
        parts.bench_function("mailspect-verify-only", |b| {
            b.iter(|| {
                pollster::block_on(verify_message(black_box(&message), &resolver, NOW, false)).len()
            })
        });
        parts.bench_function("mail-auth-parse", |b| {
            b.iter(|| AuthenticatedMessage::parse(black_box(&case.message)).is_some())
        });
        parts.finish();
    }
}

/// The ratio mailspect / mail-auth on whole verifications (bytes in, results out), and the two
/// primitives where the libraries' versions differ, for context.
fn interleaved_ratios() {
    use ed25519_dalek::Signer as _;
    println!("interleaved, best of 40 rounds (ratio = first / second; under 1 is faster):");
    let authenticator = MessageAuthenticator::new_cloudflare().expect("resolver object");
    for case in cases() {
        let (resolver, cache) = key_sources(&case);
        let iterations = if case.name == "ed25519" { 400 } else { 100 };
        let (ours, theirs) = interleave(
            iterations,
            || {
                black_box(mailspect_verify(black_box(&case.message), &resolver));
            },
            || {
                black_box(mail_auth_verify(
                    black_box(&case.message),
                    &authenticator,
                    &cache,
                ));
            },
        );
        print_ratio(case.name, ("mailspect", ours), ("mail-auth", theirs));
        // The same, with intake (src/message, the stage before DKIM) taken out of our side: what
        // the DKIM verifier itself costs. mail-auth's side stays whole, since its message reading
        // already computes the body hashes.
        let message = parse_message(&case.message).expect("message");
        let (verifier, theirs) = interleave(
            iterations,
            || {
                let reports = pollster::block_on(verify_message(&message, &resolver, NOW, false));
                black_box(reports);
            },
            || {
                black_box(mail_auth_verify(
                    black_box(&case.message),
                    &authenticator,
                    &cache,
                ));
            },
        );
        let label = format!("{} without intake", case.name);
        print_ratio(&label, ("mailspect", verifier), ("mail-auth", theirs));
    }

    // ed25519-dalek 2 (ours) against 3 (mail-auth's): key decoding and strict verification.
    let signer::Key::Ed25519(key) = signer::Key::ed25519() else {
        unreachable!("ed25519 fixture")
    };
    let hash = [7u8; 32];
    let signature = key.sign(&hash).to_bytes();
    let public = key.verifying_key().to_bytes();
    let (version_2, version_3) = interleave(
        400,
        || {
            let key = ed25519_dalek::VerifyingKey::from_bytes(black_box(&public)).unwrap();
            let signature = ed25519_dalek::Signature::from_bytes(&signature);
            black_box(key.verify_strict(&hash, &signature).is_ok());
        },
        || {
            let key = ed25519_dalek_3::VerifyingKey::from_bytes(black_box(&public)).unwrap();
            let signature = ed25519_dalek_3::Signature::from_bytes(&signature);
            black_box(key.verify_strict(&hash, &signature).is_ok());
        },
    );
    print_ratio(
        "ed25519 primitive",
        ("dalek 2", version_2),
        ("dalek 3", version_3),
    );

    // SHA-256 of the message's size: sha2 0.10 against 0.11 (the one the DKIM core hashes with).
    let data = message();
    let (version_010, version_011) = interleave(
        400,
        || {
            black_box(<sha2::Sha256 as sha2::Digest>::digest(black_box(&data)));
        },
        || {
            black_box(<sha2_011::Sha256 as sha2_011::Digest>::digest(black_box(
                &data,
            )));
        },
    );
    print_ratio(
        "sha-256, 4.4 KB",
        ("sha2 0.10", version_010),
        ("sha2 0.11", version_011),
    );
}

criterion_group!(benches, bench);

fn main() {
    // `DKIM_BENCH_PROFILE=ed25519` (or rsa-2048) loops mailspect alone, for `perf record`.
    if let Ok(name) = std::env::var("DKIM_BENCH_PROFILE") {
        let case = cases()
            .into_iter()
            .find(|case| case.name == name)
            .expect("case name");
        let (resolver, _) = key_sources(&case);
        for _ in 0..20_000 {
            black_box(mailspect_verify(black_box(&case.message), &resolver));
        }
        return;
    }
    interleaved_ratios();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
