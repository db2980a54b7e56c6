//! The networks and prefix lengths of "ip4", "ip6", "a" and "mx" terms (RFC 7208 §5.6): the
//! address readers of [`super`]'s grammar, each in one pass over the bytes.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{error, DualCidr, ParseError, ParseErrorKind, Span};

/// `ip4-network [ ip4-cidr-length ]`: [`network_and_prefix`] for "ip4" in one pass, the
/// address read up to the `/` (most of a provider's terms are these).
pub(super) fn ip4_network_and_prefix(
    value: &str,
    span: Span,
) -> Result<(Ipv4Addr, u8), ParseError> {
    let (address, rest) = ip4_network_head(value.as_bytes())
        .ok_or_else(|| error(ParseErrorKind::BadNetwork, span))?;
    let prefix = match rest.split_first() {
        None => 32,
        // `ip4_network_head` stops at a `/` only.
        Some((_, digits)) => {
            cidr_length(digits, 32).ok_or_else(|| error(ParseErrorKind::BadCidr, span))?
        }
    };
    Ok((address, prefix))
}

/// `network [ cidr-length ]` of "ip4" and "ip6": the address, then `/` and the prefix length,
/// the whole length of the family when absent.
pub(super) fn network_and_prefix<T>(
    value: &str,
    network: fn(&str) -> Option<T>,
    maximum: u8,
    span: Span,
) -> Result<(T, u8), ParseError> {
    // A byte search: `split_once` looks for a `char`, slower on these short strings.
    let (address, cidr) = match value.bytes().position(|byte| byte == b'/') {
        // `/` is ASCII, so it and the byte after it start characters.
        Some(slash) => (
            value.get(..slash).unwrap_or_default(),
            value.get(slash + 1..),
        ),
        None => (value, None),
    };
    let address = network(address).ok_or_else(|| error(ParseErrorKind::BadNetwork, span))?;
    let prefix = match cidr {
        None => maximum,
        Some(digits) => cidr_length(digits.as_bytes(), maximum)
            .ok_or_else(|| error(ParseErrorKind::BadCidr, span))?,
    };
    Ok((address, prefix))
}

/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]` (RFC 7208 §5.6), taken off
/// the end of an "a" or "mx" argument. A domain-spec cannot end in `/` and digits (it ends in a
/// top label or a macro), so the split is unambiguous. Returns what stays before it.
pub(super) fn dual_cidr_length(rest: &str, span: Span) -> Result<(&str, DualCidr), ParseError> {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let bad = error(ParseErrorKind::BadCidr, span);
    let mut head = rest;
    let mut cidr = DualCidr::default();
    if let Some(position) = crate::find::rfind(head, "//") {
        if digits(&head[position + 2..]) {
            cidr.ip6 = cidr_length(&head.as_bytes()[position + 2..], 128).ok_or(bad.clone())?;
            head = &head[..position];
        }
    }
    if let Some(position) = head.rfind('/') {
        if digits(&head[position + 1..]) {
            cidr.ip4 = cidr_length(&head.as_bytes()[position + 1..], 32).ok_or(bad.clone())?;
            head = &head[..position];
        }
    }
    if head.starts_with('/') {
        return Err(bad);
    }
    Ok((head, cidr))
}

/// `ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT)` (at most 32) and
/// `ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)` (at most 128): the digits after the slash.
/// Leading zeros are refused, as the RFC 7208 suite's `cidr4-032` expects.
fn cidr_length(digits: &[u8], maximum: u8) -> Option<u8> {
    decimal(digits).filter(|&value| value <= maximum)
}

/// `ip4-network = qnum "." qnum "." qnum "." qnum`, with
/// `qnum = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35`: 0–255
/// without leading zeros.
///
/// One pass over the bytes, rather than splitting at the dots and reading each part with
/// [`decimal`]: records list dozens of networks, and the split cost more than the rest of the
/// term. A unit test holds it to the same answers as `decimal` over the parts.
fn ip4_network(text: &str) -> Option<Ipv4Addr> {
    match ip4_network_head(text.as_bytes())? {
        (address, []) => Some(address),
        _ => None,
    }
}

/// The `ip4-network` at the start of `text`, which ends there or at a `/`: the address and the
/// rest (empty, or from the `/`).
fn ip4_network_head(text: &[u8]) -> Option<(Ipv4Addr, &[u8])> {
    let mut octets = [0u8; 4];
    let mut done = 0;
    let (mut value, mut digits) = (0u16, 0u8);
    let mut end = text.len();
    for (index, &byte) in text.iter().enumerate() {
        match byte {
            // A fourth digit, or a digit after a leading zero.
            b'0'..=b'9' if digits == 3 || (digits == 1 && value == 0) => return None,
            b'0'..=b'9' => {
                value = value * 10 + u16::from(byte - b'0');
                digits += 1;
            }
            b'.' if digits > 0 => {
                *octets.get_mut(done)? = u8::try_from(value).ok()?;
                done += 1;
                (value, digits) = (0, 0);
            }
            b'/' => {
                end = index;
                break;
            }
            _ => return None,
        }
    }
    if digits == 0 || done != 3 {
        return None;
    }
    *octets.get_mut(3)? = u8::try_from(value).ok()?;
    Some((Ipv4Addr::from(octets), text.get(end..).unwrap_or_default()))
}

/// One to three decimal digits without a leading zero (a lone `0` is fine), up to 255: what
/// `qnum` and the CIDR lengths have in common.
fn decimal(digits: &[u8]) -> Option<u8> {
    let valid = matches!(digits.len(), 1..=3)
        && digits.iter().all(u8::is_ascii_digit)
        && (digits.len() == 1 || digits.first() != Some(&b'0'));
    if !valid {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u16, |value, digit| value * 10 + u16::from(digit - b'0'));
    u8::try_from(value).ok()
}

/// `ip6-network = <as per RFC 4291, section 2.2>`: eight groups of one to four hex digits, of
/// which one run of one or more zero groups may be written `::`, and the last two may be
/// written as an IPv4 dotted quad.
///
/// By hand rather than with `Ipv6Addr::from_str`, which accepts the same text (a unit test
/// compares the two) but tries the dotted quad before every group and cost a quarter of
/// parsing a provider's record.
pub(super) fn ip6_network(text: &str) -> Option<Ipv6Addr> {
    let bytes = text.as_bytes();
    let compressed = bytes.windows(2).position(|pair| pair == b"::");
    let mut groups = [0u16; 8];
    match compressed {
        None => (h16_groups(bytes, true, &mut groups)? == 8).then_some(Ipv6Addr::from(groups)),
        Some(at) => {
            let head = h16_groups(bytes.get(..at)?, false, &mut groups)?;
            let mut tail_groups = [0u16; 8];
            let tail = h16_groups(bytes.get(at + 2..)?, true, &mut tail_groups)?;
            // `::` stands for one zero group at least.
            if head + tail > 7 {
                return None;
            }
            groups
                .get_mut(8 - tail..)?
                .copy_from_slice(tail_groups.get(..tail)?);
            Some(Ipv6Addr::from(groups))
        }
    }
}

/// `h16 *( ":" h16 )`, and when `quad_last` a dotted quad (two groups) in the last place:
/// stores the groups from the start of `groups` and returns how many. Empty text has none.
fn h16_groups(text: &[u8], quad_last: bool, groups: &mut [u16; 8]) -> Option<usize> {
    if text.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut parts = text.split(|&byte| byte == b':').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if last && quad_last && part.contains(&b'.') {
            // Dots and digits only, or `ip4_network` refuses it: ASCII either way.
            let [a, b, c, d] = ip4_network(std::str::from_utf8(part).ok()?)?.octets();
            *groups.get_mut(count)? = u16::from_be_bytes([a, b]);
            *groups.get_mut(count + 1)? = u16::from_be_bytes([c, d]);
            count += 2;
        } else {
            *groups.get_mut(count)? = h16(part)?;
            count += 1;
        }
    }
    Some(count)
}

/// `h16 = 1*4HEXDIG` (RFC 4291 §2.2, as RFC 3986 §3.2.2 writes it).
fn h16(digits: &[u8]) -> Option<u16> {
    if !matches!(digits.len(), 1..=4) {
        return None;
    }
    digits.iter().try_fold(0u16, |value, &digit| {
        let digit = char::from(digit).to_digit(16)?;
        // At most four hex digits: no overflow.
        Some(value << 4 | u16::try_from(digit).ok()?)
    })
}
