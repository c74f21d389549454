//! The grid of a sweep: every unit's shards as numbered tasks (the Slurm
//! array index is the task's position), and which of their shard files are
//! already done, so that a resumed sweep computes only the rest.

use super::file::{Sweep, Unit};
use crate::engine::shard_blocks;
use crate::shard::{self, FORMAT_VERSION};
use std::path::{Path, PathBuf};

/// One shard of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Index into `Sweep::units`.
    pub unit: usize,
    /// 1-based shard number, of the unit's `shards`.
    pub k: u64,
}

/// Every task, unit by unit and shard by shard: task `i` is array index `i`.
pub fn tasks(sweep: &Sweep) -> Vec<Task> {
    sweep
        .units
        .iter()
        .enumerate()
        .flat_map(|(unit, u)| (1..=u.shards).map(move |k| Task { unit, k }))
        .collect()
}

/// What a task's shard file holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// This task's result: not recomputed.
    Valid,
    Missing,
    /// A file that is not this task's result, and why (it is recomputed).
    Invalid(String),
}

/// Check the shard file of task `t`: it must parse as a shard file of this
/// scenario (hash and variant), seed, draws, shard and blocks, written by
/// this version of targetsim (whose accumulators it can merge).
pub fn check(sweep: &Sweep, out: &Path, t: Task) -> Done {
    let u = &sweep.units[t.unit];
    let path = u.shard_path(out, t.k);
    if !path.exists() {
        return Done::Missing;
    }
    match shard::read(&path) {
        Ok(s) => match mismatch(u, t.k, &s) {
            None => Done::Valid,
            Some(why) => Done::Invalid(why),
        },
        Err(e) => Done::Invalid(e.to_string()),
    }
}

fn mismatch(u: &Unit, k: u64, s: &shard::Shard) -> Option<String> {
    let blocks = shard_blocks(u.draws, k, u.shards);
    let tool = crate::summary::Tool::this();
    let checks = [
        (
            "format version",
            s.format_version.to_string(),
            FORMAT_VERSION.to_string(),
        ),
        (
            "tool version",
            s.tool.version.clone(),
            tool.version.to_string(),
        ),
        (
            "scenario hash",
            s.scenario.hash.clone(),
            u.scenario.hash.clone(),
        ),
        (
            "variant",
            format!("{:?}", s.scenario.variant),
            format!("{:?}", u.scenario.variant),
        ),
        ("seed", s.seed.to_string(), u.seed.to_string()),
        ("draws", s.draws.to_string(), u.draws.to_string()),
        (
            "block size",
            s.block_size.to_string(),
            crate::sampling::BLOCK.to_string(),
        ),
        (
            "shard",
            format!("{}/{}", s.shard.k, s.shard.n),
            format!("{k}/{}", u.shards),
        ),
        (
            "blocks",
            format!("{}..{}", s.blocks.start, s.blocks.end),
            format!("{}..{}", blocks.start, blocks.end),
        ),
        (
            "blocks held",
            s.tally.blocks.len().to_string(),
            (blocks.end - blocks.start).to_string(),
        ),
    ];
    checks
        .into_iter()
        .find(|(_, found, want)| found != want)
        .map(|(what, found, want)| format!("its {what} is {found}, the sweep's is {want}"))
}

/// Every task's state, in task order (files are read in parallel).
pub fn states(sweep: &Sweep, out: &Path, tasks: &[Task]) -> Vec<Done> {
    use rayon::prelude::*;
    tasks.par_iter().map(|&t| check(sweep, out, t)).collect()
}

/// The shard files of unit `u`, in shard order.
pub fn shard_paths(sweep: &Sweep, out: &Path, u: usize) -> Vec<PathBuf> {
    let unit = &sweep.units[u];
    (1..=unit.shards).map(|k| unit.shard_path(out, k)).collect()
}

/// Draws that task `t` simulates.
pub fn task_draws(sweep: &Sweep, t: Task) -> u64 {
    let u = &sweep.units[t.unit];
    let blocks = shard_blocks(u.draws, t.k, u.shards);
    let block = crate::sampling::BLOCK as u64;
    (blocks.end * block).min(u.draws) - (blocks.start * block).min(u.draws)
}
