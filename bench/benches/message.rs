//! Whole-message work, mailspect side by side with mail-auth 0.13.3 (rust-crypto):
//!
//! - header parsing, in MB/s of message, over real-shaped messages from 2 KB to 2 MB (a
//!   transport path of Received fields, the usual top fields, a multipart body with a base64
//!   attachment). mailspect's `message::parse_message` reads every header field (names,
//!   values, spans, unfolding and RFC 2047 decoding where asked later), finds the body and
//!   notes intake findings; mail-auth's `AuthenticatedMessage::parse` reads the fields it needs
//!   (From, DKIM-Signature, ARC sets, Received count) and, for each signature, hashes the body;
//!   these messages are unsigned, so neither hashes anything.
//! - DMARC: mailspect's policy discovery (`_dmarc` lookups, the RFC 9989 tree walk) and
//!   alignment, against mail-auth's `verify_dmarc`; both get the DMARC record as text and parse
//!   it on every lookup; the DKIM and SPF outcomes they align are computed before timing.
//! - a whole message signed twice (rsa-2048 and ed25519) from an in-memory zone: mailspect's
//!   `analysis::analyze_message` against mail-auth's parse + `verify_dkim` + `verify_spf` +
//!   `verify_dmarc` + `verify_arc`. mailspect does more in that call: the Received chain and
//!   its findings, iprev, the verdict and the whole report.
//!
//! Run: `cargo bench -p mailspect-bench --bench message`

#[path = "support/raw_txt.rs"]
mod raw_txt;
#[path = "../../tests/support/dkim_signer.rs"]
#[allow(dead_code)]
mod signer;

use std::borrow::Borrow;
use std::hash::Hash;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::Dmarc;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::spf::Spf;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, MessageAuthenticator, Parameters, ResolverCache, SpfOutput,
    Txt,
};
use mailspect::analysis::{analyze_message, EnvelopeOverride, Options};
use mailspect::dmarc::{DkimInput, DmarcResult, FromInput, SpfInput};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;
use mailspect_bench::{interleave, print_ratio};
use raw_txt::RawTxtCache;

/// The time of checking, after the signatures' (absent) t=.
const NOW: u64 = 1_700_000_000;
const IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
const SPF: &str = "v=spf1 ip4:192.0.2.0/24 -all";
const DMARC: &str = "v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc@example.com";

/// A header block as a message delivered through two providers has it.
const HEADER: &str = "Received: from mx.example.net (mx.example.net [198.51.100.7])\r\n\
     \tby inbound.example.org with ESMTPS id 7F3A21C0\r\n\
     \tfor <suzie@example.org>; Fri, 11 Jul 2003 21:02:10 -0700\r\n\
     Received: from relay.example.net (relay.example.net [198.51.100.3])\r\n\
     \tby mx.example.net with ESMTP id 22B9C1; Fri, 11 Jul 2003 21:02:05 -0700\r\n\
     Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n\
     \tby relay.example.net with ESMTPS id 4A1B2C3D4E\r\n\
     \tfor <suzie@example.org>; Fri, 11 Jul 2003 21:01:54 -0700\r\n\
     Received: from [10.0.0.5] (unknown [10.0.0.5])\r\n\
     \tby mail.example.com with ESMTPSA id 11AA; Fri, 11 Jul 2003 21:01:50 -0700\r\n\
     From: Joe SixPack <joe@example.com>\r\n\
     To: Suzie Q <suzie@example.org>, =?utf-8?q?J=C3=BCrgen?= <jurgen@example.org>\r\n\
     Subject: =?utf-8?b?SXMgZGlubmVyIHJlYWR5Pw==?=\r\n\
     Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n\
     Message-ID: <20030712040037.46341.5F8J@example.com>\r\n\
     MIME-Version: 1.0\r\n\
     List-Unsubscribe: <mailto:unsubscribe@example.com>, <https://example.com/u/1>\r\n\
     Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
     \r\n";

/// A real-shaped message of about `size` bytes: [`HEADER`], a text part and a base64
/// attachment filling the rest.
fn message_of_size(size: usize) -> Vec<u8> {
    let mut text = String::with_capacity(size + 200);
    text.push_str(HEADER);
    text.push_str(
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached file.\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    while text.len() + line.len() + 8 < size {
        text.push_str(line);
    }
    text.push_str("--b1--\r\n");
    text.into_bytes()
}

/// Parses a record of the zone by the kind its name says.
fn parse_by_name(name: &str, record: &[u8]) -> Txt {
    if name.contains("._domainkey.") {
        Txt::from(DomainKey::parse(record))
    } else if name.starts_with("_dmarc.") {
        Txt::from(Dmarc::parse(record))
    } else {
        Txt::from(Spf::parse(record))
    }
}

/// A cache that never holds anything: an unexpected lookup shows as a DNS error in the result.
struct Empty;

impl<K, V> ResolverCache<K, V> for Empty {
    fn get<Q>(&self, _: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn remove<Q>(&self, _: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: K, _: V, _: Instant) {}
}

/// The zone both sides read: two DKIM keys, SPF and DMARC of example.com, and the sending
/// host's forward and reverse names (mailspect checks iprev).
struct Zone {
    resolver: MemoryResolver,
    txt: RawTxtCache,
}

fn zone(keys: &[(&str, String)]) -> Zone {
    let mut txt: Vec<(String, &str)> = keys
        .iter()
        .map(|(selector, record)| (format!("{selector}._domainkey.example.com"), &**record))
        .collect();
    txt.push(("example.com".into(), SPF));
    txt.push(("_dmarc.example.com".into(), DMARC));
    let mut resolver = MemoryResolver::new();
    for (name, text) in &txt {
        let strings = vec![text.as_bytes().to_vec()];
        resolver.insert(name, 300, RecordData::Txt { strings });
    }
    let records = txt
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()));
    resolver.insert("mail.example.com", 300, RecordData::A { address: IP });
    resolver.insert(
        "10.2.0.192.in-addr.arpa",
        300,
        RecordData::Ptr {
            target: "mail.example.com".into(),
        },
    );
    Zone {
        resolver,
        txt: RawTxtCache::new(records, parse_by_name),
    }
}

/// The message signed with rsa-2048 (selector `rsa`), then ed25519 (selector `ed`), and the
/// zone holding both keys.
fn signed_message() -> (Vec<u8>, Zone) {
    let base = message_of_size(4 * 1024);
    let headers = "from:to:subject:date:message-id:mime-version:content-type:from:subject";
    let rsa = signer::Key::rsa(2048);
    let ed25519 = signer::Key::ed25519();
    let once = signer::sign(
        &base,
        &signer::Spec {
            selector: "rsa",
            headers,
            ..signer::Spec::default()
        },
        &rsa,
    );
    let twice = signer::sign(
        &once,
        &signer::Spec {
            algorithm: "ed25519-sha256",
            selector: "ed",
            headers,
            ..signer::Spec::default()
        },
        &ed25519,
    );
    let zone = zone(&[("rsa", rsa.record()), ("ed", ed25519.record())]);
    (twice, zone)
}

fn options() -> Options {
    Options {
        envelope: EnvelopeOverride {
            ip: Some(IpAddr::V4(IP)),
            helo: Some("mail.example.com".into()),
            mail_from: Some("bounces@example.com".into()),
        },
        now: NOW,
        include_canonicalized: false,
        trusted_arc_sealers: Vec::new(),
        ..Options::default()
    }
}

fn mailspect_whole(input: &[u8], zone: &Zone, options: &Options) -> DmarcResult {
    match pollster::block_on(analyze_message(input, options, &zone.resolver)) {
        Ok(report) => report.dmarc.result,
        Err(_) => DmarcResult::Permerror,
    }
}

fn spf_params(ip: IpAddr) -> SpfParameters<'static> {
    SpfParameters::verify_mail_from(
        ip,
        "mail.example.com",
        "mx.receiver.example",
        "bounces@example.com",
    )
}

/// What a receiver using mail-auth does for the same message: DKIM, SPF, DMARC and ARC. Returns
/// DMARC's DKIM and SPF outcomes (mail-auth's DMARC output has no single result).
fn mail_auth_whole(
    input: &[u8],
    authenticator: &MessageAuthenticator,
    zone: &Zone,
) -> (mail_auth::DmarcResult, mail_auth::DmarcResult) {
    let Some(message) = AuthenticatedMessage::parse(input) else {
        return (mail_auth::DmarcResult::None, mail_auth::DmarcResult::None);
    };
    let (dkim, spf) = mail_auth_outputs(authenticator, zone, &message);
    let arc = pollster::block_on(
        authenticator.verify_arc(Parameters::new(&message).with_txt_cache(&zone.txt)),
    );
    black_box(arc);
    let dmarc = mail_auth_dmarc(authenticator, zone, &message, &dkim, &spf);
    (dmarc.dkim_result().clone(), dmarc.spf_result().clone())
}

fn mail_auth_dmarc(
    authenticator: &MessageAuthenticator,
    zone: &Zone,
    message: &AuthenticatedMessage<'_>,
    dkim: &[DkimOutput<'_>],
    spf: &SpfOutput,
) -> mail_auth::DmarcOutput {
    let params = Parameters::new(DmarcParameters::new(message, dkim, "example.com", spf))
        .with_txt_cache(&zone.txt)
        .with_mx_cache(&Empty)
        .with_ipv4_cache(&Empty)
        .with_ipv6_cache(&Empty)
        .with_ptr_cache(&Empty);
    pollster::block_on(authenticator.verify_dmarc(params))
}

/// mailspect's DMARC stage alone: discovery and alignment over given DKIM and SPF outcomes.
fn mailspect_dmarc(
    zone: &Zone,
    from: &FromInput,
    spf: &SpfInput,
    dkim: &[DkimInput],
) -> DmarcResult {
    pollster::block_on(mailspect::dmarc::evaluate_message(
        from,
        spf,
        dkim,
        &zone.resolver,
    ))
    .result
}

const SIZES: &[(&str, usize)] = &[
    ("2 KB", 2 * 1024),
    ("20 KB", 20 * 1024),
    ("200 KB", 200 * 1024),
    ("2 MB", 2 * 1024 * 1024),
];

/// Everything timed, set up once and checked before any timing: a fast failure would be a
/// meaningless number.
struct Setup {
    authenticator: MessageAuthenticator,
    message: Vec<u8>,
    zone: Zone,
    options: Options,
    from: FromInput,
    spf_input: SpfInput,
    dkim_inputs: Vec<DkimInput>,
}

fn setup() -> Setup {
    let authenticator =
        MessageAuthenticator::new_cloudflare().expect("building the resolver makes no query");
    let (message, zone) = signed_message();
    let options = options();
    let report =
        pollster::block_on(analyze_message(&message, &options, &zone.resolver)).expect("a message");
    assert_eq!(report.dkim.len(), 2);
    assert!(
        report
            .dkim
            .iter()
            .all(|dkim| dkim.result == mailspect::dkim::DkimResult::Pass),
        "mailspect DKIM"
    );
    assert_eq!(report.spf.result, mailspect::spf::SpfResult::Pass);
    assert_eq!(report.dmarc.result, DmarcResult::Pass, "mailspect DMARC");
    let pass = mail_auth::DmarcResult::Pass;
    assert_eq!(
        mail_auth_whole(&message, &authenticator, &zone),
        (pass.clone(), pass),
        "mail-auth DKIM and SPF alignment"
    );
    Setup {
        from: FromInput::address("joe@example.com"),
        spf_input: SpfInput::from_message_spf(&report.spf),
        dkim_inputs: DkimInput::from_reports(&report.dkim),
        authenticator,
        message,
        zone,
        options,
    }
}

/// mail-auth's DKIM and SPF outputs, which its DMARC stage aligns.
fn mail_auth_outputs<'x>(
    authenticator: &MessageAuthenticator,
    zone: &'x Zone,
    message: &'x AuthenticatedMessage<'x>,
) -> (Vec<DkimOutput<'x>>, SpfOutput) {
    let txt = &zone.txt;
    let dkim =
        pollster::block_on(authenticator.verify_dkim(Parameters::new(message).with_txt_cache(txt)));
    let spf_params = Parameters::new(spf_params(IpAddr::V4(IP))).with_txt_cache(txt);
    let spf = pollster::block_on(authenticator.verify_spf(spf_params));
    (dkim, spf)
}

fn bench(c: &mut Criterion) {
    let mut parsing = c.benchmark_group("header-parsing");
    for (label, size) in SIZES {
        let message = message_of_size(*size);
        assert!(parse_message(&message).is_ok() && AuthenticatedMessage::parse(&message).is_some());
        parsing.throughput(Throughput::Bytes(message.len() as u64));
        parsing.bench_function(format!("mailspect/{label}"), |b| {
            b.iter(|| parse_message(black_box(&message)).is_ok())
        });
        parsing.bench_function(format!("mail-auth-0.13.3/{label}"), |b| {
            b.iter(|| AuthenticatedMessage::parse(black_box(&message)).is_some())
        });
    }
    parsing.finish();

    let setup = setup();
    let parsed = AuthenticatedMessage::parse(&setup.message).expect("message");
    let (dkim, spf) = mail_auth_outputs(&setup.authenticator, &setup.zone, &parsed);
    let mut dmarc = c.benchmark_group("dmarc");
    dmarc.bench_function("mailspect", |b| {
        b.iter(|| {
            mailspect_dmarc(
                &setup.zone,
                &setup.from,
                &setup.spf_input,
                &setup.dkim_inputs,
            )
        })
    });
    dmarc.bench_function("mail-auth-0.13.3", |b| {
        b.iter(|| mail_auth_dmarc(&setup.authenticator, &setup.zone, &parsed, &dkim, &spf))
    });
    dmarc.finish();

    let mut whole = c.benchmark_group("whole-message");
    whole.measurement_time(Duration::from_secs(8));
    whole.bench_function("mailspect-analyze", |b| {
        b.iter(|| mailspect_whole(black_box(&setup.message), &setup.zone, &setup.options))
    });
    whole.bench_function("mail-auth-0.13.3", |b| {
        b.iter(|| mail_auth_whole(black_box(&setup.message), &setup.authenticator, &setup.zone))
    });
    whole.finish();
}

/// The interleaved ratios mailspect / mail-auth, and header parsing in MB/s.
fn interleaved_ratios() {
    println!("interleaved, best of 40 rounds (ratio = first / second; under 1 is faster):");
    for (label, size) in SIZES {
        let message = message_of_size(*size);
        let iterations = u32::try_from((4 * 1024 * 1024 / size).clamp(2, 2000)).unwrap_or(2);
        let (ours, theirs) = interleave(
            iterations,
            || {
                black_box(parse_message(black_box(&message)).is_ok());
            },
            || {
                black_box(AuthenticatedMessage::parse(black_box(&message)).is_some());
            },
        );
        print_ratio(
            &format!("header parsing {label}"),
            ("mailspect", ours),
            ("mail-auth", theirs),
        );
        let megabytes = message.len() as f64 / 1e6;
        println!(
            "  {:<30} mailspect {:>9.0} MB/s   mail-auth {:>9.0} MB/s",
            format!("header parsing {label}"),
            megabytes / ours,
            megabytes / theirs
        );
    }

    let setup = setup();
    let parsed = AuthenticatedMessage::parse(&setup.message).expect("message");
    let (dkim, spf) = mail_auth_outputs(&setup.authenticator, &setup.zone, &parsed);
    let (ours, theirs) = interleave(
        400,
        || {
            black_box(mailspect_dmarc(
                &setup.zone,
                &setup.from,
                &setup.spf_input,
                &setup.dkim_inputs,
            ));
        },
        || {
            black_box(mail_auth_dmarc(
                &setup.authenticator,
                &setup.zone,
                &parsed,
                &dkim,
                &spf,
            ));
        },
    );
    print_ratio("dmarc", ("mailspect", ours), ("mail-auth", theirs));
    let (ours, theirs) = interleave(
        40,
        || {
            black_box(mailspect_whole(
                black_box(&setup.message),
                &setup.zone,
                &setup.options,
            ));
        },
        || {
            black_box(mail_auth_whole(
                black_box(&setup.message),
                &setup.authenticator,
                &setup.zone,
            ));
        },
    );
    print_ratio(
        "whole message, 2 signatures",
        ("mailspect", ours),
        ("mail-auth", theirs),
    );
}

/// Loops one of mailspect's timed calls, for a profiler.
fn profile(part: &str) {
    let setup = setup();
    let message = message_of_size(2 * 1024);
    for _ in 0..50_000 {
        match part {
            "dmarc" => {
                black_box(mailspect_dmarc(
                    &setup.zone,
                    &setup.from,
                    &setup.spf_input,
                    &setup.dkim_inputs,
                ));
            }
            "parse" => {
                black_box(parse_message(black_box(&message)).is_ok());
            }
            _ => {
                black_box(mailspect_whole(
                    black_box(&setup.message),
                    &setup.zone,
                    &setup.options,
                ));
            }
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    // `MESSAGE_BENCH_PROFILE=dmarc` (or `parse`, `whole`) loops mailspect's side alone, for
    // `perf record`.
    if let Ok(part) = std::env::var("MESSAGE_BENCH_PROFILE") {
        profile(&part);
        return;
    }
    interleaved_ratios();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
