//! Unit tests of the detector; the checks' known-answer tests are in `tests/e2e.rs`.

use super::*;
use crate::message::parse_message;

fn detected(text: &str) -> E2eReport {
    detect(&parse_message(text.as_bytes()).unwrap())
}
