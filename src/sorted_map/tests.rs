use std::collections::HashMap;

use super::SortedMap;

/// A deterministic mix of inserts, replacements, lookups and removals, checked against
/// `HashMap` after every step.
#[test]
fn behaves_as_a_hash_map_through_inserts_lookups_and_retains() {
    let mut ours: SortedMap<String, u32> = SortedMap::new();
    let mut theirs: HashMap<String, u32> = HashMap::new();
    let mut state = 0x2545_f491_u32;
    for step in 0..5_000_u32 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let key = format!("name{}.example", state % 300);
        match state % 7 {
            0..=3 => assert_eq!(ours.insert(key.clone(), step), theirs.insert(key, step)),
            4 => {
                if let (Some(a), Some(b)) = (ours.get_mut(key.as_str()), theirs.get_mut(&key)) {
                    *a += 1;
                    *b += 1;
                }
            }
            5 => {
                ours.retain(|_, value| *value % 5 != 0);
                theirs.retain(|_, value| *value % 5 != 0);
            }
            _ => assert_eq!(ours.get(key.as_str()), theirs.get(&key)),
        }
        assert_eq!(ours.len(), theirs.len());
    }
    for (key, value) in &theirs {
        assert_eq!(ours.get(key.as_str()), Some(value));
    }
    ours.clear();
    assert!(ours.is_empty());
}

#[test]
fn collecting_keeps_the_last_value_of_a_repeated_key_as_a_hash_map_does() {
    let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
    let ours: SortedMap<&str, i32> = pairs.into_iter().collect();
    let theirs: HashMap<&str, i32> = pairs.into_iter().collect();
    assert_eq!(ours.len(), theirs.len());
    for (key, value) in &theirs {
        assert_eq!(ours.get(key), Some(value));
    }
    assert_eq!(ours.get("z"), None);
}
