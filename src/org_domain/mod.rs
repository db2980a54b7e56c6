//! Organisational domains: where one organisation's names end and the next one's begin.
//!
//! One module for every part of the pipeline that asks the question: the transport path
//! (`received/`, which hop is the border), the sender checks (`sender/`, look-alike domains)
//! and DMARC (`dmarc/`, identifier alignment and policy discovery). Two answers exist, and
//! DMARC reports both side by side:
//!
//! - The Public Suffix List ([`public_suffix`], [`organizational_domain_psl`]): RFC 7489 §3.2,
//!   with both the ICANN and the PRIVATE sections, embedded from `data/psl-compact.txt`. Pure
//!   functions, no DNS.
//! - The DNS Tree Walk of RFC 9989 §4.10 ([`walk_targets`], [`select_organizational_domain`],
//!   and the lookup loop [`tree_walk`]): ask `_dmarc.<name>` going up the tree, at most eight
//!   queries, and let `psd=` tags published by the domains themselves say where the boundary is.
//!
//! Names are compared as lower-case A-labels; [`to_ascii`] turns U-labels into A-labels (see
//! [`punycode`] for what it does not do).

mod psl;
pub mod punycode;
pub(crate) mod walk;

use serde::Serialize;

pub use psl::PslSection;
pub use walk::{
    select_organizational_domain, tree_walk, walk_targets, OrgDomainReason, OrgDomainSelection,
    TreeWalk, WalkOutcome, WalkRecord, WalkStep, MAX_WALK_QUERIES,
};

/// A public suffix found for a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PublicSuffix {
    /// The suffix, in lower-case A-labels (`co.uk`, `github.io`).
    pub suffix: String,
    /// The section of the rule that prevailed; `unlisted` for the default rule `*`.
    pub section: PslSection,
}

/// Why a name could not be looked up in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty, or only a dot.
    Empty,
    /// A label is empty: a leading dot or two dots in a row.
    EmptyLabel,
    /// A label is longer than 63 octets (RFC 1035 §2.3.4), as an A-label.
    LabelTooLong,
    /// A U-label could not be encoded as an A-label.
    NotEncodable,
    /// The name is an IP address or an address literal, not a domain.
    AddressLiteral,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameError::Empty => "the name is empty",
            NameError::EmptyLabel => "the name has an empty label",
            NameError::LabelTooLong => "a label is longer than 63 octets",
            NameError::NotEncodable => "a label cannot be encoded as an A-label",
            NameError::AddressLiteral => "an address, not a domain name",
        })
    }
}

impl std::error::Error for NameError {}

/// The name in canonical form for comparison: lower-case A-labels, no trailing dot.
/// `Bücher.Example.` becomes `xn--bcher-kva.example`.
pub fn to_ascii(name: &str) -> Result<String, NameError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.starts_with('[') || is_ip_address(name) {
        return Err(NameError::AddressLiteral);
    }
    if name.is_ascii() {
        return ascii_name(name);
    }
    let mut labels = Vec::new();
    // U+3002 and the other IDNA dots (RFC 3490 §3.1) separate labels too.
    for label in name.split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}']) {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        let label = punycode::a_label(label).ok_or(NameError::NotEncodable)?;
        if label.len() > 63 {
            return Err(NameError::LabelTooLong);
        }
        labels.push(label);
    }
    Ok(labels.join("."))
}

/// Whether `name` reads as an IPv4 or IPv6 address. An address is written with hex digits,
/// dots and colons only, so a name with any other character (every name with a letter past
/// `f`) is not one, without running the address parser: DMARC canonicalises every identifier
/// it aligns, and the parser's two attempts showed in its profile.
fn is_ip_address(name: &str) -> bool {
    name.bytes()
        .all(|byte| byte.is_ascii_hexdigit() || byte == b'.' || byte == b':')
        && name.parse::<std::net::IpAddr>().is_ok()
}

/// [`to_ascii`] of a name that is all ASCII: every label is its own A-label in lower case, so
/// the name is checked label by label and lowered in one copy, rather than built from a string
/// per label (DMARC canonicalises every identifier it aligns, and the copies showed in its
/// profile). The same errors in the same order as the general path: the IDNA dots are not
/// ASCII, so the labels are the same.
fn ascii_name(name: &str) -> Result<String, NameError> {
    // Label by label, left to right, as a split would give them: the length of the label so
    // far, checked at each dot and at the end (a byte loop: the split's searcher cost more
    // than the labels it found).
    let mut label = 0usize;
    for byte in name.bytes() {
        if byte == b'.' {
            if label == 0 {
                return Err(NameError::EmptyLabel);
            }
            label = 0;
        } else {
            label += 1;
            if label > 63 {
                return Err(NameError::LabelTooLong);
            }
        }
    }
    if label == 0 {
        return Err(NameError::EmptyLabel);
    }
    Ok(name.to_ascii_lowercase())
}

/// The public suffix of `name` under the whole list (ICANN and PRIVATE sections), by the
/// list's algorithm: the longest matching rule, an exception rule over any other, and the
/// default rule `*` when none matches. A name that is itself a suffix is its own suffix.
pub fn public_suffix(name: &str) -> Result<PublicSuffix, NameError> {
    let name = to_ascii(name)?;
    let labels: Vec<&str> = name.split('.').collect();
    let reversed: Vec<&str> = name.rsplit('.').collect();
    let (length, section) = psl::prevailing(&reversed);
    Ok(PublicSuffix {
        suffix: last_labels(&labels, length),
        section,
    })
}

/// The organisational domain of RFC 7489 §3.2: the public suffix and one label more (the
/// "registrable domain" of the list's documentation). `Ok(None)` when the name is itself a
/// public suffix (`co.uk`, `github.io`) and so has no organisational domain in this sense.
pub fn organizational_domain_psl(name: &str) -> Result<Option<String>, NameError> {
    let name = to_ascii(name)?;
    let reversed: Vec<&str> = name.rsplit('.').collect();
    let (length, _) = psl::prevailing(&reversed);
    // The rightmost `length + 1` labels are a suffix of the canonical name (none is empty):
    // it is copied as it stands rather than joined again from the labels.
    let Some(first) = reversed.get(length) else {
        return Ok(None);
    };
    let suffix_len: usize = reversed
        .iter()
        .take(length)
        .map(|label| label.len() + 1)
        .sum();
    let start = name.len().saturating_sub(suffix_len + first.len());
    Ok(Some(name.get(start..).unwrap_or_default().to_string()))
}

/// The organisation a host name belongs to, for grouping names: its organisational domain by
/// the Public Suffix List. The transport path uses it to tell the receiver's own hosts from the
/// sender's, and the sender checks to compare From with Reply-To and Return-Path. `None` for an
/// IP literal, a name that is not valid, or a public suffix itself.
pub fn organisation(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    if host.starts_with('[') || is_ip_address(host) {
        return None;
    }
    organizational_domain_psl(host).ok().flatten()
}

/// The rightmost `count` labels joined, or all of them when there are fewer.
fn last_labels(labels: &[&str], count: usize) -> String {
    let skip = labels.len().saturating_sub(count);
    labels.get(skip..).unwrap_or(labels).join(".")
}

/// Whether `name` is `ancestor` or below it (label-wise: `badexample.com` is not below
/// `example.com`). Both in canonical form.
pub fn is_within(name: &str, ancestor: &str) -> bool {
    name == ancestor
        || name
            .strip_suffix(ancestor)
            .is_some_and(|head| head.ends_with('.'))
}

#[cfg(test)]
mod tests;
