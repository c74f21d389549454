//! The `targetsim` command: a thin layer over the library. Each subcommand
//! lives in `src/cli/` and turns its arguments into library options.

mod cli;

fn main() -> std::process::ExitCode {
    return_large_blocks_to_the_system();
    cli::main()
}

/// Columns of draws (megabytes each) are freed before the next are made
/// (`compare`'s variants, `calibrate`'s check). glibc serves such blocks
/// with mmap until a free raises its threshold to their size, after which
/// it keeps freed memory in the heap, so the peak, and the memory check's
/// estimate of it, varied from run to run. A fixed threshold keeps every
/// block of 1 MiB or more mapped and returned when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}
