//! Stable sorting by key with one copy of the sorting code in the program.
//!
//! Each `slice::sort_by_key` call site brings its own instance of std's stable sort
//! (driftsort: about 2.7 KB of wasm per element type before wasm-opt), and the Message view's
//! module had seven of them. [`sort_by_key`] sorts the positions `0..len` instead, with std's
//! sort instantiated once over `usize` and a comparison that looks the elements up, then moves
//! the elements into that order in place, a swap at a time along the permutation's cycles. The
//! result is `slice::sort_by_key`'s: stable, O(n log n) comparisons, no allocation beyond the
//! positions.

use std::cmp::Ordering;

/// Sorts `items` by `key`, stably, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    if items.len() < 2 {
        return;
    }
    let order = stable_order(items.len(), &|a, b| key(&items[a]).cmp(&key(&items[b])));
    permute(order, &mut |a, b| items.swap(a, b));
}

/// The positions `0..len` in the order `compare` gives them, equal ones in their own order.
#[inline(never)]
fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Puts at each position `i` the element that was at `order[i]`, through `swap`: every cycle of
/// the permutation is followed once, and each position is marked done by pointing at itself.
#[inline(never)]
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    for start in 0..order.len() {
        let mut current = start;
        // The element `start` held travels along the cycle until it reaches its place.
        while order[current] != start {
            let next = order[current];
            swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

#[cfg(test)]
mod tests;
