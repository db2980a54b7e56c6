//! The exported JS API, called the way the page calls it, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use mailspect::wasm::{analyze_message, version};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HEADERS: &str = "Received: from mail.example.org (mail.example.org [192.0.2.10])\n\
    \tby mx.example.net with ESMTPS id abc123; Sat, 5 Nov 2022 17:54:24 +0000\n\
    From: =?UTF-8?Q?J=C3=BCrgen?= <jurgen@example.org>\n\
    To: you@example.net\n\
    Subject: Quarterly report\n\
    Date: Sat, 5 Nov 2022 17:54:20 +0000\n\
    Message-ID: <q4@example.org>\n";

/// mailspect's DoH server, which the test script starts on a free loopback port with
/// `wasm-tests/fixtures/test.zone`, passing its URL at build time (see `wasm-tests/dns.rs`).
const ENDPOINT: &str = match option_env!("MAILSPECT_TEST_DOH_URL") {
    Some(url) => url,
    None => "MAILSPECT_TEST_DOH_URL was not set when this test was built (scripts/test.sh sets it)",
};

/// Options that keep DNS on this machine: the local DoH server.
fn local_dns() -> js_sys::Object {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"doh".into(), &ENDPOINT.into())
        .expect("setting a property on a fresh object");
    options
}

fn get(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |value, key| {
        js_sys::Reflect::get(&value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    })
}

#[wasm_bindgen_test]
async fn analyses_a_pasted_header_block() {
    let report = analyze_message(JsValue::from_str(HEADERS), local_dns().into())
        .await
        .map_err(JsValue::from)
        .expect("a valid header block is analysed");
    let headers = js_sys::Array::from(&get(&report, &["headers"]));
    assert_eq!(headers.length(), 6);
    assert_eq!(
        get(&headers.get(1), &["name"]).as_string().as_deref(),
        Some("From")
    );
    let from = js_sys::Array::from(&get(&report, &["summary", "from"]));
    assert_eq!(
        get(&from.get(0), &["name"]).as_string().as_deref(),
        Some("Jürgen")
    );
    assert_eq!(
        get(&report, &["summary", "subject"]).as_string().as_deref(),
        Some("Quarterly report")
    );
}

#[wasm_bindgen_test]
async fn accepts_bytes_and_options() {
    let bytes = js_sys::Uint8Array::from(HEADERS.as_bytes());
    let options = local_dns();
    js_sys::Reflect::set(&options, &"mailFrom".into(), &"bounce@example.org".into())
        .expect("setting a property on a fresh object");
    let report = analyze_message(bytes.into(), options.into())
        .await
        .map_err(JsValue::from)
        .expect("bytes are analysed like text");
    assert_eq!(
        get(&report, &["envelope", "mail_from"])
            .as_string()
            .as_deref(),
        Some("bounce@example.org")
    );
    assert_eq!(
        get(&report, &["envelope", "source"]).as_string().as_deref(),
        Some("override")
    );
}

#[wasm_bindgen_test]
async fn evaluates_spf_through_doh_in_the_browser() {
    // mailspect.test publishes "v=spf1 ip4:192.0.2.0/24 include:_spf.mailspect.test -all".
    let message = "Received: from mail.mailspect.test (mail.mailspect.test [192.0.2.10])\n\
        \tby mx.example.net with ESMTPS id 1; Sat, 5 Nov 2022 17:54:24 +0000\n\
        Return-Path: <bounce@mailspect.test>\n\
        From: someone@mailspect.test\n";
    let report = analyze_message(JsValue::from_str(message), local_dns().into())
        .await
        .map_err(JsValue::from)
        .expect("the message is analysed");
    assert_eq!(
        get(&report, &["spf", "result"]).as_string().as_deref(),
        Some("pass")
    );
    assert_eq!(
        get(&report, &["spf", "domain"]).as_string().as_deref(),
        Some("mailspect.test")
    );
    let lookups = js_sys::Array::from(&get(&report, &["dns"]));
    assert!(lookups.length() >= 1);
    assert_eq!(
        get(&lookups.get(0), &["source"]).as_string().as_deref(),
        Some(ENDPOINT)
    );
}

#[wasm_bindgen_test]
async fn rejects_unusable_input_with_a_clear_error() {
    let error = analyze_message(JsValue::from_str("   \n"), JsValue::UNDEFINED)
        .await
        .map_err(JsValue::from)
        .expect_err("blank input is refused");
    let message = get(&error, &["message"]).as_string().unwrap_or_default();
    assert!(message.contains("empty"), "got {message:?}");

    let error = analyze_message(JsValue::from_f64(42.0), JsValue::UNDEFINED)
        .await
        .map_err(JsValue::from)
        .expect_err("a number is not a message");
    let message = get(&error, &["message"]).as_string().unwrap_or_default();
    assert!(
        message.contains("string or a Uint8Array"),
        "got {message:?}"
    );
}

#[wasm_bindgen_test]
fn reports_its_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}
