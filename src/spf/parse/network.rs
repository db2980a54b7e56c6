//! The networks and prefix lengths of "ip4", "ip6", "a" and "mx" terms (RFC 7208 §5.6): the
//! address readers of [`super`]'s grammar, each in one pass over the bytes.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{error, DualCidr, ParseError, ParseErrorKind, Span};

/// `ip4-network [ ip4-cidr-length ]`: the address, then `/` and the prefix length, 32 when
/// absent; in one pass, the address read up to the `/` (most of a provider's terms are these).
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
/// without leading zeros, at the start of `text`, which ends there or at a `/`: the address and
/// the rest (empty, or from the `/`).
///
/// One pass over the bytes, rather than splitting at the dots and reading each part with
/// [`decimal`]: records list dozens of networks, and the split cost more than the rest of the
/// term. A unit test holds it to the standard library's answers.
fn ip4_network_head(text: &[u8]) -> Option<(Ipv4Addr, &[u8])> {
    let mut octets = [0u8; 4];
    let mut rest = text;
    for (place, octet) in octets.iter_mut().enumerate() {
        if place > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        // The longest `qnum` the bytes allow; a digit after it is refused below, as the
        // next byte must be a dot, a slash or the end.
        let digit = |byte: u8| u16::from(byte - b'0');
        let (value, length) = match *rest {
            [first @ b'1'..=b'9', second @ b'0'..=b'9', third @ b'0'..=b'9', ..] => {
                (digit(first) * 100 + digit(second) * 10 + digit(third), 3)
            }
            [first @ b'1'..=b'9', second @ b'0'..=b'9', ..] => {
                (digit(first) * 10 + digit(second), 2)
            }
            [only @ b'0'..=b'9', ..] => (digit(only), 1),
            _ => return None,
        };
        *octet = u8::try_from(value).ok()?;
        rest = rest.get(length..)?;
    }
    match rest.first() {
        None | Some(b'/') => Some((Ipv4Addr::from(octets), rest)),
        _ => None,
    }
}

/// One to three decimal digits without a leading zero (a lone `0` is fine), up to 255: what
/// `qnum` and the CIDR lengths have in common.
fn decimal(digits: &[u8]) -> Option<u8> {
    // By length, rather than checking the digits and folding them in passes of their own:
    // every `ip4` and `ip6` term has a prefix length.
    let digit = |byte: u8| byte.is_ascii_digit().then(|| u16::from(byte - b'0'));
    let value = match *digits {
        [one] => digit(one)?,
        [first @ b'1'..=b'9', second] => u16::from(first - b'0') * 10 + digit(second)?,
        [first @ b'1'..=b'9', second, third] => {
            (u16::from(first - b'0') * 10 + digit(second)?) * 10 + digit(third)?
        }
        _ => return None,
    };
    u8::try_from(value).ok()
}

/// `ip6-network [ ip6-cidr-length ]`: the address, then `/` and the prefix length, 128 when
/// absent; the address read in one pass up to the `/` (a provider's record lists a dozen).
pub(super) fn ip6_network_and_prefix(
    value: &str,
    span: Span,
) -> Result<(Ipv6Addr, u8), ParseError> {
    let (address, rest) = ip6_network_head(value.as_bytes())
        .ok_or_else(|| error(ParseErrorKind::BadNetwork, span))?;
    let prefix = match rest.split_first() {
        None => 128,
        // `ip6_network_head` stops at a `/` only.
        Some((_, digits)) => {
            cidr_length(digits, 128).ok_or_else(|| error(ParseErrorKind::BadCidr, span))?
        }
    };
    Ok((address, prefix))
}

/// `ip6-network = <as per RFC 4291, section 2.2>` at the start of `text`, which ends there or
/// at a `/`: the address and the rest (empty, or from the `/`). Eight groups of one to four hex
/// digits, of which one run of one or more zero groups may be written `::`, and the last two
/// may be written as an IPv4 dotted quad.
///
/// One pass, the groups read as they come and those after a `::` moved to the end, rather than
/// `Ipv6Addr::from_str`, which accepts the same text (a unit test compares the two) but tries
/// the dotted quad before every group and cost a quarter of parsing a provider's record, or
/// splitting the text at the colons first, which cost more than the rest of the term.
fn ip6_network_head(text: &[u8]) -> Option<(Ipv6Addr, &[u8])> {
    let mut groups = [0u16; 8];
    let mut count = 0;
    // Where `::` stands: the number of groups before it.
    let mut gap = None;
    let mut index = 0;
    if text.starts_with(b"::") {
        gap = Some(0);
        index = 2;
    }
    let end = loop {
        if gap == Some(count) && matches!(text.get(index), None | Some(b'/')) {
            // `::` at the end.
            break index;
        }
        let start = index;
        let mut value = 0u16;
        while let Some(digit) = text.get(index).and_then(|&byte| hex_digit(byte)) {
            if index - start == 4 {
                return None;
            }
            value = value << 4 | digit;
            index += 1;
        }
        if text.get(index) == Some(&b'.') {
            // The dotted quad, last: its digits were read as hex above, and are read again.
            let (quad, rest) = ip4_network_head(text.get(start..)?)?;
            let [a, b, c, d] = quad.octets();
            *groups.get_mut(count)? = u16::from_be_bytes([a, b]);
            *groups.get_mut(count + 1)? = u16::from_be_bytes([c, d]);
            count += 2;
            break text.len() - rest.len();
        }
        if index == start {
            return None;
        }
        *groups.get_mut(count)? = value;
        count += 1;
        match text.get(index) {
            None | Some(b'/') => break index,
            Some(b':') if text.get(index + 1) == Some(&b':') => {
                if gap.is_some() {
                    return None;
                }
                gap = Some(count);
                index += 2;
            }
            Some(b':') => index += 1,
            Some(_) => return None,
        }
    };
    match gap {
        None if count == 8 => {}
        // `::` stands for one zero group at least.
        Some(at) if count <= 7 => {
            // The groups after the `::` to the end, from the last; zeros where they were.
            // By index rather than `copy_within` and `fill`: at most eight groups, where the
            // calls to move memory cost more than the moves.
            for index in (at..count).rev() {
                let group = std::mem::take(groups.get_mut(index)?);
                *groups.get_mut(index + 8 - count)? = group;
            }
        }
        _ => return None,
    }
    Some((Ipv6Addr::from(groups), text.get(end..)?))
}

/// A hex digit's value.
fn hex_digit(byte: u8) -> Option<u16> {
    match byte {
        b'0'..=b'9' => Some(u16::from(byte - b'0')),
        b'a'..=b'f' => Some(u16::from(byte - b'a' + 10)),
        b'A'..=b'F' => Some(u16::from(byte - b'A' + 10)),
        _ => None,
    }
}
