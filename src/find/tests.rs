use super::{contains, replace, rfind, split_crlf, split_once};

/// Every text of up to six symbols over an alphabet that makes overlaps, every needle of up to
/// three: the same answers as `str`'s own methods.
#[test]
fn searches_as_the_str_methods_do_on_every_short_text() {
    let texts = strings(b"ab\r\n", 6);
    let needles: Vec<String> = strings(b"ab\r\n", 3)
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    for text in &texts {
        assert_eq!(
            split_crlf(text).collect::<Vec<_>>(),
            text.split("\r\n").collect::<Vec<_>>(),
            "{text:?}"
        );
        for needle in &needles {
            let case = format!("{text:?} {needle:?}");
            assert_eq!(
                contains(text, needle),
                text.contains(needle.as_str()),
                "{case}"
            );
            assert_eq!(rfind(text, needle), text.rfind(needle.as_str()), "{case}");
            assert_eq!(
                split_once(text, needle),
                text.split_once(needle.as_str()),
                "{case}"
            );
            assert_eq!(
                replace(text, needle, "xy", None),
                text.replace(needle.as_str(), "xy"),
                "{case}"
            );
            assert_eq!(
                replace(text, needle, "", Some(1)),
                text.replacen(needle.as_str(), "", 1),
                "{case}"
            );
        }
    }
    assert_eq!(replace("Ünïcödé rn", "rn", "m", None), "Ünïcödé m");
}

fn strings(alphabet: &[u8], longest: u32) -> Vec<String> {
    let mut all = Vec::new();
    for length in 0..=longest {
        for mut index in 0..alphabet.len().pow(length) {
            let mut text = String::new();
            for _ in 0..length {
                text.push(char::from(alphabet[index % alphabet.len()]));
                index /= alphabet.len();
            }
            all.push(text);
        }
    }
    all
}
