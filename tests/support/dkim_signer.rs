//! A small DKIM signer for tests, written apart from the verifier (its own header selection and
//! canonicalization) so that a bug in the verifier's is not repeated here and hidden.
//!
//! Keys are fixed (tests/fixtures/dkim/*.pem, made once with `openssl genpkey`): generating RSA
//! keys in a debug build takes seconds.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::Signer as _;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub enum Key {
    Rsa(Box<RsaPrivateKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// Reads a key fixture; the bench package (bench/) shares this file, hence the second place.
fn fixture(name: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let path = format!("{root}/tests/fixtures/dkim/{name}");
    std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("{root}/../tests/fixtures/dkim/{name}")))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

impl Key {
    /// `bits` is 512, 1024, 2048 or 4096.
    pub fn rsa(bits: u32) -> Key {
        let pem = fixture(&format!("rsa{bits}.pem"));
        Key::Rsa(Box::new(
            RsaPrivateKey::from_pkcs8_pem(&pem).expect("fixture RSA key"),
        ))
    }

    pub fn ed25519() -> Key {
        // A PKCS#8 ed25519 private key (RFC 8410) ends with the 32-byte seed.
        let pem = fixture("ed25519.pem");
        let body: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(body).expect("fixture base64");
        let seed: [u8; 32] = der[der.len() - 32..].try_into().expect("32-byte seed");
        Key::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The `p=` value: SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1), raw for ed25519
    /// (RFC 8463 §4).
    pub fn public_record_key(&self) -> String {
        match self {
            Key::Rsa(key) => STANDARD.encode(
                key.to_public_key()
                    .to_public_key_der()
                    .expect("SPKI")
                    .as_bytes(),
            ),
            Key::Ed25519(key) => STANDARD.encode(key.verifying_key().to_bytes()),
        }
    }

    /// The `p=` value as a bare RSAPublicKey (PKCS#1), as some publishers write it.
    pub fn public_record_key_pkcs1(&self) -> String {
        match self {
            Key::Rsa(key) => STANDARD.encode(
                key.to_public_key()
                    .to_pkcs1_der()
                    .expect("PKCS#1")
                    .as_bytes(),
            ),
            Key::Ed25519(_) => panic!("PKCS#1 is RSA only"),
        }
    }

    /// A whole key record for this key.
    pub fn record(&self) -> String {
        let kind = match self {
            Key::Rsa(_) => "rsa",
            Key::Ed25519(_) => "ed25519",
        };
        format!("v=DKIM1; k={kind}; p={}", self.public_record_key())
    }
}

/// What to sign with.
pub struct Spec<'a> {
    pub algorithm: &'a str,
    pub canonicalization: &'a str,
    pub domain: &'a str,
    pub selector: &'a str,
    pub headers: &'a str,
    /// More tags, written as is before `bh=` (e.g. `"i=@example.com; t=1; "`).
    pub extra: &'a str,
    /// `l=`, also written into the tags.
    pub body_length: Option<usize>,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            algorithm: "rsa-sha256",
            canonicalization: "relaxed/relaxed",
            domain: "example.com",
            selector: "sel",
            headers: "from:to:subject:date",
            extra: "",
            body_length: None,
        }
    }
}

/// Header fields of a CRLF message: (name, whole field with CRLF, value).
fn fields(header: &[u8]) -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    for line in header.split_inclusive(|b| *b == b'\n') {
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            let last = out.last_mut().expect("continuation after a field");
            last.1.extend_from_slice(line);
        } else {
            let colon = line.iter().position(|b| *b == b':').expect("field colon");
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            out.push((name, line.to_vec(), Vec::new()));
        }
    }
    for field in &mut out {
        let colon = field.1.iter().position(|b| *b == b':').unwrap();
        field.2 = field.1[colon + 1..field.1.len() - 2].to_vec();
    }
    out
}

fn relaxed_header(name: &str, value: &[u8]) -> Vec<u8> {
    let unfolded: Vec<u8> = value
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    let text = String::from_utf8_lossy(&unfolded);
    let words: Vec<&str> = text.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    format!("{}:{}\r\n", name.to_ascii_lowercase(), words.join(" ")).into_bytes()
}

fn canonical_body(canonicalization: &str, body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = body
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).to_vec())
        .collect();
    if body.ends_with(b"\n") {
        lines.pop();
    }
    if canonicalization == "relaxed" {
        for line in &mut lines {
            let text = String::from_utf8_lossy(line).to_string();
            let words: Vec<&str> = text.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            let mut joined = words.join(" ");
            if text.starts_with([' ', '\t']) && !joined.is_empty() {
                joined.insert(0, ' ');
            }
            *line = joined.into_bytes();
        }
    }
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    if out.is_empty() && canonicalization == "simple" {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Signs a CRLF message and returns it with the DKIM-Signature field added on top.
pub fn sign(message: &[u8], spec: &Spec<'_>, key: &Key) -> Vec<u8> {
    let split = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |at| at + 2);
    let (header, body) = message.split_at(split);
    let body = body.strip_prefix(b"\r\n").unwrap_or(body);
    let (header_canon, body_canon) = spec
        .canonicalization
        .split_once('/')
        .unwrap_or((spec.canonicalization, "simple"));
    let sha1 = spec.algorithm == "rsa-sha1";
    let hash = |data: &[u8]| -> Vec<u8> {
        if sha1 {
            Sha1::digest(data).to_vec()
        } else {
            Sha256::digest(data).to_vec()
        }
    };
    let mut canonical = canonical_body(body_canon, body);
    if let Some(length) = spec.body_length {
        canonical.truncate(length);
    }
    let length_tag = spec
        .body_length
        .map(|length| format!("l={length}; "))
        .unwrap_or_default();
    let value = format!(
        " v=1; a={}; c={}; d={}; s={};\r\n h={}; {}{}bh={};\r\n b=",
        spec.algorithm,
        spec.canonicalization,
        spec.domain,
        spec.selector,
        spec.headers,
        spec.extra,
        length_tag,
        STANDARD.encode(hash(&canonical)),
    );

    let mut header_fields = fields(header);
    let mut data = Vec::new();
    for name in spec.headers.split(':') {
        let found = header_fields
            .iter()
            .rposition(|field| field.0.eq_ignore_ascii_case(name.trim()));
        if let Some(index) = found {
            let field = header_fields.remove(index);
            if header_canon == "relaxed" {
                data.extend(relaxed_header(&field.0, &field.2));
            } else {
                data.extend_from_slice(&field.1);
            }
        }
    }
    if header_canon == "relaxed" {
        let mut own = relaxed_header("DKIM-Signature", value.as_bytes());
        own.truncate(own.len() - 2);
        data.extend(own);
    } else {
        data.extend_from_slice(format!("DKIM-Signature:{value}").as_bytes());
    }
    let digest = hash(&data);
    let signature = match key {
        Key::Rsa(key) => {
            let padding = if sha1 {
                Pkcs1v15Sign::new::<Sha1>()
            } else {
                Pkcs1v15Sign::new::<Sha256>()
            };
            key.sign(padding, &digest).expect("RSA signing")
        }
        Key::Ed25519(key) => key.sign(&digest).to_bytes().to_vec(),
    };
    let mut out = format!("DKIM-Signature:{value}{}\r\n", STANDARD.encode(signature)).into_bytes();
    out.extend_from_slice(message);
    out
}

/// A plain message to sign, CRLF line ends.
pub const MESSAGE: &str = "From: Joe SixPack <joe@example.com>\r\n\
To: Suzie Q <suzie@example.net>\r\n\
Subject:  Is dinner   ready?\r\n\
Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n\
Message-ID: <1@example.com>\r\n\
\r\n\
Hi.  \r\n\
\r\n\
We lost the game.\tAre you hungry yet?\r\n\
\r\n\
\r\n";
