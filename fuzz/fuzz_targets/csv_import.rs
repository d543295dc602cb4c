#![no_main]
//! Fuzz target `csv_import`: see `harness::csv_import`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::csv_import(data));
