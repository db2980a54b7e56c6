//! SPF evaluation of a realistic deep include tree: a domain sending through its own hosts and
//! four large providers (modelled on the published `_spf` records of Google Workspace,
//! Microsoft 365, Mailchimp and SendGrid, renamed under `.example`), costing exactly the 10 DNS
//! lookups RFC 7208 §4.6.4 allows. Answers come from memory, so this measures evaluation, not
//! the network.
//!
//! mail-auth 0.13.3 evaluates the same tree from its resolver caches, side by side. mailspect's
//! resolver hands back TXT bytes that are parsed on every evaluation (as with real DNS answers);
//! for the like-for-like figure mail-auth's TXT cache does the same: it keeps the record text
//! and parses it on every lookup. mail-auth's usual cache, which holds records already parsed,
//! is timed too, for context.
//!
//! Run: `cargo bench -p mailspect-bench --bench spf`.

use std::collections::HashMap;
use std::hash::Hash;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::spf::Spf;
use mail_auth::{
    DnssecStatus, MessageAuthenticator, Parameters, RecordSet, ResolverCache, Txt, MX,
};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::spf::{check_mail_from, CheckOptions, SpfResult};
use mailspect_bench::{interleave, print_ratio};
use raw_txt::RawTxtCache;

#[path = "support/raw_txt.rs"]
mod raw_txt;

const TXT: &[(&str, &str)] = &[
    ("example.com", "v=spf1 a mx include:_spf.google.example include:spf.protection.outlook.example include:servers.mcsv.example include:sendgrid.example -all"),
    ("_spf.google.example", "v=spf1 include:_netblocks.google.example include:_netblocks2.google.example include:_netblocks3.google.example ~all"),
    ("_netblocks.google.example", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all"),
    ("_netblocks2.google.example", "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"),
    ("_netblocks3.google.example", "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all"),
    ("spf.protection.outlook.example", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/50 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 include:spfd.protection.outlook.example -all"),
    ("spfd.protection.outlook.example", "v=spf1 ip4:51.4.72.0/24 ip4:51.5.72.0/24 ip4:51.5.80.0/27 ip4:20.47.149.138/32 ip4:51.4.80.0/27 ip6:2a01:4180:4051:0800::/64 ip6:2a01:4180:4050:0800::/64 ip6:2a01:4180:4051:0400::/64 ip6:2a01:4180:4050:0400::/64 -all"),
    ("servers.mcsv.example", "v=spf1 ip4:205.201.128.0/20 ip4:198.2.128.0/18 ip4:148.105.8.0/21 -all"),
    ("sendgrid.example", "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 ip4:149.72.0.0/16 ip4:159.183.0.0/16 ~all"),
];
const A: &[(&str, Ipv4Addr)] = &[
    ("example.com", Ipv4Addr::new(192, 0, 2, 10)),
    ("mx1.example.com", Ipv4Addr::new(192, 0, 2, 20)),
    ("mx2.example.com", Ipv4Addr::new(192, 0, 2, 21)),
];
const MX_HOSTS: &[(u16, &str)] = &[(10, "mx1.example.com"), (20, "mx2.example.com")];

/// An address no term lists: every one of the 10 lookups is made, and `-all` decides.
const UNLISTED: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 5);
/// An address in the last include's ranges: 10 lookups, then `pass`.
const SENDGRID: Ipv4Addr = Ipv4Addr::new(149, 72, 1, 1);

fn zone() -> MemoryResolver {
    let mut zone = MemoryResolver::new();
    for (name, text) in TXT {
        zone.insert(
            name,
            300,
            RecordData::Txt {
                strings: vec![text.as_bytes().to_vec()],
            },
        );
    }
    for (name, address) in A {
        zone.insert(name, 300, RecordData::A { address: *address });
    }
    for (preference, exchange) in MX_HOSTS {
        zone.insert(
            "example.com",
            300,
            RecordData::Mx {
                preference: *preference,
                exchange: exchange.to_string(),
            },
        );
    }
    zone
}

fn mailspect_check(zone: &MemoryResolver, ip: Ipv4Addr) -> SpfResult {
    let report = pollster::block_on(check_mail_from(
        zone,
        IpAddr::V4(ip),
        "bounces@example.com",
        Some("mail.example.com"),
        &CheckOptions::default(),
    ));
    report.map_or(SpfResult::None, |report| report.result)
}

/// A mail-auth resolver cache filled beforehand; mail-auth reads it before asking DNS.
struct Cache<K, V>(Mutex<HashMap<K, V>>);

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Cache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.remove(name)
    }

    fn insert(&self, key: K, value: V, _valid_until: Instant) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, value);
        }
    }
}

fn cache<K: Hash + Eq, V>(entries: impl IntoIterator<Item = (K, V)>) -> Cache<K, V> {
    Cache(Mutex::new(entries.into_iter().collect()))
}

fn record_set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items.into_boxed_slice()),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

struct MailAuthTree<T> {
    txt: T,
    mx: Cache<Box<str>, RecordSet<MX>>,
    ipv4: Cache<Box<str>, RecordSet<Ipv4Addr>>,
    ipv6: Cache<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Cache<IpAddr, RecordSet<Box<str>>>,
}

fn fqdn(name: &str) -> Box<str> {
    format!("{name}.").into_boxed_str()
}

/// mail-auth's usual cache: the records parsed once, beforehand.
fn parsed_txt() -> Cache<Box<str>, Txt> {
    cache(TXT.iter().map(|(name, text)| {
        let spf = Spf::parse(text.as_bytes()).expect("the benchmark's records are valid");
        (fqdn(name), Txt::from(spf))
    }))
}

/// The record text, parsed on every lookup: the like-for-like cache.
fn raw_txt() -> RawTxtCache {
    let records = TXT.iter().map(|(name, text)| (*name, text.as_bytes()));
    RawTxtCache::new(records, |_, record| Txt::from(Spf::parse(record)))
}

fn mail_auth_tree<T>(txt: T) -> MailAuthTree<T> {
    MailAuthTree {
        txt,
        mx: cache([(
            fqdn("example.com"),
            record_set(
                MX_HOSTS
                    .iter()
                    .map(|(preference, exchange)| MX {
                        exchanges: vec![fqdn(exchange)].into_boxed_slice(),
                        preference: *preference,
                    })
                    .collect(),
            ),
        )]),
        ipv4: cache(
            A.iter()
                .map(|(name, address)| (fqdn(name), record_set(vec![*address]))),
        ),
        ipv6: cache([]),
        ptr: cache([]),
    }
}

fn mail_auth_check(
    authenticator: &MessageAuthenticator,
    tree: &MailAuthTree<impl ResolverCache<Box<str>, Txt>>,
    ip: Ipv4Addr,
) -> mail_auth::SpfResult {
    let params = Parameters::new(SpfParameters::verify_mail_from(
        IpAddr::V4(ip),
        "mail.example.com",
        "mx.receiver.example",
        "bounces@example.com",
    ))
    .with_txt_cache(&tree.txt)
    .with_mx_cache(&tree.mx)
    .with_ipv4_cache(&tree.ipv4)
    .with_ipv6_cache(&tree.ipv6)
    .with_ptr_cache(&tree.ptr);
    pollster::block_on(authenticator.verify_spf(params)).result()
}

fn bench(c: &mut Criterion) {
    let zone = zone();
    // The tree must cost exactly the 10 lookups it is meant to, and give the expected results.
    let report = pollster::block_on(check_mail_from(
        &zone,
        IpAddr::V4(UNLISTED),
        "bounces@example.com",
        None,
        &CheckOptions::default(),
    ))
    .expect("a MAIL FROM is given");
    assert_eq!(
        (report.result, report.lookups_used),
        (SpfResult::Fail, 10),
        "{}",
        report.reason
    );
    assert_eq!(mailspect_check(&zone, SENDGRID), SpfResult::Pass);

    let authenticator =
        MessageAuthenticator::new_cloudflare().expect("building the resolver makes no query");
    let raw = mail_auth_tree(raw_txt());
    let parsed = mail_auth_tree(parsed_txt());
    // Every answer mail-auth needs is in its caches; a miss would go to the network and show
    // as temperror here rather than silently timing DNS.
    for (ip, expected) in [
        (UNLISTED, mail_auth::SpfResult::Fail),
        (SENDGRID, mail_auth::SpfResult::Pass),
    ] {
        assert_eq!(mail_auth_check(&authenticator, &raw, ip), expected);
        assert_eq!(mail_auth_check(&authenticator, &parsed, ip), expected);
    }

    let mut group = c.benchmark_group("spf_10_lookup_tree");
    group.measurement_time(Duration::from_secs(5));
    for (case, ip) in [("unlisted_fail", UNLISTED), ("last_include_pass", SENDGRID)] {
        group.bench_function(format!("mailspect/{case}"), |b| {
            b.iter(|| mailspect_check(&zone, ip))
        });
        group.bench_function(format!("mail_auth/{case}"), |b| {
            b.iter(|| mail_auth_check(&authenticator, &raw, ip))
        });
        group.bench_function(format!("mail_auth_preparsed/{case}"), |b| {
            b.iter(|| mail_auth_check(&authenticator, &parsed, ip))
        });
    }
    // Parsing the tree's nine records alone, on each side.
    group.bench_function("mailspect/parse_9_records", |b| {
        b.iter(|| {
            TXT.iter()
                .filter(|(_, text)| mailspect::spf::parse_record(text.as_bytes()).is_ok())
                .count()
        })
    });
    group.bench_function("mail_auth/parse_9_records", |b| {
        b.iter(|| {
            TXT.iter()
                .filter(|(_, text)| Spf::parse(text.as_bytes()).is_ok())
                .count()
        })
    });
    group.finish();
}

/// The ratio mailspect / mail-auth, interleaved: like for like (both parse the records they are
/// given), then against mail-auth's pre-parsed cache, and the nine records' parsing alone.
/// Short rounds (25 evaluations, under a millisecond): on a loaded machine the best of 40
/// short rounds is more often one that nothing interrupted.
fn interleaved_ratios() {
    println!("interleaved, best of 40 rounds (ratio = first / second; under 1 is faster):");
    let zone = zone();
    let authenticator =
        MessageAuthenticator::new_cloudflare().expect("building the resolver makes no query");
    let raw = mail_auth_tree(raw_txt());
    let parsed = mail_auth_tree(parsed_txt());
    for (case, ip) in [("unlisted_fail", UNLISTED), ("last_include_pass", SENDGRID)] {
        let (ours, theirs) = interleave(
            25,
            || {
                black_box(mailspect_check(&zone, black_box(ip)));
            },
            || {
                black_box(mail_auth_check(&authenticator, &raw, black_box(ip)));
            },
        );
        print_ratio(
            &format!("spf {case}"),
            ("mailspect", ours),
            ("mail-auth", theirs),
        );
        let (ours, theirs) = interleave(
            25,
            || {
                black_box(mailspect_check(&zone, black_box(ip)));
            },
            || {
                black_box(mail_auth_check(&authenticator, &parsed, black_box(ip)));
            },
        );
        print_ratio(
            &format!("spf {case}, theirs pre-parsed"),
            ("mailspect", ours),
            ("mail-auth", theirs),
        );
    }
    let (ours, theirs) = interleave(
        25,
        || {
            for (_, text) in TXT {
                black_box(mailspect::spf::parse_record(black_box(text.as_bytes())).is_ok());
            }
        },
        || {
            for (_, text) in TXT {
                black_box(Spf::parse(black_box(text.as_bytes())).is_ok());
            }
        },
    );
    print_ratio(
        "parse 9 records",
        ("mailspect", ours),
        ("mail-auth", theirs),
    );
}

criterion_group!(benches, bench);

fn main() {
    // `SPF_BENCH_PROFILE=1` loops mailspect's evaluation alone, for `perf record`; a number
    // above 1 is the count of evaluations (50,000 otherwise), for `valgrind --tool=callgrind`,
    // and `SPF_BENCH_SIDE=mail-auth` loops mail-auth's like-for-like evaluation instead.
    if let Ok(count) = std::env::var("SPF_BENCH_PROFILE") {
        let count = count
            .parse()
            .ok()
            .filter(|&count| count > 1)
            .unwrap_or(50_000);
        if std::env::var("SPF_BENCH_SIDE").as_deref() == Ok("mail-auth") {
            let authenticator = MessageAuthenticator::new_cloudflare()
                .expect("building the resolver makes no query");
            let raw = mail_auth_tree(raw_txt());
            for _ in 0..count {
                black_box(mail_auth_check(&authenticator, &raw, UNLISTED));
            }
        } else {
            let zone = zone();
            for _ in 0..count {
                black_box(mailspect_check(&zone, UNLISTED));
            }
        }
        return;
    }
    interleaved_ratios();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
