//! mailspect: email header and DNS-record analysis, in the browser (WebAssembly) and on the
//! command line.
//!
//! The pipeline is parse → evaluate → report: [`message`] reads what the user pasted, the
//! protocol modules evaluate it with DNS answers from a [`dns::Resolver`], and [`analysis`]
//! gathers a serde [`analysis::MessageReport`] that the CLI prints and the page renders.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod arc;
pub mod auth_results;
pub mod base64_codec;
pub mod bulk;
pub mod case;
pub mod commands;
pub mod crypto;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod domain;
pub mod e2e;
pub mod envelope;
pub mod find;
pub mod iprev;
pub mod join;
pub mod json_writer;
mod lexer;
pub mod message;
pub mod org_domain;
pub mod probe;
pub mod received;
pub mod records;
pub mod redact;
pub mod report;
#[cfg(feature = "reports")]
pub mod reports;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
pub mod sender;
pub mod sort;
pub mod sorted_map;
pub mod spf;
pub mod vendor;
pub mod verdict;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(feature = "rust-crypto")]
pub use analysis::analyze_message;
pub use analysis::{EnvelopeOverride, MessageReport, Options};
