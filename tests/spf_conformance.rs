//! The openspf/pyspf SPF test suites, read in place from `../shared/conformance/spf/`
//! (tests/support/spf_suite.rs), answered from a `MemoryResolver` built from each scenario's
//! `zonedata`. Run with `cargo test --test spf_conformance -- --nocapture` to see the counts.
//! tests/spf_doh_conformance.rs runs the RFC 7208 suite again over DoH.

#[path = "support/spf_suite.rs"]
mod spf_suite;

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use mailspect::dns::{
    normalize_name, Answer, DnsError, MemoryResolver, RecordData, RecordType, Resolver,
};
use mailspect::spf::{check_mail_from, CheckOptions, ExplanationSource};
use serde_yaml::Value;
use spf_suite::{judge, scenarios, Case, Tally, Verdict};

/// The suite's zones: a `MemoryResolver`, plus the names marked `TIMEOUT`. As in the suite's own
/// driver (pyspf `testspf.py`), a `TIMEOUT` name times out for every type it has no records of,
/// so `spftimeout.example.net` (a TXT record and TIMEOUT) still answers its TXT record.
struct SuiteResolver {
    zone: MemoryResolver,
    timeouts: HashSet<String>,
}

impl Resolver for SuiteResolver {
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        let answer = self.zone.answer(name, record_type);
        match answer {
            Err(DnsError::NxDomain | DnsError::NoData)
                if self.timeouts.contains(&normalize_name(name)) =>
            {
                Err(DnsError::Timeout)
            }
            other => other,
        }
    }
}

/// The YAML's `"\x96"` escapes mean raw octets (the suite says so), but YAML reads them as the
/// code points U+0080–U+00FF; turn those back into single bytes.
fn octets(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for character in text.chars() {
        match u8::try_from(u32::from(character)) {
            Ok(byte) => out.push(byte),
            Err(_) => out.extend_from_slice(character.to_string().as_bytes()),
        }
    }
    out
}

/// The character-strings of a TXT or SPF value: one string, or a list of them (`[]` is a record
/// with no strings, which the suite includes to check that nothing crashes).
fn strings(value: &Value) -> Vec<Vec<u8>> {
    match value {
        Value::Sequence(items) => items.iter().filter_map(Value::as_str).map(octets).collect(),
        Value::String(text) => vec![octets(text)],
        other => vec![octets(&format!("{other:?}"))],
    }
}

fn build_zone(zonedata: &BTreeMap<String, Vec<Value>>) -> SuiteResolver {
    let mut zone = MemoryResolver::new();
    let mut timeouts = HashSet::new();
    for (name, entries) in zonedata {
        let mut txt: Option<Vec<Vec<Vec<u8>>>> = None;
        let mut spf: Vec<Vec<Vec<u8>>> = Vec::new();
        for entry in entries {
            if entry.as_str() == Some("TIMEOUT") {
                timeouts.insert(normalize_name(name));
                continue;
            }
            let Value::Mapping(map) = entry else {
                panic!("{name}: unexpected zone entry {entry:?}")
            };
            for (kind, value) in map {
                let kind = kind.as_str().expect("record types are strings");
                let text = value.as_str().unwrap_or_default();
                let data = match kind {
                    "TXT" | "SPF" => {
                        let list = if kind == "TXT" {
                            txt.get_or_insert_with(Vec::new)
                        } else {
                            &mut spf
                        };
                        // "NONE" marks a type as present with no records (it stops SPF → TXT copying).
                        if text != "NONE" {
                            list.push(strings(value));
                        }
                        continue;
                    }
                    "A" => RecordData::A {
                        address: text.parse().expect("A address"),
                    },
                    "AAAA" => RecordData::Aaaa {
                        address: text.parse().expect("AAAA address"),
                    },
                    "PTR" => RecordData::Ptr {
                        target: text.to_string(),
                    },
                    "CNAME" => RecordData::Cname {
                        target: text.to_string(),
                    },
                    "MX" => {
                        let Value::Sequence(pair) = value else {
                            panic!("{name}: MX {value:?}")
                        };
                        let preference =
                            pair.first().and_then(Value::as_u64).expect("MX preference");
                        let exchange = pair.get(1).and_then(Value::as_str).expect("MX exchange");
                        RecordData::Mx {
                            preference: u16::try_from(preference).expect("preference fits"),
                            exchange: exchange.to_string(),
                        }
                    }
                    other => panic!("{name}: unknown record type {other}"),
                };
                zone.insert(name, 300, data);
            }
        }
        // The suite's header: SPF-type records are served as TXT too, unless the name has TXT
        // entries of its own (which is how "SPF and TXT differ" scenarios are written).
        for strings in txt.unwrap_or(spf) {
            zone.insert(name, 300, RecordData::Txt { strings });
        }
    }
    SuiteResolver { zone, timeouts }
}

/// One test's outcome: `None` when it passed, else what went wrong.
fn run_case(resolver: &SuiteResolver, name: &str, case: &Case) -> Option<String> {
    let ip: IpAddr = case.host.parse().expect("host is an IP address");
    let report = pollster::block_on(check_mail_from(
        resolver,
        ip,
        &case.mailfrom,
        Some(&case.helo),
        &CheckOptions::default(),
    ))
    .expect("every test gives a HELO name");
    let verdict = Verdict {
        result: report.result,
        reason: report.reason,
        explanation: report.explanation,
        default_explanation: report.explanation_source == Some(ExplanationSource::Default),
    };
    judge(name, case, &verdict)
}

/// Runs a suite file; returns (passed, failures as "scenario / test: why").
fn run_suite(file: &str) -> (usize, Vec<(String, String)>) {
    let mut tally = Tally::default();
    for scenario in scenarios(file) {
        let resolver = build_zone(&scenario.zonedata);
        for (name, case) in &scenario.tests {
            tally.record(&scenario, name, run_case(&resolver, name, case));
        }
    }
    tally.print(file);
    (tally.passed, tally.failures)
}

#[test]
fn rfc7208_suite_passes_completely() {
    let (passed, failures) = run_suite("rfc7208-tests.yml");
    assert!(
        failures.is_empty(),
        "{} RFC 7208 tests failed: {failures:#?}",
        failures.len()
    );
    assert_eq!(passed, 203, "the suite has 203 tests");
}

/// The RFC 4408 suite (release 2009.10). Where RFC 7208 changed an answer (the MX limit, the
/// void-lookup limit, invalid CIDR lengths), this release already lists the RFC 7208 answer
/// among the acceptable ones (e.g. `mx-limit: [neutral, pass, permerror]`), so there are no
/// known disagreements to excuse: every test must pass. If a later copy of the suite brings
/// one, list it here by name with the RFC 7208 section that overrides it.
const RFC4408_DISAGREEMENTS: &[(&str, &str)] = &[];

#[test]
fn rfc4408_suite_passes_where_it_agrees_with_rfc7208() {
    let (passed, failures) = run_suite("rfc4408-tests.yml");
    let unexpected: Vec<_> = failures
        .iter()
        .filter(|(name, _)| !RFC4408_DISAGREEMENTS.iter().any(|(known, _)| known == name))
        .collect();
    assert!(
        unexpected.is_empty(),
        "RFC 4408 tests failed: {unexpected:#?}"
    );
    assert_eq!(passed + failures.len(), 191, "the suite has 191 tests");
    assert_eq!(passed, 191 - RFC4408_DISAGREEMENTS.len());
}
