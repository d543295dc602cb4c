//! The global allocator of the `factgraph` binary: mimalloc for small
//! blocks, the system's for large ones, which it asks the kernel to back
//! with transparent huge pages (2 MiB).
//!
//! A query allocates and frees many small blocks (rows, values, strings of
//! a result); mimalloc serves them from per-thread free lists in a few
//! dozen instructions, about half of what glibc's `malloc` takes, which is
//! a quarter to two fifths off a name lookup's whole run and 5-20 % off a
//! walk's (same-run pairs at 1m). Its own use of huge pages is switched off
//! (the `no_thp` feature): with it, the small blocks of one open spread
//! over many 2 MiB pages and the process holds 18-27 MB more.
//!
//! A store's graph is a few large arrays (petgraph's nodes and
//! relationships, the property column, the indexes) that are filled once
//! at open and then read at random by every walk. Blocks of at least
//! [`LARGE`] bytes go to the system allocator, which maps each on its own
//! and gives it back to the kernel when it is freed, and this asks, with
//! `madvise(2)`, for huge pages for the whole 2 MiB pages inside each. In
//! 4 KiB pages a million nodes take some 44,000 page faults to open and a
//! TLB miss on nearly every hop; in huge pages about 90 faults, and the
//! arrays fit the TLB. Linux gives huge pages to memory that asks for them
//! (`/sys/kernel/mm/transparent_hugepage/enabled` is `madvise` on most
//! distributions, `always` on some). The advice is only advice: where the
//! kernel has no huge page to give (or THP is `never`, or this is not
//! Linux) the memory is ordinary pages.
//!
//! This is the crate's only `unsafe` code: a `GlobalAlloc` cannot be
//! written without it. Which allocator owns a block follows from its size
//! alone (`is_large`), which every call is given.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

use libmimalloc_sys as mi;

/// Allocations of at least this many bytes are advised to use huge pages:
/// two huge pages, so that at least one whole huge page lies inside.
pub const LARGE: usize = 4 << 20;

/// mimalloc below [`LARGE`], the system allocator with huge pages above.
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

/// Which allocator owns a block of `size` bytes: mimalloc below [`LARGE`],
/// the system's at and above it. The size alone decides, so `dealloc` and
/// `realloc`, which are given the block's size, always find its owner.
fn is_large(size: usize) -> bool {
    size >= LARGE
}

/// The alignment every mimalloc block has: its size classes are whole
/// words (8, 16, 24, ... bytes), so a block is word-aligned and no more is
/// promised (a 24-byte block is not 16-aligned). A layout that asks no
/// more takes the unaligned entry points, whose fast path is the shortest.
const MIN_ALIGN: usize = std::mem::size_of::<usize>();

fn plain(layout: Layout) -> bool {
    layout.align() <= MIN_ALIGN && layout.align() <= layout.size()
}

/// A new block for `layout`, zeroed if asked, from the allocator that owns
/// its size.
///
/// # Safety
///
/// The caller's contract for `GlobalAlloc::alloc` (a non-zero size).
// Inlined, each caller keeps only the branches of its constant `zeroed`
// (not inlined, every allocation paid for the call and the tests: ~400
// instructions a name lookup).
#[inline(always)]
unsafe fn allocate(layout: Layout, zeroed: bool) -> *mut u8 {
    // SAFETY: the caller's contract is `System`'s; mimalloc takes any size
    // and power-of-two alignment.
    unsafe {
        if is_large(layout.size()) {
            let p = if zeroed {
                System.alloc_zeroed(layout)
            } else {
                System.alloc(layout)
            };
            advise(p, layout.size());
            return p;
        }
        let (size, align) = (layout.size(), layout.align());
        match (plain(layout), zeroed) {
            (true, false) => mi::mi_malloc(size).cast(),
            (true, true) => mi::mi_zalloc(size).cast(),
            (false, false) => mi::mi_malloc_aligned(size, align).cast(),
            (false, true) => mi::mi_zalloc_aligned(size, align).cast(),
        }
    }
}

// SAFETY: every block is allocated, grown and freed by the one allocator
// `is_large` names for its size, with the caller's arguments unchanged
// (mimalloc's unaligned functions only where `plain` holds, which gives
// the alignment asked for); a `realloc` across the boundary allocates from
// the other one, copies the smaller size and frees the old block. `advise`
// does not touch memory.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `allocate`'s.
        unsafe { allocate(layout, false) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { allocate(layout, true) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `layout` is the one the block was allocated (or last
        // reallocated) with, so `is_large` names the allocator it came from;
        // `mi_free` frees aligned and unaligned blocks alike.
        unsafe {
            if is_large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                mi::mi_free(ptr.cast())
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (from, to) = (is_large(layout.size()), is_large(new_size));
        if from && to {
            // SAFETY: as for `dealloc`; the block stays with `System`.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            advise(p, new_size);
            return p;
        }
        // SAFETY: the caller guarantees `new_size`, rounded up to the
        // alignment, does not overflow, so the layout is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if !from && !to {
            // SAFETY: as for `dealloc`; the block stays with mimalloc, which
            // keeps the alignment the layout asks for.
            return unsafe {
                if plain(new_layout) {
                    mi::mi_realloc(ptr.cast(), new_size).cast()
                } else {
                    mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
                }
            };
        }
        // SAFETY: the new block comes from the allocator that owns its
        // size, the old one's `min` bytes are copied into it (the blocks are
        // distinct) and the old block is freed by its own allocator, as
        // `dealloc` does.
        unsafe {
            let p = allocate(new_layout, false);
            if !p.is_null() {
                std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_contents_when_they_grow_and_shrink_across_large() {
        let a = HugePages;
        let sizes = [8, 24, 4096, LARGE / 2 + 1, LARGE - 1, LARGE, LARGE + 12345];
        // Word alignment takes mimalloc's unaligned calls, 16 and 64 its
        // aligned ones (a 24-byte block is only word-aligned).
        for (size, align) in sizes.into_iter().flat_map(|s| [(s, 8), (s, 16), (s, 64)]) {
            let at = |n: usize| Layout::from_size_align(n, align).expect("a valid layout");
            let aligned = |p: *mut u8| !p.is_null() && (p as usize).is_multiple_of(align);
            // SAFETY: every layout has a non-zero size; each pointer is used
            // within its block and freed with the layout it last had.
            unsafe {
                let p = a.alloc_zeroed(at(size));
                assert!(aligned(p), "{size} bytes at {align}");
                assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                p.write_bytes(7, size);
                // Grows: across LARGE for LARGE / 2 + 1 and LARGE - 1.
                let q = a.realloc(p, at(size), size * 2);
                assert!(aligned(q), "{size} bytes grown at {align}");
                assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 7));
                // Shrinks: back across LARGE for LARGE and LARGE + 12345.
                let r = a.realloc(q, at(size * 2), size / 2);
                assert!(aligned(r), "{size} bytes shrunk at {align}");
                let kept = std::slice::from_raw_parts(r, size / 2);
                assert!(kept.iter().all(|&b| b == 7));
                a.dealloc(r, at(size / 2));
            }
        }
    }
}
