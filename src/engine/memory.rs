//! Refuse a run whose result columns would not fit in memory, before
//! allocating them, and say how many draws would.

use crate::error::RunError;

/// Bytes the run may use beyond the columns (per-thread buffers, summary).
const OVERHEAD: u64 = 64 << 20;

/// What the operating system says is available, if it says.
pub fn available_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

pub fn check(draws: u64, columns: usize) -> Result<(), RunError> {
    let per_draw = 8 * columns.max(1) as u64;
    let need = draws.saturating_mul(per_draw).saturating_add(OVERHEAD);
    // Without /proc/meminfo, allow what a 64-bit address space allows and
    // let the allocator decide.
    let available = available_memory_bytes().unwrap_or(u64::MAX);
    // Leave a tenth for the rest of the machine.
    let usable = available / 10 * 9;
    if need > usable || usize::try_from(need).is_err() {
        return Err(RunError::TooMuchMemory {
            draws,
            columns,
            need_mib: need >> 20,
            available_mib: available >> 20,
            max_draws: usable.saturating_sub(OVERHEAD) / per_draw,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_draw_count_that_cannot_fit_and_says_how_many_would() {
        let err = check(u64::MAX / 16, 13).unwrap_err();
        match err {
            RunError::TooMuchMemory {
                max_draws,
                need_mib,
                ..
            } => {
                assert!(need_mib > 0);
                assert!(max_draws < u64::MAX / 16);
                assert!(check(max_draws.min(1_000), 13).is_ok());
            }
            other => panic!("expected TooMuchMemory, got {other:?}"),
        }
    }
}
