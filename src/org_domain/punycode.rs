//! U-labels to A-labels: lower case, then RFC 3492 punycode with the `xn--` prefix.
//!
//! This is not full IDNA (RFC 5891 / UTS 46): there is no Unicode normalisation (NFC) and no
//! check that the code points are allowed. Names reach mailspect from DNS answers and from
//! header fields that mail software has already encoded, so U-labels are rare; when one comes
//! (an EAI address, RFC 6532), lower-casing and encoding is what makes `Bücher.example` and
//! `xn--bcher-kva.example` compare equal. A full IDNA table was the alternative, rejected for
//! its size in the wasm module (the `idna` crate's tables are ~100 KB).

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The A-label of one label: ASCII labels in lower case, others lower-cased and encoded.
/// `None` when the encoding overflows (RFC 3492 §6.4), which no label of 63 octets can do.
pub fn a_label(label: &str) -> Option<String> {
    if label.is_ascii() {
        return Some(label.to_ascii_lowercase());
    }
    encode(&crate::case::lowercase(label)).map(|encoded| format!("xn--{encoded}"))
}

/// RFC 3492 §6.3 encoding of a string's code points (basic code points first, a `-`, then the
/// deltas).
fn encode(input: &str) -> Option<String> {
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut output: String = input.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(output.len()).ok()?;
    if basic > 0 {
        output.push('-');
    }
    let total = u32::try_from(code_points.len()).ok()?;
    let (mut n, mut delta, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut handled = basic;
    while handled < total {
        // The smallest code point not yet handled; one exists because handled < total.
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t))?);
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q)?);
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn digit(value: u32) -> Option<char> {
    match value {
        0..=25 => char::from_u32(u32::from(b'a') + value),
        26..=35 => char::from_u32(u32::from(b'0') + value - 26),
        _ => None,
    }
}

/// RFC 3492 §6.1.
fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}
