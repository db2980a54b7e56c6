use super::*;
use crate::message::parse_message;

fn verdicts(headers: &str) -> Vec<VendorVerdict> {
    let message = parse_message(headers.as_bytes()).expect("valid");
    read_vendor_verdicts(&message, None).0
}

fn meaning<'a>(verdict: &'a VendorVerdict, key: &str) -> Option<&'a str> {
    verdict
        .fields
        .iter()
        .find(|field| field.key == key)
        .and_then(|field| field.meaning.as_deref())
}

#[test]
fn forefront_report_fields_are_explained_and_raw_kept() {
    let raw = "CIP:192.0.2.10;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.example.com;\
               PTR:mail.example.com;CAT:NONE;SFS:(13230031)(4636009);DIR:INB;";
    let all = verdicts(&format!("X-Forefront-Antispam-Report: {raw}\r\n"));
    let verdict = &all[0];
    assert_eq!(verdict.vendor, Vendor::Microsoft);
    assert_eq!(verdict.raw, raw);
    assert_eq!(
        meaning(verdict, "SCL"),
        Some("SCL 1: not spam; delivered to the inbox.")
    );
    assert_eq!(
        meaning(verdict, "SFV"),
        Some("Spam filtering marked the message as not spam.")
    );
    assert_eq!(meaning(verdict, "DIR"), Some("Inbound message."));
    assert!(meaning(verdict, "CIP").is_some_and(|m| m.contains("192.0.2.10")));
    let summary = verdict.summary.as_deref().expect("a summary");
    assert!(
        summary.contains("SCL 1") && summary.contains("none"),
        "{summary}"
    );
}

#[test]
fn forefront_phishing_impersonation_and_ipv6_cip() {
    let all = verdicts(
        "X-Forefront-Antispam-Report: CIP:2001:db8::1;SCL:9;SFV:SPM;CAT:HPHISH;SFTY:9.19;\r\n",
    );
    let verdict = &all[0];
    let cip = verdict.fields.iter().find(|f| f.key == "CIP").expect("CIP");
    assert_eq!(cip.value, "2001:db8::1");
    assert_eq!(
        meaning(verdict, "SFTY"),
        Some("Phishing: domain impersonation.")
    );
    assert!(meaning(verdict, "CAT").is_some_and(|m| m.contains("high confidence phishing")));
}

#[test]
fn microsoft_antispam_bcl_pcl_and_undocumented_mailbox_delivery() {
    let all = verdicts(
        "X-Microsoft-Antispam: BCL:7;PCL:0;ARA:1444111002;\r\n\
         X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;ENG:(910001)(944506478);\r\n\
         X-MS-Exchange-Organization-SCL: 5\r\n",
    );
    assert!(meaning(&all[0], "BCL").is_some_and(|m| m.contains("mixed")));
    assert!(meaning(&all[0], "PCL").is_some_and(|m| m.contains("not likely")));
    assert!(all[1].fields.iter().all(|field| field.meaning.is_none()));
    assert!(all[1]
        .summary
        .as_deref()
        .is_some_and(|s| s.contains("does not document")));
    assert!(all[2]
        .summary
        .as_deref()
        .is_some_and(|s| s.contains("Junk")));
}

#[test]
fn spamassassin_status_with_folded_test_list() {
    let all = verdicts(
        "X-Spam-Status: Yes, score=7.2 required=5.0 tests=BAYES_99,DKIM_SIGNED,\r\n\
         \tHTML_MESSAGE,URIBL_BLACK autolearn=no autolearn_force=no version=3.4.6\r\n\
         X-Spam-Level: *******\r\n",
    );
    let status = &all[0];
    assert_eq!(status.vendor, Vendor::Spamassassin);
    let tests = status
        .fields
        .iter()
        .find(|f| f.key == "tests")
        .expect("tests");
    assert_eq!(tests.value, "BAYES_99,DKIM_SIGNED,HTML_MESSAGE,URIBL_BLACK");
    assert_eq!(
        status.summary.as_deref(),
        Some("SpamAssassin: Yes, score 7.2 against a threshold of 5.0.")
    );
    assert!(meaning(&all[1], "value").is_some_and(|m| m.contains("7 stars")));
}

#[test]
fn proofpoint_and_mimecast() {
    let all = verdicts(
        "X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 \
         phishscore=0 bulkscore=0 classifier=spam adjust=0 reason=mlx\r\n\
         X-Mimecast-Spam-Score: 3\r\n\
         X-Mimecast-Impersonation-Protect: Policy=Default;Similar Internal Domain=false;\r\n \
         Newly Observed Domain=true;Reply-to Address Mismatch=true\r\n",
    );
    assert_eq!(all[0].summary.as_deref(), Some("Proofpoint rule: notspam."));
    assert!(meaning(&all[0], "phishscore").is_some_and(|m| m.contains("phish")));
    assert_eq!(all[1].summary.as_deref(), Some("Mimecast spam score 3."));
    assert_eq!(
        all[2].summary.as_deref(),
        Some("Mimecast Impersonation Protect matched: Newly Observed Domain, Reply-to Address Mismatch.")
    );
}

#[test]
fn odd_values_do_not_break_decoding() {
    let all = verdicts(
        "X-Forefront-Antispam-Report: ;;;SCL:abc;:;CAT\r\n\
         X-Spam-Status: maybe\r\n\
         X-Microsoft-Antispam: BCL:99\r\n",
    );
    assert_eq!(all.len(), 3);
    assert_eq!(meaning(&all[0], "SCL"), None);
    assert_eq!(all[1].summary, None);
    assert_eq!(meaning(&all[2], "BCL"), None);
}

#[test]
fn too_many_verdict_headers_are_capped_with_a_finding() {
    let headers = "X-Spam-Flag: NO\r\n".repeat(MAX_VERDICT_FIELDS + 3);
    let message = parse_message(headers.as_bytes()).expect("valid");
    let (verdicts, finding) = read_vendor_verdicts(&message, None);
    assert_eq!(verdicts.len(), MAX_VERDICT_FIELDS);
    assert_eq!(finding.map(|f| f.code), Some("vendor.too-many"));
}
