//! A sweep as Slurm jobs: a job-array script whose task `i` runs one shard
//! (`targetsim run ... --shard K/N`, chosen by `SLURM_ARRAY_TASK_ID`), a
//! merge script (`targetsim sweep ... --merge`), and a state file that maps
//! every array index to its scenario, variant and shard and records the
//! submitted job ids, so `--resume` can resubmit only the missing indices
//! and point the merge job at them.
//!
//! Slurm refuses array indices above `MaxArraySize - 1` (1000 by default),
//! so larger sweeps go in chunks of at most [`CHUNK`] tasks: chunk `c` is an
//! array `0-999` with `TARGETSIM_OFFSET = c * CHUNK` in its environment.
//! Everything lives under the sweep's folder, which must be on a filesystem
//! every node sees, and names files by absolute path.

use super::file::Sweep;
use super::plan::Task;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most tasks in one array job (Slurm's default MaxArraySize is 1001).
pub const CHUNK: usize = 1000;
/// Folder of the scripts, state and logs, inside the sweep's folder.
pub const DIR: &str = "slurm";
pub const ARRAY: &str = "array.sh";
pub const MERGE: &str = "merge.sh";
pub const STATE: &str = "state.json";
pub const LOGS: &str = "logs";

/// What the scripts were written for and what was submitted: `DIR/slurm/state.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct State {
    pub format: String,
    /// The sweep file, absolute.
    pub sweep: PathBuf,
    /// The sweep's folder, absolute.
    pub out: PathBuf,
    /// Array index -> task, in index order.
    pub tasks: Vec<TaskEntry>,
    /// Every array job submitted, in order, with the indices it ran.
    #[serde(default)]
    pub arrays: Vec<Submitted>,
    /// The merge job the last submission (or resume) points at.
    #[serde(default)]
    pub merge_job: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskEntry {
    pub index: usize,
    pub scenario: String,
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variant: Option<String>,
    pub draws: u64,
    pub seed: u64,
    pub shard: String,
    /// The shard file the task writes.
    pub output: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Submitted {
    pub job: String,
    /// Array indices as given to `--array` (absolute, offset included).
    pub indices: String,
}

pub const FORMAT: &str = "targetsim-sweep-slurm";

impl State {
    pub fn new(sweep: &Sweep, sweep_abs: &Path, out_abs: &Path, tasks: &[Task]) -> State {
        let tasks = tasks
            .iter()
            .enumerate()
            .map(|(index, t)| {
                let u = &sweep.units[t.unit];
                TaskEntry {
                    index,
                    scenario: u.scenario.name.clone(),
                    file: absolute(&u.path),
                    variant: u.scenario.variant.clone(),
                    draws: u.draws,
                    seed: u.seed,
                    shard: format!("{}/{}", t.k, u.shards),
                    output: u.shard_path(out_abs, t.k),
                }
            })
            .collect();
        State {
            format: FORMAT.into(),
            sweep: sweep_abs.to_path_buf(),
            out: out_abs.to_path_buf(),
            tasks,
            arrays: Vec::new(),
            merge_job: None,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// `path` made absolute against the current directory (without resolving
/// links, so the nodes see the path the user gave).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Quote for a POSIX shell: single quotes, each `'` as `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn q(p: &Path) -> String {
    quote(&p.to_string_lossy())
}

/// The job-array script: task `TARGETSIM_OFFSET + SLURM_ARRAY_TASK_ID`
/// runs one shard. `TARGETSIM` may name another binary (the default is the
/// one that wrote the script).
pub fn array_script(state: &State, exe: &Path) -> String {
    let logs = state.out.join(DIR).join(LOGS);
    let mut s = String::new();
    s.push_str("#!/bin/bash\n");
    s.push_str("#SBATCH --job-name=targetsim-sweep\n");
    s.push_str(&format!(
        "#SBATCH --output={}\n",
        logs.join("shard-%A_%a.out").display()
    ));
    s.push_str("#SBATCH --cpus-per-task=1\n");
    s.push_str(&format!(
        "# Written by `targetsim sweep {} --slurm`: task i runs shard i of {}\n# (see state.json beside this script). Submit with sbatch --array=0-{}.\n",
        state.sweep.display(),
        state.tasks.len(),
        state.tasks.len().min(CHUNK).saturating_sub(1)
    ));
    s.push_str("set -euo pipefail\n");
    s.push_str("i=$(( ${TARGETSIM_OFFSET:-0} + ${SLURM_ARRAY_TASK_ID:?run this script as a Slurm array task} ))\n");
    s.push_str(&format!(
        "targetsim=\"${{TARGETSIM:-{}}}\"\n",
        exe.display()
    ));
    s.push_str("case \"$i\" in\n");
    for t in &state.tasks {
        let mut args = vec![q(&t.file)];
        if let Some(v) = &t.variant {
            args.push("--variant".into());
            args.push(quote(v));
        }
        args.push(format!(
            "--draws {} --seed {} --shard {}",
            t.draws, t.seed, t.shard
        ));
        let out = t.output.parent().unwrap_or(Path::new("."));
        args.push(format!("--out {}", q(out)));
        s.push_str(&format!("  {}) set -- {} ;;\n", t.index, args.join(" ")));
    }
    s.push_str("  *) echo \"targetsim sweep: no task $i (this sweep has ");
    s.push_str(&state.tasks.len().to_string());
    s.push_str(" tasks)\" >&2; exit 2 ;;\nesac\n");
    s.push_str("exec \"$targetsim\" run \"$@\" --quiet --threads \"${SLURM_CPUS_PER_TASK:-1}\"\n");
    s
}

/// The merge script: merges every unit's shards and writes the province view.
pub fn merge_script(state: &State, exe: &Path) -> String {
    let logs = state.out.join(DIR).join(LOGS);
    format!(
        "#!/bin/bash\n#SBATCH --job-name=targetsim-sweep-merge\n#SBATCH --output={}\n# Written by `targetsim sweep --slurm`: runs once every shard is done\n# (submitted with --dependency=afterok:<array job>).\nset -euo pipefail\ntargetsim=\"${{TARGETSIM:-{}}}\"\nexec \"$targetsim\" sweep {} --out {} --merge --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"\n",
        logs.join("merge-%j.out").display(),
        exe.display(),
        q(&state.sweep),
        q(&state.out),
    )
}

/// Array indices in `--array` syntax: `0-7`, `3,7`, `0-3,9`.
pub fn ranges(indices: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = start;
        while i + 1 < indices.len() && indices[i + 1] == end + 1 {
            i += 1;
            end = indices[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(",")
}

/// The arrays to submit for `indices` (sorted): per chunk of [`CHUNK`], the
/// offset and the `--array` list relative to it.
pub fn chunks(indices: &[usize]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in indices {
        let offset = i / CHUNK * CHUNK;
        match out.last_mut() {
            Some((o, list)) if *o == offset => list.push(i - offset),
            _ => out.push((offset, vec![i - offset])),
        }
    }
    out.into_iter().map(|(o, l)| (o, ranges(&l))).collect()
}

/// The job id in `sbatch --parsable`'s answer (`123` or `123;cluster`).
pub fn job_id(answer: &str) -> Option<String> {
    let id = answer.trim().split(';').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_join_runs_of_consecutive_indices() {
        assert_eq!(ranges(&[0, 1, 2, 3]), "0-3");
        assert_eq!(ranges(&[3, 7]), "3,7");
        assert_eq!(ranges(&[0, 1, 2, 3, 9, 11, 12]), "0-3,9,11-12");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn chunks_keep_every_array_index_below_the_default_max_array_size() {
        let all: Vec<usize> = (0..2500).collect();
        assert_eq!(
            chunks(&all),
            vec![
                (0, "0-999".to_string()),
                (1000, "0-999".to_string()),
                (2000, "0-499".to_string())
            ]
        );
        assert_eq!(
            chunks(&[3, 1007]),
            vec![(0, "3".into()), (1000, "7".into())]
        );
    }

    #[test]
    fn job_ids_are_read_from_parsable_answers() {
        assert_eq!(job_id("123\n"), Some("123".into()));
        assert_eq!(job_id("456;cluster\n"), Some("456".into()));
        assert_eq!(job_id("Submitted batch job 7"), None);
        assert_eq!(job_id(""), None);
    }

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(quote("a'b c"), "'a'\\''b c'");
    }
}
