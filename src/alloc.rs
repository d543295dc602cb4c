//! The global allocator of the `factgraph` binary: the system's, asking the
//! kernel for transparent huge pages (2 MiB) for every large allocation.
//!
//! A store's graph is a few large arrays (petgraph's nodes and
//! relationships, the property column, the indexes) that are filled once
//! at open and then read at random by every walk. In 4 KiB pages a million
//! nodes take some 44,000 page faults to open and a TLB miss on nearly
//! every hop; in huge pages about 90 faults, and the arrays fit the TLB.
//! Linux gives huge pages to memory that asks for them
//! (`/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` on most
//! distributions, `always` on some); this asks, with `madvise(2)`, for the
//! whole 2 MiB pages inside each allocation of at least [`LARGE`] bytes.
//! The advice is only advice: where the kernel has no huge page to give (or
//! THP is `never`, or this is not Linux) the memory is ordinary pages, as
//! before. Small allocations are untouched.
//!
//! This is the crate's only `unsafe` code: a `GlobalAlloc` cannot be
//! written without it. Each function hands the call to `System` unchanged
//! and only adds the advice on the memory `System` returned.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

/// Allocations of at least this many bytes are advised to use huge pages:
/// two huge pages, so that at least one whole huge page lies inside.
pub const LARGE: usize = 4 << 20;

/// The system allocator with huge pages for large allocations.
pub struct HugePages;

/// The size of a huge page on x86-64 and aarch64 (4 KiB base pages).
#[cfg(target_os = "linux")]
const HUGE: usize = 2 << 20;

/// Advises the kernel to back the whole huge pages of `len` bytes at `ptr`
/// with huge pages. Errors are ignored: the advice is optional.
#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len < LARGE {
        return;
    }
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + len) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation just returned by
        // `System` (rounded inwards to page boundaries, as madvise wants);
        // MADV_HUGEPAGE changes how the kernel backs those pages, never
        // their contents, and its failure leaves the memory as it was.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _len: usize) {}

// SAFETY: every method forwards to `System` with the same arguments and
// returns its result unchanged; `advise` does not touch the memory.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is `System`'s.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` (every allocation here does).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; the caller's contract is `System`'s.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_allocations_keep_their_contents() {
        let a = HugePages;
        for size in [16, 4096, LARGE - 1, LARGE, LARGE + 12345, 3 * LARGE] {
            let layout = Layout::from_size_align(size, 8).expect("a valid layout");
            // SAFETY: the layout has a non-zero size; the pointer is used
            // within it and freed with the same layout.
            unsafe {
                let p = a.alloc_zeroed(layout);
                assert!(!p.is_null());
                assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                p.write_bytes(7, size);
                let q = a.realloc(p, layout, size * 2);
                assert!(!q.is_null());
                assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 7));
                a.dealloc(
                    q,
                    Layout::from_size_align(size * 2, 8).expect("a valid layout"),
                );
            }
        }
    }
}
