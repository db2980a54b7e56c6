use super::{lowercase, table::RUNS};

/// The runs `char::to_lowercase` gives, in the table's form: consecutive characters with the
/// same delta, or every other one when the characters between map to themselves (the upper
/// and lower case pairs of Latin Extended-A).
fn runs_of_std() -> Vec<(u32, u16, u8, i32)> {
    let single = |code: u32| -> Option<i64> {
        let c = char::from_u32(code)?;
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(first), None) => Some(i64::from(u32::from(first)) - i64::from(code)),
            _ => None,
        }
    };
    let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new();
    for code in 0x80..=0x10_FFFF {
        let Some(delta) = single(code).filter(|&delta| delta != 0) else {
            continue;
        };
        if let Some((first, last, stride, run_delta)) = runs.last_mut() {
            let step = code - *last;
            let between_unmapped = (*last + 1..code).all(|skipped| single(skipped) == Some(0));
            let fits = *run_delta == delta
                && between_unmapped
                && code - *first < 256
                && (step == *stride || (*first == *last && step <= 2));
            if fits {
                *stride = step;
                *last = code;
                continue;
            }
        }
        runs.push((code, code, 1, delta));
    }
    runs.into_iter()
        .map(|(first, last, stride, delta)| {
            let span = u16::try_from(last - first).expect("spans are under 256");
            let stride = u8::try_from(stride).expect("strides are 1 or 2");
            let delta = i32::try_from(delta).expect("deltas fit in 32 bits");
            (first, span, stride, delta)
        })
        .collect()
}

/// The table is what this toolchain's `char::to_lowercase` gives; after a Unicode update,
/// `MAILSPECT_UPDATE_CASE_TABLE=1 cargo test --lib case` writes it again.
#[test]
fn the_table_holds_the_standard_librarys_lower_case() {
    let runs = runs_of_std();
    if std::env::var_os("MAILSPECT_UPDATE_CASE_TABLE").is_some() {
        let mut text = String::from(
            "//! Written by `MAILSPECT_UPDATE_CASE_TABLE=1 cargo test --lib case` from \
             `char::to_lowercase`\n//! (see `super`): `(first, span, stride, delta)`.\n\n\
             #[rustfmt::skip]\npub(super) const RUNS: &[(u32, u16, u8, i32)] = &[\n",
        );
        for (first, span, stride, delta) in &runs {
            text.push_str(&format!("    (0x{first:X}, {span}, {stride}, {delta}),\n"));
        }
        text.push_str("];\n");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/case/table.rs");
        std::fs::write(path, text).expect("writing src/case/table.rs");
    }
    assert_eq!(
        RUNS,
        runs.as_slice(),
        "MAILSPECT_UPDATE_CASE_TABLE=1 rewrites the table"
    );
}

/// Every character, mapped as `char::to_lowercase` maps it.
#[test]
fn every_character_lowers_as_char_to_lowercase_does() {
    let mut text = String::new();
    for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
        text.clear();
        text.push(c);
        let expected: String = c.to_lowercase().collect();
        assert_eq!(lowercase(&text), expected, "U+{:04X}", u32::from(c));
    }
}

#[test]
fn sigma_is_lowered_letter_by_letter_as_domain_names_are() {
    assert_eq!(lowercase("ΟΔΟΣ.ΕΛ"), "οδοσ.ελ");
    assert_eq!(lowercase("MÜNCHEN.Example"), "münchen.example");
    assert_eq!(lowercase("İSTANBUL"), "i\u{307}stanbul");
    assert_eq!(lowercase(""), "");
}
