#![no_main]
//! Fuzz target `query_parser`: see `harness::query_parser`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::query_parser(data));
