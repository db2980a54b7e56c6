//! `mailspect domain` as an administrator and a script use it, over the fixture zones of a
//! well-configured and a badly configured domain: the text's sections and fixes, the JSON's
//! top-level fields, `--selector`, and the exit codes. The checks themselves are tested in
//! `src/domain/tests.rs`.

use std::process::Command;

fn zone(file: &str) -> String {
    format!(
        "zone:{}/tests/fixtures/dns/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn mailspect(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mailspect"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_good_domain_as_text_shows_an_a_and_every_section() {
    let good = zone("good-domain.zone");
    let (code, text, stderr) = mailspect(&["domain", "good.example", "--dns", &good]);
    assert_eq!(code, 0, "{stderr}");
    // DNS from a zone file: the policy host is not looked up on the network, so the policy is
    // not fetched; that costs nothing, and the grade says it is incomplete.
    assert!(text.contains("Grade A: 100 of 100 points"), "{text}");
    assert!(
        text.contains("Fetch       not fetched: DNS comes from zone files"),
        "{text}"
    );
    for section in [
        "MX ", "SPF ", "DMARC ", "DKIM ", "MTA-STS ", "TLS-RPT ", "BIMI ", "DANE ", "DNSSEC ",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    assert!(text.contains("google._domainkey.good.example: rsa 2048 bits, good"));
    assert!(text.contains("DANE          in effect"));
}

#[test]
fn the_bad_domain_as_text_shows_points_and_fixes() {
    let bad = zone("bad-domain.zone");
    let (code, text, _) = mailspect(&["domain", "bad.example", "--dns", &bad]);
    assert_eq!(code, 0);
    assert!(text.contains("Grade F: 0 of 100 points"));
    assert!(
        text.contains("✗ Anyone can send mail as bad.example and most receivers will deliver it")
    );
    assert!(
        text.contains("✗ Mail to bad.example can be downgraded to plaintext by anyone on the path")
    );
    assert!(
        text.contains("-25 points\n  [warning] dmarc.policy-none"),
        "{text}"
    );
    assert!(text.contains("fix: Publish bad.example. MX 10 real.bad.example."));
    assert!(text.contains("fix: Publish _smtp._tls.bad.example. TXT \"v=TLSRPTv1; rua=mailto:tls-reports@bad.example\""));
}

#[test]
fn json_has_the_sections_named_after_the_protocols() {
    let bad = zone("bad-domain.zone");
    let (code, stdout, _) = mailspect(&[
        "domain",
        "bad.example",
        "--selector",
        "extra1",
        "--selector",
        "Extra2",
        "--json",
        "--dns",
        &bad,
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let mut fields: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let mut expected = [
        "schema_version",
        "domain",
        "error",
        "grade",
        "summary",
        "mx",
        "spf",
        "dmarc",
        "dkim",
        "mta_sts",
        "tls_rpt",
        "bimi",
        "dane",
        "dnssec",
        "findings",
        "queries",
        "probe",
    ];
    expected.sort_unstable();
    assert_eq!(fields, expected);
    assert_eq!(json["grade"]["letter"], "F");
    let user: Vec<&str> = json["dkim"]["selectors"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|probe| probe["source"] == "user")
        .filter_map(|probe| probe["selector"].as_str())
        .collect();
    assert_eq!(user, ["extra1", "extra2"]);
    assert!(json["queries"]
        .as_array()
        .is_some_and(|queries| queries.len() > 50));
}

#[test]
fn a_name_that_is_not_a_domain_is_a_usage_error() {
    let good = zone("good-domain.zone");
    let (code, stdout, stderr) = mailspect(&["domain", "not a domain", "--dns", &good]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("mailspect: error: \"not a domain\" is not a domain name"),
        "{stderr}"
    );
}

/// `--mta-sts-policy FILE` checks a policy against the MX hosts, as the page's paste box does.
#[test]
fn a_policy_file_is_checked_against_the_mx_hosts() {
    let good = zone("good-domain.zone");
    let dir = std::env::temp_dir().join(format!("mailspect-domain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let covering = dir.join("covering.txt");
    std::fs::write(
        &covering,
        "version: STSv1\nmode: enforce\nmx: *.good.example\nmax_age: 604800\n",
    )
    .expect("write");
    let (code, stdout, stderr) = mailspect(&[
        "domain",
        "good.example",
        "--mta-sts-policy",
        covering.to_str().unwrap(),
        "--json",
        "--dns",
        &good,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["mta_sts"]["mode"], "enforce", "{stdout}");
    assert_eq!(report["grade"]["complete"], true);
    let missing = dir.join("missing.txt");
    std::fs::write(
        &missing,
        "version: STSv1\nmode: enforce\nmx: mx1.good.example\nmax_age: 604800\n",
    )
    .expect("write");
    let (_, stdout, _) = mailspect(&[
        "domain",
        "good.example",
        "--mta-sts-policy",
        missing.to_str().unwrap(),
        "--json",
        "--dns",
        &good,
    ]);
    assert!(
        stdout.contains("mx2.good.example"),
        "the uncovered MX host is named: {stdout}"
    );
    let (code, _, stderr) = mailspect(&[
        "domain",
        "good.example",
        "--mta-sts-policy",
        "/nonexistent/policy",
        "--dns",
        &good,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--mta-sts-policy /nonexistent/policy"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A resolver that cannot be reached: no record could be read, so none is reported absent,
/// and there is no grade letter, only what could not be checked.
#[test]
fn failed_lookups_give_no_grade_and_no_claims() {
    // A port that was free a moment ago and has nothing listening: every query is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port();
    let dns = format!("doh:http://127.0.0.1:{port}/dns-query");
    let (code, stdout, stderr) = mailspect(&["domain", "bad.example", "--json", "--dns", &dns]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        report["grade"]["letter"],
        serde_json::Value::Null,
        "{stdout}"
    );
    assert_eq!(report["grade"]["complete"], false);
    let summary = report["summary"].to_string();
    assert!(summary.contains("the DMARC lookup failed"), "{summary}");
    assert!(!summary.contains("there is no DMARC policy"), "{summary}");
    let (_, text, _) = mailspect(&["domain", "bad.example", "--dns", &dns]);
    assert!(text.contains("No grade: a lookup failed"), "{text}");
    assert!(text.contains("DMARC         the lookup failed"), "{text}");
}
