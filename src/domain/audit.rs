//! The entry point: every section's lookups at once through one [`Recorder`], then the pure
//! decisions over their answers.

use crate::dmarc::{self, Policy};
use crate::dns::{MemoryResolver, Recorder, Resolver};
use crate::org_domain::to_ascii;
use crate::report::Finding;
use crate::spf;

use super::bimi::{self, BimiSection};
use super::dkim::{self, DkimSection, SelectorSource};
use super::dnssec::{self, DnssecSection};
use super::grade::{self, Grade, SummaryFacts};
use super::mx::{self, MxKind};
use super::policy::{dmarc_section, spf_findings};
use super::transport::{
    self, dane_section, lint_one, mta_sts_findings, mta_sts_section, tls_rpt_findings, txt_records,
    DaneSection, MtaStsSection, TlsRptSection,
};
use super::{AuditError, DomainAudit, DomainOptions};
use crate::records::mta_sts::StsMode;
use crate::records::tls_rpt;
use crate::records::HttpFetch;

/// Audits `name`: MX, SPF, DMARC, DKIM (common selectors and `options.selectors`), MTA-STS,
/// TLS-RPT, BIMI, DANE and DNSSEC, each section's lookups in flight together, every query in
/// `queries`. The MTA-STS policy file, when the TXT record says there is one, is fetched
/// through `fetcher` once the MX hosts are known (it is checked against them). A name that is not a domain gives a report with `error` set and nothing asked.
pub async fn audit_domain<R: Resolver, F: HttpFetch>(
    name: &str,
    options: &DomainOptions,
    resolver: &R,
    fetcher: &F,
) -> DomainAudit {
    let domain = match to_ascii(name.trim()).map_err(|error| error.to_string()) {
        Ok(domain) => match host_name_problem(&domain) {
            None => domain,
            Some(why) => return not_a_domain(name, why).await,
        },
        Err(why) => return not_a_domain(name, &why).await,
    };
    let recorder = Recorder::new(resolver);
    let mx_and_dane = async {
        let plan = mx::records(&domain, &recorder).await;
        let names = plan.host_names();
        futures_util::future::join(
            mx::hosts(plan, &recorder),
            transport::tlsa(&names, &recorder),
        )
        .await
    };
    let txt = futures_util::future::join3(
        txt_records(format!("_mta-sts.{domain}"), "v=STSv1", &recorder),
        txt_records(format!("_smtp._tls.{domain}"), "v=TLSRPTv1", &recorder),
        txt_records(format!("default._bimi.{domain}"), "v=BIMI1", &recorder),
    );
    let ((mut mx, tlsa), spf, dmarc, dkim, (mta_sts_txt, tls_rpt_txt, bimi_txt)) =
        futures_util::future::join5(
            mx_and_dane,
            spf::audit_domain(&recorder, &domain),
            dmarc::audit_domain(&domain, &recorder),
            dkim::probe(&domain, &options.selectors, &recorder),
            txt,
        )
        .await;
    let mut spf = spf;
    mx.findings = mx::findings(&domain, &mx);
    let host_names = mx.host_names();
    let receives_mail = matches!(mx.kind, MxKind::Hosts | MxKind::Implicit);
    spf.findings.extend(spf_findings(&domain, &spf, &mx));
    spf.findings
        .sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    let dmarc = dmarc_section(&domain, dmarc);
    let mut mta_sts = mta_sts_section(&domain, mta_sts_txt, &host_names, fetcher).await;
    mta_sts.findings = mta_sts_findings(&domain, &mta_sts, &host_names, receives_mail);
    let mut tls_rpt = TlsRptSection {
        lint: lint_one(&tls_rpt_txt, tls_rpt::lint, |report| &mut report.findings),
        txt: tls_rpt_txt,
        findings: Vec::new(),
    };
    tls_rpt.findings = tls_rpt_findings(&domain, &tls_rpt, receives_mail);
    let bimi = bimi::section(&domain, bimi_txt, dmarc.enforced_policy);
    let dane = dane_section(tlsa, mx.authenticated);
    let queries = recorder.into_trace();
    let dnssec = dnssec::section(&domain, &queries);

    let mut findings: Vec<Finding> = Vec::new();
    findings.extend(mx.findings.iter().cloned());
    findings.extend(spf.findings.iter().cloned());
    findings.extend(dmarc.audit.findings.iter().cloned());
    for lint in &dmarc.audit.lint {
        findings.extend(lint.findings.iter().cloned());
    }
    findings.extend(dkim.findings.iter().cloned());
    findings.extend(mta_sts.findings.iter().cloned());
    findings.extend(tls_rpt.findings.iter().cloned());
    findings.extend(bimi.findings.iter().cloned());
    findings.extend(dane.findings.iter().cloned());
    findings.extend(dnssec.findings.iter().cloned());
    // Stable: within a severity, the sections' order.
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));

    let weaker_subdomains = match (&dmarc.policy, &dmarc.subdomain_policy) {
        (Some(own), Some(sub)) if weaker(sub.requested, own.requested) => Some(sub.requested),
        _ => None,
    };
    let facts = SummaryFacts {
        domain: &domain,
        mx_kind: mx.kind,
        spf_result: spf.result,
        dmarc_enforced: dmarc.enforced_policy,
        weaker_subdomains,
        dkim_keys_found: dkim.keys_found,
        dkim_selectors_asked: asked(&dkim),
        mta_sts_enforced: mta_sts.mode == Some(StsMode::Enforce),
        mta_sts_testing: mta_sts.mode == Some(StsMode::Testing),
        dane_effective: dane.effective,
        dmarc_lookup_failed: findings
            .iter()
            .any(|finding| finding.code == "dmarc.temperror"),
    };
    DomainAudit {
        grade: grade::grade(&findings),
        summary: grade::summary(&facts),
        domain,
        error: None,
        mx,
        spf,
        dmarc,
        dkim,
        mta_sts,
        tls_rpt,
        bimi,
        dane,
        dnssec,
        findings,
        queries,
        probe: None,
    }
}

/// Why `domain` (A-labels) is not a host name the audit can ask about, if it is not: every
/// label letters, digits, `-` and `_` (RFC 1123 §2.1, with the `_` of service names), at most
/// 63 octets, the whole at most 253. The DNS itself allows any octet in a label, but no mail
/// domain has a space or a slash, and the names built from it (`_dmarc.`, URLs) must stay
/// what they look like.
fn host_name_problem(domain: &str) -> Option<&'static str> {
    if domain.len() > 253 {
        return Some("the name is longer than 253 characters");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Some("the name has an empty label");
        }
        if label.len() > 63 {
            return Some("a label is longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        {
            return Some("a label holds a character other than letters, digits, - and _");
        }
    }
    None
}

fn weaker(policy: Policy, than: Policy) -> bool {
    let rank = |policy| match policy {
        Policy::None => 0,
        Policy::Quarantine => 1,
        Policy::Reject => 2,
    };
    rank(policy) < rank(than)
}

fn asked(dkim: &DkimSection) -> usize {
    dkim.selectors
        .iter()
        .filter(|probe| probe.source != SelectorSource::Control)
        .count()
}

/// The report of a name that is not a domain: nothing is asked of the caller's resolver (the
/// SPF and DMARC audits run over an empty one, so that their sections keep their shape).
async fn not_a_domain(name: &str, why: &str) -> DomainAudit {
    let empty = MemoryResolver::new();
    let spf = spf::audit_domain(&empty, name).await;
    let dmarc = dmarc_section(name, dmarc::audit_domain(name, &empty).await);
    DomainAudit {
        domain: name.to_string(),
        error: Some(AuditError {
            kind: "invalid-domain",
            message: format!("{} is not a domain name", crate::report::quoted(name)),
            detail: Some(why.to_string()),
        }),
        grade: Grade::default(),
        summary: Vec::new(),
        mx: Default::default(),
        spf,
        dmarc,
        dkim: DkimSection::default(),
        mta_sts: MtaStsSection::default(),
        tls_rpt: TlsRptSection::default(),
        bimi: BimiSection::default(),
        dane: DaneSection::default(),
        dnssec: DnssecSection::default(),
        findings: Vec::new(),
        queries: Vec::new(),
        probe: None,
    }
}
