//! Unit tests: the grammar, the chain rules, and whole chains sealed here with ed25519 keys made
//! from fixed bytes (so that tampering, gaps and oldest-pass can be tried on any message).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};

use super::parse::{aar_instance, arc_message_signature, arc_seal, field_instance};
use super::signature::seal_header_data;
use super::verify::{collect, FieldKind};
use super::*;
use crate::dkim::{self, canon, Canonicalization, HashAlgorithm};
use crate::dns::{MemoryResolver, RecordData};
use crate::message::{parse_message, HeaderField, Message};

const NOW: u64 = 1_700_000_000;

struct Sealer {
    domain: &'static str,
    selector: &'static str,
    key: SigningKey,
}

fn sealer(domain: &'static str, selector: &'static str, seed: u8) -> Sealer {
    Sealer {
        domain,
        selector,
        key: SigningKey::from_bytes(&[seed; 32]),
    }
}

fn resolver(sealers: &[&Sealer]) -> MemoryResolver {
    let mut resolver = MemoryResolver::new();
    for sealer in sealers {
        let record = format!(
            "v=DKIM1; k=ed25519; p={}",
            STANDARD.encode(sealer.key.verifying_key().as_bytes())
        );
        let name = format!("{}._domainkey.{}", sealer.selector, sealer.domain);
        resolver.insert(
            &name,
            300,
            RecordData::Txt {
                strings: vec![record.into_bytes()],
            },
        );
    }
    resolver
}

const ORIGINAL: &str = "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\n\
                        Subject: Hello\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nHi Bob.\r\n";

fn parsed(text: &str) -> Message {
    parse_message(text.as_bytes()).expect("message")
}

/// The region of the top field's `b=` value, which is empty while signing.
fn b_region(message: &Message, field: &HeaderField) -> std::ops::Range<usize> {
    let tags = dkim::parse::tag_list(message.value_bytes(field)).expect("tags");
    tags.iter()
        .find(|tag| tag.name == b"b")
        .expect("b=")
        .after_equals
        .clone()
}

fn signed(sealer: &Sealer, data: &[u8]) -> String {
    let hash = dkim::verify::digest(HashAlgorithm::Sha256, data);
    STANDARD.encode(sealer.key.sign(&hash).to_bytes())
}

/// Adds ARC Set `instance` on top of `text`, as a sealer would (RFC 8617 §5.1).
fn add_set(text: &str, instance: u32, sealer: &Sealer, results: &str) -> String {
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let mut canonical = Vec::new();
    canon::body(Canonicalization::Relaxed, body.as_bytes(), &mut canonical);
    let body_hash = STANDARD.encode(dkim::verify::digest(HashAlgorithm::Sha256, &canonical));
    let aar = format!("ARC-Authentication-Results: i={instance}; {results}\r\n");
    let ams = format!(
        "ARC-Message-Signature: i={instance}; a=ed25519-sha256; c=relaxed/relaxed; d={}; s={};\r\n \
         h=from:to:subject; bh={body_hash}; b=\r\n",
        sealer.domain, sealer.selector
    );
    let message = parsed(&format!("{ams}{aar}{text}"));
    let field = &message.fields[0];
    let names: Vec<String> = ["from", "to", "subject"].map(String::from).to_vec();
    let selected = canon::select_headers(&message, &names, field);
    let data = canon::header_data(
        &message,
        Canonicalization::Relaxed,
        &selected,
        field,
        b_region(&message, field),
    );
    let ams = ams.replace("b=\r\n", &format!("b={}\r\n", signed(sealer, &data)));
    let cv = if instance == 1 { "none" } else { "pass" };
    let seal = format!(
        "ARC-Seal: i={instance}; a=ed25519-sha256; cv={cv}; d={}; s={}; t=1700000000; b=\r\n",
        sealer.domain, sealer.selector
    );
    let draft = format!("{seal}{ams}{aar}{text}");
    let message = parsed(&draft);
    let fields: Vec<(FieldKind, &HeaderField)> = message
        .fields
        .iter()
        .filter_map(|field| FieldKind::of(field).map(|kind| (kind, field)))
        .collect();
    let collected = collect(&message, &fields);
    let chain: Vec<[&HeaderField; 3]> = collected
        .sets
        .values()
        .map(|set| {
            [
                set.authentication_results[0],
                set.message_signatures[0],
                set.seals[0],
            ]
        })
        .collect();
    let position = usize::try_from(instance - 1).expect("small");
    let region = b_region(&message, &message.fields[0]);
    let data = seal_header_data(&message, &chain, position, region).expect("chain");
    let seal = seal.replace("b=\r\n", &format!("b={}\r\n", signed(sealer, &data)));
    format!("{seal}{ams}{aar}{text}")
}

fn validate(text: &str, resolver: &MemoryResolver) -> ArcReport {
    pollster::block_on(verify_message(&parsed(text), resolver, NOW))
}

const RESULTS_1: &str = "relay1.example; dkim=pass header.d=example.com; spf=pass \
                         smtp.mailfrom=alice@example.com; dmarc=pass header.from=example.com";
const RESULTS_2: &str = "relay2.example; dkim=fail header.d=example.com; arc=pass";

fn two_hops() -> (String, MemoryResolver) {
    let (one, two) = (
        sealer("relay1.example", "one", 1),
        sealer("relay2.example", "two", 2),
    );
    let text = add_set(&add_set(ORIGINAL, 1, &one, RESULTS_1), 2, &two, RESULTS_2);
    (text, resolver(&[&one, &two]))
}

#[test]
fn instance_numbers_run_from_1_to_50() {
    assert_eq!(field_instance(b"i=1; a=x"), Ok(1));
    assert_eq!(field_instance(b"a=x; i=50"), Ok(50));
    assert_eq!(field_instance(b"i=01"), Ok(1));
    for bad in [&b"i=0"[..], b"i=51", b"i=", b"i=1a", b"i=100", b"a=x"] {
        let error = field_instance(bad).expect_err("invalid");
        assert_eq!(error.kind, FieldErrorKind::InvalidInstance, "{bad:?}");
    }
}

#[test]
fn aar_instance_must_open_the_field_and_end_with_a_semicolon() {
    assert_eq!(aar_instance(b" i=1; example.org; none"), Ok(1));
    assert_eq!(aar_instance(b" (hop) i = 2 (two) ;\r\n example.org"), Ok(2));
    for bad in [
        &b" i=1 example.org; none"[..],
        b" example.org; i=1; none",
        b" I=1; example.org",
        b" i=0; example.org",
        b" (unclosed i=1; x",
    ] {
        assert!(
            aar_instance(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn seal_with_header_list_is_invalid() {
    let error = arc_seal(b"i=1; a=rsa-sha256; cv=none; d=example.org; s=s; h=from; b=AAAA")
        .expect_err("h= forbidden");
    assert_eq!(error.kind, FieldErrorKind::ForbiddenTag);
    let seal = arc_seal(b"i=3; a=rsa-sha256; cv=Pass; d=Example.org; s=s; b=AAAA").expect("seal");
    assert_eq!(
        (
            seal.instance,
            seal.chain_validation,
            seal.signature.domain.as_str()
        ),
        (3, ChainValidation::Pass, "example.org")
    );
    let error =
        arc_seal(b"i=1; a=rsa-sha256; cv=maybe; d=example.org; s=s; b=AAAA").expect_err("cv");
    assert_eq!(error.detail.as_deref(), Some("cv"));
}

#[test]
fn message_signature_has_no_version_and_no_identity() {
    let signature = arc_message_signature(
        b"i=2; a=rsa-sha256; d=example.org; s=s; h=from:to; bh=AAAA; b=AAAA; v=7",
    )
    .expect("unknown v= is ignored");
    assert_eq!(signature.instance, 2);
    assert_eq!(signature.signature.identity, None);
    assert_eq!(
        signature.signature.header_canonicalization,
        Canonicalization::Simple
    );
    let error = arc_message_signature(b"i=1; a=rsa-sha256; d=example.org; s=s; h=; bh=AA; b=AA")
        .expect_err("empty h=");
    assert_eq!(error.kind, FieldErrorKind::InvalidValue);
}

#[test]
fn message_without_arc_is_none() {
    let report = validate(ORIGINAL, &MemoryResolver::new());
    assert_eq!(
        (report.result, report.outcome),
        (ArcResult::None, ChainOutcome::NoArcSets)
    );
    assert!(report.instances.is_empty());
}

#[test]
fn one_hop_chain_passes_and_reports_every_part() {
    let one = sealer("relay1.example", "one", 1);
    let text = add_set(ORIGINAL, 1, &one, RESULTS_1);
    let report = validate(&text, &resolver(&[&one]));
    assert_eq!(report.result, ArcResult::Pass, "{}", report.reason);
    assert_eq!(report.oldest_pass, Some(1));
    let instance = &report.instances[0];
    assert_eq!(instance.sealer.as_deref(), Some("relay1.example"));
    assert_eq!(instance.cv, Some(ChainValidation::None));
    let seal = instance.seal.as_ref().expect("seal");
    assert_eq!(seal.key.as_ref().and_then(|key| key.bits), Some(256));
    let results = instance.authentication_results.as_ref().expect("aar");
    assert_eq!(results.authserv_id.as_deref(), Some("relay1.example"));
    assert_eq!(results.results.len(), 3);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["result"], "pass");
    assert_eq!(
        json["instances"][0]["seal"]["error"],
        serde_json::Value::Null
    );
    assert_eq!(
        json["instances"][0]["message_signature"]["canonicalization"],
        serde_json::json!({"header": "relaxed", "body": "relaxed"})
    );
    assert_eq!(
        json["instances"][0]["duplicate_spans"],
        serde_json::json!([])
    );
}

#[test]
fn two_hop_chain_passes() {
    let (text, resolver) = two_hops();
    let report = validate(&text, &resolver);
    assert_eq!(report.result, ArcResult::Pass, "{}", report.reason);
    assert_eq!(report.instances.len(), 2);
    assert_eq!(report.oldest_pass, Some(1));
    assert!(report.findings.is_empty());
}

#[test]
fn body_changed_between_hops_moves_oldest_pass() {
    let (one, two) = (
        sealer("relay1.example", "one", 1),
        sealer("relay2.example", "two", 2),
    );
    let first = add_set(ORIGINAL, 1, &one, RESULTS_1).replace("Hi Bob.", "Hi Bob. [list footer]");
    let text = add_set(&first, 2, &two, RESULTS_2);
    let report = validate(&text, &resolver(&[&one, &two]));
    assert_eq!(report.result, ArcResult::Pass, "{}", report.reason);
    assert_eq!(report.oldest_pass, Some(2));
    let first_signature = report.instances[0].message_signature.as_ref().expect("ams");
    assert_eq!(first_signature.outcome, SignatureOutcome::BodyHashMismatch);
    assert_eq!(report.findings[0].code, "arc.modified-in-transit");
}

#[test]
fn changed_results_break_the_newer_seal() {
    let (text, resolver) = two_hops();
    let text = text.replace("dmarc=pass header.from", "dmarc=pass  header.from");
    // Relaxed canonicalization absorbs that; a changed word it does not.
    let report = validate(&text, &resolver);
    assert_eq!(report.result, ArcResult::Pass);
    let report = validate(&text.replace("spf=pass", "spf=none"), &resolver);
    assert_eq!(
        (report.result, report.outcome),
        (ArcResult::Fail, ChainOutcome::SealFailed)
    );
    let seal = report.instances[1].seal.as_ref().expect("seal");
    assert_eq!(seal.outcome, SignatureOutcome::SignatureMismatch);
    assert!(report.reason.contains("i=2"), "{}", report.reason);
}

#[test]
fn subject_changed_after_the_last_hop_fails_the_newest_signature() {
    let (text, resolver) = two_hops();
    let report = validate(
        &text.replace("Subject: Hello", "Subject: Pay now"),
        &resolver,
    );
    assert_eq!(report.outcome, ChainOutcome::NewestMessageSignatureFailed);
    assert_eq!(report.oldest_pass, None);
}

#[test]
fn missing_set_is_a_gap() {
    let (text, resolver) = two_hops();
    let without_first: String = {
        let message = parsed(&text);
        let mut kept = String::new();
        for field in &message.fields {
            let bytes = String::from_utf8_lossy(message.field_bytes(field));
            let first_set = FieldKind::of(field).is_some()
                && field_instance(message.value_bytes(field)).ok() == Some(1)
                || bytes.starts_with("ARC-Authentication-Results: i=1;");
            if !first_set {
                kept.push_str(&bytes);
            }
        }
        kept + "\r\nHi Bob.\r\n"
    };
    let report = validate(&without_first, &resolver);
    assert_eq!(
        (report.result, report.outcome),
        (ArcResult::Fail, ChainOutcome::InstanceGap)
    );
}

#[test]
fn headers_only_is_neutral() {
    let (text, resolver) = two_hops();
    let headers = text.split_once("\r\n\r\n").expect("body").0.to_string() + "\r\n";
    let report = validate(&headers, &resolver);
    assert_eq!(
        (report.result, report.outcome),
        (ArcResult::Neutral, ChainOutcome::BodyNotChecked)
    );
}

#[test]
fn duplicate_and_unplaced_fields_fail_with_findings() {
    let (text, resolver) = two_hops();
    let report = validate(&format!("ARC-Seal: i=99; b=x\r\n{text}"), &resolver);
    assert_eq!(report.outcome, ChainOutcome::InstanceUnreadable);
    assert_eq!(report.findings[0].code, "arc.instance-unreadable");
    let duplicate = format!("ARC-Authentication-Results: i=2; other.example; none\r\n{text}");
    let report = validate(&duplicate, &resolver);
    assert_eq!(report.outcome, ChainOutcome::DuplicateField);
    assert_eq!(report.instances[1].duplicate_spans.len(), 1);
}

#[test]
fn too_many_fields_are_not_read() {
    let many = "ARC-Seal: i=1; a=rsa-sha256\r\n".repeat(MAX_ARC_FIELDS + 1);
    let report = validate(&format!("{many}{ORIGINAL}"), &MemoryResolver::new());
    assert_eq!(
        (report.result, report.outcome),
        (ArcResult::Fail, ChainOutcome::TooManyFields)
    );
}

#[test]
fn missing_key_is_permerror_and_fails_the_chain() {
    let (text, _) = two_hops();
    let only_first = resolver(&[&sealer("relay1.example", "one", 1)]);
    let report = validate(&text, &only_first);
    assert_eq!(report.result, ArcResult::Fail);
    let signature = report.instances[1].message_signature.as_ref().expect("ams");
    assert_eq!(
        (signature.result, signature.outcome),
        (SignatureResult::Permerror, SignatureOutcome::KeyNotFound)
    );
}

#[test]
fn chain_verdict_passes_structure_failures_through() {
    let failure = (ChainOutcome::InstanceGap, "gap".to_string());
    let (result, outcome, reason, oldest) = chain_verdict(&[], Err(failure));
    assert_eq!(
        (result, outcome, reason.as_str(), oldest),
        (ArcResult::Fail, ChainOutcome::InstanceGap, "gap", None)
    );
}

#[test]
fn trusted_forwarder_explains_with_its_recorded_dmarc_pass() {
    let (text, resolver) = two_hops();
    let report = validate(&text, &resolver);
    let aligned = |domain: &str| domain == "example.com";
    let found = trusted_forwarder(&report, &["Relay1.example"], aligned).expect("trusted");
    assert_eq!(
        (found.instance, found.method, found.domain.as_deref()),
        (1, ForwarderMethod::Dmarc, Some("example.com"))
    );
    // The newer trusted sealer recorded no pass, so the older one's record is used.
    let found = trusted_forwarder(&report, &["relay2.example", "relay1.example"], aligned);
    assert_eq!(found.map(|found| found.instance), Some(1));
    assert_eq!(
        trusted_forwarder(&report, &["relay2.example"], aligned),
        None
    );
    assert_eq!(
        trusted_forwarder(&report, &["elsewhere.example"], aligned),
        None
    );
}

#[test]
fn trusted_forwarder_needs_a_passing_chain_and_alignment() {
    let one = sealer("relay1.example", "one", 1);
    let results = "relay1.example; dkim=pass header.i=@mail.example.com; spf=pass \
                   smtp.mailfrom=bounce@other.example";
    let text = add_set(ORIGINAL, 1, &one, results);
    let report = validate(&text, &resolver(&[&one]));
    let found = trusted_forwarder(&report, &["relay1.example"], |d| d.ends_with("example.com"));
    assert_eq!(found.map(|found| found.method), Some(ForwarderMethod::Dkim));
    let found = trusted_forwarder(&report, &["relay1.example"], |d| d == "other.example");
    assert_eq!(found.map(|found| found.method), Some(ForwarderMethod::Spf));
    assert_eq!(
        trusted_forwarder(&report, &["relay1.example"], |_| false),
        None
    );
    let broken = validate(
        &text.replace("Subject: Hello", "Subject: Hi"),
        &resolver(&[&one]),
    );
    assert_eq!(
        trusted_forwarder(&broken, &["relay1.example"], |_| true),
        None
    );
}

/// The report types derive their JSON Schema (native builds only).
#[test]
fn report_has_a_json_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(ArcReport)).expect("schema");
    let properties = schema["properties"].as_object().expect("properties");
    for field in ["result", "outcome", "reason", "instances", "oldest_pass"] {
        assert!(properties.contains_key(field), "{field}");
    }
}

/// The whole pipeline on a message a forwarder changed: the author's domain publishes
/// p=reject, nothing aligned verifies any more, and the forwarder's valid seal recorded a DMARC
/// pass. The verdict names the forwarder and whether the reader trusts it (RFC 8617 §7.2).
#[test]
fn verdict_names_the_forwarder_whose_seal_explains_a_dmarc_failure() {
    use crate::verdict::VerdictStatus;
    let list = sealer("lists.example.net", "arc", 7);
    let text = add_set(
        ORIGINAL,
        1,
        &list,
        "lists.example.net; dkim=pass header.d=example.com; dmarc=pass header.from=example.com",
    );
    let mut zone = resolver(&[&list]);
    zone.insert(
        "_dmarc.example.com",
        300,
        RecordData::Txt {
            strings: vec![b"v=DMARC1; p=reject".to_vec()],
        },
    );
    let analyze = |trusted: Vec<String>| {
        let options = crate::Options {
            now: NOW,
            trusted_arc_sealers: trusted,
            ..crate::Options::default()
        };
        pollster::block_on(crate::analyze_message(text.as_bytes(), &options, &zone))
            .expect("a message")
    };
    let report = analyze(Vec::new());
    assert_eq!(report.dmarc.result, crate::dmarc::DmarcResult::Fail);
    assert_eq!(report.arc.result, ArcResult::Pass);
    assert_eq!(report.verdict.status, VerdictStatus::ForwarderVouches);
    let forwarder = report.verdict.arc_forwarder.as_ref().expect("a forwarder");
    assert_eq!(
        (
            forwarder.sealer.as_str(),
            forwarder.method,
            forwarder.trusted
        ),
        ("lists.example.net", ForwarderMethod::Dmarc, false)
    );
    assert!(
        report
            .verdict
            .sentence
            .contains("lists.example.net, which forwarded it, sealed it"),
        "{}",
        report.verdict.sentence
    );
    let trusted = analyze(vec!["Lists.Example.NET".into()]);
    assert!(trusted
        .verdict
        .arc_forwarder
        .as_ref()
        .is_some_and(|f| f.trusted));
    // A sealer the reader does not list is no explanation once a list is given.
    let other = analyze(vec!["elsewhere.example".into()]);
    assert_eq!(other.verdict.status, VerdictStatus::NotAuthenticated);
    assert!(
        other.verdict.sentence.contains("asks receivers to reject"),
        "{}",
        other.verdict.sentence
    );
}
