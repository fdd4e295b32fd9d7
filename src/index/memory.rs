//! Two requests to the operating system about memory, for large data sets (no-ops elsewhere than
//! Linux with glibc).

/// Asks for transparent huge pages (2 MiB) over a large buffer that is about to be filled. Feature
/// text of a million records spans hundreds of megabytes read in random order; with 4 KiB pages
/// nearly every feature a request copies costs a TLB miss, and filling the buffer costs one page
/// fault per 4 KiB. Has an effect only where the kernel's THP mode is `madvise` or `always`.
/// `ptr` and `len` describe an allocation of the caller's (its capacity, written or not).
pub fn advise_huge_pages(ptr: *const u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = ptr as usize;
        let aligned = start.next_multiple_of(HUGE);
        let end = (start + len) & !(HUGE - 1);
        if end > aligned {
            // SAFETY: the range lies inside the caller's allocation; MADV_HUGEPAGE is advice only
            // and changes neither contents nor validity of the memory.
            unsafe {
                libc::madvise(
                    aligned as *mut libc::c_void,
                    end - aligned,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

/// Hands the memory freed after a load back to the operating system. Loading a large data set frees
/// hundreds of megabytes of small allocations (CSV rows, intermediate records); an allocator keeps
/// them unless asked — mimalloc (the server's) for a while, glibc's until trimmed — and resident
/// memory would stay at the loading peak.
pub fn release_freed_memory() {
    // SAFETY: mi_collect only walks mimalloc's own heaps (empty when it is not the allocator).
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
