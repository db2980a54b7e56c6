//! The openspf/pyspf SPF test suites as the conformance tests read them, in place from
//! `../shared/conformance/spf/`, and how a verdict is judged against a case. Shared by
//! `tests/spf_conformance.rs` (answers from a `MemoryResolver`) and
//! `tests/spf_doh_conformance.rs` (answers from an independent DoH server).
//!
//! Each YAML document is a scenario: `zonedata` and `tests` (helo, host, mailfrom, the expected
//! result or a list of acceptable ones, and sometimes the explanation).

use std::collections::BTreeMap;
use std::path::PathBuf;

use mailspect::spf::SpfResult;
use serde::Deserialize;
use serde_yaml::Value;

#[derive(Debug, Deserialize)]
pub struct Scenario {
    pub description: String,
    pub tests: BTreeMap<String, Case>,
    #[serde(default)]
    pub zonedata: BTreeMap<String, Vec<Value>>,
}

#[derive(Debug, Deserialize)]
pub struct Case {
    pub helo: String,
    pub host: String,
    pub mailfrom: String,
    pub result: Value,
    pub explanation: Option<String>,
}

/// Where a suite file lives: `../shared/conformance/spf/FILE`, read in place.
pub fn suite_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance/spf")
        .join(file)
}

/// The scenarios of a suite file, in file order.
pub fn scenarios(file: &str) -> Vec<Scenario> {
    let path = suite_path(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_yaml::Deserializer::from_str(&text)
        .map(|document| Scenario::deserialize(document).expect("scenario"))
        .collect()
}

/// What an SPF check said, whichever way it was run.
pub struct Verdict {
    pub result: SpfResult,
    pub reason: String,
    pub explanation: Option<String>,
    /// The explanation is mailspect's default text, not the domain's `exp=`.
    pub default_explanation: bool,
}

/// Tests whose explanation is compared ignoring ASCII case. `v-macro-ip6` expects the nibbles
/// of `%{ir}` in upper case (`...E.B.A.B.E.F.A.C.ip6.arpa`), where RFC 7208 §7.4's own example
/// of the same expansion is lower case (`...8.b.d.0.1.0.0.2.ip6._spf.example.com`); mailspect
/// follows the RFC, and DNS names compare without case anyway.
const IGNORE_CASE_OF_EXPLANATION: &[&str] = &["v-macro-ip6"];

/// One test's outcome: `None` when the verdict passes, else what went wrong.
pub fn judge(name: &str, case: &Case, verdict: &Verdict) -> Option<String> {
    let expected: Vec<String> = match &case.result {
        Value::Sequence(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Value::String(word) => vec![word.clone()],
        other => panic!("result {other:?}"),
    };
    let accepted: Vec<SpfResult> = expected
        .iter()
        .map(|word| SpfResult::from_word(word).unwrap_or_else(|| panic!("unknown result {word}")))
        .collect();
    if !accepted.contains(&verdict.result) {
        return Some(format!(
            "got {} ({}), expected {expected:?}",
            verdict.result, verdict.reason
        ));
    }
    match (&case.explanation, verdict.result) {
        (Some(expected), SpfResult::Fail) if expected == "DEFAULT" => {
            (!verdict.default_explanation).then(|| {
                format!(
                    "explanation {:?}, expected the default",
                    verdict.explanation
                )
            })
        }
        (Some(expected), SpfResult::Fail) => {
            let same = |text: &str| {
                if IGNORE_CASE_OF_EXPLANATION.contains(&name) {
                    text.eq_ignore_ascii_case(expected)
                } else {
                    text == expected
                }
            };
            (!verdict.explanation.as_deref().is_some_and(same)).then(|| {
                format!(
                    "explanation {:?}, expected {expected:?}",
                    verdict.explanation
                )
            })
        }
        _ => None,
    }
}

/// Passes and failures ("test: scenario: why") of a run, printed as the tally.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failures: Vec<(String, String)>,
}

impl Tally {
    pub fn record(&mut self, scenario: &Scenario, name: &str, outcome: Option<String>) {
        match outcome {
            None => self.passed += 1,
            Some(why) => self
                .failures
                .push((name.to_string(), format!("{}: {why}", scenario.description))),
        }
    }

    pub fn total(&self) -> usize {
        self.passed + self.failures.len()
    }

    pub fn print(&self, label: &str) {
        println!("{label}: {}/{} passed", self.passed, self.total());
        for (name, why) in &self.failures {
            println!("  {name}: {why}");
        }
    }
}
