//! The Ed25519 checks that ed25519-dalek's `VerifyingKey::from_bytes` and `verify_strict` make
//! beyond the signature equation, for a verifier that has only the equation (WebCrypto:
//! BoringSSL's `ED25519_verify` accepts any 32 bytes as a key and does not reject points of
//! small order). With them a key reads, and a signature verifies, the same in the browser as
//! natively:
//!
//! - the key is a point on the curve (the y coordinate has an x: RFC 8032 §5.1.3 step 2),
//!   reduced as curve25519-dalek reduces it (y ≥ p is taken mod p, x = 0 with the sign bit set
//!   is accepted);
//! - neither the key nor the signature's R is of small order (one of the 8 torsion points),
//!   which `verify_strict` refuses (ed25519-dalek's "weak keys");
//! - S is below the group order L (RFC 8032 §5.1.7 step 1).
//!
//! Arithmetic modulo p = 2^255 − 19 on four 64-bit limbs; speed does not matter here (one
//! exponentiation per key), size and plainness do.

/// A field element, little-endian 64-bit limbs, always fully reduced (below p).
type Element = [u64; 4];

const P: Element = [
    0xffff_ffff_ffff_ffed,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
];

/// d = −121665/121666 mod p (RFC 8032 §5.1).
const D: Element = [
    0x75eb_4dca_1359_78a3,
    0x0070_0a4d_4141_d8ab,
    0x8cc7_4079_7779_e898,
    0x5203_6cee_2b6f_fe73,
];

/// (p − 1) / 2, Euler's criterion's exponent.
const HALF_P_MINUS_ONE: Element = [
    0xffff_ffff_ffff_fff6,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x3fff_ffff_ffff_ffff,
];

/// The y coordinate of one pair of points of order 8,
/// 2707385501144840649318225287225658788936804267575313519463743609750303402022; the other
/// pair's is its negation. The other small-order points have y = 0 (order 4) and ±1.
const ORDER_EIGHT_Y: Element = [
    0xb027_b2c2_8f95_e826,
    0xf098_eff2_89f4_c345,
    0x3933_c6d3_05ac_dfd5,
    0x05fc_536d_8802_38b1,
];

const ONE: Element = [1, 0, 0, 0];

fn from_bytes(bytes: &[u8; 32]) -> Element {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    // The top bit is x's sign, not part of y (RFC 8032 §5.1.3 step 1).
    limbs[3] &= 0x7fff_ffff_ffff_ffff;
    reduce_once(limbs)
}

fn less_than(a: &Element, b: &Element) -> bool {
    for index in (0..4).rev() {
        if a[index] != b[index] {
            return a[index] < b[index];
        }
    }
    false
}

/// `a − b` over 256 bits, and whether it borrowed.
fn subtract_raw(a: &Element, b: &Element) -> (Element, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for index in 0..4 {
        let (value, first) = a[index].overflowing_sub(b[index]);
        let (value, second) = value.overflowing_sub(u64::from(borrow));
        out[index] = value;
        borrow = first || second;
    }
    (out, borrow)
}

/// `a` below 2p to `a` mod p.
fn reduce_once(a: Element) -> Element {
    if less_than(&a, &P) {
        a
    } else {
        subtract_raw(&a, &P).0
    }
}

/// `a + b` modulo 2^256.
fn add_raw(a: &Element, b: &Element) -> Element {
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    for index in 0..4 {
        let sum = u128::from(a[index]) + u128::from(b[index]) + carry;
        out[index] = sum as u64;
        carry = sum >> 64;
    }
    out
}

fn add(a: &Element, b: &Element) -> Element {
    // Both are below p < 2^255, so the sum is below 2^256: nothing is lost.
    reduce_once(add_raw(a, b))
}

fn subtract(a: &Element, b: &Element) -> Element {
    let (difference, borrow) = subtract_raw(a, b);
    if borrow {
        // a − b + 2^256 here; adding p and dropping 2^256 gives a − b + p, which is in range.
        add_raw(&difference, &P)
    } else {
        difference
    }
}

fn multiply(a: &Element, b: &Element) -> Element {
    let mut wide = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let product = u128::from(a[i]) * u128::from(b[j]) + u128::from(wide[i + j]) + carry;
            wide[i + j] = product as u64;
            carry = product >> 64;
        }
        wide[i + 4] = carry as u64;
    }
    // 2^256 ≡ 38 (mod p): fold the high half onto the low half, twice.
    let mut folded = [0u64; 4];
    let mut carry = 0u128;
    for index in 0..4 {
        let sum = u128::from(wide[index]) + 38 * u128::from(wide[index + 4]) + carry;
        folded[index] = sum as u64;
        carry = sum >> 64;
    }
    let mut carry = carry * 38;
    for limb in folded.iter_mut() {
        let sum = u128::from(*limb) + carry;
        *limb = sum as u64;
        carry = sum >> 64;
    }
    // A carry out of the second fold leaves a value below 38·2 that wrapped: add 38 once more.
    if carry != 0 {
        folded[0] += 38;
    }
    // Below 2^256 = 2p + 38: two subtractions of p at most.
    let top = folded[3] >> 63;
    folded[3] &= 0x7fff_ffff_ffff_ffff;
    let mut carry = u128::from(top) * 19;
    for limb in folded.iter_mut() {
        let sum = u128::from(*limb) + carry;
        *limb = sum as u64;
        carry = sum >> 64;
    }
    reduce_once(folded)
}

fn power(base: &Element, exponent: &Element) -> Element {
    let mut result = ONE;
    for index in (0..4).rev() {
        for bit in (0..64).rev() {
            result = multiply(&result, &result);
            if (exponent[index] >> bit) & 1 == 1 {
                result = multiply(&result, base);
            }
        }
    }
    result
}

/// Whether `value` is a square mod p, 0 included (Euler's criterion).
fn is_square(value: &Element) -> bool {
    *value == [0; 4] || power(value, &HALF_P_MINUS_ONE) == ONE
}

/// Whether the 32 bytes decode to a point on Ed25519 as curve25519-dalek decodes them: x² =
/// (y² − 1)/(d·y² + 1) has a root. d·y² + 1 is never 0 (−1/d is not a square), so the quotient is
/// a square exactly when the product is.
pub fn is_valid_point(encoded: &[u8; 32]) -> bool {
    let y = from_bytes(encoded);
    let y_squared = multiply(&y, &y);
    let numerator = subtract(&y_squared, &ONE);
    let denominator = add(&multiply(&D, &y_squared), &ONE);
    is_square(&multiply(&numerator, &denominator))
}

/// Whether a point (one [`is_valid_point`] accepts) is of small order: its y is 0, ±1, or the
/// y of a point of order 8.
pub fn is_small_order(encoded: &[u8; 32]) -> bool {
    let y = from_bytes(encoded);
    let minus_one = subtract(&[0; 4], &ONE);
    let order_eight = ORDER_EIGHT_Y;
    let minus_order_eight = subtract(&[0; 4], &order_eight);
    [[0; 4], ONE, minus_one, order_eight, minus_order_eight].contains(&y)
}

/// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian bytes.
const ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Whether `signature` can verify under `key` for ed25519-dalek's `verify_strict`, before the
/// signature equation: 64 bytes, S below L, neither the key nor R of small order. A verifier with
/// only the equation checks this first.
pub fn passes_strict_checks(key: &[u8; 32], signature: &[u8]) -> bool {
    let Ok(signature) = <&[u8; 64]>::try_from(signature) else {
        return false;
    };
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    let s = &signature[32..];
    // Little-endian comparison of S with L, from the most significant byte.
    let s_below_order = s
        .iter()
        .rev()
        .zip(ORDER.iter().rev())
        .find(|(s_byte, order_byte)| s_byte != order_byte)
        .is_some_and(|(s_byte, order_byte)| s_byte < order_byte);
    s_below_order && !is_small_order(key) && !is_small_order(&r)
}
