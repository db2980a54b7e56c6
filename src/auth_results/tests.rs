use super::*;
use crate::message::parse_message;
use crate::received::analyze_path;

fn ar(value: &str) -> AuthenticationResults {
    parse_authentication_results(value, ResultsKind::AuthenticationResults)
}

fn property<'a>(result: &'a MethodResult, name: &str) -> Option<&'a str> {
    result
        .properties
        .iter()
        .find(|p| format!("{}.{}", p.ptype, p.property) == name)
        .map(|p| p.value.as_str())
}

#[test]
fn rfc8601_appendix_b4_spf_and_sender_id() {
    // RFC 8601 Appendix B.4, the results of two methods.
    let results = ar("example.com;\r\n spf=pass smtp.mailfrom=example.net\r\n \
                      sender-id=pass header.from=example.net");
    assert_eq!(results.authserv_id.as_deref(), Some("example.com"));
    assert_eq!(results.results.len(), 1);
    // Without the `;` the second method is kept as an extension of the first, not lost.
    let results = ar("example.com;\r\n spf=pass smtp.mailfrom=example.net;\r\n \
                      sender-id=pass header.from=example.net");
    assert_eq!(results.results.len(), 2);
    assert_eq!(results.results[1].method, "sender-id");
    assert_eq!(
        property(&results.results[1], "header.from"),
        Some("example.net")
    );
    assert!(results.problems.is_empty());
}

#[test]
fn rfc8601_appendix_b2_no_result_and_version() {
    let results = ar("example.org 1; none");
    assert_eq!(results.authserv_id.as_deref(), Some("example.org"));
    assert_eq!(results.version, Some(1));
    assert!(results.results.is_empty());
    assert!(results.problems.is_empty());
}

#[test]
fn gmail_results_with_comments_and_base64_property() {
    let results = ar("mx.google.com;\r\n       dkim=pass header.i=@example.com \
                      header.s=s1 header.b=AbC/+1xY=;\r\n       spf=pass (google.com: domain of \
                      a@example.com designates 192.0.2.10 as permitted sender) \
                      smtp.mailfrom=a@example.com;\r\n       dmarc=pass (p=REJECT sp=REJECT \
                      dis=NONE) header.from=example.com");
    assert_eq!(results.authserv_id.as_deref(), Some("mx.google.com"));
    let methods: Vec<_> = results
        .results
        .iter()
        .map(|r| (r.method.as_str(), r.result.as_str()))
        .collect();
    assert_eq!(
        methods,
        [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    );
    assert_eq!(property(&results.results[0], "header.b"), Some("AbC/+1xY="));
    assert_eq!(results.results[2].comments, ["p=REJECT sp=REJECT dis=NONE"]);
    assert!(results.problems.is_empty());
}

#[test]
fn microsoft_results_without_authserv_id() {
    let results = ar(
        "spf=pass (sender IP is 192.0.2.10)\r\n smtp.mailfrom=example.com; \
                      dkim=none (message not signed)\r\n header.d=none;dmarc=pass action=none\r\n \
                      header.from=example.com;compauth=pass reason=100",
    );
    assert_eq!(results.authserv_id, None);
    assert!(results
        .problems
        .iter()
        .any(|p| p.message.contains("no authserv-id")));
    let methods: Vec<_> = results.results.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["spf", "dkim", "dmarc", "compauth"]);
    assert_eq!(results.results[2].extensions[0].property, "action");
    assert_eq!(results.results[3].reason.as_deref(), Some("100"));
}

#[test]
fn spaces_around_equals_and_method_version() {
    let results =
        ar("mail.example.org; dkim/1 = fail reason = \"bad signature\" header.d = example.com");
    let result = &results.results[0];
    assert_eq!(result.method, "dkim");
    assert_eq!(result.method_version.as_deref(), Some("1"));
    assert_eq!(result.result, "fail");
    assert_eq!(result.reason.as_deref(), Some("bad signature"));
    assert_eq!(property(result, "header.d"), Some("example.com"));
}

#[test]
fn arc_authentication_results_instance() {
    let results = parse_authentication_results(
        "i=2; mx.google.com; arc=pass (i=1); spf=pass smtp.mailfrom=example.com",
        ResultsKind::ArcAuthenticationResults,
    );
    assert_eq!(results.instance, Some(2));
    assert_eq!(results.authserv_id.as_deref(), Some("mx.google.com"));
    assert_eq!(results.results[0].method, "arc");
    assert_eq!(results.results[0].comments, ["i=1"]);
}

#[test]
fn garbage_is_reported_not_dropped() {
    let results = ar("example.com; this is not a result; spf=pass (unclosed");
    assert!(
        results.problems.iter().any(|p| p.message.contains("this")),
        "{:?}",
        results.problems
    );
    assert!(results
        .problems
        .iter()
        .any(|p| p.message.contains("never closed")));
    assert_eq!(results.results.len(), 1);
    let empty = ar("");
    assert!(!empty.problems.is_empty());
}

#[test]
fn received_spf_rfc7208_example_and_microsoft_form() {
    // RFC 7208 §9.1's example.
    let spf = parse_received_spf(
        "pass (mybox.example.org: domain of\r\n myname@example.com designates 192.0.2.1 as \
         permitted sender)\r\n receiver=mybox.example.org; client-ip=192.0.2.1;\r\n \
         envelope-from=\"myname@example.com\"; helo=foo.example.com;",
    );
    assert_eq!(spf.result, "pass");
    assert_eq!(spf.value("client-ip"), Some("192.0.2.1"));
    assert_eq!(spf.value("envelope-from"), Some("myname@example.com"));
    assert_eq!(spf.value("helo"), Some("foo.example.com"));
    assert!(spf.problems.is_empty(), "{:?}", spf.problems);
    let spf = parse_received_spf(
        "Pass (protection.outlook.com: domain of example.com designates 192.0.2.10 as permitted \
         sender) receiver=protection.outlook.com; client-ip=192.0.2.10; helo=mail.example.com; pr=C",
    );
    assert_eq!(spf.result, "pass");
    assert_eq!(spf.value("pr"), Some("C"));
    let odd = parse_received_spf("bestguesspass (x) client-ip=192.0.2.1");
    assert!(odd
        .problems
        .iter()
        .any(|p| p.message.contains("bestguesspass")));
}

/// Gmail writes its results just below its own stamp; an attacker's forged field sits below the
/// sender's stamp. Only the first may be believed.
#[test]
fn results_below_the_border_are_untrusted() {
    let message = "Received: from mail.example.com (mail.example.com [192.0.2.10]) by \
                   mx.google.com with ESMTPS id a1; Mon, 01 Jan 2024 10:00:05 +0000\r\n\
                   Received-SPF: pass (google.com: domain of a@example.com designates \
                   192.0.2.10 as permitted sender) client-ip=192.0.2.10;\r\n\
                   Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=a@example.com\r\n\
                   Received: from laptop ([203.0.113.5]) by mail.example.com with ESMTPSA id b2; \
                   Mon, 01 Jan 2024 10:00:00 +0000\r\n\
                   Authentication-Results: mx.google.com; dmarc=pass header.from=bank.example\r\n\
                   From: a@example.com\r\n";
    let message = parse_message(message.as_bytes()).expect("valid");
    let mut fields = read_result_fields(&message);
    let recorded = fields.recorded_ips();
    assert!(recorded.iter().any(|r| r.ip.to_string() == "192.0.2.10"));
    let path = analyze_path(&message, &recorded, 0);
    let border = path.border.as_ref().expect("a border");
    assert_eq!(border.hop, 2);
    let findings = fields.judge(Some(border));
    let trust: Vec<_> = fields
        .authentication_results
        .iter()
        .map(|r| r.trust)
        .collect();
    assert_eq!(trust, [Trust::Trusted, Trust::Untrusted]);
    // Received-SPF names its receiver in the comment (`google.com: …`), RFC 7208 §9.1.
    assert_eq!(fields.received_spf[0].trust, Trust::Trusted);
    assert!(findings.iter().any(|f| f.code == "auth-results.untrusted"));
}

#[test]
fn too_many_result_fields_are_capped_with_a_finding() {
    let headers = "Authentication-Results: x; spf=pass\r\n".repeat(MAX_RESULT_FIELDS + 2);
    let message = parse_message(headers.as_bytes()).expect("valid");
    let mut fields = read_result_fields(&message);
    assert_eq!(fields.authentication_results.len(), MAX_RESULT_FIELDS);
    let findings = fields.judge(None);
    assert!(findings.iter().any(|f| f.code == "auth-results.too-many"));
}
