//! The ARC validation suite (../shared/conformance/arc/arc-draft-validation-tests.yml, written
//! for draft-ietf-dmarc-arc-protocol-18, the text of RFC 8617) and the real ARC chains in
//! ../shared/conformance/arc-messages/, read in place.
//!
//! Every suite test with an expected `cv` must agree with us, except the cases listed in
//! [`DISPUTED`], where the suite and RFC 8617 disagree and we follow the RFC. Three tests have
//! an empty `cv` (see [`WITHOUT_EXPECTATION`]); they are run and must fail, as RFC 8617 says.

use std::path::PathBuf;

use mailspect::arc::{verify_message, ArcResult, ChainOutcome};
use mailspect::dns::{MemoryResolver, RecordData};
use mailspect::message::parse_message;

/// Any time will do for the suite: its signatures carry `t=12345` and no `x=`. The real
/// messages use the time of checking of the DKIM suite (../shared/conformance/README.md).
const SUITE_NOW: u64 = 1_667_843_664;

/// Suite tests whose expectation contradicts RFC 8617, with why.
const DISPUTED: &[(&str, &str)] = &[
    (
        "ams_fields_c_na",
        "the ARC-Message-Signature has no c=, so its canonicalization is simple/simple: RFC 6376 \
         §3.5 (\"If no canonicalization algorithm is specified by the Signer, the 'simple' \
         algorithm defaults for both header and body\"), kept by RFC 8617 §4.1.2 (\"the same \
         syntax and semantics as the DKIM-Signature field\"). The suite's signature was made \
         with relaxed/relaxed (it verifies when relaxed is assumed) and it expects pass. We \
         follow the RFC, under which the header signature does not verify.",
    ),
    (
        "ams_fields_h_empty",
        "the suite expects pass for an ARC-Message-Signature with an empty h=. RFC 8617 §4.1.2 \
         gives the AMS the syntax of a DKIM-Signature, and RFC 6376 §3.5 has `sig-h-tag = %x68 \
         [FWS] \"=\" [FWS] hdr-name *( [FWS] \":\" [FWS] hdr-name )`: at least one name, each \
         `hdr-name = field-name = 1*ftext`. An AMS over no header field would also let anyone \
         rewrite From and Subject after the last hop without breaking the chain. We fail it.",
    ),
    (
        "ams_fields_h_mis_hdr",
        "the suite expects pass for h=from:to::date:…, whose third name is empty. The same \
         grammar (`hdr-name = 1*ftext`, RFC 6376 §3.5, via RFC 8617 §4.1.2) makes that a syntax \
         error, and a tag-list that does not follow its grammar makes the signature unusable \
         (RFC 6376 §6.1.1). We fail it.",
    ),
];

/// Suite tests whose `cv` is empty: the suite gives no expectation (OpenARC and dkimpy report
/// `fail`, trusteddomainproject/OpenARC#78 calls these suite bugs). Each has an ARC-Seal with
/// `cv=fail`, which RFC 8617 §5.2 steps 2 and 3.3 make a failed chain, so we check for fail.
const WITHOUT_EXPECTATION: &[&str] = &[
    "cv_fail_i1_as_cv_fail",
    "cv_fail_i2_as2_fail",
    "cv_fail_i2_as1_fail",
];

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/conformance")
        .join(path)
}

fn resolver_with(records: &[(String, String)]) -> MemoryResolver {
    let mut resolver = MemoryResolver::new();
    for (name, value) in records {
        // Long values as 255-byte strings, as DNS would carry them.
        let strings = value.as_bytes().chunks(255).map(<[u8]>::to_vec).collect();
        resolver.insert(name, 3600, RecordData::Txt { strings });
    }
    resolver
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn validate(resolver: &MemoryResolver, input: &[u8]) -> (ArcResult, ChainOutcome, String) {
    // An input intake cannot read (the suite's empty message) has no ARC Sets.
    let Ok(message) = parse_message(input) else {
        return (
            ArcResult::None,
            ChainOutcome::NoArcSets,
            "not a message".into(),
        );
    };
    let report = pollster::block_on(verify_message(&message, resolver, SUITE_NOW));
    (report.result, report.outcome, report.reason)
}

fn expected(cv: &serde_yaml::Value) -> Option<ArcResult> {
    match cv.as_str().map(str::trim) {
        Some("None") => Some(ArcResult::None),
        Some("Pass") => Some(ArcResult::Pass),
        Some("Fail") => Some(ArcResult::Fail),
        _ => None,
    }
}

/// A scenario's `tests`, every entry in file order. The file repeats four names in one mapping
/// (`as_fields_b_head_case`, `as_fields_b_head_unfold`, `as_fields_b_eol_wsp`,
/// `as_fields_b_inl_wsp`, each with a different message); serde_yaml's `Mapping` refuses
/// duplicate keys and PyYAML keeps only the last, so both copies are read here as entries.
struct Tests(Vec<(String, serde_yaml::Value)>);

impl<'de> serde::Deserialize<'de> for Tests {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Tests;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of tests")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Tests, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Tests(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[derive(serde::Deserialize)]
struct Scenario {
    tests: Tests,
    /// The file spells it `txt-records`; its README, `txt_records`.
    #[serde(rename = "txt-records", alias = "txt_records", default)]
    records: std::collections::BTreeMap<String, String>,
}

#[test]
fn arc_validation_suite() {
    let path = shared("arc/arc-draft-validation-tests.yml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut agreed, mut with_expectation, mut without) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&text) {
        let scenario: Scenario = serde::Deserialize::deserialize(document).expect("scenario");
        let records: Vec<(String, String)> = scenario.records.into_iter().collect();
        let resolver = resolver_with(&records);
        for (name, test) in &scenario.tests.0 {
            let name = name.as_str();
            let message = crlf(test["message"].as_str().unwrap_or_default());
            let (result, outcome, reason) = validate(&resolver, &message);
            let Some(want) = expected(&test["cv"]) else {
                without += 1;
                assert!(
                    WITHOUT_EXPECTATION.contains(&name),
                    "{name}: no expected cv, not listed"
                );
                assert_eq!(result, ArcResult::Fail, "{name}: {reason}");
                assert!(
                    matches!(
                        outcome,
                        ChainOutcome::NewestSealRecordsFail | ChainOutcome::WrongChainValidation
                    ),
                    "{name}: {reason}"
                );
                continue;
            };
            with_expectation += 1;
            if result == want {
                agreed += 1;
                assert!(
                    DISPUTED.iter().all(|(disputed, _)| *disputed != name),
                    "{name} is listed as disputed but agrees"
                );
            } else {
                disagreements.push(format!(
                    "{name}: expected {want:?}, got {result:?}: {reason}"
                ));
            }
        }
    }
    println!(
        "ARC validation suite: {agreed}/{with_expectation} agree; {} disputed (RFC 8617 wins); \
         {without} without an expected cv, all fail as RFC 8617 §5.2 says",
        disagreements.len()
    );
    for line in &disagreements {
        println!("  disputed: {line}");
    }
    let undisputed: Vec<&String> = disagreements
        .iter()
        .filter(|line| {
            !DISPUTED
                .iter()
                .any(|(name, _)| line.starts_with(&format!("{name}:")))
        })
        .collect();
    assert!(undisputed.is_empty(), "{undisputed:#?}");
    assert_eq!(disagreements.len(), DISPUTED.len(), "{disagreements:#?}");
    assert_eq!(with_expectation + without, 175, "the suite has 175 tests");
}

/// Reads one message file: `name value` TXT records one a line, a blank line, then the message
/// with LF line ends (the layout of ../shared/conformance/dkim/).
fn load_message(file: &str) -> (MemoryResolver, Vec<u8>) {
    let path = shared("arc-messages").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (head, message) = text
        .split_once("\n\n")
        .expect("a blank line after the records");
    let records: Vec<(String, String)> = head
        .lines()
        .map(|line| {
            let (name, value) = line.split_once(' ').expect("name value");
            (name.to_string(), value.to_string())
        })
        .collect();
    (resolver_with(&records), crlf(message))
}

fn check_message(file: &str, sets: usize) {
    let (resolver, input) = load_message(file);
    let message = parse_message(&input).expect("message");
    let report = pollster::block_on(verify_message(&message, &resolver, SUITE_NOW));
    assert_eq!(report.result, ArcResult::Pass, "{file}: {}", report.reason);
    assert_eq!(report.instances.len(), sets, "{file}");
    assert_eq!(report.oldest_pass, Some(1), "{file}");
    for instance in &report.instances {
        let seal = instance.seal.as_ref().expect("seal");
        let signature = instance
            .message_signature
            .as_ref()
            .expect("message signature");
        assert!(seal.key.is_some() && signature.body_checked, "{file}");
    }
}

#[test]
fn google_arc_chain_passes() {
    check_message("001.txt", 1);
}

#[test]
fn two_hop_rsa_and_ed25519_chain_passes() {
    check_message("002.txt", 2);
}

/// Every file of arc-messages/ is covered above; a file added there fails here until it is.
#[test]
fn every_message_file_is_checked() {
    let mut files: Vec<String> = std::fs::read_dir(shared("arc-messages"))
        .expect("arc-messages")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    files.sort();
    assert_eq!(files, ["001.txt", "002.txt"]);
}
