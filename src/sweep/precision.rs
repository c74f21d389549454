//! Units with a stated precision: their draws are found before the sweep is
//! planned (see `engine::precision`), on the machine that runs `sweep`, and
//! kept in `DIR/precision.json` so that a resumed sweep and the Slurm merge
//! job do not count again. An entry is reused only for the same scenario
//! hash, variant, seed and precision.

use super::file::Sweep;
use crate::engine::{n_blocks, precision};
use crate::error::RunError;
use crate::model::years::YearModel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE: &str = "precision.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub hash: String,
    pub seed: u64,
    pub precision: f64,
    pub draws: u64,
}

/// `<scenario>/<variant>` -> what was found.
pub type Cache = BTreeMap<String, Found>;

/// Why a unit's precision cannot be met as sharded.
#[derive(Debug, thiserror::Error)]
pub enum PrecisionError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(
        "{unit}: precision {precision} needs {draws} draws, {blocks} block(s), fewer than its {shards} shards\n  hint: lower `shards` in {entry} to at most {blocks}"
    )]
    TooManyShards {
        unit: String,
        entry: String,
        precision: f64,
        draws: u64,
        blocks: u64,
        shards: u64,
    },
}

/// Fill in the draws of every unit with a precision; returns the cache to
/// write (unchanged entries included) and how many units were counted anew.
pub fn resolve(
    sweep: &mut Sweep,
    out: &Path,
    threads: Option<usize>,
) -> Result<(Cache, usize), PrecisionError> {
    let old: Cache = std::fs::read(out.join(FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut cache = Cache::new();
    let mut counted = 0;
    for u in &mut sweep.units {
        let Some(e) = u.precision else { continue };
        let label = u.label();
        let want = |f: &Found| {
            f.hash == u.scenario.hash && f.seed == u.seed && f.precision == e && f.draws > 0
        };
        let draws = match old.get(&label).filter(|f| want(f)) {
            Some(f) => f.draws,
            None => {
                counted += 1;
                let model = YearModel::of(&u.scenario);
                precision::draws_for(&model, u.seed, e, threads, None)?
            }
        };
        let blocks = n_blocks(draws);
        if u.shards > blocks {
            return Err(PrecisionError::TooManyShards {
                unit: label,
                entry: u.entry.clone(),
                precision: e,
                draws,
                blocks,
                shards: u.shards,
            });
        }
        u.draws = draws;
        cache.insert(
            label,
            Found {
                hash: u.scenario.hash.clone(),
                seed: u.seed,
                precision: e,
                draws,
            },
        );
    }
    Ok((cache, counted))
}
