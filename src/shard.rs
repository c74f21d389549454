//! Shard files: the accumulators of some blocks of a run, so that a run can
//! be spread over several processes or machines and merged exactly.
//!
//! `targetsim run SCENARIO --shard K/N` simulates only the `K`-th of `N`
//! contiguous ranges of blocks ([`crate::engine::shard_blocks`]) and writes
//! `shard-K-of-N.tsim`; `targetsim merge` checks that a set of shard files
//! comes from one scenario (by hash), seed and number of draws, and covers
//! every block exactly once, then writes what `run` writes. Because every
//! accumulator merges exactly (see [`crate::summary::tally`]), the merged
//! `summary.json` is byte-identical to the single run's.
//!
//! Format (version [`FORMAT_VERSION`]): one JSON object with `format`
//! (`"targetsim-shard"`), `format_version`, `tool`, `scenario` (name, title,
//! file as given on the command line, sha256 hash), `seed`, `draws`,
//! `block_size`, `shard` (`k`, `n`), `blocks` (`start`, `end`: the block
//! indices, end exclusive) and `tally` (the accumulators, see
//! `summary::tally::Tally`). Infinite extremes of an empty column are
//! written as the strings `"inf"` and `"-inf"`.

use crate::engine::{n_blocks, shard_blocks};
use crate::summary::tally::Tally;
use crate::summary::{ScenarioInfo, Tool};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "targetsim-shard";
pub const FORMAT_VERSION: u32 = 1;

/// The file name of shard `k` of `n`.
pub fn file_name(k: u64, n: u64) -> String {
    format!("shard-{k}-of-{n}.tsim")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardInfo {
    pub k: u64,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockRange {
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolOwned {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioOwned {
    pub name: String,
    pub title: String,
    pub file: String,
    pub hash: String,
    /// The variant run, absent for the base (a variant has its base's hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// A shard file's contents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shard {
    pub format: String,
    pub format_version: u32,
    pub tool: ToolOwned,
    pub scenario: ScenarioOwned,
    pub seed: u64,
    pub draws: u64,
    pub block_size: usize,
    pub shard: ShardInfo,
    pub blocks: BlockRange,
    pub tally: Tally,
}

impl Shard {
    pub fn new(info: ScenarioInfo, seed: u64, draws: u64, k: u64, n: u64, tally: Tally) -> Shard {
        let r = shard_blocks(draws, k, n);
        let tool = Tool::this();
        Shard {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tool: ToolOwned {
                name: tool.name.into(),
                version: tool.version.into(),
            },
            scenario: ScenarioOwned {
                name: info.name,
                title: info.title,
                file: info.file,
                hash: info.hash,
                variant: info.variant,
            },
            seed,
            draws,
            block_size: crate::sampling::BLOCK,
            shard: ShardInfo { k, n },
            blocks: BlockRange {
                start: r.start,
                end: r.end,
            },
            tally,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Cannot fail: plain data with string keys; infinities are written
        // as strings by the tally's own serialisers.
        let mut v = serde_json::to_vec(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// Why shard files cannot be merged: each names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: cannot read: {message}")]
    Read { path: PathBuf, message: String },
    #[error(
        "{path}: not a targetsim shard file ({message})\n  hint: shard files are written by `targetsim run SCENARIO --shard K/N`"
    )]
    Format { path: PathBuf, message: String },
    #[error(
        "{path}: shard format version {found}, this targetsim reads version {FORMAT_VERSION}\n  hint: rerun the shard with this version of targetsim"
    )]
    Version { path: PathBuf, found: u32 },
    #[error(
        "{path}: {what} is {found}, but {first} has {expected}\n  hint: merge only shards of one run (same scenario file, --seed and --draws)"
    )]
    Mismatch {
        path: PathBuf,
        first: PathBuf,
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error(
        "{path}: blocks {start}..{end} overlap {other}, which covers blocks {other_start}..{other_end}\n  hint: give each shard once"
    )]
    Overlap {
        path: PathBuf,
        start: u64,
        end: u64,
        other: PathBuf,
        other_start: u64,
        other_end: u64,
    },
    #[error(
        "blocks {start}..{end} of {total} are in no shard file given (draws {draws}, {total} blocks)\n  hint: {hint}"
    )]
    Missing {
        start: u64,
        end: u64,
        total: u64,
        draws: u64,
        hint: String,
    },
    #[error("no shard files given\n  hint: targetsim merge DIR/shard-*.tsim --out DIR")]
    Empty,
}

/// Read one shard file.
pub fn read(path: &Path) -> Result<Shard, MergeError> {
    let bytes = std::fs::read(path).map_err(|e| MergeError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let head: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| MergeError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(MergeError::Format {
            path: path.to_path_buf(),
            message: "no \"format\": \"targetsim-shard\"".into(),
        });
    }
    let version = head.get("format_version").and_then(|v| v.as_u64());
    if version != Some(FORMAT_VERSION as u64) {
        return Err(MergeError::Version {
            path: path.to_path_buf(),
            found: version.unwrap_or(0) as u32,
        });
    }
    let mut shard: Shard = serde_json::from_value(head).map_err(|e| MergeError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    shard.tally.index();
    Ok(shard)
}

/// Check that `shards` (with their paths) are one run's and cover each
/// block once; return the merged tally and the first shard's identity.
pub fn merge(mut shards: Vec<(PathBuf, Shard)>) -> Result<(Shard, Tally), MergeError> {
    if shards.is_empty() {
        return Err(MergeError::Empty);
    }
    let (first_path, first) = shards[0].clone();
    for (path, s) in &shards[1..] {
        let variant = |s: &Shard| {
            s.scenario
                .variant
                .clone()
                .unwrap_or_else(|| "(base)".into())
        };
        let checks: [(&'static str, String, String); 5] = [
            (
                "the scenario hash",
                s.scenario.hash.clone(),
                first.scenario.hash.clone(),
            ),
            ("the variant", variant(s), variant(&first)),
            ("the seed", s.seed.to_string(), first.seed.to_string()),
            (
                "the number of draws",
                s.draws.to_string(),
                first.draws.to_string(),
            ),
            (
                "the block size",
                s.block_size.to_string(),
                first.block_size.to_string(),
            ),
        ];
        for (what, found, expected) in checks {
            if found != expected {
                return Err(MergeError::Mismatch {
                    path: path.clone(),
                    first: first_path.clone(),
                    what,
                    found,
                    expected,
                });
            }
        }
        if s.tally.columns.len() != first.tally.columns.len() {
            return Err(MergeError::Mismatch {
                path: path.clone(),
                first: first_path.clone(),
                what: "the number of columns",
                found: s.tally.columns.len().to_string(),
                expected: first.tally.columns.len().to_string(),
            });
        }
    }
    // Every block exactly once: sort by start and walk.
    shards.sort_by_key(|(_, s)| (s.blocks.start, s.blocks.end));
    let total = n_blocks(first.draws);
    let mut covered = 0u64;
    let mut prev: Option<(PathBuf, u64, u64)> = None;
    for (path, s) in &shards {
        let (start, end) = (s.blocks.start, s.blocks.end);
        // The blocks the tally actually holds must be the ones it claims.
        let held: Vec<u64> = s.tally.blocks.keys().copied().collect();
        if held.len() as u64 != end.saturating_sub(start)
            || held.first().is_some_and(|&b| b != start)
            || held.last().is_some_and(|&b| b + 1 != end)
            || end > total
        {
            return Err(MergeError::Format {
                path: path.clone(),
                message: format!("it claims blocks {start}..{end} but holds others"),
            });
        }
        if start == end {
            continue;
        }
        if start < covered {
            let (other, os, oe) = prev.clone().unwrap_or((path.clone(), 0, 0));
            return Err(MergeError::Overlap {
                path: path.clone(),
                start,
                end,
                other,
                other_start: os,
                other_end: oe,
            });
        }
        if start > covered {
            return Err(missing(covered, start, total, first.draws));
        }
        covered = end;
        prev = Some((path.clone(), start, end));
    }
    if covered < total {
        return Err(missing(covered, total, total, first.draws));
    }
    let mut tally = shards[0].1.tally.clone();
    for (_, s) in shards.into_iter().skip(1) {
        tally.merge(s.tally);
    }
    Ok((first, tally))
}

fn missing(start: u64, end: u64, total: u64, draws: u64) -> MergeError {
    MergeError::Missing {
        start,
        end,
        total,
        draws,
        hint: "run the missing shards too (`run --shard K/N` with the same N for every shard) and give every shard file".into(),
    }
}
