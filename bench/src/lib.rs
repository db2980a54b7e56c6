//! Nothing here: the package exists for its benchmarks (benches/), kept apart from the root
//! package so that its `cargo test` never builds mail-auth and criterion.
