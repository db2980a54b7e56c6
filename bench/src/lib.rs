//! Timing helpers shared by the benchmarks (benches/); the package is kept apart from the root
//! package so that its `cargo test` never builds mail-auth and criterion.

use std::time::Instant;

/// Times `first` and `second` interleaved: 40 rounds of `iterations` calls of each in turn, and
/// returns the best round of each, in seconds per call. The machines this runs on are shared;
/// load that comes and goes between two criterion runs skews their ratio, while interleaving
/// exposes both sides to the same load, and the best round is the one least disturbed.
pub fn interleave(
    iterations: u32,
    mut first: impl FnMut(),
    mut second: impl FnMut(),
) -> (f64, f64) {
    let (mut best_first, mut best_second) = (f64::MAX, f64::MAX);
    for _ in 0..40 {
        let start = Instant::now();
        for _ in 0..iterations {
            first();
        }
        best_first = best_first.min(start.elapsed().as_secs_f64() / f64::from(iterations));
        let start = Instant::now();
        for _ in 0..iterations {
            second();
        }
        best_second = best_second.min(start.elapsed().as_secs_f64() / f64::from(iterations));
    }
    (best_first, best_second)
}

/// One line of an interleaved comparison: both times in µs and their ratio (under 1 is faster).
pub fn print_ratio(label: &str, ours: (&str, f64), theirs: (&str, f64)) {
    println!(
        "  {label:<30} {} {:>9.1} µs   {} {:>9.1} µs   ratio {:.3}",
        ours.0,
        ours.1 * 1e6,
        theirs.0,
        theirs.1 * 1e6,
        ours.1 / theirs.1
    );
}
