#![no_main]
//! Fuzz target `fact_loader`: see `harness::fact_loader`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::fact_loader(data));
