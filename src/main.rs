//! The `mailspect` command line: the same core as the page, for scripts and CI.
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The CLI is native only; on wasm32 the library's `wasm` module is the surface. This empty main
// lets `cargo test --target wasm32-unknown-unknown` build the package's targets.
#[cfg(target_arch = "wasm32")]
fn main() {}
