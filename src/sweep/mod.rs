//! Sweeps: many scenarios and their variants at once, locally or as a Slurm
//! job array, with a province view of the results.
//!
//! A sweep file ([`file`]) lists scenario files (globs), which variants to
//! include, and the draws, seed and shards of each. Every scenario × variant
//! is a *unit*; every unit's shard is a *task* ([`plan`]). A task writes
//! `DIR/shards/<scenario>/<variant>/shard-K-of-N.tsim` exactly as `run
//! --shard K/N` does; a unit's shards are then merged into
//! `DIR/<scenario>/<variant>/`, exactly what `run` writes (the merge is
//! exact, so `summary.json` is byte-identical to a direct run). A finished,
//! valid shard file is never recomputed, which is how a sweep resumes.
//! [`slurm`] writes the job scripts and state; [`view`] the province view.

pub mod file;
pub mod plan;
pub mod precision;
pub mod slurm;
pub mod view;

pub use file::{Sweep, Unit, load};
pub use plan::{Done, Task};
