//! Hostile input through the whole pipeline: mutated real-shaped messages must give a report or a
//! clear intake error, never a panic or a hang. The mutations are deterministic (a fixed-seed
//! xorshift), so a failure reproduces; the failing seed and iteration are in the panic message.

use mailspect::dns::MemoryResolver;
use mailspect::{analyze_message, Options};

#[path = "support/mutate.rs"]
mod mutate;
use mutate::{fixtures, mutate, XorShift};

#[test]
fn mutated_messages_never_panic() {
    let resolver = MemoryResolver::new();
    let options = Options {
        now: 1_667_843_664,
        ..Options::default()
    };
    let fixtures = fixtures();
    assert!(!fixtures.is_empty());
    for (index, fixture) in fixtures.iter().enumerate() {
        let seed = 0x9E37_79B9_7F4A_7C15 ^ index as u64;
        let mut rng = XorShift(seed);
        for iteration in 0..400 {
            let input = mutate(&mut rng, fixture);
            let outcome = std::panic::catch_unwind(|| {
                pollster::block_on(analyze_message(&input, &options, &resolver)).map(|_| ())
            });
            assert!(
                outcome.is_ok(),
                "panic on fixture {index}, seed {seed:#x}, iteration {iteration}"
            );
        }
    }
}

#[path = "support/conformance_messages.rs"]
mod messages;

/// The conformance messages mutated with their own keys and records served: unlike an empty
/// resolver, this reaches body canonicalization, signature verification, ARC seals, DMARC
/// alignment and the verdict on damaged input.
#[test]
fn mutated_signed_messages_with_their_keys_never_panic() {
    let options = Options {
        now: messages::SUITE_NOW,
        ..Options::default()
    };
    let mut analysed = 0;
    for folder in ["dkim", "arc-messages"] {
        for (index, file) in messages::files(folder).iter().enumerate() {
            let (resolver, input) = messages::load(folder, file);
            let seed = 0xA5A5_0000_0000_0000 ^ (index as u64) ^ ((folder.len() as u64) << 32);
            let mut rng = XorShift(seed);
            for iteration in 0..150 {
                let mutated = mutate(&mut rng, &input);
                let outcome = std::panic::catch_unwind(|| {
                    pollster::block_on(analyze_message(&mutated, &options, &resolver)).map(|_| ())
                });
                assert!(
                    outcome.is_ok(),
                    "panic on {folder}/{file}, seed {seed:#x}, iteration {iteration}"
                );
                analysed += 1;
            }
        }
    }
    assert!(analysed >= 1200, "{analysed}");
}

/// Hostile DNS data: random DMARC records (built from the grammar's own bytes and some that
/// are not) through the parser, the lint and the fixed record; random names through the
/// Public Suffix List. Every one returns, with spans inside the record.
#[test]
fn random_dmarc_records_and_names_never_panic() {
    const ALPHABET: &[u8] = b"v=DMARC1;p=nonequarantinereject sp np psd=ynu t=y adkim=rs aspf \
                              rua=mailto:a@b.example!10m ruf fo=01ds pct=100 rf=afrf ri=86400,\
                              \t\r\n\x00\xff\xc3\xa9.=;";
    let mut rng = XorShift(0xD3A5_C0DE_0000_0001);
    for iteration in 0..20_000 {
        let length = rng.below(160);
        let bytes: Vec<u8> = (0..length)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(record) = mailspect::dmarc::parse_record(&text) {
                for tag in &record.tags {
                    assert!(tag.record_span.end <= record.text.len(), "{text:?}");
                }
                let _ = mailspect::dmarc::lint::fixed_record(&record);
            }
            let _ = mailspect::dmarc::lint_record("example.org", &text);
            let _ = mailspect::org_domain::organisation(&text);
            let _ = mailspect::org_domain::public_suffix(&text);
        });
        assert!(outcome.is_ok(), "panic on iteration {iteration}: {text:?}");
    }
}

/// The property the `pipeline` fuzz target checks, on the same inputs, fast enough for every
/// `cargo test`: the conformance messages with their keys and with SPF and DMARC records and an
/// envelope for their From domain, mutated, always give a report (or an intake error) that
/// serializes, and the same report each time: nothing in the pipeline depends on anything but
/// the input. With an envelope, SPF and DMARC evaluate too, which an empty envelope never does.
#[test]
fn mutated_signed_messages_with_spf_dmarc_and_an_envelope_give_one_stable_report() {
    use mailspect::dns::RecordData;
    let mut analysed = 0;
    for (index, file) in messages::files("dkim").iter().enumerate() {
        let (mut resolver, input) = messages::load("dkim", file);
        let text = String::from_utf8_lossy(&input);
        let domain = text
            .lines()
            .find_map(|line| line.strip_prefix("From:"))
            .and_then(|from| from.rsplit_once('@'))
            .map(|(_, domain)| domain.trim_end_matches(['>', ' ']).to_string())
            .expect("every conformance message has a From address");
        for (name, record) in [
            (
                domain.clone(),
                format!("v=spf1 ip4:192.0.2.0/24 include:_spf.{domain} -all"),
            ),
            (
                format!("_spf.{domain}"),
                "v=spf1 a mx exists:%{i}.%{d} ~all".to_string(),
            ),
            (
                format!("_dmarc.{domain}"),
                "v=DMARC1; p=reject; adkim=s".to_string(),
            ),
        ] {
            let strings = vec![record.into_bytes()];
            resolver.insert(&name, 300, RecordData::Txt { strings });
        }
        let options = Options {
            now: messages::SUITE_NOW,
            envelope: mailspect::EnvelopeOverride {
                ip: Some("192.0.2.7".parse().expect("an address")),
                mail_from: Some(format!("user@{domain}")),
                helo: Some(format!("mail.{domain}")),
            },
            ..Options::default()
        };
        let seed = 0x5EED_0000_0000_0000 ^ index as u64;
        let mut rng = XorShift(seed);
        for iteration in 0..40 {
            let mutated = mutate(&mut rng, &input);
            let json = || {
                pollster::block_on(analyze_message(&mutated, &options, &resolver))
                    .map(|report| serde_json::to_string(&report).expect("a report serializes"))
            };
            let outcome = std::panic::catch_unwind(|| (json(), json()));
            let Ok((first, second)) = outcome else {
                panic!("panic on dkim/{file}, seed {seed:#x}, iteration {iteration}");
            };
            assert_eq!(
                first, second,
                "dkim/{file}, seed {seed:#x}, iteration {iteration}"
            );
            analysed += 1;
        }
    }
    assert!(analysed >= 200, "{analysed}");
}
