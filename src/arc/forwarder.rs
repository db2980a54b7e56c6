//! RFC 8617 §7.2: when DMARC fails, may a receiver believe what a trusted forwarder recorded
//! about the message before it forwarded it? A pure decision over an [`ArcReport`], for the
//! DMARC stage, which knows the From domain and how to align with it.

use serde::Serialize;

use crate::auth_results::MethodResult;

use super::{ArcInstance, ArcReport, ArcResult};

/// The result in a trusted sealer's ARC-Authentication-Results that explains a DMARC failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ForwarderMethod {
    /// The sealer recorded `dmarc=pass`.
    Dmarc,
    /// The sealer recorded an aligned `dkim=pass`.
    Dkim,
    /// The sealer recorded an aligned `spf=pass`.
    Spf,
}

/// A trusted sealer whose recorded results would have passed DMARC (RFC 8617 §7.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TrustedForwarder {
    /// The ARC Set whose results are used.
    pub instance: u32,
    /// Its ARC-Seal's `d=`.
    pub sealer: String,
    /// The `authserv-id` of its ARC-Authentication-Results.
    pub authserv_id: Option<String>,
    pub method: ForwarderMethod,
    /// The domain the recorded pass is for (`header.from`, `header.d`, `smtp.mailfrom`), when
    /// the sealer wrote it.
    pub domain: Option<String>,
    /// One sentence for a person.
    pub reason: String,
    /// Whether the reader listed this sealer as trusted. `false` when no list was given and
    /// every sealer of the valid chain was considered: the sealer's word is then only as good
    /// as the reader's trust in it.
    pub trusted: bool,
}

/// Whether a DMARC failure could be explained by a trusted forwarder's seal (RFC 8617 §7.2).
///
/// Only a chain that passes counts: its seals make each ARC-Authentication-Results authentic.
/// Sets are looked at from the newest down; the first whose sealer (`d=` of its ARC-Seal,
/// compared exactly, ignoring case) is in `trusted_sealers` and whose results include
/// `dmarc=pass`, or a `dkim=pass` or `spf=pass` for a domain `aligned` accepts, is the answer.
/// Older trusted sealers are looked at too: a newer one may have seen the message only after
/// an untrusted hop in between changed it, while the older one saw it as sent.
///
/// `aligned` says whether a domain aligns with the RFC 5322 From domain (the DMARC stage knows
/// the organizational domains); a `dmarc=pass` is taken as it is unless its `header.from` is
/// given and does not align.
pub fn trusted_forwarder<S: AsRef<str>>(
    report: &ArcReport,
    trusted_sealers: &[S],
    aligned: impl Fn(&str) -> bool,
) -> Option<TrustedForwarder> {
    if report.result != ArcResult::Pass {
        return None;
    }
    let trusted = |sealer: &str| {
        trusted_sealers
            .iter()
            .any(|trusted| trusted.as_ref().eq_ignore_ascii_case(sealer))
    };
    report.instances.iter().rev().find_map(|instance| {
        let sealer = instance
            .sealer
            .as_deref()
            .filter(|sealer| trusted(sealer))?;
        recorded_pass(instance, &aligned).map(|(method, domain)| {
            let authserv_id = instance
                .authentication_results
                .as_ref()
                .and_then(|results| results.authserv_id.clone());
            let what = match method {
                ForwarderMethod::Dmarc => "dmarc=pass",
                ForwarderMethod::Dkim => "an aligned dkim=pass",
                ForwarderMethod::Spf => "an aligned spf=pass",
            };
            TrustedForwarder {
                instance: instance.instance,
                sealer: sealer.to_string(),
                authserv_id,
                method,
                reason: format!(
                    "{sealer}, a trusted forwarder, sealed ARC Set i={} recording {what}{}: the \
                     message authenticated when it reached {sealer} (RFC 8617 §7.2)",
                    instance.instance,
                    domain
                        .as_deref()
                        .map(|domain| format!(" for {domain}"))
                        .unwrap_or_default()
                ),
                domain,
                trusted: true,
            }
        })
    })
}

/// The forwarder whose seal explains a DMARC failure of `dmarc` (see [`trusted_forwarder`]):
/// among `trusted_sealers` when the reader gave some, otherwise among every sealer of the chain
/// (then marked `trusted: false`, and the reason says that it rests on trusting the sealer).
/// A domain aligns when its organisational domain (Public Suffix List) is the From domain's.
pub fn forwarder_for<S: AsRef<str>>(
    report: &ArcReport,
    dmarc: &crate::dmarc::DmarcReport,
    trusted_sealers: &[S],
) -> Option<TrustedForwarder> {
    use crate::org_domain::organisation;
    let from = dmarc.domain.as_deref()?;
    let from_org = organisation(from).unwrap_or_else(|| from.to_string());
    let aligned = |domain: &str| {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        organisation(&domain).unwrap_or(domain) == from_org
    };
    if !trusted_sealers.is_empty() {
        return trusted_forwarder(report, trusted_sealers, aligned);
    }
    let every_sealer: Vec<String> = report
        .instances
        .iter()
        .filter_map(|instance| instance.sealer.clone())
        .collect();
    let mut forwarder = trusted_forwarder(report, &every_sealer, aligned)?;
    forwarder.trusted = false;
    forwarder.reason = crate::find::replace(
        &forwarder.reason,
        ", a trusted forwarder,",
        " (trusted by no list you gave)",
        Some(1),
    );
    Some(forwarder)
}

/// The first passing result of a set's ARC-Authentication-Results that DMARC would accept:
/// `dmarc`, then `dkim`, then `spf`.
fn recorded_pass(
    instance: &ArcInstance,
    aligned: &impl Fn(&str) -> bool,
) -> Option<(ForwarderMethod, Option<String>)> {
    let results = &instance.authentication_results.as_ref()?.results;
    let passes = |method: &'static str| {
        results
            .iter()
            .filter(move |result| result.method == method && result.result == "pass")
    };
    if let Some(dmarc) = passes("dmarc").find(|result| {
        property_domain(result, "header", &["from"]).is_none_or(|domain| aligned(&domain))
    }) {
        return Some((
            ForwarderMethod::Dmarc,
            property_domain(dmarc, "header", &["from"]),
        ));
    }
    let dkim = passes("dkim")
        .filter_map(|result| property_domain(result, "header", &["d", "i"]))
        .find(|domain| aligned(domain));
    if let Some(domain) = dkim {
        return Some((ForwarderMethod::Dkim, Some(domain)));
    }
    passes("spf")
        .filter_map(|result| property_domain(result, "smtp", &["mailfrom", "mfrom"]))
        .find(|domain| aligned(domain))
        .map(|domain| (ForwarderMethod::Spf, Some(domain)))
}

/// The domain in the first of `properties` (of type `ptype`) a result has: the part after `@`
/// for an address or `@domain`, lower case.
fn property_domain(result: &MethodResult, ptype: &str, properties: &[&str]) -> Option<String> {
    properties.iter().find_map(|name| {
        result
            .properties
            .iter()
            .find(|p| p.ptype.eq_ignore_ascii_case(ptype) && p.property.eq_ignore_ascii_case(name))
            .map(|p| {
                let value = p
                    .value
                    .rsplit_once('@')
                    .map_or(p.value.as_str(), |(_, d)| d);
                value.trim_end_matches('.').to_ascii_lowercase()
            })
            .filter(|domain| !domain.is_empty())
    })
}
