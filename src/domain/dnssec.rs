//! DNSSEC as the resolver reports it: the AD flag of each answer ([`Answer::authenticated`]).
//! The audit cannot validate signatures itself (the browser has no DNSSEC API, and DoH answers
//! come validated or not from the resolver), so the flag is only as trustworthy as the path to
//! the resolver (RFC 6840 §5.7): a DoH resolver over HTTPS is that path. Negative answers carry
//! no flag in the report, so only names that answered are listed.
//!
//! [`Answer::authenticated`]: crate::dns::Answer::authenticated

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dns::{normalize_name, QueryTrace};
use crate::report::{Finding, Severity};

const RFC_DNSSEC: &str = "https://www.rfc-editor.org/rfc/rfc4033#section-2";

/// Whether the answers for one name were validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DnssecName {
    pub name: String,
    /// Every answer for the name carried the AD flag.
    pub authenticated: bool,
    /// Answers seen for the name (all record types).
    pub answers: usize,
}

/// The DNSSEC section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DnssecSection {
    /// Whether the domain's own answers (MX, TXT, A/AAAA at the domain) were validated; `null`
    /// when it gave none.
    pub domain_signed: Option<bool>,
    /// Every name that answered, in name order.
    pub names: Vec<DnssecName>,
    /// What the flag is worth, for a person.
    pub note: String,
    pub findings: Vec<Finding>,
}

/// The section, from every query the audit made.
pub fn section(domain: &str, queries: &[QueryTrace]) -> DnssecSection {
    let mut by_name: BTreeMap<String, (bool, usize)> = BTreeMap::new();
    for query in queries {
        let Some(answer) = query.answer() else {
            continue;
        };
        let entry = by_name
            .entry(normalize_name(&query.name))
            .or_insert((true, 0));
        entry.0 &= answer.authenticated;
        entry.1 += 1;
    }
    let domain_signed = by_name.get(domain).map(|(authenticated, _)| *authenticated);
    let names: Vec<DnssecName> = by_name
        .into_iter()
        .map(|(name, (authenticated, answers))| DnssecName {
            name,
            authenticated,
            answers,
        })
        .collect();
    let mut findings = Vec::new();
    if domain_signed == Some(false) {
        findings.push(
            Finding::new(
                Severity::Warning,
                "dnssec.unsigned",
                format!("The answers for {domain} are not DNSSEC-validated: anyone who can answer the sender's DNS queries can change its MX, SPF and DMARC records, and DANE cannot be used."),
            )
            .about_record(domain)
            .with_rfc(RFC_DNSSEC)
            .with_fix("Turn on DNSSEC signing at your DNS host, then publish the DS record it gives at your registrar."),
        );
    }
    DnssecSection {
        domain_signed,
        names,
        note: "DNSSEC as the resolver reports it (the AD flag): a validating resolver sets it on answers whose signatures check. It is only as trustworthy as the path to that resolver, and a resolver that does not validate never sets it.".into(),
        findings,
    }
}
