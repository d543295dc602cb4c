#![no_main]
//! Fuzz target `wal_record`: see `harness::wal_record`.

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::wal_record(data));
