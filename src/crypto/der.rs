//! The DER that DKIM keys are written in (RFC 6376 §3.6.1): a SubjectPublicKeyInfo (RFC 5280
//! §4.1.2.7) around an RSAPublicKey (RFC 8017 §A.1.1), or a bare RSAPublicKey, and the
//! SubjectPublicKeyInfo written back for WebCrypto, whose `importKey('spki', …)` is the only way
//! into it for an RSA public key.
//!
//! A reader of its own rather than the `der` and `spki` crates: the Message view's module holds
//! no RSA code any more (the browser verifies), and these two structures are all it reads; the
//! crates cost it more than this file (BENCHMARKS.md, "Size"). The reader follows `der` 0.7 on
//! what it accepts (definite, minimal lengths; minimal, non-negative integers; nothing after the
//! structure), so that a key reads the same natively and in the browser. Every length is checked
//! against the bytes that are left: no allocation comes from a length in the input.

use std::fmt;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OBJECT_IDENTIFIER: u8 = 0x06;

/// The AlgorithmIdentifier of an RSA key: `rsaEncryption` (1.2.840.113549.1.1.1) with NULL
/// parameters (RFC 8017 §A.1), as WebCrypto expects it.
const RSA_ENCRYPTION: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// What is wrong with a DER structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerErrorKind {
    /// The input ends inside an element (or before one that must come).
    Truncated,
    /// An element of another type than the structure has there.
    UnexpectedTag { expected: u8, found: u8 },
    /// The indefinite length form (0x80), which DER forbids (X.690 §10.1).
    IndefiniteLength,
    /// A length in the long form that fits a shorter one, or of more than four bytes.
    NonMinimalLength,
    /// Bytes after the end of the structure.
    TrailingData,
    /// An INTEGER with no content octets.
    EmptyInteger,
    /// An INTEGER with a needless leading zero byte (X.690 §8.3.2).
    NonMinimalInteger,
    /// A negative INTEGER where only unsigned values make sense.
    NegativeInteger,
    /// An OBJECT IDENTIFIER that is empty or ends inside a sub-identifier.
    MalformedObjectIdentifier,
    /// A BIT STRING whose first byte (the count of unused bits) is over 7, or not 0 when empty.
    MalformedBitString,
    /// The key's BIT STRING does not end on a byte boundary.
    PartialByte,
}

/// A DER error and the offset, in the decoded `p=` bytes, where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerError {
    pub kind: DerErrorKind,
    pub offset: usize,
}

impl fmt::Display for DerError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DerErrorKind::Truncated => "the DER ends too early".to_string(),
            DerErrorKind::UnexpectedTag { expected, found } => {
                format!(
                    "expected {} but found tag 0x{found:02x}",
                    tag_name(expected)
                )
            }
            DerErrorKind::IndefiniteLength => "an indefinite length, which DER forbids".into(),
            DerErrorKind::NonMinimalLength => "a length not in its shortest form".into(),
            DerErrorKind::TrailingData => "bytes after the end of the key".into(),
            DerErrorKind::EmptyInteger => "an INTEGER with no content".into(),
            DerErrorKind::NonMinimalInteger => "an INTEGER with a needless leading zero".into(),
            DerErrorKind::NegativeInteger => "a negative INTEGER".into(),
            DerErrorKind::MalformedObjectIdentifier => "a malformed OBJECT IDENTIFIER".into(),
            DerErrorKind::MalformedBitString => "a malformed BIT STRING".into(),
            DerErrorKind::PartialByte => "a key that is not a whole number of bytes".into(),
        };
        write!(formatter, "{what} at byte {}", self.offset)
    }
}

fn tag_name(tag: u8) -> &'static str {
    match tag {
        SEQUENCE => "a SEQUENCE",
        INTEGER => "an INTEGER",
        BIT_STRING => "a BIT STRING",
        OBJECT_IDENTIFIER => "an OBJECT IDENTIFIER",
        _ => "another element",
    }
}

/// A cursor over DER bytes; `base` is where `data` starts in the outermost input, for errors.
struct Reader<'a> {
    data: &'a [u8],
    position: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], base: usize) -> Self {
        Reader {
            data,
            position: 0,
            base,
        }
    }

    fn error(&self, kind: DerErrorKind) -> DerError {
        DerError {
            kind,
            offset: self.base + self.position,
        }
    }

    fn byte(&mut self) -> Result<u8, DerError> {
        let byte = *self
            .data
            .get(self.position)
            .ok_or_else(|| self.error(DerErrorKind::Truncated))?;
        self.position += 1;
        Ok(byte)
    }

    /// One element of any type: its tag, and its content as a reader.
    fn any(&mut self) -> Result<(u8, Reader<'a>), DerError> {
        let tag = self.byte()?;
        let first = self.byte()?;
        let length = match first {
            0..=0x7f => usize::from(first),
            0x80 => return Err(self.error(DerErrorKind::IndefiniteLength)),
            0x81..=0x84 => {
                let mut length = 0usize;
                for _ in 0..(first & 0x7f) {
                    length = (length << 8) | usize::from(self.byte()?);
                }
                // X.690 §10.1: the fewest octets; below 0x80 the short form.
                let minimum = match first {
                    0x81 => 0x80,
                    0x82 => 0x100,
                    0x83 => 0x1_0000,
                    _ => 0x100_0000,
                };
                if length < minimum {
                    return Err(self.error(DerErrorKind::NonMinimalLength));
                }
                length
            }
            _ => return Err(self.error(DerErrorKind::NonMinimalLength)),
        };
        let start = self.position;
        let end = start
            .checked_add(length)
            .filter(|end| *end <= self.data.len())
            .ok_or_else(|| self.error(DerErrorKind::Truncated))?;
        self.position = end;
        // `start..end` is within `data`: `end` was checked against its length just above.
        Ok((tag, Reader::new(&self.data[start..end], self.base + start)))
    }

    fn element(&mut self, expected: u8) -> Result<Reader<'a>, DerError> {
        let at = self.position;
        let (found, content) = self.any()?;
        if found != expected {
            self.position = at;
            return Err(self.error(DerErrorKind::UnexpectedTag { expected, found }));
        }
        Ok(content)
    }

    fn finish(&self) -> Result<(), DerError> {
        if self.position == self.data.len() {
            Ok(())
        } else {
            Err(self.error(DerErrorKind::TrailingData))
        }
    }

    /// `INTEGER` read as an unsigned big-endian number, without its sign byte.
    fn unsigned_integer(&mut self) -> Result<&'a [u8], DerError> {
        let content = self.element(INTEGER)?;
        let bytes = content.data;
        match bytes {
            [] => Err(content.error(DerErrorKind::EmptyInteger)),
            [0] => Ok(bytes),
            [0, next, ..] if *next < 0x80 => Err(content.error(DerErrorKind::NonMinimalInteger)),
            [0, rest @ ..] => Ok(rest),
            [first, ..] if *first >= 0x80 => Err(content.error(DerErrorKind::NegativeInteger)),
            _ => Ok(bytes),
        }
    }
}

/// The two numbers of an RSA public key, big-endian, without leading zero bytes (0 is `[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsaKeyParts<'a> {
    pub modulus: &'a [u8],
    pub exponent: &'a [u8],
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 §A.1.1),
/// alone in `der`.
pub fn rsa_public_key(der: &[u8]) -> Result<RsaKeyParts<'_>, DerError> {
    rsa_public_key_at(der, 0)
}

fn rsa_public_key_at(der: &[u8], base: usize) -> Result<RsaKeyParts<'_>, DerError> {
    let mut outer = Reader::new(der, base);
    let mut sequence = outer.element(SEQUENCE)?;
    let modulus = sequence.unsigned_integer()?;
    let exponent = sequence.unsigned_integer()?;
    sequence.finish()?;
    outer.finish()?;
    Ok(RsaKeyParts { modulus, exponent })
}

/// The subjectPublicKey bytes of a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), with the offset
/// where they start:
///
/// ```text
/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
/// ```
///
/// The algorithm is not checked, as `spki`'s reader does not check it: the key inside says
/// what it is.
pub fn subject_public_key_info(der: &[u8]) -> Result<(&[u8], usize), DerError> {
    let mut outer = Reader::new(der, 0);
    let mut info = outer.element(SEQUENCE)?;
    let mut algorithm = info.element(SEQUENCE)?;
    let oid = algorithm.element(OBJECT_IDENTIFIER)?;
    if oid.data.last().is_none_or(|last| last & 0x80 != 0) {
        return Err(oid.error(DerErrorKind::MalformedObjectIdentifier));
    }
    if algorithm.position < algorithm.data.len() {
        algorithm.any()?;
    }
    algorithm.finish()?;
    let bits = info.element(BIT_STRING)?;
    info.finish()?;
    outer.finish()?;
    match bits.data {
        [0, key @ ..] => Ok((key, bits.base + 1)),
        [unused, rest @ ..] if *unused <= 7 && !rest.is_empty() => {
            Err(bits.error(DerErrorKind::PartialByte))
        }
        _ => Err(bits.error(DerErrorKind::MalformedBitString)),
    }
}

/// An RSA key from `p=`: a SubjectPublicKeyInfo, or else a bare RSAPublicKey (PKCS#1), which
/// some publishers write and other verifiers accept. Errors name the reading that got furthest:
/// the SubjectPublicKeyInfo's when `p=` is one, the RSAPublicKey's otherwise.
pub fn rsa_key_from_record(der: &[u8]) -> Result<RsaKeyParts<'_>, DerError> {
    match subject_public_key_info(der) {
        Ok((key, offset)) => rsa_public_key_at(key, offset),
        Err(error) if error.kind == DerErrorKind::PartialByte => Err(error),
        Err(_) => rsa_public_key(der),
    }
}

/// The SubjectPublicKeyInfo of the RSA key (`rsaEncryption`, NULL parameters), in DER: what
/// WebCrypto's `importKey('spki', …)` takes, whichever form `p=` had.
pub fn rsa_spki(key: RsaKeyParts<'_>) -> Vec<u8> {
    let mut pkcs1 = Vec::with_capacity(key.modulus.len() + key.exponent.len() + 16);
    let mut integers = Vec::with_capacity(pkcs1.capacity());
    write_unsigned(&mut integers, key.modulus);
    write_unsigned(&mut integers, key.exponent);
    write_element(&mut pkcs1, SEQUENCE, &integers);
    let mut bits = Vec::with_capacity(pkcs1.len() + 1);
    bits.push(0);
    bits.extend_from_slice(&pkcs1);
    let mut content = Vec::with_capacity(RSA_ENCRYPTION.len() + bits.len() + 8);
    content.extend_from_slice(&RSA_ENCRYPTION);
    write_element(&mut content, BIT_STRING, &bits);
    let mut spki = Vec::with_capacity(content.len() + 8);
    write_element(&mut spki, SEQUENCE, &content);
    spki
}

fn write_unsigned(out: &mut Vec<u8>, number: &[u8]) {
    let start = number.iter().position(|byte| *byte != 0);
    let digits = start.map_or(&[0u8][..], |start| &number[start..]);
    // A leading 1 bit would read as negative: a zero byte goes first (X.690 §8.3.3).
    let sign = digits.first().is_some_and(|first| first & 0x80 != 0);
    write_header(out, INTEGER, digits.len() + usize::from(sign));
    if sign {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

fn write_element(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    write_header(out, tag, content.len());
    out.extend_from_slice(content);
}

fn write_header(out: &mut Vec<u8>, tag: u8, length: usize) {
    out.push(tag);
    if length < 0x80 {
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let skip = bytes.iter().take_while(|byte| **byte == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}
