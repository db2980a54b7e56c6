//! The trust boundary: which hop the receiving organisation stamped first, and which header
//! fields it, rather than anyone upstream, wrote.
//!
//! Everything below the border stamp was written by the sender's side, and anyone can write
//! anything there, including Authentication-Results in the receiver's name (RFC 8601 §7.2).

use std::net::IpAddr;

use serde::Serialize;

use super::Hop;
use crate::org_domain::organisation;

/// An IP address the receiver recorded as the one it evaluated SPF or iprev for (from
/// Received-SPF `client-ip=` or an Authentication-Results comment or property), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedIp {
    /// The index of the field that recorded it, in `Message::fields`.
    pub field_index: usize,
    pub ip: IpAddr,
    /// The name the recording field claims (authserv-id, Received-SPF receiver), if any.
    pub claimed_name: Option<String>,
}

/// How far a header field can be believed, given where it sits relative to the border.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// Written by the receiving organisation.
    Trusted,
    /// Written upstream of the receiver: anyone could have written it.
    Untrusted,
    /// No border hop was found, so where the field came from is not known.
    #[default]
    Unknown,
}

/// How the border hop was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BorderMethod {
    /// The first hop, from the receiver down, whose sender is outside the receiver's domains.
    HostNames,
    /// A result field the receiver wrote names this hop's IP as the one it evaluated.
    RecordedIp,
}

/// The border as found, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Border {
    /// The hop's number (1 = oldest).
    pub hop: usize,
    /// How it was found: `host-names` (the first hop, from the receiver down, whose sender is
    /// outside the receiver's domains) or `recorded-ip` (a result field the receiver wrote names
    /// this hop's IP as the one it evaluated; this finds the border behind an inbound filtering
    /// gateway, and between two customers of one provider).
    pub method: BorderMethod,
    /// The receiver's domains as read from its stamps: the organisational domain (Public Suffix
    /// List) of each `by` host.
    pub receiver_domains: Vec<String>,
    /// The index in `Message::fields` of the border hop's Received field.
    #[serde(skip)]
    pub field_index: usize,
    /// The index of the next older Received field (the sender side's last stamp), if any.
    #[serde(skip)]
    pub older_field_index: Option<usize>,
}

impl Border {
    /// Whether a field at `field_index` can be believed. Fields above the border stamp were
    /// added by the receiver. Fields between it and the sender's last stamp are trusted only
    /// when they claim the receiver's name (`claimed_name`: an authserv-id, or the host of the
    /// product that writes a verdict header), because Gmail, Microsoft and others add their
    /// fields below their own stamp, and RFC 8601 §5 requires a receiver to delete incoming
    /// fields that claim its name.
    pub fn trust(&self, field_index: usize, claimed_name: Option<&str>) -> Trust {
        if field_index < self.field_index {
            return Trust::Trusted;
        }
        let below_sender = self
            .older_field_index
            .is_some_and(|older| field_index > older);
        let in_receiver_name = claimed_name.is_some_and(|name| self.is_receiver_host(name));
        if !below_sender && in_receiver_name {
            Trust::Trusted
        } else {
            Trust::Untrusted
        }
    }

    fn is_receiver_host(&self, host: &str) -> bool {
        organisation(host).is_some_and(|org| self.receiver_domains.contains(&org))
    }
}

/// Finds the border among `hops` (oldest first), given each hop's Received field index and the
/// IPs the receiver recorded.
pub fn find_border(
    hops: &[Hop],
    field_indexes: &[usize],
    recorded: &[RecordedIp],
) -> Option<Border> {
    let mut receiver_domains: Vec<String> = Vec::new();
    let mut by_names = None;
    for (position, hop) in hops.iter().enumerate().rev() {
        if let Some(org) = hop.by.as_deref().and_then(organisation) {
            if !receiver_domains.contains(&org) {
                receiver_domains.push(org);
            }
        }
        let in_receiver = |name: &Option<String>| {
            name.as_deref()
                .and_then(organisation)
                .is_none_or(|org| receiver_domains.contains(&org))
        };
        // Inside: a stamp without a sender (local pickup), a private or loopback sender, or a
        // sender whose names are the receiver's own (or one-label, i.e. local).
        let inside = match hop.ip {
            Some(ip) if is_private(ip) => true,
            Some(_) => {
                (hop.from.is_some() || hop.reverse_dns.is_some())
                    && in_receiver(&hop.from)
                    && in_receiver(&hop.reverse_dns)
                    && [&hop.from, &hop.reverse_dns]
                        .iter()
                        .any(|name| name.as_deref().and_then(organisation).is_some())
            }
            None => in_receiver(&hop.from) && in_receiver(&hop.reverse_dns),
        };
        if !inside {
            by_names = Some(position);
            break;
        }
    }
    let by_names = by_names?;
    let border_at = |position: usize, method: BorderMethod| {
        Some(Border {
            hop: position + 1,
            method,
            receiver_domains: receiver_domains.clone(),
            field_index: *field_indexes.get(position)?,
            older_field_index: position
                .checked_sub(1)
                .and_then(|p| field_indexes.get(p))
                .copied(),
        })
    };
    let named = border_at(by_names, BorderMethod::HostNames)?;
    // The receiver's own record of the IP it evaluated can correct the names. Towards the
    // receiver (hops above `by_names`, all stamped inside) a record written above the
    // candidate's upstream stamp is enough. Further out (an inbound gateway such as a filtering
    // service in front of the mailbox provider) the record must sit above the named border's
    // stamp, where only the receiver writes, so that no field written upstream can choose it.
    let by_ip = (0..hops.len()).rev().find(|&position| {
        let (Some(hop), Some(&field)) = (hops.get(position), field_indexes.get(position)) else {
            return false;
        };
        let older = position.checked_sub(1).and_then(|p| field_indexes.get(p));
        hop.ip.is_some_and(|ip| {
            recorded.iter().any(|record| {
                let believed = if position >= by_names {
                    older.is_none_or(|older| record.field_index < *older)
                } else {
                    // Strictly above the named border's stamp: not merely in the receiver's
                    // name, which a forger below the stamp can also claim.
                    record.field_index < named.field_index
                };
                record.ip == ip && record.field_index != field && believed
            })
        })
    });
    match by_ip {
        Some(position) if position < by_names => {
            // The hops between the recorded border and the named one were stamped by the
            // receiver's gateway: their hosts are the receiver's too.
            let mut border = border_at(position, BorderMethod::RecordedIp)?;
            for hop in hops.get(position..by_names).unwrap_or_default() {
                if let Some(org) = hop.by.as_deref().and_then(organisation) {
                    if !border.receiver_domains.contains(&org) {
                        border.receiver_domains.push(org);
                    }
                }
            }
            Some(border)
        }
        Some(position) if position != by_names => border_at(position, BorderMethod::RecordedIp),
        Some(_) => Some(Border {
            method: BorderMethod::RecordedIp,
            ..named
        }),
        None => Some(named),
    }
}
/// Loopback, private, shared, link-local and unique-local addresses: never the public border.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}
