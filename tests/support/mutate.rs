//! Seeded mutations of real-shaped messages, shared by the hostile-input and schema tests: the
//! same deterministic xorshift, so that a failure reproduces from its seed and iteration.

#![allow(dead_code)]

pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}
/// Bytes that matter to the grammars: separators, folding, encoded-word and tag-list syntax.
const INTERESTING: &[u8] = b":;=?<>()[]\"\\@. \t\r\n\x00\xff\xc3";

pub fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
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

pub fn fixtures() -> Vec<Vec<u8>> {
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
