//! Hostile input through the whole pipeline: mutated real-shaped messages must give a report or a
//! clear intake error, never a panic or a hang. The mutations are deterministic (a fixed-seed
//! xorshift), so a failure reproduces; the failing seed and iteration are in the panic message.

use mailspect::dns::MemoryResolver;
use mailspect::{analyze_message, Options};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// Bytes that matter to the grammars: separators, folding, encoded-word and tag-list syntax.
const INTERESTING: &[u8] = b":;=?<>()[]\"\\@. \t\r\n\x00\xff\xc3";

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let at = at.min(out.len() - 1);
                out[at] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 => out.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 => out.truncate(at),
            3 => {
                // Duplicate a run of bytes: repeated fields, tags and lines.
                let end = (at + rng.below(200)).min(out.len());
                let run = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, run);
            }
            4 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let long = vec![INTERESTING[rng.below(INTERESTING.len())]; rng.below(5000)];
                out.splice(at..at, long);
            }
        }
    }
    out
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/messages");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the fixtures folder is part of the repository")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read(path).expect("fixture readable"))
        .collect()
}

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
