//! DNS in the browser, end to end: headless Chromium fetches from a local DoH server.
//!
//! Needs `mailspect serve-dns --zone wasm-tests/fixtures/test.zone --listen 127.0.0.1:0`
//! running (the test script starts it), and the URL it prints in `MAILSPECT_TEST_DOH_URL` when
//! the test is built: `MAILSPECT_TEST_DOH_URL=http://127.0.0.1:PORT/dns-query cargo test --target
//! wasm32-unknown-unknown --test web_dns` with wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::net::Ipv4Addr;

use futures_util::future::join_all;
use mailspect::dns::doh::{DohConfig, DohResolver, DohTransport};
use mailspect::dns::{CacheUse, DnsError, RecordData, RecordType, Resolver};
use mailspect::wasm::doh::FetchTransport;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The local DoH server, on whatever free port it took: scripts/test.sh passes its URL at build
/// time, because a test in the browser has no environment to read. A fixed port was the
/// alternative, and another program listening there got the tests' questions.
const ENDPOINT: &str = match option_env!("MAILSPECT_TEST_DOH_URL") {
    Some(url) => url,
    None => "MAILSPECT_TEST_DOH_URL was not set when this test was built (scripts/test.sh sets it)",
};

fn local_resolver<T: DohTransport + 'static>(transport: T) -> DohResolver<T> {
    DohResolver::new(
        transport,
        DohConfig::from_spec(ENDPOINT).expect("a loopback URL is accepted"),
    )
}

#[wasm_bindgen_test]
async fn resolves_txt_mx_and_a_through_the_local_doh_server() {
    let resolver = local_resolver(FetchTransport);

    let txt = resolver
        .lookup("mailspect.test", RecordType::Txt)
        .await
        .expect("the apex has a TXT record");
    assert_eq!(
        txt.records[0].data,
        RecordData::Txt {
            strings: vec![
                b"v=spf1 ip4:192.0.2.0/24 ".to_vec(),
                b"include:_spf.mailspect.test -all".to_vec()
            ]
        },
        "character-strings arrive apart"
    );

    let mx = resolver
        .lookup("www.mailspect.test", RecordType::Mx)
        .await
        .expect("www is a CNAME to the apex, which has MX");
    assert_eq!(mx.cnames.len(), 1);
    let mut exchanges: Vec<(u16, String)> = mx
        .records
        .iter()
        .filter_map(|record| match &record.data {
            RecordData::Mx {
                preference,
                exchange,
            } => Some((*preference, exchange.clone())),
            _ => None,
        })
        .collect();
    exchanges.sort();
    assert_eq!(
        exchanges,
        vec![
            (10, "mx1.mailspect.test".to_string()),
            (20, "mx2.mailspect.test".to_string())
        ]
    );

    let a = resolver
        .lookup("mx1.mailspect.test", RecordType::A)
        .await
        .expect("mx1 has an address");
    assert_eq!(
        a.records[0].data,
        RecordData::A {
            address: Ipv4Addr::new(192, 0, 2, 25)
        }
    );

    assert_eq!(
        resolver.lookup("nope.mailspect.test", RecordType::A).await,
        Err(DnsError::NxDomain)
    );
    assert_eq!(
        resolver.lookup("mailspect.test", RecordType::Aaaa).await,
        Err(DnsError::NoData)
    );
    assert_eq!(resolver.requests_sent(), 5);
}

/// Counts the requests that really go out through `fetch`.
struct CountingTransport {
    inner: FetchTransport,
    requests: Cell<u32>,
}

impl DohTransport for CountingTransport {
    async fn get(&self, url: &str, timeout_ms: u32) -> Result<Vec<u8>, DnsError> {
        self.requests.set(self.requests.get() + 1);
        self.inner.get(url, timeout_ms).await
    }

    fn now_ms(&self) -> f64 {
        self.inner.now_ms()
    }
}

/// The figure: 20 lookups started together, 5 repeating earlier ones, send 15 requests.
#[wasm_bindgen_test]
async fn twenty_concurrent_lookups_with_five_duplicates_send_fifteen_requests() {
    let resolver = local_resolver(CountingTransport {
        inner: FetchTransport,
        requests: Cell::new(0),
    });
    let mut names: Vec<String> = (0..15)
        .map(|index| format!("h{index}.mailspect.test"))
        .collect();
    names.extend((0..5).map(|index| format!("H{}.mailspect.test.", index * 3)));
    let traces = join_all(
        names
            .iter()
            .map(|name| resolver.lookup_traced(name, RecordType::A)),
    )
    .await;
    let sent = resolver.transport().requests.get();
    console_log!("DNS batch: 20 lookups with 5 duplicates sent {sent} requests");
    assert_eq!(sent, 15);
    assert_eq!(resolver.requests_sent(), 15);
    assert_eq!(
        traces
            .iter()
            .filter(|trace| trace.cache == CacheUse::Merged)
            .count(),
        5
    );
    for (index, trace) in traces.iter().take(15).enumerate() {
        let answer = trace.result().expect("every h name has an address");
        assert_eq!(
            answer.records[0].data,
            RecordData::A {
                address: Ipv4Addr::new(192, 0, 2, 100 + index as u8)
            }
        );
    }
    // Asked again after the batch: every answer comes from the cache.
    let again = resolver
        .lookup_traced("h7.mailspect.test", RecordType::A)
        .await;
    assert_eq!(again.cache, CacheUse::Hit);
    assert_eq!(resolver.transport().requests.get(), 15);
}

#[wasm_bindgen_test]
async fn a_closed_port_is_a_transport_error_not_a_hang() {
    let resolver = DohResolver::new(
        FetchTransport,
        DohConfig::from_spec("http://127.0.0.1:9/dns-query").expect("loopback"),
    );
    let result = resolver.lookup("mailspect.test", RecordType::A).await;
    assert!(matches!(result, Err(DnsError::Transport(_))), "{result:?}");
}

fn options(doh: &str) -> JsValue {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"doh".into(), &doh.into()).expect("a plain object");
    options.into()
}

#[wasm_bindgen_test]
async fn the_js_resolve_function_returns_a_plain_object() {
    let value = mailspect::wasm::resolve(
        "_dmarc.mailspect.test".into(),
        "txt".into(),
        options(ENDPOINT),
    )
    .await
    .map_err(JsValue::from)
    .expect("resolve succeeds");
    let trace: serde_json::Value = serde_wasm_bindgen::from_value(value).expect("plain data");
    assert_eq!(trace["record_type"], "TXT");
    assert_eq!(trace["source"], ENDPOINT);
    assert_eq!(
        trace["outcome"]["answer"]["records"][0]["data"]["strings"][0],
        "v=DMARC1; p=reject; rua=mailto:dmarc@mailspect.test"
    );
    let refused = mailspect::wasm::resolve(
        "mailspect.test".into(),
        "A".into(),
        options("http://dns.example/dns-query"),
    )
    .await;
    assert!(refused.is_err(), "plain http to a non-loopback host");
}

#[wasm_bindgen_test]
async fn analyze_message_takes_the_doh_option_and_reports_dns() {
    let message = "From: a@mailspect.test\r\nDate: Sun, 29 Nov 2026 08:00:00 +0000\r\n\r\nhi\r\n";
    let value = mailspect::wasm::analyze_message(message.into(), options(ENDPOINT))
        .await
        .map_err(JsValue::from)
        .expect("analysis succeeds");
    let report: serde_json::Value = serde_wasm_bindgen::from_value(value).expect("plain data");
    assert!(report["dns"].is_array(), "the report lists its lookups");
    let refused = mailspect::wasm::analyze_message(message.into(), options("gopher://x")).await;
    assert!(
        refused.is_err(),
        "an unusable doh option is an error, not a silent default"
    );
}
