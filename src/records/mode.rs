//! Record mode: one pasted DNS record, linted with no DNS at all (`mailspect record`,
//! `lintRecord()`). The kind is given, or guessed from the text's first tag; SPF, DMARC and DKIM
//! go to their own modules' parsers and linters, the others to this module's siblings.

use serde::Serialize;

use super::generate::{next_dmarc, next_spf, Suggestion};
use super::{bimi, finding, has_error, mta_sts, tls_rpt, tlsa, MAX_RECORD_LEN};
use crate::dkim::verify::{public_key, MINIMUM_RSA_BITS, RECOMMENDED_RSA_BITS};
use crate::dkim::{HashAlgorithm, KeyType};
use crate::report::{Finding, Severity, Span};
use crate::{dmarc, spf};

/// The kinds of record record mode reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    /// `v=spf1 …` (RFC 7208).
    Spf,
    /// `v=DMARC1; …` (RFC 9989).
    Dmarc,
    /// A DKIM key record, `v=DKIM1; k=…; p=…` (RFC 6376 §3.6.1).
    Dkim,
    /// The `_mta-sts` TXT record, `v=STSv1; id=…` (RFC 8461 §3.1).
    MtaSts,
    /// The MTA-STS policy file, `version: STSv1` lines (RFC 8461 §3.2).
    MtaStsPolicy,
    /// `v=TLSRPTv1; rua=…` (RFC 8460).
    Tlsrpt,
    /// `v=BIMI1; l=…; a=…`.
    Bimi,
    /// `3 1 1 <hex>` (RFC 6698, RFC 7672).
    Tlsa,
}

impl RecordKind {
    pub const ALL: [RecordKind; 8] = [
        RecordKind::Spf,
        RecordKind::Dmarc,
        RecordKind::Dkim,
        RecordKind::MtaSts,
        RecordKind::MtaStsPolicy,
        RecordKind::Tlsrpt,
        RecordKind::Bimi,
        RecordKind::Tlsa,
    ];

    /// The report's word, which is also the CLI's `--type` value.
    pub fn word(self) -> &'static str {
        match self {
            RecordKind::Spf => "spf",
            RecordKind::Dmarc => "dmarc",
            RecordKind::Dkim => "dkim",
            RecordKind::MtaSts => "mta-sts",
            RecordKind::MtaStsPolicy => "mta-sts-policy",
            RecordKind::Tlsrpt => "tlsrpt",
            RecordKind::Bimi => "bimi",
            RecordKind::Tlsa => "tlsa",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.word().eq_ignore_ascii_case(word.trim()))
    }
}

/// A DKIM key record, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DkimKeySummary {
    /// `k=`, `rsa` when absent.
    pub key_type: KeyType,
    /// The key's size; `null` when revoked or unreadable.
    pub bits: Option<usize>,
    /// `p=` is empty: the key was withdrawn.
    pub revoked: bool,
    /// `t=y`
    pub testing: bool,
    /// `t=s`
    pub strict: bool,
    /// `h=`; `null` when absent (any hash).
    pub hash_algorithms: Option<Vec<HashAlgorithm>>,
    /// `s=` allows email (or is absent).
    pub services_allow_email: bool,
}

/// The report of `mailspect record`: the kind, whether it was guessed, what was read and the
/// findings. Exactly one of the per-kind fields is set when the text reads as its kind; all are
/// `null` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RecordReport {
    /// The kind the text was read as; `null` when it was not given and could not be guessed.
    pub kind: Option<RecordKind>,
    /// Whether `kind` was guessed from the text (rather than given).
    pub kind_guessed: bool,
    /// The text as linted: surrounding white space removed and zone-file quoted strings joined
    /// (`"v=spf1 a" " -all"` becomes `v=spf1 a -all`). Every `record_span` is in this text.
    pub text: String,
    /// Whether receivers (or senders) would use the record as it is.
    pub valid: bool,
    pub findings: Vec<Finding>,
    /// The record to publish instead, when a fix changes it; `null` otherwise.
    pub fixed_record: Option<String>,
    /// For SPF and DMARC: the next step of deployment (stricter policy); `null` otherwise.
    pub next_step: Option<Suggestion>,
    pub spf: Option<spf::Record>,
    pub dmarc: Option<dmarc::Record>,
    pub dkim: Option<DkimKeySummary>,
    pub mta_sts: Option<mta_sts::StsTxt>,
    pub mta_sts_policy: Option<mta_sts::StsPolicy>,
    pub tlsrpt: Option<tls_rpt::TlsRptRecord>,
    pub bimi: Option<bimi::BimiRecord>,
    pub tlsa: Option<tlsa::TlsaRecord>,
}

const RFC_SPF: &str = "https://www.rfc-editor.org/rfc/rfc7208#section-4.5";
const RFC_DKIM_KEY: &str = "https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1";
const RFC_DKIM_CRYPTO: &str = "https://www.rfc-editor.org/rfc/rfc8301#section-3.2";

/// Zone-file quoted strings joined: `"v=spf1 " "-all"` → `v=spf1 -all`, `\"` and `\\` unescaped.
/// Text that is not one or more quoted strings is returned trimmed, as it is.
pub fn unquote(text: &str) -> String {
    let trimmed = text.trim();
    if !trimmed.starts_with('"') {
        return trimmed.to_string();
    }
    let mut joined = String::with_capacity(trimmed.len());
    let mut chars = trimmed.chars();
    loop {
        match chars.next() {
            None => return joined,
            Some(c) if c.is_whitespace() => continue,
            Some('"') => {}
            Some(_) => return trimmed.to_string(),
        }
        loop {
            match chars.next() {
                None => return trimmed.to_string(),
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some(escaped) => joined.push(escaped),
                    None => return trimmed.to_string(),
                },
                Some(c) => joined.push(c),
            }
        }
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The kind `text` looks like, from its first tag; `None` when it looks like none.
pub fn guess_kind(text: &str) -> Option<RecordKind> {
    let text = text.trim_start();
    let version = |tag: &str| {
        starts_with_ignore_case(text, tag)
            && text
                .get(tag.len()..)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([';', ' ', '\t']))
    };
    if version("v=spf1") {
        return Some(RecordKind::Spf);
    }
    if version("v=DMARC1") {
        return Some(RecordKind::Dmarc);
    }
    if version("v=STSv1") {
        return Some(RecordKind::MtaSts);
    }
    if version("v=TLSRPTv1") {
        return Some(RecordKind::Tlsrpt);
    }
    if version("v=BIMI1") {
        return Some(RecordKind::Bimi);
    }
    if version("v=DKIM1") {
        return Some(RecordKind::Dkim);
    }
    let first_tag = text
        .split(';')
        .next()
        .and_then(|tag| tag.split_once('='))
        .map(|(name, _)| name.trim().to_ascii_lowercase());
    let has_p = text.split(';').any(|tag| {
        tag.split_once('=')
            .is_some_and(|(name, _)| name.trim() == "p")
    });
    if has_p
        && first_tag.is_some_and(|name| matches!(name.as_str(), "k" | "p" | "h" | "t" | "s" | "n"))
    {
        return Some(RecordKind::Dkim);
    }
    let policy_key = text.lines().any(|line| {
        let line = line.trim_start();
        ["version:", "mode:", "max_age:", "mx:"]
            .iter()
            .any(|key| starts_with_ignore_case(line, key))
    });
    if policy_key {
        return Some(RecordKind::MtaStsPolicy);
    }
    tlsa::looks_like_tlsa(text).then_some(RecordKind::Tlsa)
}

/// Lints one record, of the kind given or guessed.
pub fn lint_record(text: &str, kind: Option<RecordKind>) -> RecordReport {
    // The policy file is lines; every other kind is one record, whose quoted strings are joined.
    let given_or_guess = kind.or_else(|| guess_kind(&unquote(text)));
    let text = if given_or_guess == Some(RecordKind::MtaStsPolicy) {
        text.trim_matches(|c: char| c.is_whitespace() && c != '\n' && c != '\r')
            .to_string()
    } else {
        unquote(text)
    };
    let mut report = RecordReport {
        kind: given_or_guess,
        kind_guessed: kind.is_none() && given_or_guess.is_some(),
        text: text.clone(),
        valid: false,
        findings: Vec::new(),
        fixed_record: None,
        next_step: None,
        spf: None,
        dmarc: None,
        dkim: None,
        mta_sts: None,
        mta_sts_policy: None,
        tlsrpt: None,
        bimi: None,
        tlsa: None,
    };
    let Some(kind) = given_or_guess else {
        let mut unknown = Finding::new(
            Severity::Error,
            "record.unknown-kind",
            "The kind of record could not be guessed. Looked for: v=spf1 (SPF), v=DMARC1 \
             (DMARC), v=DKIM1 or k=/p= tags (a DKIM key), v=STSv1 (the _mta-sts TXT record), \
             version:/mode:/mx:/max_age: lines (an MTA-STS policy file), v=TLSRPTv1 (TLS-RPT), \
             v=BIMI1 (BIMI), and three numbers then hex (TLSA). Give the kind with --type.",
        );
        let first_word = text.find(char::is_whitespace).unwrap_or(text.len());
        if first_word > 0 {
            unknown.record_span = Some(Span::new(0, first_word));
        }
        report.findings.push(unknown);
        return report;
    };
    if text.len() > MAX_RECORD_LEN && kind != RecordKind::MtaStsPolicy {
        report.findings.push(Finding::new(
            Severity::Error,
            "record.too-long",
            format!(
                "The text is {} bytes long; no record is longer than {MAX_RECORD_LEN}.",
                text.len()
            ),
        ));
        return report;
    }
    match kind {
        RecordKind::Spf => spf_record(&mut report),
        RecordKind::Dmarc => dmarc_record(&mut report),
        RecordKind::Dkim => dkim_record(&mut report),
        RecordKind::MtaSts => {
            let lint = mta_sts::lint_txt(&text);
            (report.valid, report.findings, report.mta_sts) =
                (lint.valid, lint.findings, lint.record);
        }
        RecordKind::MtaStsPolicy => {
            let lint = mta_sts::lint_policy(&text, None);
            report.fixed_record = lint.fixed_policy;
            (report.valid, report.findings, report.mta_sts_policy) =
                (lint.valid, lint.findings, lint.policy);
        }
        RecordKind::Tlsrpt => {
            let lint = tls_rpt::lint(&text);
            (report.valid, report.findings, report.tlsrpt) =
                (lint.valid, lint.findings, lint.record);
        }
        RecordKind::Bimi => {
            let lint = bimi::lint(&text);
            (report.valid, report.findings, report.bimi) = (lint.valid, lint.findings, lint.record);
        }
        RecordKind::Tlsa => {
            let lint = tlsa::lint(&text);
            (report.valid, report.findings, report.tlsa) = (lint.valid, lint.findings, lint.record);
        }
    }
    report
}

fn spf_record(report: &mut RecordReport) {
    report.findings = spf::lint_record("", &[report.text.as_bytes().to_vec()]);
    clear_domain(&mut report.findings);
    match spf::parse_record(report.text.as_bytes()) {
        Ok(record) => {
            report.valid = !has_error(&report.findings);
            report.spf = Some(record);
            let next = next_spf(&report.text);
            report.next_step = Some(next);
        }
        Err(_) if !report.text.to_ascii_lowercase().starts_with("v=spf1") => {
            report.findings.insert(
                0,
                finding(
                    Severity::Error,
                    "spf.no-version",
                    "The record does not begin with v=spf1; receivers do not read it as SPF.",
                    RFC_SPF,
                    None,
                    Some("Begin the record with v=spf1.".into()),
                ),
            );
        }
        Err(_) => {}
    }
}

fn dmarc_record(report: &mut RecordReport) {
    let lint = dmarc::lint_record("", &report.text);
    report.findings = lint.findings;
    clear_domain(&mut report.findings);
    report.fixed_record = lint.fixed_record;
    if let Ok(record) = dmarc::parse_record(&report.text) {
        report.valid = record.policy.is_some() || record.has_valid_rua();
        report.dmarc = Some(record);
        report.next_step = Some(next_dmarc(&report.text, None));
    }
}

/// The linters of SPF and DMARC take a domain; record mode has none, so `domain` is `null`.
fn clear_domain(findings: &mut [Finding]) {
    for finding in findings {
        finding.domain = None;
    }
}

fn dkim_record(report: &mut RecordReport) {
    let key = match crate::dkim::parse::key_record(report.text.as_bytes()) {
        Ok(key) => key,
        Err(error) => {
            report.findings.push(finding(
                Severity::Error,
                "dkim.key-syntax",
                format!("The key record cannot be used: {error}."),
                RFC_DKIM_KEY,
                Some(Span::new(error.range.start, error.range.end)),
                None,
            ));
            return;
        }
    };
    let mut summary = DkimKeySummary {
        key_type: key.key_type,
        bits: None,
        revoked: key.public_key.is_empty(),
        testing: key.testing,
        strict: key.strict,
        hash_algorithms: key.hash_algorithms.clone(),
        services_allow_email: key.services_allow_email,
    };
    let findings = &mut report.findings;
    if summary.revoked {
        findings.push(finding(
            Severity::Info,
            "dkim.key-revoked",
            "p= is empty: the key is revoked, and signatures made with it fail.",
            RFC_DKIM_KEY,
            None,
            None,
        ));
    } else {
        match public_key(&key) {
            Ok(public) => {
                let bits = public.bits();
                summary.bits = Some(bits);
                if key.key_type == KeyType::Rsa && bits < MINIMUM_RSA_BITS {
                    findings.push(finding(
                        Severity::Error,
                        "dkim.rsa-key-too-short",
                        format!("The RSA key has {bits} bits; verifiers reject keys under {MINIMUM_RSA_BITS}."),
                        RFC_DKIM_CRYPTO,
                        None,
                        Some(format!("Generate a {RECOMMENDED_RSA_BITS}-bit key and publish it under a new selector.")),
                    ));
                } else if key.key_type == KeyType::Rsa && bits < RECOMMENDED_RSA_BITS {
                    findings.push(finding(
                        Severity::Warning,
                        "dkim.rsa-key-short",
                        format!("The RSA key has {bits} bits; RFC 8301 asks signers for at least {RECOMMENDED_RSA_BITS}."),
                        RFC_DKIM_CRYPTO,
                        None,
                        Some(format!("Generate a {RECOMMENDED_RSA_BITS}-bit key and publish it under a new selector.")),
                    ));
                }
            }
            Err(why) => findings.push(finding(
                Severity::Error,
                "dkim.key-unusable",
                format!("The key cannot be used: {why}."),
                RFC_DKIM_KEY,
                None,
                None,
            )),
        }
    }
    if key.testing {
        findings.push(finding(
            Severity::Info,
            "dkim.testing-key",
            "t=y: the domain is testing DKIM; verifiers must not treat failures differently from unsigned mail.",
            RFC_DKIM_KEY,
            None,
            Some("Remove t=y once signing works.".into()),
        ));
    }
    if key
        .hash_algorithms
        .as_ref()
        .is_some_and(|hashes| !hashes.contains(&HashAlgorithm::Sha256))
    {
        findings.push(finding(
            Severity::Error,
            "dkim.key-sha1-only",
            "h= does not allow sha256: signatures with this key can only use SHA-1, which verifiers reject (RFC 8301).",
            RFC_DKIM_CRYPTO,
            None,
            Some("Remove h=, or write h=sha256.".into()),
        ));
    }
    if !key.services_allow_email {
        findings.push(finding(
            Severity::Error,
            "dkim.key-not-for-email",
            "s= does not include email or *: the key cannot verify mail.",
            RFC_DKIM_KEY,
            None,
            Some("Remove s=, or write s=email.".into()),
        ));
    }
    report.valid = !has_error(&report.findings) && !summary.revoked;
    report.dkim = Some(summary);
}
