//! Unit tests: the DER reader on hostile input, the SubjectPublicKeyInfo it writes for WebCrypto
//! against the rsa crate's, and the Ed25519 checks against ed25519-dalek's own decisions.

use super::der::{self, DerErrorKind, RsaKeyParts};
use super::ed25519;

/// `SEQUENCE { INTEGER n, INTEGER e }` with the given contents, short lengths.
fn pkcs1(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut integers = vec![0x02, modulus.len() as u8];
    integers.extend_from_slice(modulus);
    integers.extend_from_slice(&[0x02, exponent.len() as u8]);
    integers.extend_from_slice(exponent);
    let mut out = vec![0x30, integers.len() as u8];
    out.extend_from_slice(&integers);
    out
}

#[test]
fn reads_a_bare_rsa_public_key_and_its_spki_alike() {
    let bare = pkcs1(&[0x00, 0xc1, 0x23], &[0x01, 0x00, 0x01]);
    let parts = der::rsa_key_from_record(&bare).expect("a PKCS#1 key");
    assert_eq!(parts.modulus, &[0xc1, 0x23]);
    assert_eq!(parts.exponent, &[0x01, 0x00, 0x01]);
    let spki = der::rsa_spki(parts);
    let (inner, offset) = der::subject_public_key_info(&spki).expect("our own SPKI reads back");
    assert_eq!(inner, bare.as_slice());
    assert_eq!(&spki[offset..], bare.as_slice());
    assert_eq!(der::rsa_key_from_record(&spki), Ok(parts));
}

/// The SubjectPublicKeyInfo written for WebCrypto is byte for byte the one the rsa crate writes,
/// for a real 2048-bit key (the test fixture's) given as PKCS#1.
#[test]
fn spki_for_webcrypto_matches_the_rsa_crate() {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
    use rsa::traits::PublicKeyParts;
    let modulus: Vec<u8> = std::iter::once(0xd5)
        .chain((1..256u32).map(|index| (index * 97 % 251) as u8))
        .chain(std::iter::once(0x0b))
        .collect();
    let key = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&modulus),
        rsa::BigUint::from(65537u32),
    )
    .expect("an odd 2048-bit modulus");
    let bare = key.to_pkcs1_der().expect("PKCS#1").as_bytes().to_vec();
    let expected = key.to_public_key_der().expect("SPKI").as_bytes().to_vec();
    let parts = der::rsa_key_from_record(&bare).expect("reads");
    assert_eq!(der::rsa_spki(parts), expected);
    let back = rsa::RsaPublicKey::from_public_key_der(&der::rsa_spki(parts)).expect("reads back");
    assert_eq!(back.n(), key.n());
}

#[test]
fn truncated_keys_are_errors_at_every_cut() {
    let spki = der::rsa_spki(RsaKeyParts {
        modulus: &[0xc1; 130],
        exponent: &[0x03],
    });
    for cut in 0..spki.len() {
        let error = der::rsa_key_from_record(&spki[..cut]).expect_err("a cut key");
        assert!(
            error.offset <= cut,
            "offset {} past the cut {cut}",
            error.offset
        );
    }
}

#[test]
fn huge_and_non_minimal_lengths_are_refused() {
    // A length of 2^32 - 1 bytes in a 10-byte input: refused as truncated, nothing allocated.
    let huge = [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01, 0x00];
    assert_eq!(
        der::rsa_public_key(&huge).unwrap_err().kind,
        DerErrorKind::Truncated
    );
    // More length bytes than four, and the indefinite form.
    let long = [0x30, 0x85, 0, 0, 0, 0, 1, 0x00];
    assert_eq!(
        der::rsa_public_key(&long).unwrap_err().kind,
        DerErrorKind::NonMinimalLength
    );
    let indefinite = [0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00];
    assert_eq!(
        der::rsa_public_key(&indefinite).unwrap_err().kind,
        DerErrorKind::IndefiniteLength
    );
    // 0x81 0x05: five fits the short form.
    let padded = [0x30, 0x81, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03];
    assert_eq!(
        der::rsa_public_key(&padded).unwrap_err().kind,
        DerErrorKind::NonMinimalLength
    );
}

#[test]
fn malformed_integers_and_trailing_bytes_are_refused() {
    let kind = |der: &[u8]| der::rsa_public_key(der).unwrap_err().kind;
    assert_eq!(
        kind(&pkcs1(&[0x00, 0x12], &[0x03])),
        DerErrorKind::NonMinimalInteger
    );
    assert_eq!(
        kind(&pkcs1(&[0x81, 0x12], &[0x03])),
        DerErrorKind::NegativeInteger
    );
    assert_eq!(kind(&pkcs1(&[], &[0x03])), DerErrorKind::EmptyInteger);
    let mut trailing = pkcs1(&[0x41], &[0x03]);
    trailing.push(0);
    assert_eq!(kind(&trailing), DerErrorKind::TrailingData);
    // A third INTEGER inside the SEQUENCE.
    let mut three = pkcs1(&[0x41], &[0x03]);
    three.extend_from_slice(&[0x02, 0x01, 0x01]);
    three[1] += 3;
    assert_eq!(kind(&three), DerErrorKind::TrailingData);
    assert_eq!(
        kind(&[0x31, 0x00]),
        DerErrorKind::UnexpectedTag {
            expected: 0x30,
            found: 0x31
        }
    );
    assert_eq!(kind(&[]), DerErrorKind::Truncated);
}

#[test]
fn a_bit_string_with_unused_bits_is_named() {
    let mut spki = der::rsa_spki(RsaKeyParts {
        modulus: &[0xc1; 4],
        exponent: &[0x03],
    });
    let bits_at = spki
        .iter()
        .position(|byte| *byte == 0x03)
        .expect("BIT STRING")
        + 2;
    spki[bits_at] = 3;
    assert_eq!(
        der::rsa_key_from_record(&spki).unwrap_err().kind,
        DerErrorKind::PartialByte
    );
    spki[bits_at] = 9;
    // Not a SubjectPublicKeyInfo then; nor a bare key.
    assert!(der::rsa_key_from_record(&spki).is_err());
}

#[test]
fn errors_say_what_and_where() {
    let error = der::rsa_public_key(&pkcs1(&[0x00, 0x12], &[0x03])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "an INTEGER with a needless leading zero at byte 4"
    );
}

/// Mutated keys never panic; whatever reads, reads back the same from its SPKI.
#[test]
fn mutated_keys_never_panic() {
    let spki = der::rsa_spki(RsaKeyParts {
        modulus: &[0xc1; 300],
        exponent: &[0x01, 0x00, 0x01],
    });
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        let mut mutated = spki.clone();
        for _ in 0..3 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % mutated.len() as u64) as usize;
            mutated[at] = (state >> 32) as u8;
        }
        if let Ok(parts) = der::rsa_key_from_record(&mutated) {
            assert_eq!(der::rsa_key_from_record(&der::rsa_spki(parts)), Ok(parts));
        }
    }
}

fn pseudo_random_bytes(state: &mut u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for byte in bytes.iter_mut() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *byte = (*state >> 24) as u8;
    }
    bytes
}

/// The encodings of the small-order points (libsodium's blocklist, with y ≥ p forms) and other
/// edges, then random bytes: valid exactly when ed25519-dalek decodes them, small order exactly
/// when it calls them weak.
#[test]
fn ed25519_point_checks_agree_with_dalek() {
    let mut cases: Vec<[u8; 32]> = Vec::new();
    let p_minus = |minus: u8| {
        let mut bytes = [0xff; 32];
        bytes[0] = 0xed - minus;
        bytes[31] = 0x7f;
        bytes
    };
    for low in 0..=20u8 {
        let mut small = [0u8; 32];
        small[0] = low;
        cases.push(small);
    }
    for minus in 0..=18u8 {
        // p − 18 … p, and (below) p + 1 … p + 18: y ≥ p, reduced as dalek reduces it.
        cases.push(p_minus(minus));
    }
    for plus in 1..=18u8 {
        let mut bytes = [0xff; 32];
        bytes[0] = 0xed + plus;
        bytes[31] = 0x7f;
        cases.push(bytes);
    }
    let order_eight = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    cases.push(order_eight);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..400 {
        cases.push(pseudo_random_bytes(&mut state));
    }
    let mut small_order = 0;
    for case in cases.iter().flat_map(|case| {
        let mut signed = *case;
        signed[31] ^= 0x80;
        [*case, signed]
    }) {
        let dalek = ed25519_dalek::VerifyingKey::from_bytes(&case);
        assert_eq!(ed25519::is_valid_point(&case), dalek.is_ok(), "{case:02x?}");
        if let Ok(key) = dalek {
            assert_eq!(ed25519::is_small_order(&case), key.is_weak(), "{case:02x?}");
            small_order += usize::from(key.is_weak());
        }
    }
    assert!(small_order >= 10, "the edge cases hold small-order points");
}

/// `passes_strict_checks` turns away what `verify_strict` turns away before its equation.
#[test]
fn strict_checks_refuse_small_order_and_large_s() {
    use ed25519_dalek::Signer as _;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let key = signing.verifying_key().to_bytes();
    let signature = signing.sign(b"message").to_bytes();
    assert!(ed25519::passes_strict_checks(&key, &signature));
    assert!(!ed25519::passes_strict_checks(&key, &signature[..63]));
    let mut large_s = signature;
    large_s[63] |= 0x80;
    assert!(!ed25519::passes_strict_checks(&key, &large_s));
    let mut small_r = signature;
    small_r[..32].copy_from_slice(&[0; 32]);
    small_r[0] = 1;
    assert!(!ed25519::passes_strict_checks(&key, &small_r));
    let mut weak_key = [0u8; 32];
    weak_key[0] = 1;
    assert!(!ed25519::passes_strict_checks(&weak_key, &signature));
}

/// The audit module's fallback takes WebCrypto's arguments: Ed25519 over the message given (the
/// core gives it the SHA-256 hash), keys as `importKey` took them, unknown algorithms refused.
#[test]
fn the_fallback_answers_as_webcrypto_would() {
    use ed25519_dalek::Signer as _;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let key = signing.verifying_key().to_bytes();
    let hash = super::digest_as_webcrypto("SHA-256", b"header data").expect("SHA-256");
    let signature = signing.sign(&hash).to_bytes();
    let verify = |data: &[u8]| super::verify_as_webcrypto("Ed25519", "", &key, &signature, data);
    assert_eq!(verify(&hash), Ok(true));
    assert_eq!(verify(b"header data"), Ok(false));
    assert!(super::verify_as_webcrypto("ECDSA", "SHA-256", &key, &signature, &hash).is_err());
    assert!(super::verify_as_webcrypto("RSASSA-PKCS1-v1_5", "SHA-256", &key, &[], &[]).is_err());
    assert_eq!(
        super::digest_as_webcrypto("SHA-1", b"abc").expect("SHA-1")[..4],
        [0xa9, 0x99, 0x3e, 0x36]
    );
    assert!(super::digest_as_webcrypto("SHA-384", b"abc").is_err());
}
