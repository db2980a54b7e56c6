//! Hostile input through the whole pipeline: mutated real-shaped messages must give a report or a
//! clear intake error, never a panic or a hang. The mutations are deterministic (a fixed-seed
//! xorshift), so a failure reproduces; the failing seed and iteration are in the panic message.

use mailspect::dns::MemoryResolver;
use mailspect::{analyze_message, Options};

#[path = "support/mutate.rs"]
mod mutate;
use mutate::{fixtures, mutate, XorShift};

#[test]
fn mutated_messages_never_panic() {
    let resolver = MemoryResolver::new();
    let options = Options {
        now: 1_667_843_664,
        ..Options::default()
    };
    let fixtures = fixtures();
    assert!(!fixtures.is_empty());
    for (index, fixture) in fixtures.iter().enumerate() {
        let seed = 0x9E37_79B9_7F4A_7C15 ^ index as u64;
        let mut rng = XorShift(seed);
        for iteration in 0..400 {
            let input = mutate(&mut rng, fixture);
            let outcome = std::panic::catch_unwind(|| {
                pollster::block_on(analyze_message(&input, &options, &resolver)).map(|_| ())
            });
            assert!(
                outcome.is_ok(),
                "panic on fixture {index}, seed {seed:#x}, iteration {iteration}"
            );
        }
    }
}
