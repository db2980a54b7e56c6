//! The MTA-STS check of one domain: its `_mta-sts` TXT record (RFC 8461 §3.1: the records that
//! begin with `v=STSv1`, exactly one of them), its MX hosts, and the policy fetched over HTTPS
//! and checked against them. The domain audit and `mailspect mta-sts` run it.

use serde::Serialize;

use super::fetch::{fetch_policy_at, policy_url, MtaStsFetchReport};
use super::{lint_txt, MtaStsTxtReport, RFC_TXT};
use crate::dns::{QueryTrace, RecordData, RecordType, Resolver, TraceOutcome};
use crate::records::fetch::HttpFetch;
use crate::records::{about_domain, finding};
use crate::report::{Finding, Severity};

/// What the caller knows already.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions<'a> {
    /// The domain's MX hosts, when the caller looked them up; `None` looks them up.
    pub mx_hosts: Option<&'a [String]>,
    /// Fetch the policy from here instead of the well-known URL (a staging server, a test).
    pub policy_url: Option<&'a str>,
}

/// The MTA-STS check of a domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsAudit {
    pub domain: String,
    /// The lint of the one `v=STSv1` record at `_mta-sts.<domain>`; `null` when there is none,
    /// or several.
    pub txt: Option<MtaStsTxtReport>,
    /// The MX hosts the policy was checked against, lower case, without trailing dots.
    pub mx_hosts: Vec<String>,
    /// The policy's fetch and lint; `null` when the domain publishes no `_mta-sts` record (senders
    /// then do not look for a policy).
    pub policy: Option<MtaStsFetchReport>,
    /// About the lookups (no record, several records, no MX); the TXT record's and the policy's
    /// own findings are in `txt` and `policy`.
    pub findings: Vec<Finding>,
    /// Every DNS lookup made.
    pub dns: Vec<QueryTrace>,
}

/// The answer's records of the traced lookup, or none.
fn records(trace: &QueryTrace) -> Vec<RecordData> {
    match &trace.outcome {
        TraceOutcome::Answer(answer) => answer.records.iter().map(|r| r.data.clone()).collect(),
        TraceOutcome::Error(_) => Vec::new(),
    }
}

/// Checks `domain`'s MTA-STS: TXT record, MX hosts, policy.
pub async fn audit_domain<R: Resolver, F: HttpFetch>(
    resolver: &R,
    fetcher: &F,
    domain: &str,
    options: AuditOptions<'_>,
) -> MtaStsAudit {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut audit = MtaStsAudit {
        domain: domain.clone(),
        txt: None,
        mx_hosts: Vec::new(),
        policy: None,
        findings: Vec::new(),
        dns: Vec::new(),
    };
    let txt_name = format!("_mta-sts.{domain}");
    let trace = resolver.lookup_traced(&txt_name, RecordType::Txt).await;
    let texts: Vec<String> = records(&trace)
        .iter()
        .filter_map(RecordData::txt_joined)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .filter(|text| text.starts_with("v=STSv1"))
        .collect();
    let failed = matches!(&trace.outcome, TraceOutcome::Error(error) if error.is_temporary());
    audit.dns.push(trace);
    match texts.as_slice() {
        [] => audit.findings.push(finding(
            if failed { Severity::Warning } else { Severity::Info },
            "mta-sts.no-record",
            if failed {
                format!("The lookup of {txt_name} failed; whether the domain uses MTA-STS is unknown.")
            } else {
                format!("{txt_name} has no v=STSv1 record: the domain does not ask senders for MTA-STS.")
            },
            RFC_TXT,
            None,
            None,
        )),
        [text] => {
            let mut txt = lint_txt(text);
            about_domain(&mut txt.findings, &txt_name);
            audit.txt = Some(txt);
        }
        several => audit.findings.push(finding(
            Severity::Error,
            "mta-sts.several-records",
            format!(
                "{txt_name} has {} records beginning with v=STSv1; senders then assume the domain \
                 has no policy.",
                several.len()
            ),
            RFC_TXT,
            None,
            Some("Keep one v=STSv1 record.".into()),
        )),
    }
    about_domain(&mut audit.findings, &txt_name);
    audit.mx_hosts = match options.mx_hosts {
        Some(hosts) => hosts.to_vec(),
        None => {
            let trace = resolver.lookup_traced(&domain, RecordType::Mx).await;
            let mut hosts: Vec<(u16, String)> = records(&trace)
                .into_iter()
                .filter_map(|data| match data {
                    RecordData::Mx {
                        preference,
                        exchange,
                    } => Some((preference, exchange)),
                    _ => None,
                })
                .collect();
            hosts.sort();
            audit.dns.push(trace);
            hosts.into_iter().map(|(_, host)| host).collect()
        }
    }
    .into_iter()
    .map(|host| host.trim_end_matches('.').to_ascii_lowercase())
    .filter(|host| !host.is_empty())
    .collect();
    if audit.txt.is_none() && options.policy_url.is_none() {
        return audit;
    }
    let url = options
        .policy_url
        .map(str::to_string)
        .or_else(|| policy_url(&domain));
    let hosts = (!audit.mx_hosts.is_empty()).then_some(audit.mx_hosts.as_slice());
    audit.policy = Some(fetch_policy_at(fetcher, &domain, url, hosts).await);
    audit
}
