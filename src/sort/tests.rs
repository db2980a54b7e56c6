use super::sort_by_key;

/// A small deterministic generator (xorshift), so that a failure repeats.
fn numbers(seed: u64, count: usize, below: u64) -> Vec<u64> {
    let mut state = seed | 1;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        })
        .collect()
}

/// Every length up to 70 and a few long lists, with few distinct keys (so that stability is
/// tested) and with many: the same order as `slice::sort_by_key`, element for element.
#[test]
fn sorts_as_the_standard_library_does_and_keeps_equal_keys_in_order() {
    let lengths = (0..=70).chain([255, 1000, 4097]);
    for (round, length) in lengths.enumerate() {
        for below in [1, 3, 1 << 40] {
            // (key, original position): equal keys must keep their positions' order.
            let keys = numbers(round as u64 * 31 + below, length, below);
            let mut ours: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
            let mut std_sorted = ours.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            std_sorted.sort_by_key(|&(key, _)| key);
            assert_eq!(ours, std_sorted, "length {length}, keys below {below}");
        }
    }
}

#[test]
fn sorts_owned_values_without_losing_or_duplicating_any() {
    let mut words: Vec<String> = ["pear", "fig", "apple", "kiwi", "date", "plum", "lime"]
        .iter()
        .map(|word| word.to_string())
        .collect();
    sort_by_key(&mut words, |word| std::cmp::Reverse(word.len()));
    assert_eq!(
        words,
        ["apple", "pear", "kiwi", "date", "plum", "lime", "fig"]
    );
}
