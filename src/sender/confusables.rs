//! Look-alike domains: punycode decoding (RFC 3492), script detection, and a skeleton that maps
//! characters people confuse onto one form, after Unicode TR 39 §4 ("confusable detection"),
//! restricted to the Latin, Cyrillic and Greek letters and digits that phishing domains use.
//!
//! A small table of our own rather than a crate: the full TR 39 data is ~6,000 mappings and the
//! crates that embed it (e.g. `unicode-security`) add several hundred KB to the wasm module.

/// Decodes one `xn--` label (RFC 3492 §6.2); `None` if it is not valid punycode.
pub fn punycode_label(label: &str) -> Option<String> {
    const BASE: u32 = 36;
    let encoded = label
        .get(..4)
        .filter(|prefix| prefix.eq_ignore_ascii_case("xn--"))
        .and_then(|_| label.get(4..))?;
    // A DNS label is at most 63 octets (RFC 1035 §2.3.4); longer input is not a label.
    if encoded.len() > 63 || !encoded.is_ascii() {
        return None;
    }
    let (basic, extended) = match encoded.rfind('-') {
        Some(dash) => (encoded.get(..dash)?, encoded.get(dash + 1..)?),
        None => ("", encoded),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut weight = 1u32;
        let mut k = BASE;
        loop {
            let digit = match digits.next()? {
                byte @ b'a'..=b'z' => u32::from(byte - b'a'),
                byte @ b'A'..=b'Z' => u32::from(byte - b'A'),
                byte @ b'0'..=b'9' => u32::from(byte - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(weight)?)?;
            let threshold = if k <= bias {
                1
            } else if k >= bias + 26 {
                26
            } else {
                k - bias
            };
            if digit < threshold {
                break;
            }
            weight = weight.checked_mul(BASE - threshold)?;
            k += BASE;
        }
        let points = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        n = n.checked_add(i / points)?;
        i %= points;
        let position = usize::try_from(i).ok()?;
        if position > output.len() {
            return None;
        }
        output.insert(position, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// RFC 3492 §6.1 bias adaptation.
fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((36 - 1) * 26) / 2 {
        delta /= 35;
        k += 36;
    }
    k + (36 * delta) / (delta + 38)
}

/// The domain with every `xn--` label decoded, lower case.
pub fn unicode_domain(domain: &str) -> String {
    let decoded = domain
        .split('.')
        .map(|label| punycode_label(label).unwrap_or_else(|| label.to_string()))
        .collect::<Vec<_>>()
        .join(".");
    crate::case::lowercase(&decoded)
}

/// The scripts of a label's letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Other,
}

fn script(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match u32::from(c) {
        0x41..=0x5a | 0x61..=0x7a | 0xc0..=0x24f | 0x1e00..=0x1eff => Script::Latin,
        0x370..=0x3ff | 0x1f00..=0x1fff => Script::Greek,
        0x400..=0x52f => Script::Cyrillic,
        _ => Script::Other,
    })
}

/// Labels of `domain` (already decoded) whose letters mix Latin with Cyrillic or Greek: the
/// look of one word, written with letters from two alphabets.
pub fn mixed_script_labels(domain: &str) -> Vec<String> {
    domain
        .split('.')
        .filter(|label| {
            let mut scripts: Vec<Script> = label.chars().filter_map(script).collect();
            crate::sort::sort_by_key(&mut scripts, |script| *script as u8);
            scripts.dedup();
            scripts.len() > 1
        })
        .map(str::to_string)
        .collect()
}

/// The skeleton of a decoded domain: confusable letters and digits mapped to one Latin form,
/// so that two domains that look alike have the same skeleton.
pub fn skeleton(domain: &str) -> String {
    let mapped: String = crate::case::lowercase(domain)
        .chars()
        .map(prototype)
        .collect();
    let mapped = crate::find::replace(&mapped, "rn", "m", None);
    crate::find::replace(&mapped, "vv", "w", None)
}

fn prototype(c: char) -> char {
    match c {
        // Cyrillic.
        'а' => 'a',
        'в' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' => 'i',
        'ӏ' => 'l',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' => 't',
        'у' => 'y',
        'ԝ' => 'w',
        'х' => 'x',
        // Greek.
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        // Latin look-alikes and digits.
        'ı' | 'í' | 'ì' | 'ï' => 'i',
        '1' => 'l',
        'ɡ' => 'g',
        'ß' => 'b',
        '0' => 'o',
        '5' => 's',
        other => other,
    }
}
