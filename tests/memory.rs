//! Memory per analysis stays within a fixed multiple of the input: a counting allocator records
//! the peak of live heap bytes while one message is analysed, for inputs from the 4 KiB message itself to 4 MiB
//! here, and to the 48 MiB intake limit in the ignored test that `docs/limits.md` takes its
//! figures from:
//!
//!     cargo test --release --test memory -- --ignored --nocapture
//!
//! The message is a conformance message signed with `c=relaxed/simple`, its key served, its
//! body grown with more lines, so that intake, the relaxed header and simple body
//! canonicalizations, hashing, the signature check and the report all run on the whole input.
//! Tests in this binary run one at a time (a lock), so that no other test's allocations count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use mailspect::{analyze_message, Options};

#[path = "support/conformance_messages.rs"]
#[allow(dead_code)]
mod messages;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

// SAFETY: every call is passed to the system allocator unchanged; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let live = LIVE.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The conformance message 003 (RSA, `c=relaxed/simple`) with its body grown to `size` bytes.
fn message_of(size: usize) -> (mailspect::dns::MemoryResolver, Vec<u8>) {
    let (resolver, mut message) = messages::load("dkim", "003.txt");
    let line = b"Hi. We lost the game. Are you hungry yet? Joe.\n";
    while message.len() + line.len() <= size {
        message.extend_from_slice(line);
    }
    (resolver, message)
}

/// The most heap live at once during one analysis, above what was live before it.
fn peak_bytes(size: usize) -> (usize, usize, std::time::Duration) {
    let (resolver, input) = message_of(size);
    let options = Options {
        now: messages::SUITE_NOW,
        ..Options::default()
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let report = pollster::block_on(analyze_message(&input, &options, &resolver));
    let elapsed = started.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let report = report.expect("a message");
    assert!(!report.dkim.is_empty());
    (input.len(), peak, elapsed)
}

/// The bound the figures in docs/limits.md stay under: four times the input, plus a fixed
/// allowance for the report, the key and the tables (the PSL).
const TIMES_INPUT: usize = 4;
const FIXED_BYTES: usize = 2 << 20;

fn check(sizes: &[usize]) {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // The first analysis in a process also builds what is built once (lazily made tables):
    // shown apart, so that the rows below compare analyses with analyses.
    let (input, first, _) = peak_bytes(0);
    println!("first analysis of {input} bytes in the process: {first} bytes at the peak");
    // The time is printed, never checked: the machine running the tests may be busy.
    println!(
        "{:>12} {:>14} {:>8} {:>10}",
        "input", "peak heap", "ratio", "ms"
    );
    for &size in sizes {
        let (input, peak, elapsed) = peak_bytes(size);
        let ratio = peak as f64 / input as f64;
        let ms = elapsed.as_millis();
        println!("{input:>12} {peak:>14} {ratio:>8.2} {ms:>10}");
        assert!(
            peak <= TIMES_INPUT * input + FIXED_BYTES,
            "{peak} bytes at the peak for {input} bytes of input"
        );
    }
}

#[test]
fn memory_is_a_fixed_multiple_of_the_input() {
    check(&[0, 64 << 10, 1 << 20, 4 << 20]);
}

#[test]
#[ignore = "48 MiB: run in release for the figures of docs/limits.md"]
fn memory_up_to_the_intake_limit() {
    check(&[
        0,
        64 << 10,
        1 << 20,
        16 << 20,
        mailspect::message::MAX_MESSAGE_BYTES,
    ]);
}
