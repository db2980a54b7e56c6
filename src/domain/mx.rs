//! Where mail for the domain goes: its MX hosts and their addresses, a null MX (RFC 7505), the
//! implicit MX of a domain without one (RFC 5321 §5.1), and the mistakes senders trip over: an
//! MX target that is an alias (RFC 2181 §10.3), an IP address written as a host name, a host
//! without addresses. [`records`] and [`hosts`] ask; [`findings`] decides, without DNS.

use std::net::IpAddr;

use serde::Serialize;

use crate::dns::{normalize_name, DnsError, RecordData, RecordType, Resolver};
use crate::iprev::{self, IprevResult};
use crate::join::join_all;
use crate::report::{Finding, Severity};

/// MX hosts looked at, at most, lowest preference first: the few a sender tries. A hostile
/// zone can list hundreds; each costs two address lookups and a TLSA lookup.
pub const MAX_HOSTS: usize = 10;

/// Addresses whose reverse DNS is checked, at most, over all hosts: each check costs a PTR
/// lookup and a forward lookup per name.
pub const MAX_REVERSE_CHECKS: usize = 6;

const RFC_NULL_MX: &str = "https://www.rfc-editor.org/rfc/rfc7505#section-3";
const RFC_IMPLICIT_MX: &str = "https://www.rfc-editor.org/rfc/rfc5321#section-5.1";
const RFC_MX_ALIAS: &str = "https://www.rfc-editor.org/rfc/rfc2181#section-10.3";
const RFC_MX_NAME: &str = "https://www.rfc-editor.org/rfc/rfc1035#section-3.3.9";
const RFC_IPREV: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-3";

/// What the MX lookup says about where mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MxKind {
    /// MX records name the hosts.
    Hosts,
    /// A single `0 .`: the domain accepts no mail (RFC 7505).
    NullMx,
    /// No MX records: mail goes to the domain's own addresses (RFC 5321 §5.1).
    Implicit,
    /// No MX records and no addresses: mail to the domain cannot be delivered.
    NoMail,
    /// The domain does not exist (NXDOMAIN).
    DomainMissing,
    /// The MX lookup failed; try again later.
    LookupFailed,
    /// Not asked (the name is not a domain).
    #[default]
    NotChecked,
}

/// One host mail is delivered to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MxHost {
    pub preference: u16,
    /// The host name, canonical; for an implicit MX, the domain itself.
    pub exchange: String,
    /// The host is the domain's implicit MX (no MX records were published).
    pub implicit: bool,
    /// The name is an IP address written as a name (`10 192.0.2.1.`), which senders look up
    /// as a name and do not find.
    pub ip_literal: bool,
    /// The canonical name when `exchange` is an alias (a CNAME); `null` when it is not.
    pub alias_of: Option<String>,
    /// A then AAAA addresses.
    pub addresses: Vec<IpAddr>,
    /// Why the A lookup gave no address, when it failed in a way other than "none".
    pub ipv4_error: Option<DnsError>,
    /// Why the AAAA lookup gave no address, when it failed in a way other than "none".
    pub ipv6_error: Option<DnsError>,
    /// Forward-confirmed reverse DNS of the first addresses (at most [`MAX_REVERSE_CHECKS`]
    /// over all hosts).
    pub reverse_dns: Vec<ReverseDns>,
}

/// Whether an address's PTR name maps back to it (RFC 8601 §3 `iprev`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReverseDns {
    pub ip: IpAddr,
    pub result: IprevResult,
    /// The PTR names found.
    pub names: Vec<String>,
    pub reason: String,
}

/// The MX section of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MxSection {
    pub kind: MxKind,
    /// Lowest preference first; at most [`MAX_HOSTS`].
    pub hosts: Vec<MxHost>,
    /// MX records published, including those beyond [`MAX_HOSTS`].
    pub records_published: usize,
    /// Why the MX lookup failed, for `lookup-failed`.
    pub error: Option<DnsError>,
    /// The resolver's AD flag on the MX answer: DANE applies only to MX hosts learned securely
    /// (RFC 7672 §2.2.1).
    pub authenticated: bool,
    pub findings: Vec<Finding>,
}

impl MxSection {
    /// The host names a sender would try, for MTA-STS `mx:` matching and TLSA: the published
    /// hosts that are names (not for a null MX, not IP literals).
    pub fn host_names(&self) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|host| !host.ip_literal && !host.exchange.is_empty())
            .map(|host| host.exchange.clone())
            .collect()
    }
}

/// The MX answer, read: what [`hosts`] looks up next.
pub struct MxPlan {
    section: MxSection,
    hosts: Vec<(u16, String, bool)>,
}

impl MxPlan {
    /// The host names [`hosts`] will look up (none for a null MX or a failed lookup), for the
    /// TLSA lookups that go out beside them.
    pub fn host_names(&self) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|(_, exchange, implicit)| !implicit && !is_ip_literal(exchange))
            .map(|(_, exchange, _)| exchange.clone())
            .collect()
    }
}

/// Asks the MX records of `domain` and decides which hosts to look at: the published ones
/// (lowest preference first, at most [`MAX_HOSTS`]), or the domain itself when there are none
/// (implicit MX), or none for a null MX or a failed lookup.
pub async fn records<R: Resolver>(domain: &str, resolver: &R) -> MxPlan {
    let mut section = MxSection::default();
    let records = match resolver.lookup(domain, RecordType::Mx).await {
        Ok(answer) => {
            section.authenticated = answer.authenticated;
            answer
                .records
                .iter()
                .filter_map(|record| match &record.data {
                    RecordData::Mx {
                        preference,
                        exchange,
                    } => Some((*preference, normalize_name(exchange))),
                    _ => None,
                })
                .collect::<Vec<_>>()
        }
        Err(DnsError::NoData) => Vec::new(),
        Err(DnsError::NxDomain) => {
            section.kind = MxKind::DomainMissing;
            return MxPlan {
                section,
                hosts: Vec::new(),
            };
        }
        Err(error) => {
            section.kind = MxKind::LookupFailed;
            section.error = Some(error);
            return MxPlan {
                section,
                hosts: Vec::new(),
            };
        }
    };
    section.records_published = records.len();
    if records.iter().any(|(_, exchange)| exchange.is_empty()) {
        // A null MX: nothing to look up, whatever else is published beside it (RFC 7505 §3
        // forbids the others; `findings` says so).
        section.kind = MxKind::NullMx;
        section.hosts = records
            .into_iter()
            .map(|(preference, exchange)| bare_host(preference, exchange, false))
            .collect();
        return MxPlan {
            section,
            hosts: Vec::new(),
        };
    }
    let mut hosts: Vec<(u16, String, bool)> = if records.is_empty() {
        vec![(0, domain.to_string(), true)]
    } else {
        records
            .into_iter()
            .map(|(preference, exchange)| (preference, exchange, false))
            .collect()
    };
    hosts.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    hosts.dedup_by(|a, b| a.1 == b.1);
    hosts.truncate(MAX_HOSTS);
    MxPlan { section, hosts }
}

/// Every host's A and AAAA at once, then the reverse DNS of the first addresses.
pub async fn hosts<R: Resolver>(plan: MxPlan, resolver: &R) -> MxSection {
    let MxPlan { mut section, hosts } = plan;
    if hosts.is_empty() {
        return section;
    }
    section.hosts =
        join_all(hosts.into_iter().map(|(preference, exchange, implicit)| {
            host(preference, exchange, implicit, resolver)
        }))
        .await;
    let implicit = section.hosts.iter().any(|host| host.implicit);
    section.kind = match (implicit, section.hosts.first()) {
        (true, Some(host))
            if host.addresses.is_empty()
                && host.ipv4_error.is_none()
                && host.ipv6_error.is_none() =>
        {
            MxKind::NoMail
        }
        (true, _) => MxKind::Implicit,
        (false, _) => MxKind::Hosts,
    };
    reverse_checks(&mut section.hosts, resolver).await;
    section
}

fn bare_host(preference: u16, exchange: String, implicit: bool) -> MxHost {
    MxHost {
        preference,
        ip_literal: is_ip_literal(&exchange),
        exchange,
        implicit,
        alias_of: None,
        addresses: Vec::new(),
        ipv4_error: None,
        ipv6_error: None,
        reverse_dns: Vec::new(),
    }
}

/// A name that is an IP address: `192.0.2.1`, `[192.0.2.1]`, `2001:db8::1`.
fn is_ip_literal(name: &str) -> bool {
    let bare = name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(name);
    bare.parse::<IpAddr>().is_ok()
}

/// One host's A and AAAA, asked together.
async fn host<R: Resolver>(
    preference: u16,
    exchange: String,
    implicit: bool,
    resolver: &R,
) -> MxHost {
    let mut host = bare_host(preference, exchange, implicit);
    let (ipv4, ipv6) = futures_util::future::join(
        resolver.lookup(&host.exchange, RecordType::A),
        resolver.lookup(&host.exchange, RecordType::Aaaa),
    )
    .await;
    for (result, error) in [(ipv4, &mut host.ipv4_error), (ipv6, &mut host.ipv6_error)] {
        match result {
            Ok(answer) => {
                if let Some(last) = answer.cnames.last() {
                    if let RecordData::Cname { target } = &last.data {
                        host.alias_of = Some(normalize_name(target));
                    }
                }
                host.addresses.extend(answer.records.iter().filter_map(
                    |record| match record.data {
                        RecordData::A { address } => Some(IpAddr::V4(address)),
                        RecordData::Aaaa { address } => Some(IpAddr::V6(address)),
                        _ => None,
                    },
                ));
            }
            Err(DnsError::NxDomain | DnsError::NoData) => {}
            Err(other) => *error = Some(other),
        }
    }
    host
}

/// One host's A and AAAA addresses, for a host probed directly (`mailspect probe HOST:PORT`).
pub async fn lookup_host<R: Resolver>(name: &str, resolver: &R) -> MxHost {
    host(0, normalize_name(name), false, resolver).await
}

/// The reverse DNS of each host's first address, then the next ones, up to the limit.
async fn reverse_checks<R: Resolver>(hosts: &mut [MxHost], resolver: &R) {
    let mut chosen: Vec<(usize, IpAddr)> = Vec::new();
    let deepest = hosts.iter().map(|host| host.addresses.len()).max();
    for rank in 0..deepest.unwrap_or(0) {
        for (index, host) in hosts.iter().enumerate() {
            if let Some(&ip) = host.addresses.get(rank) {
                if chosen.len() < MAX_REVERSE_CHECKS {
                    chosen.push((index, ip));
                }
            }
        }
    }
    let reports = join_all(chosen.iter().map(|&(_, ip)| iprev::check(ip, resolver))).await;
    for ((index, ip), report) in chosen.into_iter().zip(reports) {
        if let Some(host) = hosts.get_mut(index) {
            host.reverse_dns.push(ReverseDns {
                ip,
                result: report.result,
                names: report.names.into_iter().map(|name| name.name).collect(),
                reason: report.reason,
            });
        }
    }
}

fn record_finding(
    severity: Severity,
    code: &'static str,
    domain: &str,
    message: String,
    rfc: &'static str,
) -> Finding {
    Finding::new(severity, code, message)
        .with_rfc(rfc)
        .about_record(domain)
}

/// What is wrong with where the domain's mail goes.
pub fn findings(domain: &str, section: &MxSection) -> Vec<Finding> {
    let mut findings = Vec::new();
    let null_mx = format!("{domain}. MX 0 .");
    match section.kind {
        MxKind::NullMx => {
            findings.push(record_finding(
                Severity::Info,
                "mx.null-mx",
                domain,
                format!("{domain} publishes a null MX: it accepts no mail, and senders bounce mail to it at once instead of retrying."),
                RFC_NULL_MX,
            ));
            if section.records_published > 1 {
                findings.push(
                    record_finding(
                        Severity::Error,
                        "mx.null-mx-with-others",
                        domain,
                        format!("{domain} publishes a null MX beside other MX records; RFC 7505 forbids this and senders may treat the domain either way."),
                        RFC_NULL_MX,
                    )
                    .with_fix(format!("Publish either the null MX alone ({null_mx}) or only the real MX records.")),
                );
            }
            if section
                .hosts
                .iter()
                .any(|host| host.exchange.is_empty() && host.preference != 0)
            {
                findings.push(
                    record_finding(
                        Severity::Warning,
                        "mx.null-mx-preference",
                        domain,
                        "The null MX has a preference other than 0; RFC 7505 writes it as 0 .".into(),
                        RFC_NULL_MX,
                    )
                    .with_fix(format!("Publish {null_mx}")),
                );
            }
        }
        MxKind::Implicit => findings.push(
            record_finding(
                Severity::Warning,
                "mx.implicit",
                domain,
                format!("{domain} has no MX records, so senders deliver to its own A/AAAA address (the implicit MX); that is rarely a mail server on purpose, and MTA-STS and DANE cannot name it."),
                RFC_IMPLICIT_MX,
            )
            .with_fix(format!("Publish MX records for your mail servers, e.g. {domain}. MX 10 mx1.{domain}. — or, if the domain receives no mail, {null_mx}")),
        ),
        MxKind::NoMail => findings.push(
            record_finding(
                Severity::Warning,
                "mx.no-mail",
                domain,
                format!("{domain} has no MX records and no address: mail to it cannot be delivered, but senders retry for days before they bounce it."),
                RFC_NULL_MX,
            )
            .with_fix(format!("If the domain receives no mail, say so with a null MX: {null_mx}")),
        ),
        MxKind::DomainMissing => findings.push(
            record_finding(
                Severity::Error,
                "mx.domain-missing",
                domain,
                format!("{domain} does not exist in the DNS (NXDOMAIN)."),
                RFC_IMPLICIT_MX,
            )
            .with_fix("Check the spelling of the domain, and that it is delegated to your name servers."),
        ),
        MxKind::LookupFailed => findings.push(
            record_finding(
                Severity::Error,
                "mx.lookup-failed",
                domain,
                match &section.error {
                    Some(error) => format!("The MX lookup for {domain} failed ({error}): senders queue mail and retry."),
                    None => format!("The MX lookup for {domain} failed: senders queue mail and retry."),
                },
                RFC_IMPLICIT_MX,
            )
            .with_fix("Check that every name server of the domain answers."),
        ),
        MxKind::Hosts | MxKind::NotChecked => {}
    }
    for host in &section.hosts {
        host_findings(domain, host, &mut findings);
    }
    if section.records_published > MAX_HOSTS {
        findings.push(record_finding(
            Severity::Info,
            "mx.hosts-limited",
            domain,
            format!("{domain} publishes {} MX records; the first {MAX_HOSTS} by preference were checked.", section.records_published),
            RFC_IMPLICIT_MX,
        ));
    }
    findings
}

fn host_findings(domain: &str, host: &MxHost, findings: &mut Vec<Finding>) {
    let name = &host.exchange;
    if name.is_empty() {
        return;
    }
    if host.ip_literal {
        findings.push(
            record_finding(
                Severity::Error,
                "mx.ip-literal",
                domain,
                format!("The MX record names {name}, an IP address: an MX names a host, and senders look {name} up as a name, which does not exist."),
                RFC_MX_NAME,
            )
            .with_fix(format!("Give the server a name with an A record (mx1.{domain}. A {}) and publish {domain}. MX {} mx1.{domain}.", name.trim_matches(['[', ']']), host.preference)),
        );
        return;
    }
    if let Some(target) = &host.alias_of {
        findings.push(
            record_finding(
                Severity::Warning,
                "mx.cname",
                domain,
                format!("The MX host {name} is an alias (CNAME) of {target}; an MX must name a host directly, and some senders refuse or mis-handle an alias."),
                RFC_MX_ALIAS,
            )
            .with_fix(format!("Publish {domain}. MX {} {target}.", host.preference)),
        );
    }
    // An implicit MX without addresses is the section's `mx.no-mail`.
    if host.addresses.is_empty()
        && !(host.implicit && host.ipv4_error.is_none() && host.ipv6_error.is_none())
    {
        let failure = host.ipv4_error.as_ref().or(host.ipv6_error.as_ref());
        findings.push(match failure {
            Some(error) => record_finding(
                Severity::Warning,
                "mx.host-lookup-failed",
                domain,
                format!("The address lookup of MX host {name} failed ({error})."),
                RFC_IMPLICIT_MX,
            ),
            None => record_finding(
                Severity::Error,
                "mx.host-without-address",
                domain,
                format!("The MX host {name} has no A or AAAA record: senders cannot reach it."),
                RFC_IMPLICIT_MX,
            )
            .with_fix(format!(
                "Publish {name}. A <the server's IPv4 address>, or remove the MX record."
            )),
        });
    }
    for ip in host.addresses.iter().filter(|ip| not_public(ip)) {
        findings.push(record_finding(
            Severity::Warning,
            "mx.private-address",
            domain,
            format!("The MX host {name} has the address {ip}, which is not reachable from the Internet (private, loopback or link-local)."),
            RFC_IMPLICIT_MX,
        ));
    }
    for reverse in &host.reverse_dns {
        if reverse.result == IprevResult::Pass {
            continue;
        }
        findings.push(
            record_finding(
                Severity::Info,
                "mx.reverse-dns",
                domain,
                format!("{} (MX host {name}): {} Receivers check this of hosts that send mail; it matters if this host sends too.", reverse.ip, reverse.reason),
                RFC_IPREV,
            )
            .with_fix(format!("Ask the owner of {} to set its PTR record to {name}.", reverse.ip)),
        );
    }
}

/// Addresses no sender on the Internet can reach. Documentation ranges (192.0.2.0/24,
/// 2001:db8::/32) are left alone: examples and test zones use them.
fn not_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
        }
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_unique_local()
                || ip.is_unicast_link_local()
        }
    }
}
