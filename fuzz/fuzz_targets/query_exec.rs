#![no_main]
//! Fuzz target `query_exec`: see `harness::query_exec`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::query_exec(data));
