//! Transport security of mail to the domain: MTA-STS (RFC 8461: the `_mta-sts` TXT record and
//! the policy file), TLS-RPT (RFC 8460: where senders report TLS failures) and DANE (RFC 7672:
//! TLSA records at `_25._tcp.<mx host>`, meaningful only under DNSSEC). The lookups are here;
//! reading each record's text is [`crate::records`]' job, and the MTA-STS policy file comes
//! through the edge's [`HttpFetch`] ([`mta_sts::fetch_policy`]).

use serde::Serialize;

use crate::dns::{presentation, DnsError, Record, RecordType, Resolver};
use crate::join::join_all;
use crate::records::mta_sts::{self, MtaStsFetchReport, MtaStsTxtReport, StsMode};
use crate::records::tls_rpt::TlsRptReport;
use crate::records::tlsa::{self, TlsaReport};
use crate::records::{
    about_domain, FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch,
};
use crate::report::{Finding, Severity};

const RFC_MTA_STS: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-3";
const RFC_TLS_RPT: &str = "https://www.rfc-editor.org/rfc/rfc8460#section-3";
const RFC_DANE_DNSSEC: &str = "https://www.rfc-editor.org/rfc/rfc7672#section-2.2";
const RFC_DANE_MX: &str = "https://www.rfc-editor.org/rfc/rfc7672#section-2.2.1";

/// The TXT records at one name that carry a protocol's version tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TxtRecords {
    /// The name asked.
    pub name: String,
    /// Every TXT record there that starts with the version tag (strings joined); senders use
    /// the record only when there is exactly one.
    pub records: Vec<String>,
    /// Why the lookup failed, when it failed in a way other than "no such name".
    pub error: Option<DnsError>,
    /// The resolver's AD flag on the answer.
    pub authenticated: bool,
}

impl TxtRecords {
    /// The record senders use: the only one.
    pub fn record(&self) -> Option<&str> {
        match self.records.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

/// Asks the TXT records at `name` and keeps those starting with `version` (compared without
/// case, as the version tags of RFC 8461 §3.1, RFC 8460 §3 and BIMI are matched in the wild).
pub async fn txt_records<R: Resolver>(name: String, version: &str, resolver: &R) -> TxtRecords {
    let mut found = TxtRecords {
        name,
        ..TxtRecords::default()
    };
    match resolver.lookup(&found.name, RecordType::Txt).await {
        Ok(answer) => {
            found.authenticated = answer.authenticated;
            found.records = answer
                .records
                .iter()
                .filter_map(|record| record.data.txt_joined())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .filter(|text| {
                    text.trim_start()
                        .get(..version.len())
                        .is_some_and(|start| start.eq_ignore_ascii_case(version))
                })
                .collect();
        }
        Err(DnsError::NxDomain | DnsError::NoData) => {}
        Err(error) => found.error = Some(error),
    }
    found
}

/// The MTA-STS section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsSection {
    /// `_mta-sts.<domain>` TXT.
    pub txt: TxtRecords,
    /// The lint of the record senders use; `null` when there is not exactly one.
    pub lint: Option<MtaStsTxtReport>,
    /// Where the policy file is: `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub policy_url: Option<String>,
    /// The fetch of the policy file and its lint against the MX hosts; `null` when no TXT
    /// record says there is a policy (senders would not fetch it either). In the browser the
    /// fetch usually fails with `error.kind` `blocked-by-browser` (CORS): the page offers to
    /// paste the policy instead.
    pub policy: Option<MtaStsFetchReport>,
    /// The policy's `mode:`, when a policy was read.
    pub mode: Option<StsMode>,
    pub findings: Vec<Finding>,
}

/// The TLS-RPT section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TlsRptSection {
    /// `_smtp._tls.<domain>` TXT.
    pub txt: TxtRecords,
    /// The lint of the record senders use; `null` when there is not exactly one.
    pub lint: Option<TlsRptReport>,
    pub findings: Vec<Finding>,
}

/// The TLSA records of one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DaneHost {
    /// The MX host.
    pub host: String,
    /// `_25._tcp.<host>`
    pub name: String,
    /// The TLSA records found; `[]` when none.
    pub records: Vec<Record>,
    /// The lint of each record, in the same order.
    pub lint: Vec<TlsaReport>,
    /// The resolver's AD flag on the TLSA answer: senders use TLSA records only when it is set
    /// (RFC 7672 §2.2).
    pub authenticated: bool,
    /// Why the lookup failed, when it failed in a way other than "no such name".
    pub error: Option<DnsError>,
}

/// The DANE section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DaneSection {
    /// One per MX host checked.
    pub hosts: Vec<DaneHost>,
    /// Whether DANE protects delivery: every MX host has TLSA records, every answer is
    /// DNSSEC-validated, the MX records too (RFC 7672 §2.2.1).
    pub effective: bool,
    pub findings: Vec<Finding>,
}

/// Asks `_25._tcp.<host>` TLSA for every host at once.
pub async fn tlsa<R: Resolver>(hosts: &[String], resolver: &R) -> Vec<DaneHost> {
    join_all(hosts.iter().map(|host| async move {
        let name = format!("_25._tcp.{host}");
        let mut dane = DaneHost {
            host: host.clone(),
            records: Vec::new(),
            lint: Vec::new(),
            authenticated: false,
            error: None,
            name,
        };
        match resolver.lookup(&dane.name, RecordType::Tlsa).await {
            Ok(answer) => {
                dane.authenticated = answer.authenticated;
                dane.records = answer.records.to_vec();
                dane.lint = dane
                    .records
                    .iter()
                    .map(|record| tlsa::lint(&presentation(&record.data)))
                    .collect();
            }
            Err(DnsError::NxDomain | DnsError::NoData) => {}
            Err(error) => dane.error = Some(error),
        }
        dane
    }))
    .await
}

/// The MTA-STS policy file to publish for `mx_hosts`, as the fix of a missing policy names it.
pub fn suggested_policy(mx_hosts: &[String]) -> String {
    let mut policy = String::from("version: STSv1\nmode: enforce\n");
    for host in mx_hosts {
        policy.push_str(&format!("mx: {host}\n"));
    }
    policy.push_str("max_age: 1209600\n");
    policy
}

/// The MTA-STS section's findings from the DNS side. `receives_mail`: the domain has MX
/// hosts (a null-MX domain needs no transport policy).
pub fn mta_sts_findings(
    domain: &str,
    section: &MtaStsSection,
    mx_hosts: &[String],
    receives_mail: bool,
) -> Vec<Finding> {
    let name = &section.txt.name;
    let mut findings = Vec::new();
    if let Some(error) = &section.txt.error {
        findings.push(
            Finding::new(
                Severity::Warning,
                "mta-sts.lookup-failed",
                format!("The lookup of {name} failed ({error}): senders treat the domain as having no MTA-STS policy until it answers."),
            )
            .about_record(name)
            .with_rfc(RFC_MTA_STS),
        );
    } else if section.txt.records.len() > 1 {
        findings.push(
            Finding::new(
                Severity::Error,
                "mta-sts.multiple-records",
                format!("{name} has {} v=STSv1 records: senders then act as if there were none (RFC 8461 §3.1).", section.txt.records.len()),
            )
            .about_record(name)
            .with_rfc(RFC_MTA_STS)
            .with_fix(format!("Keep one: {name}. TXT \"v=STSv1; id=20260101000000\"")),
        );
    } else if section.txt.records.is_empty() && receives_mail {
        findings.push(
            Finding::new(
                Severity::Warning,
                "mta-sts.none",
                format!("{domain} publishes no MTA-STS policy: senders deliver over plaintext, or to an impostor's certificate, whenever someone on the path strips STARTTLS."),
            )
            .about_record(name)
            .with_rfc(RFC_MTA_STS)
            .with_fix(format!(
                "Serve https://mta-sts.{domain}/.well-known/mta-sts.txt (a certificate valid for mta-sts.{domain}) with\n{}then publish {name}. TXT \"v=STSv1; id=20260101000000\" (start with mode: testing to see reports first).",
                suggested_policy(mx_hosts)
            )),
        );
    }
    if let Some(lint) = &section.lint {
        findings.extend(lint.findings.iter().cloned());
    }
    if let Some(policy) = &section.policy {
        findings.extend(policy.findings.iter().cloned());
        if let Some(linted) = &policy.policy {
            findings.extend(linted.findings.iter().cloned());
        }
    }
    if section.mode == Some(StsMode::Testing) {
        findings.push(
            Finding::new(
                Severity::Warning,
                "mta-sts.testing",
                format!("The MTA-STS policy of {domain} is in testing mode: senders report failed TLS but still deliver, so a downgrade still works."),
            )
            .about_record(name)
            .with_rfc(RFC_MTA_STS)
            .with_fix(format!("When the TLS reports are clean, set mode: enforce in the policy and change the id= of {name}.")),
        );
    }
    findings
}

/// The lint of the record senders use, its findings about `name`.
pub(super) fn lint_one<T>(
    txt: &TxtRecords,
    lint: impl Fn(&str) -> T,
    findings_of: impl Fn(&mut T) -> &mut Vec<Finding>,
) -> Option<T> {
    let mut report = lint(txt.record()?);
    about_domain(findings_of(&mut report), &txt.name);
    Some(report)
}

/// Reads the `_mta-sts` record and, when there is one, fetches and lints the policy against
/// the MX hosts.
pub async fn mta_sts_section<F: HttpFetch>(
    domain: &str,
    txt: TxtRecords,
    mx_hosts: &[String],
    fetcher: &F,
) -> MtaStsSection {
    let lint = lint_one(&txt, mta_sts::lint_txt, |report| &mut report.findings);
    let policy = match txt.records.is_empty() {
        true => None,
        false => Some(mta_sts::fetch_policy(fetcher, domain, Some(mx_hosts)).await),
    };
    let mode = policy
        .as_ref()
        .and_then(|fetched| fetched.policy.as_ref())
        .and_then(|linted| linted.policy.as_ref())
        .and_then(|read| read.mode);
    MtaStsSection {
        policy_url: mta_sts::policy_url(domain),
        txt,
        lint,
        policy,
        mode,
        findings: Vec::new(),
    }
}

/// The TLS-RPT section's findings.
pub fn tls_rpt_findings(
    domain: &str,
    section: &TlsRptSection,
    receives_mail: bool,
) -> Vec<Finding> {
    let name = &section.txt.name;
    let fix = format!("Publish {name}. TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\"");
    let mut findings = Vec::new();
    if let Some(error) = &section.txt.error {
        findings.push(
            Finding::new(
                Severity::Info,
                "tlsrpt.lookup-failed",
                format!("The lookup of {name} failed ({error})."),
            )
            .about_record(name)
            .with_rfc(RFC_TLS_RPT),
        );
    } else if section.txt.records.len() > 1 {
        findings.push(
            Finding::new(
                Severity::Warning,
                "tlsrpt.multiple-records",
                format!(
                    "{name} has {} v=TLSRPTv1 records: senders then send no reports (RFC 8460 §3).",
                    section.txt.records.len()
                ),
            )
            .about_record(name)
            .with_rfc(RFC_TLS_RPT)
            .with_fix(fix),
        );
    } else if section.txt.records.is_empty() && receives_mail {
        findings.push(
            Finding::new(
                Severity::Warning,
                "tlsrpt.none",
                format!("{domain} publishes no TLS-RPT record: when senders fail to reach it over TLS (an expired certificate, a downgrade attack), nobody tells you."),
            )
            .about_record(name)
            .with_rfc(RFC_TLS_RPT)
            .with_fix(fix),
        );
    }
    if let Some(lint) = &section.lint {
        findings.extend(lint.findings.iter().cloned());
    }
    findings
}

/// The DANE section: whether it protects delivery, and why not. `mx_authenticated`: the MX
/// answer carried the AD flag.
pub fn dane_section(hosts: Vec<DaneHost>, mx_authenticated: bool) -> DaneSection {
    let mut findings = Vec::new();
    let with_tlsa: Vec<&DaneHost> = hosts
        .iter()
        .filter(|host| !host.records.is_empty())
        .collect();
    for host in &with_tlsa {
        if !host.authenticated {
            findings.push(
                Finding::new(
                    Severity::Warning,
                    "dane.without-dnssec",
                    format!("{} has TLSA records but the answer is not DNSSEC-validated: senders ignore TLSA records without DNSSEC, so they protect nothing.", host.name),
                )
                .about_record(&host.name)
                .with_rfc(RFC_DANE_DNSSEC)
                .with_fix(format!("Sign the zone of {} with DNSSEC and publish its DS record at the parent.", host.host)),
            );
        }
        for lint in &host.lint {
            let mut lint_findings = lint.findings.clone();
            about_domain(&mut lint_findings, &host.name);
            findings.extend(lint_findings);
        }
    }
    if !with_tlsa.is_empty() && with_tlsa.len() < hosts.len() {
        let missing: Vec<&str> = hosts
            .iter()
            .filter(|host| host.records.is_empty())
            .map(|host| host.host.as_str())
            .collect();
        findings.push(
            Finding::new(
                Severity::Warning,
                "dane.partial",
                format!("Some MX hosts have TLSA records and some do not ({}): an attacker can steer delivery to the unprotected ones.", missing.join(", ")),
            )
            .with_rfc(RFC_DANE_MX)
            .with_fix("Publish _25._tcp.<host> TLSA 3 1 1 <SHA-256 of the host's public key> for every MX host."),
        );
    }
    if !with_tlsa.is_empty() && !mx_authenticated {
        findings.push(
            Finding::new(
                Severity::Warning,
                "dane.mx-without-dnssec",
                "The MX records are not DNSSEC-validated, so an attacker can replace the MX hosts, TLSA and all: senders apply DANE only to MX hosts they learned securely.".to_string(),
            )
            .with_rfc(RFC_DANE_MX)
            .with_fix("Sign the domain's zone with DNSSEC and publish its DS record at the registrar."),
        );
    }
    for host in hosts.iter().filter(|host| host.error.is_some()) {
        if let Some(error) = &host.error {
            findings.push(
                Finding::new(
                    Severity::Info,
                    "dane.lookup-failed",
                    format!("The TLSA lookup of {} failed ({error}).", host.name),
                )
                .about_record(&host.name),
            );
        }
    }
    let effective = !hosts.is_empty()
        && mx_authenticated
        && hosts
            .iter()
            .all(|host| !host.records.is_empty() && host.authenticated);
    DaneSection {
        hosts,
        effective,
        findings,
    }
}

/// A fetcher that does not go to the network: the MTA-STS policy a person pasted (the page's
/// paste box), or, without one, the refusal a browser gives a page that reads another origin
/// without CORS headers, which is what `fetch()` of `https://mta-sts.<domain>/…` meets from
/// almost every policy host. The report then says `blocked-by-browser`, and the page offers the
/// paste box.
#[derive(Debug, Clone, Default)]
pub struct PastedPolicy(pub Option<String>);

impl HttpFetch for PastedPolicy {
    async fn get(&self, url: &str, options: &FetchOptions) -> Result<FetchedBody, FetchError> {
        match &self.0 {
            Some(text) if text.len() > options.max_bytes => {
                Err(FetchError::new(FetchErrorKind::TooLarge, None))
            }
            Some(text) => Ok(FetchedBody {
                status: 200,
                content_type: Some("text/plain".into()),
                body: text.as_bytes().to_vec(),
            }),
            None => Err(FetchError::new(
                FetchErrorKind::BlockedByBrowser,
                Some(format!(
                    "the page cannot read {url} from another origin (CORS); paste the policy"
                )),
            )),
        }
    }
}
