//! Round trips: how many DNS answers an analysis waits for one after another. A DoH transport
//! that holds every request until the test releases the whole wave counts them exactly, with no
//! clock: each poll of the analysis starts every lookup it can, and one release answers them.
//! The count must equal the depth of the deepest chain of lookups that depend on each other
//! (for SPF: the include depth + 1); that lookups which could go together do is the point.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use base64::Engine;
use mailspect::dns::doh::{DohConfig, DohResolver, DohTransport};
use mailspect::dns::serve::respond;
use mailspect::dns::zone::parse_zone;
use mailspect::dns::{DnsError, MemoryResolver};

/// Where a held request's answer is put when its wave is released.
type Slot = Rc<RefCell<Option<Result<Vec<u8>, DnsError>>>>;

/// Requests waiting for the current wave to be released.
#[derive(Default)]
struct Waves {
    zone: MemoryResolver,
    waiting: RefCell<Vec<Slot>>,
    answers: RefCell<Vec<Result<Vec<u8>, DnsError>>>,
    wave: Cell<u32>,
    requests: Cell<u32>,
}

#[derive(Clone)]
struct WaveTransport(Rc<Waves>);

struct Held(Slot);

impl Future for Held {
    type Output = Result<Vec<u8>, DnsError>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.borrow_mut().take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

impl DohTransport for WaveTransport {
    fn get(&self, url: &str, _timeout_ms: u32) -> impl Future<Output = Result<Vec<u8>, DnsError>> {
        let query = url
            .split_once("dns=")
            .and_then(|(_, encoded)| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(encoded)
                    .ok()
            })
            .expect("a DoH GET URL");
        let answer =
            respond(&self.0.zone, &query).map_err(|error| DnsError::Malformed(error.to_string()));
        let cell = Rc::new(RefCell::new(None));
        self.0.waiting.borrow_mut().push(Rc::clone(&cell));
        self.0.answers.borrow_mut().push(answer);
        self.0.requests.set(self.0.requests.get() + 1);
        Held(cell)
    }

    fn now_ms(&self) -> f64 {
        f64::from(self.0.wave.get()) * 100.0
    }
}

/// Drives `future` to the end, releasing one wave of requests whenever it can go no further;
/// returns its output and the number of waves.
fn in_waves<T>(transport: &WaveTransport, future: impl Future<Output = T>) -> (T, u32) {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return (output, transport.0.wave.get());
        }
        let waiting: Vec<_> = transport.0.waiting.borrow_mut().drain(..).collect();
        let answers: Vec<_> = transport.0.answers.borrow_mut().drain(..).collect();
        assert!(
            !waiting.is_empty(),
            "the analysis waits for something that is not DNS"
        );
        for (cell, answer) in waiting.into_iter().zip(answers) {
            *cell.borrow_mut() = Some(answer);
        }
        transport.0.wave.set(transport.0.wave.get() + 1);
    }
}

fn transport(zone: &str) -> WaveTransport {
    let zone = parse_zone(zone.as_bytes(), None).expect("the zone parses");
    let mut resolver = MemoryResolver::new();
    resolver.insert_zone(&zone);
    WaveTransport(Rc::new(Waves {
        zone: resolver,
        ..Waves::default()
    }))
}

fn resolver(transport: &WaveTransport) -> DohResolver<WaveTransport> {
    let config = DohConfig::from_spec("http://127.0.0.1/dns-query").expect("a loopback endpoint");
    DohResolver::new(transport.clone(), config)
}

/// The tree of the issue that measured 5 sequential round trips in the browser and 7 in the
/// CLI: the root includes a, b and c, and a includes d. Depth 2, so 3 waves.
const TREE: &str = "$TTL 300\n$ORIGIN tree.example.\n\
    @ SOA ns hostmaster 1 3600 600 86400 300\n\
    @ TXT \"v=spf1 include:a.tree.example include:b.tree.example include:c.tree.example -all\"\n\
    a TXT \"v=spf1 include:d.tree.example ip4:192.0.2.1 -all\"\n\
    b TXT \"v=spf1 ip4:192.0.2.2 -all\"\n\
    c TXT \"v=spf1 ip4:192.0.2.3 -all\"\n\
    d TXT \"v=spf1 ip4:192.0.2.4 -all\"\n";

#[test]
fn spf_include_tree_takes_its_depth_plus_one_round_trips() {
    let transport = transport(TREE);
    let resolver = resolver(&transport);
    let options = mailspect::spf::CheckOptions::default();
    let ip = "192.0.2.3".parse().expect("an IP");
    let (report, waves) = in_waves(
        &transport,
        mailspect::spf::check_mail_from(&resolver, ip, "a@tree.example", None, &options),
    );
    let report = report.expect("a sender");
    // In-order evaluation is unchanged: c matches after a (and d) and b did not.
    assert_eq!(report.result, mailspect::spf::SpfResult::Pass);
    assert_eq!(report.lookups_used, 4);
    assert_eq!(waves, 3, "root, then a b c together, then d");
}

/// A whole message: the DKIM key, SPF, the HELO record, DMARC's tree walks (the author domain's
/// and those relaxed alignment will want), ARC and the PTR of iprev all start at once; only the
/// SPF include waits for its parent. Depth 1, so 2 waves.
#[test]
fn a_message_takes_as_many_round_trips_as_its_deepest_chain() {
    let zone = format!(
        "example.org. 3600 SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300\n\
         example.net. 3600 SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 300\n\
         org. 3600 SOA ns.org. hostmaster.org. 1 3600 600 86400 300\n\
         51.198.in-addr.arpa. 3600 SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 300\n\
         {}",
        include_str!("fixtures/dns/newsletter.zone")
    );
    let transport = transport(&zone);
    let resolver = resolver(&transport);
    let options = mailspect::Options {
        now: 1_667_843_664,
        ..mailspect::Options::default()
    };
    let input = include_bytes!("fixtures/messages/newsletter-headers.txt");
    let (report, waves) = in_waves(
        &transport,
        mailspect::analyze_message(input, &options, &resolver),
    );
    let report = report.expect("a message");
    assert_eq!(report.dmarc.result, mailspect::dmarc::DmarcResult::Pass);
    assert_eq!(report.spf.result, mailspect::spf::SpfResult::Pass);
    assert_eq!(waves, 2, "everything, then the SPF include");
    // The lookups asked ahead are reported as such, and bounded.
    let speculative = report
        .dns
        .iter()
        .filter(|lookup| lookup.speculative)
        .count();
    assert!(speculative > 0 && speculative <= 24, "{speculative}");
    println!(
        "newsletter: {waves} round trips, {} lookups ({speculative} ahead of need), {} requests",
        report.dns.len(),
        transport.0.requests.get()
    );
}
