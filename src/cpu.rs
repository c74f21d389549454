//! What the CPU running a simulation can do. The crate is built for the
//! x86-64 baseline (two doubles to a register), so that one binary runs
//! everywhere; the hot loops also come compiled for AVX-512 and take that
//! form when the CPU has it. Every form gives the same bits (each module
//! tests its forms against each other).

/// Whether the CPU has AVX-512 F, BW, DQ and VL, the subsets the hot
/// loops' AVX-512 forms use (every AVX-512 CPU since Skylake-SP has all
/// four). The answer is cached by the standard library after the first
/// call.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx512() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx512f") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl")
}
