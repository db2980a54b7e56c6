//! DMARC aggregate reports: the XML of RFC 7489 Appendix C, of RFC 9990 (namespace
//! `urn:ietf:params:xml:ns:dmarc-2.0`) and of the pre-RFC draft (`<identities>` for
//! `<identifiers>`), read into one shape. Fields a layout lacks are `null`.
//!
//! Values are kept as the reporter wrote them, trimmed and lower-cased (receivers write `Pass`
//! and `None` too); a policy field holding the word `unused` (Yahoo writes it where it has no
//! value) is read as absent, with a finding, rather than as a policy named "unused".

use serde::{Deserialize, Serialize};

use super::xml::{self, Element};
use crate::report::{quoted, Finding, Severity};

/// The RFC 9990 namespace.
pub const NAMESPACE_RFC9990: &str = "urn:ietf:params:xml:ns:dmarc-2.0";
/// The namespace of the draft schema `dmarc-xml/0.1`.
pub const NAMESPACE_DRAFT: &str = "http://dmarc.org/dmarc-xml/0.1";

/// Which layout a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AggregateFormat {
    /// RFC 7489 Appendix C: no namespace, `<identifiers>`.
    Rfc7489,
    /// RFC 9990: the `dmarc-2.0` namespace; `np`, `testing`, `discovery_method`, `generator`.
    Rfc9990,
    /// The pre-RFC draft: `<identities>` in place of `<identifiers>`, or the draft namespace.
    Draft,
}

/// One aggregate report (RFC 7489 §7.2, RFC 9990 §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AggregateReport {
    /// The file it came from, with the member inside a container after `/`.
    pub file: String,
    pub format: AggregateFormat,
    /// `<version>`, when given.
    pub version: Option<String>,
    /// The reporting organisation (`<org_name>`).
    pub org_name: Option<String>,
    pub email: Option<String>,
    pub extra_contact_info: Option<String>,
    pub report_id: Option<String>,
    /// The period covered, in seconds since the Unix epoch (UTC).
    pub date_begin: Option<u64>,
    pub date_end: Option<u64>,
    /// `<generator>` (RFC 9990).
    pub generator: Option<String>,
    /// `<error>` elements: problems the reporter had.
    pub errors: Vec<String>,
    pub policy: PolicyPublished,
    pub records: Vec<AggregateRecord>,
    /// Records past the cap (200,000) that were not kept.
    pub records_dropped: usize,
}

impl AggregateReport {
    /// What identifies a report across files: the organisation and its report id (RFC 7489
    /// §7.2.1.1: "report_id … unique per reporter"), or the file when either is missing.
    pub fn dedup_key(&self) -> String {
        match (&self.org_name, &self.report_id) {
            (Some(org), Some(id)) => format!("{org}\u{0}{id}"),
            _ => format!("\u{1}{}", self.file),
        }
    }

    /// The messages all its records count.
    pub fn messages(&self) -> u64 {
        self.records
            .iter()
            .fold(0u64, |sum, record| sum.saturating_add(record.count))
    }
}

/// `<policy_published>`: the DMARC record the reporter applied.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PolicyPublished {
    pub domain: Option<String>,
    pub adkim: Option<String>,
    pub aspf: Option<String>,
    pub p: Option<String>,
    pub sp: Option<String>,
    /// RFC 9990.
    pub np: Option<String>,
    /// RFC 7489 only; RFC 9990 removed `pct`.
    pub pct: Option<u32>,
    pub fo: Option<String>,
    /// RFC 9990 `t=`: `y` or `n`.
    pub testing: Option<String>,
    /// RFC 9990: `psl` or `treewalk`.
    pub discovery_method: Option<String>,
}

/// One `<record>`: messages from one source IP with the same results.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AggregateRecord {
    /// The sending IP, normalised when it parses as an address, else as written.
    pub source_ip: String,
    pub count: u64,
    /// `none`, `quarantine` or `reject` (RFC 9990 adds `pass`), as evaluated.
    pub disposition: Option<String>,
    /// DMARC's DKIM result: `pass` only for an aligned, passing signature.
    pub dkim: Option<String>,
    /// DMARC's SPF result: `pass` only for an aligned, passing SPF check.
    pub spf: Option<String>,
    /// Why the receiver applied another disposition than the policy's.
    pub reasons: Vec<OverrideReason>,
    pub header_from: Option<String>,
    pub envelope_from: Option<String>,
    pub envelope_to: Option<String>,
    /// The raw DKIM results, each for a signing domain, aligned or not.
    pub dkim_results: Vec<DkimAuthResult>,
    /// The raw SPF results.
    pub spf_results: Vec<SpfAuthResult>,
}

impl AggregateRecord {
    /// DMARC passed: an aligned DKIM or SPF pass.
    pub fn dmarc_pass(&self) -> bool {
        self.dkim.as_deref() == Some("pass") || self.spf.as_deref() == Some("pass")
    }
}

/// `<reason>`: `forwarded`, `sampled_out`, `trusted_forwarder`, `mailing_list`, `local_policy`
/// or `other`, and a comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OverrideReason {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DkimAuthResult {
    pub domain: Option<String>,
    pub selector: Option<String>,
    pub result: Option<String>,
    pub human_result: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SpfAuthResult {
    pub domain: Option<String>,
    /// `mfrom` or `helo`.
    pub scope: Option<String>,
    pub result: Option<String>,
}

/// Reads one aggregate report from XML. `None`, with a finding, when the document is not one.
pub fn parse(
    file: &str,
    bytes: &[u8],
    max_records: usize,
    findings: &mut Vec<Finding>,
) -> Option<AggregateReport> {
    let mut records = Vec::new();
    let mut dropped = 0usize;
    let mut identities = false;
    let document = xml::parse(bytes, "feedback", "record", &mut |element| {
        if records.len() >= max_records {
            dropped += 1;
            return;
        }
        identities |= element.child("identities").is_some();
        records.push(record(&element));
    });
    for problem in &document.problems {
        let severity = if problem.fatal || problem.code == "reports.xml-doctype" {
            Severity::Error
        } else {
            Severity::Warning
        };
        findings.push(Finding::new(
            severity,
            problem.code,
            format!(
                "{} {}: {}.",
                quoted(file),
                xml::place(&document.text, problem.offset),
                problem.message
            ),
        ));
    }
    if document
        .problems
        .iter()
        .any(|problem| problem.code == "reports.xml-doctype")
    {
        return None;
    }
    let Some(feedback) = document.root.find("feedback") else {
        let root = document
            .root
            .children
            .first()
            .map(|first| first.name.clone());
        findings.push(wrong_schema(file, root.as_deref()));
        return None;
    };
    if feedback.child("report_metadata").is_none() && records.is_empty() {
        findings.push(wrong_schema(file, Some("feedback")));
        return None;
    }
    if dropped > 0 {
        findings.push(Finding::new(
            Severity::Warning,
            "reports.too-many-records",
            format!(
                "{}: holds more than {max_records} records; {dropped} were not read.",
                quoted(file)
            ),
        ));
    }
    let format = match feedback.namespace.as_deref() {
        Some(NAMESPACE_RFC9990) => AggregateFormat::Rfc9990,
        Some(NAMESPACE_DRAFT) => AggregateFormat::Draft,
        _ if identities => AggregateFormat::Draft,
        _ => AggregateFormat::Rfc7489,
    };
    let metadata = feedback
        .child("report_metadata")
        .cloned()
        .unwrap_or_default();
    let range = metadata.child("date_range").cloned().unwrap_or_default();
    let report = AggregateReport {
        file: file.to_owned(),
        format,
        version: feedback.text_of("version"),
        org_name: metadata.text_of("org_name"),
        email: metadata.text_of("email"),
        extra_contact_info: metadata.text_of("extra_contact_info"),
        report_id: metadata.text_of("report_id"),
        date_begin: timestamp(file, &range, "begin", findings),
        date_end: timestamp(file, &range, "end", findings),
        generator: metadata.text_of("generator"),
        errors: metadata
            .children_named("error")
            .map(|error| error.text.trim().to_owned())
            .filter(|error| !error.is_empty())
            .collect(),
        policy: policy(
            file,
            &feedback
                .child("policy_published")
                .cloned()
                .unwrap_or_default(),
            findings,
        ),
        records,
        records_dropped: dropped,
    };
    if report.org_name.is_none() || report.report_id.is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            "reports.missing-metadata",
            format!(
                "{}: the report has no {}; it cannot be told apart from another report of the \
                 same file name when archived.",
                quoted(file),
                if report.org_name.is_none() {
                    "<org_name>"
                } else {
                    "<report_id>"
                }
            ),
        ));
    }
    Some(report)
}

fn wrong_schema(file: &str, root: Option<&str>) -> Finding {
    let what = match root {
        Some("feedback") => {
            "a <feedback> element without <report_metadata> or any <record>".to_owned()
        }
        Some(root) => format!("the element <{root}>, not <feedback>"),
        None => "no element at all".to_owned(),
    };
    Finding::new(
        Severity::Error,
        "reports.wrong-schema",
        format!(
            "{}: is XML but not a DMARC aggregate report: it holds {what} (RFC 7489 Appendix C).",
            quoted(file)
        ),
    )
    .with_rfc("https://www.rfc-editor.org/rfc/rfc7489#appendix-C")
}

fn timestamp(file: &str, range: &Element, name: &str, findings: &mut Vec<Finding>) -> Option<u64> {
    let text = range.text_of(name)?;
    match text.parse::<u64>() {
        Ok(seconds) => Some(seconds),
        Err(_) => {
            findings.push(Finding::new(
                Severity::Warning,
                "reports.bad-value",
                format!(
                    "{} {}: <{name}> holds {}, not seconds since the epoch.",
                    quoted(file),
                    "in <date_range>",
                    quoted(&text)
                ),
            ));
            None
        }
    }
}

fn policy(file: &str, element: &Element, findings: &mut Vec<Finding>) -> PolicyPublished {
    let mut field = |name: &str| -> Option<String> {
        let value = word(element, name)?;
        if value == "unused" {
            findings.push(Finding::new(
                Severity::Info,
                "reports.unused-value",
                format!(
                    "{}: <policy_published> has <{name}>unused</{name}>; read as absent.",
                    quoted(file)
                ),
            ));
            return None;
        }
        Some(value)
    };
    let pct_text = field("pct");
    let mut policy = PolicyPublished {
        domain: field("domain"),
        adkim: field("adkim"),
        aspf: field("aspf"),
        p: field("p"),
        sp: field("sp"),
        np: field("np"),
        pct: None,
        fo: field("fo"),
        testing: field("testing"),
        discovery_method: field("discovery_method"),
    };
    if let Some(text) = pct_text {
        match text.parse::<u32>() {
            Ok(pct) if pct <= 100 => policy.pct = Some(pct),
            _ => findings.push(Finding::new(
                Severity::Warning,
                "reports.bad-value",
                format!(
                    "{}: <policy_published> has <pct> {}, not a percentage; read as absent.",
                    quoted(file),
                    quoted(&text)
                ),
            )),
        }
    }
    policy
}

/// A result or policy word: trimmed and lower-cased.
fn word(element: &Element, name: &str) -> Option<String> {
    element.text_of(name).map(|text| text.to_ascii_lowercase())
}

fn record(element: &Element) -> AggregateRecord {
    let row = element.child("row").cloned().unwrap_or_default();
    let evaluated = row.child("policy_evaluated").cloned().unwrap_or_default();
    let identifiers = element
        .child("identifiers")
        .or_else(|| element.child("identities"))
        .cloned()
        .unwrap_or_default();
    let auth = element.child("auth_results").cloned().unwrap_or_default();
    let source_ip = row.text_of("source_ip").unwrap_or_default();
    let source_ip = match source_ip.parse::<std::net::IpAddr>() {
        Ok(ip) => crate::spf::address::canonical_ip(ip).to_string(),
        Err(_) => source_ip,
    };
    AggregateRecord {
        source_ip,
        count: row
            .text_of("count")
            .and_then(|count| count.parse().ok())
            .unwrap_or(0),
        disposition: word(&evaluated, "disposition"),
        dkim: word(&evaluated, "dkim"),
        spf: word(&evaluated, "spf"),
        reasons: evaluated
            .children_named("reason")
            .map(|reason| OverrideReason {
                kind: word(reason, "type"),
                comment: reason.text_of("comment"),
            })
            .filter(|reason| reason.kind.is_some() || reason.comment.is_some())
            .collect(),
        header_from: word(&identifiers, "header_from"),
        envelope_from: word(&identifiers, "envelope_from"),
        envelope_to: word(&identifiers, "envelope_to"),
        dkim_results: auth
            .children_named("dkim")
            .map(|dkim| DkimAuthResult {
                domain: word(dkim, "domain"),
                selector: dkim.text_of("selector"),
                result: word(dkim, "result"),
                human_result: dkim.text_of("human_result"),
            })
            .collect(),
        spf_results: auth
            .children_named("spf")
            .map(|spf| SpfAuthResult {
                domain: word(spf, "domain"),
                scope: word(spf, "scope"),
                result: word(spf, "result"),
            })
            .collect(),
    }
}
