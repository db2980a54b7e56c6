//! The checklist's facts, taken from the message report's other parts: SPF's and DKIM's results
//! with DMARC's alignment of each, the policy discovery found, the border hop and its `iprev`.

use super::{BorderFacts, BulkInput, DmarcPublished, SignatureFacts, SpfFacts};
use crate::dkim::DkimReport;
use crate::dmarc::{DmarcReport, DmarcResult};
use crate::iprev::IprevResult;
use crate::message::Message;
use crate::org_domain::organisation;
use crate::received::Hop;
use crate::spf::{MessageSpf, SpfResult};

impl BulkInput {
    /// The facts of one message. Alignment is DMARC's where DMARC computed it (a policy was
    /// found); without a policy, a name aligns when its organisational domain by the Public
    /// Suffix List is the From domain's (relaxed alignment as RFC 7489 defines it).
    pub fn from_reports(
        message: &Message,
        spf: &MessageSpf,
        dkim: &[DkimReport],
        dmarc: &DmarcReport,
        border: Option<&Hop>,
        iprev: Option<IprevResult>,
    ) -> Self {
        let from_org = dmarc
            .domain
            .as_deref()
            .map(|domain| organisation(domain).unwrap_or_else(|| domain.to_string()));
        let aligned_by_name = |domain: &str| {
            from_org.as_deref().map(|from_org| {
                let domain = domain.trim_end_matches('.').to_ascii_lowercase();
                organisation(&domain).unwrap_or(domain) == from_org
            })
        };
        let spf_aligned = match &dmarc.spf {
            Some(check) => Some(check.aligned),
            None => spf.domain.as_deref().and_then(aligned_by_name),
        };
        let spf_passed = match spf.result {
            SpfResult::Pass => Some(true),
            SpfResult::Temperror => None,
            _ if spf.ip.is_none() => None,
            _ => Some(false),
        };
        // DMARC's checks are in the order of the signatures, one each, when it computed them.
        let dkim_facts = dkim
            .iter()
            .enumerate()
            .map(|(index, report)| {
                let aligned = match dmarc.dkim.get(index) {
                    Some(check) if dmarc.dkim.len() == dkim.len() => Some(check.aligned),
                    _ => aligned_by_name(&report.domain),
                };
                SignatureFacts::from_report(report, aligned)
            })
            .collect();
        let published = match (dmarc.result, &dmarc.policy) {
            (DmarcResult::Temperror | DmarcResult::Permerror, _) => DmarcPublished::Unknown,
            (_, Some(policy)) => DmarcPublished::Policy(policy.requested),
            (_, None) if dmarc.record.is_some() => DmarcPublished::Unknown,
            (_, None) => DmarcPublished::NotPublished,
        };
        BulkInput {
            spf: SpfFacts {
                passed: spf_passed,
                aligned: spf_aligned,
            },
            dkim: dkim_facts,
            dmarc: published,
            border: border.map(|hop| BorderFacts::from_hop(hop, iprev)),
            list: super::list_headers(message),
        }
    }
}
