//! Refuse a run that would not fit in memory, before allocating, and say
//! how many draws would.
//!
//! What a process may use is the smallest of: what the machine has free
//! (`MemAvailable`, less a tenth for everything else), what its control
//! group has left (cgroup v2 `memory.max - memory.current`, v1
//! `memory.limit_in_bytes - memory.usage_in_bytes`, up the hierarchy), and
//! what its own limits leave (`ulimit -v`, RLIMIT_AS, less `VmSize`;
//! `ulimit -d`, RLIMIT_DATA, less `VmData`). Past any of them the allocator
//! fails and the process aborts, so each is checked.

use crate::error::RunError;
use std::path::{Path, PathBuf};

/// Bytes the run may use beyond the columns (per-thread buffers, summary).
const OVERHEAD: u64 = 64 << 20;

/// Address space each worker thread takes beyond the data under an
/// address-space limit: its stack and the allocator's arena (glibc reserves
/// 64 MiB of addresses for each), which `ulimit -v` counts though little of
/// it is ever touched. Counted for each thread the run will add to those
/// already running (whose reservations `VmSize` already shows).
const PER_THREAD_ADDRESSES: u64 = 72 << 20;

/// Threads a run starts besides its workers: the one that watches for
/// interruptions while results are written (`output`) and the progress bar's.
const OTHER_THREADS: u64 = 2;

/// The tightest limit on the memory this process may still allocate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Bytes that can still be allocated.
    pub bytes: u64,
    /// Which limit it is, for messages, e.g. `ulimit -v (RLIMIT_AS)`.
    pub source: &'static str,
}

/// More memory needed than the tightest limit allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} needs about {} MiB, but {} allows only {} MiB", need >> 20, limit.source, limit.bytes >> 20)]
pub struct Shortfall {
    pub what: String,
    pub need: u64,
    pub limit: Limit,
}

/// The smallest of every limit the system states; `None` when it states
/// none (then the allocator decides).
pub fn limit() -> Option<Limit> {
    let mut limits = Vec::new();
    if let Some(kb) = proc_kib("/proc/meminfo", "MemAvailable:") {
        // Leave a tenth for the rest of the machine.
        limits.push(Limit {
            bytes: kb * 1024 / 10 * 9,
            source: "the memory available (MemAvailable)",
        });
    }
    if let Some(bytes) = cgroup_room() {
        limits.push(Limit {
            bytes,
            source: "the control group's memory limit",
        });
    }
    limits.extend(rlimit_room());
    limits.into_iter().min_by_key(|l| l.bytes)
}

/// What the tightest limit leaves, in bytes (`u64::MAX` when none is stated).
pub fn available_memory_bytes() -> Option<u64> {
    limit().map(|l| l.bytes)
}

/// Whether `need` more bytes fit; `what` names them for the message.
pub fn check_bytes(need: u64, what: &str) -> Result<(), Shortfall> {
    match limit() {
        Some(limit) if need > limit.bytes => Err(Shortfall {
            what: what.to_string(),
            need,
            limit,
        }),
        _ => Ok(()),
    }
}

/// Whether `draws` draws of `columns` result columns of `f64` fit, with
/// the run's overhead; the refusal says how many draws would.
pub fn check(draws: u64, columns: usize) -> Result<(), RunError> {
    let per_draw = 8 * columns.max(1) as u64;
    let need = draws.saturating_mul(per_draw).saturating_add(OVERHEAD);
    let too_many = |room: u64, available: u64| RunError::TooMuchMemory {
        draws,
        columns,
        need_mib: need >> 20,
        available_mib: available >> 20,
        max_draws: room.saturating_sub(OVERHEAD) / per_draw,
    };
    if usize::try_from(need).is_err() {
        return Err(too_many(usize::MAX as u64, usize::MAX as u64));
    }
    check_bytes(need, "the run").map_err(|s| too_many(s.limit.bytes, s.limit.bytes))
}

/// A command's memory: `base` bytes whatever the draws, plus `per_draw`
/// bytes for each draw. Each command's model is in [`need`]; a test keeps
/// them within 25% of the measured peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Need {
    pub base: u64,
    pub per_draw: f64,
    /// The columns held, for messages.
    pub columns: usize,
}

impl Need {
    pub fn at(&self, draws: u64) -> u64 {
        self.base
            .saturating_add((draws as f64 * self.per_draw) as u64)
    }

    /// Whether `draws` fit; the refusal says how many would.
    pub fn check(&self, draws: u64) -> Result<(), RunError> {
        let need = self.at(draws);
        let too_many = |room: u64| RunError::TooMuchMemory {
            draws,
            columns: self.columns,
            need_mib: need >> 20,
            available_mib: room >> 20,
            max_draws: (room.saturating_sub(self.base) as f64 / self.per_draw.max(1e-9)) as u64,
        };
        if usize::try_from(need).is_err() || need == u64::MAX {
            return Err(too_many(usize::MAX as u64));
        }
        check_bytes(need, "the command").map_err(|s| too_many(s.limit.bytes))
    }
}

/// The memory models of the commands that keep whole columns.
pub mod need {
    use super::Need;

    /// The program, its font and small buffers.
    const BASE: u64 = 16 << 20;
    /// The sensitivity sample: 65,536 draws of each indicator and driver.
    fn sensitivity(indicators: usize, drivers: usize) -> u64 {
        65_536 * 8 * (indicators + drivers) as u64
    }

    /// `compare`: the base's columns (a plan's view: every indicator in
    /// every year, and the plan targets' measures), one bit per draw for
    /// each target and set (and a variant's beside the base's). The
    /// base's columns are freed before a variant's are made.
    pub fn compare(columns: usize, targets: usize, variants: bool) -> Need {
        let copies = if variants { 2.0 } else { 1.0 };
        Need {
            base: BASE,
            per_draw: 8.0 * columns as f64 + targets as f64 / 8.0 * copies,
            columns,
        }
    }

    /// `calibrate`: the view's columns, a sorted copy of each target's, and
    /// the sensitivity sample.
    pub fn calibrate(columns: usize, targets: usize, indicators: usize, drivers: usize) -> Need {
        Need {
            base: BASE + sensitivity(indicators, drivers),
            per_draw: 8.0 * (columns + targets) as f64,
            columns: columns + targets,
        }
    }

    /// `backtest`: one forecast's draws and the sort's scratch.
    pub fn backtest(columns: usize) -> Need {
        Need {
            base: 8 << 20,
            per_draw: 8.0 * columns as f64,
            columns,
        }
    }
}

/// `key  N kB` from a `/proc` file, in KiB.
fn proc_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
}

fn read_u64(p: &Path) -> Option<u64> {
    std::fs::read_to_string(p).ok()?.trim().parse().ok()
}

/// Room left by the control group and its ancestors, the smallest.
fn cgroup_room() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut room: Option<u64> = None;
    let mut take = |r: u64| room = Some(room.map_or(r, |x| x.min(r)));
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (root, max_file, used_file) = if id == "0" && controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        for dir in ancestors(Path::new(root), path) {
            // v2 writes `max` for no limit (not a number); v1 a huge one.
            if let (Some(max), Some(used)) = (
                read_u64(&dir.join(max_file)),
                read_u64(&dir.join(used_file)),
            ) && max < 1 << 60
            {
                take(max.saturating_sub(used));
            }
        }
    }
    room
}

/// `root/path` and each of its parents down to `root`.
fn ancestors(root: &Path, path: &str) -> Vec<PathBuf> {
    let mut dir = root.to_path_buf();
    let mut out = vec![dir.clone()];
    for part in path.split('/').filter(|p| !p.is_empty() && *p != "..") {
        dir.push(part);
        out.push(dir.clone());
    }
    out
}

/// Room left under `ulimit -v` and `ulimit -d`.
#[cfg(unix)]
fn rlimit_room() -> Vec<Limit> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let running = proc_kib("/proc/self/status", "Threads:").unwrap_or(1);
    let to_come = (workers + OTHER_THREADS).saturating_sub(running.saturating_sub(1));
    let mut out = Vec::new();
    for (resource, status_key, source, reserve) in [
        (
            libc::RLIMIT_AS,
            "VmSize:",
            "the address-space limit (ulimit -v)",
            to_come * PER_THREAD_ADDRESSES,
        ),
        (
            libc::RLIMIT_DATA,
            "VmData:",
            "the data-size limit (ulimit -d)",
            0,
        ),
    ] {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit through a valid pointer.
        if unsafe { libc::getrlimit(resource, &mut lim) } != 0
            || lim.rlim_cur == libc::RLIM_INFINITY
        {
            continue;
        }
        let used = proc_kib("/proc/self/status", status_key).unwrap_or(0) * 1024;
        // rlim_t is u64 on Linux but not on every Unix.
        #[allow(clippy::unnecessary_cast)]
        let cur = lim.rlim_cur as u64;
        out.push(Limit {
            bytes: cur.saturating_sub(used).saturating_sub(reserve),
            source,
        });
    }
    out
}

#[cfg(not(unix))]
fn rlimit_room() -> Vec<Limit> {
    Vec::new()
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

    #[test]
    fn the_limit_is_the_smallest_stated_and_a_shortfall_names_it() {
        let l = limit().expect("Linux states MemAvailable");
        assert!(l.bytes > 0);
        // The smallest: MemAvailable alone is never below it.
        let free = proc_kib("/proc/meminfo", "MemAvailable:").unwrap() * 1024;
        assert!(l.bytes <= free);
        let s = check_bytes(u64::MAX, "the accumulators").unwrap_err();
        let text = s.to_string();
        assert!(text.starts_with("the accumulators needs about"), "{text}");
        assert!(text.contains(s.limit.source), "{text}");
        assert!(check_bytes(1, "one byte").is_ok());
    }

    #[test]
    fn a_cgroup_path_is_checked_at_every_level() {
        let a = ancestors(Path::new("/sys/fs/cgroup"), "/user.slice/x.scope");
        assert_eq!(
            a,
            [
                PathBuf::from("/sys/fs/cgroup"),
                PathBuf::from("/sys/fs/cgroup/user.slice"),
                PathBuf::from("/sys/fs/cgroup/user.slice/x.scope"),
            ]
        );
    }
}
