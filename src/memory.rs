//! How ep asks the C allocator to give memory back.
//!
//! glibc serves a block of 128 KiB or more with its own mmap, and returns it to the system when
//! it is freed; but each such free raises that threshold to the block's size (up to 32 MiB).
//! After the first listing page (a MiB and a half of JSON), every later page came from the heap
//! arenas instead, one per thread that allocates, and what those pages freed stayed with the
//! process: a 200,000-request listing peaked at 30 MiB of RSS for 13.5 MiB of live heap. With
//! the threshold fixed, the pages stay mmapped and go back on free: 21 MiB, for some system
//! time (0.6 s against 0.15 s for that listing; its wall time unchanged). Other allocators
//! (macOS, Windows, musl) have no such threshold, and are left as they are.
//!
//! The only `unsafe` in ep: glibc's `mallopt` and `mallinfo2` have no safe wrapper.
#![allow(unsafe_code)]

/// Keep large blocks out of the heap arenas for the whole run; called before any thread starts.
pub fn keep_large_blocks_returnable() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of glibc's allocator, and takes effect for the
    // blocks allocated after it; nothing else is running yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// glibc's default, kept fixed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Bytes glibc holds in mmapped blocks.
    fn mapped() -> usize {
        // SAFETY: mallinfo2 only reads the allocator's statistics.
        unsafe { libc::mallinfo2() }.hblkhd
    }

    /// After a large block was freed, the next one is still mmapped (it would come from the heap
    /// if the threshold had risen to the freed block's size).
    #[test]
    fn a_large_block_is_mmapped_after_a_larger_one_was_freed() {
        keep_large_blocks_returnable();
        // Other tests in this process allocate and free too; one clean reading is enough.
        let mmapped = (0..5).any(|_| {
            drop(std::hint::black_box(vec![1u8; 4 << 20]));
            let before = mapped();
            let block = std::hint::black_box(vec![1u8; 1 << 20]);
            let grew = mapped().saturating_sub(before) >= block.len();
            drop(block);
            grew
        });
        assert!(mmapped, "a MiB block came from the heap arenas");
    }
}
