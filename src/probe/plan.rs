//! What to probe: the MX hosts of a domain audit with their TLSA records and MTA-STS policy, or
//! one host given directly. Lookups go through the caller's resolver, as the audit's do.

use crate::dns::Resolver;
use crate::domain::mx::lookup_host;
use crate::domain::transport::tlsa;
use crate::domain::{DaneHost, DomainAudit};
use crate::records::tlsa::TlsaRecord;

use super::{MtaStsExpectation, ProbeTarget};

/// The usable TLSA records of one host's lint.
fn usable_records(dane: &DaneHost) -> Vec<TlsaRecord> {
    dane.lint
        .iter()
        .filter(|lint| lint.valid)
        .filter_map(|lint| lint.record.clone())
        .collect()
}

/// The audit's policy, when one was read and names a mode.
fn mta_sts(audit: &DomainAudit) -> Option<MtaStsExpectation> {
    let policy = audit
        .mta_sts
        .policy
        .as_ref()?
        .policy
        .as_ref()?
        .policy
        .as_ref()?;
    Some(MtaStsExpectation {
        mode: policy.mode?.word().to_string(),
        patterns: policy
            .mx
            .iter()
            .filter(|pattern| pattern.valid)
            .map(|pattern| pattern.pattern.clone())
            .collect(),
    })
}

/// The MX hosts of `audit` a sender would try, lowest preference first (not IP literals).
pub fn targets_from_audit(audit: &DomainAudit) -> Vec<ProbeTarget> {
    let policy = mta_sts(audit);
    audit
        .mx
        .hosts
        .iter()
        .filter(|host| !host.ip_literal && !host.exchange.is_empty())
        .map(|host| {
            let dane = audit
                .dane
                .hosts
                .iter()
                .find(|dane| dane.host == host.exchange);
            ProbeTarget {
                host: host.exchange.clone(),
                addresses: host.addresses.clone(),
                tlsa: dane.map(usable_records).unwrap_or_default(),
                tlsa_authenticated: dane.is_some_and(|dane| dane.authenticated)
                    && audit.mx.authenticated,
                mta_sts: policy.clone(),
            }
        })
        .collect()
}

/// One host given directly: an IP address as it is, a name with its A, AAAA and TLSA records.
pub async fn host_target<R: Resolver>(name: &str, resolver: &R) -> ProbeTarget {
    let bare = name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(address) = bare.parse::<std::net::IpAddr>() {
        return ProbeTarget {
            host: bare.to_string(),
            addresses: vec![address],
            ..ProbeTarget::default()
        };
    }
    let host = name.trim_end_matches('.').to_ascii_lowercase();
    let (found, dane) = futures_util::future::join(
        lookup_host(&host, resolver),
        tlsa(std::slice::from_ref(&host), resolver),
    )
    .await;
    let dane = dane.first();
    ProbeTarget {
        host: found.exchange,
        addresses: found.addresses,
        tlsa: dane.map(usable_records).unwrap_or_default(),
        tlsa_authenticated: dane.is_some_and(|dane| dane.authenticated),
        mta_sts: None,
    }
}
