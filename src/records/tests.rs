//! Known-answer tests of the record linters, record mode and the generators.
