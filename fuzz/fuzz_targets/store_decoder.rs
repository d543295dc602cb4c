#![no_main]
//! Fuzz target `store_decoder`: see `harness::store_decoder`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::store_decoder(data));
