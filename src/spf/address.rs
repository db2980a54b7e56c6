//! Pure decisions about addresses and names: CIDR matching (RFC 7208 §5.6), IPv4-mapped
//! addresses (§5), reverse names, domain suffixes. No DNS here.

use std::net::{IpAddr, Ipv4Addr};

use super::macros::{self, valid_query_name};
use super::DualCidr;
use crate::dns::{Answer, RecordData, RecordType};

/// RFC 7208 §5: an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is evaluated as IPv4.
pub(crate) fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Whether `ip` is inside `network/prefix`, same family only (RFC 7208 §5.6).
pub(super) fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// Whether `domain` is one check_host() can evaluate: a multi-label name that can be queried
/// (RFC 7208 §4.3). A domain literal such as `[192.0.2.1]` is not a domain.
pub(super) fn checkable_domain(domain: &str) -> bool {
    valid_query_name(domain)
        && domain.trim_end_matches('.').contains('.')
        && !domain.starts_with('[')
}

/// The reverse-lookup name of an address (RFC 1035 §3.5, RFC 3596 §2.5).
pub(crate) fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(_) => {
            let nibbles = macros::dotted_ip(ip);
            let reversed: Vec<&str> = nibbles.split('.').rev().collect();
            format!("{}.ip6.arpa", reversed.join("."))
        }
    }
}

/// The addresses of an answer.
pub(crate) fn addresses(answer: &Answer) -> Vec<IpAddr> {
    answer
        .records
        .iter()
        .filter_map(|record| match record.data {
            RecordData::A { address } => Some(IpAddr::V4(address)),
            RecordData::Aaaa { address } => Some(IpAddr::V6(address)),
            _ => None,
        })
        .collect()
}

/// Whether `name` is `domain` or below it, ignoring case and trailing dots.
pub(super) fn within_domain(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    name == domain || name.ends_with(&format!(".{domain}"))
}

/// The record type holding addresses of the IP's family.
pub(crate) fn address_type(ip: IpAddr) -> RecordType {
    match ip {
        IpAddr::V4(_) => RecordType::A,
        IpAddr::V6(_) => RecordType::Aaaa,
    }
}

/// Whether `ip` is within the prefix of any of `addresses` (RFC 7208 §5.3, §5.6).
pub(super) fn matches_any(ip: IpAddr, addresses: &[IpAddr], cidr: DualCidr) -> bool {
    addresses.iter().any(|&address| {
        let prefix = match address {
            IpAddr::V4(_) => cidr.ip4,
            IpAddr::V6(_) => cidr.ip6,
        };
        in_network(ip, address, prefix)
    })
}

/// The unspecified address of a family, used as the IP of an audit (it matches nothing).
pub(super) fn placeholder_ip() -> IpAddr {
    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
}
