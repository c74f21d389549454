//! `targetsim sweep`: many scenarios and variants at once, locally (every
//! core, resuming from finished shard files) or as Slurm jobs.

use super::Failure;
use super::console::outln;
use super::progress::Progress;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use targetsim::RunOptions;
use targetsim::engine;
use targetsim::model::years::YearModel;
use targetsim::output;
use targetsim::shard::{self, Shard};
use targetsim::summary::ScenarioInfo;
use targetsim::sweep::slurm::{self, State};
use targetsim::sweep::{self, Done, Sweep, Task, plan, view};

/// Run every scenario and variant of a sweep file: locally on every core, or
/// as a Slurm job array; then write the province view.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  targetsim sweep scenarios/province/sweep.toml --out output/province\n  targetsim sweep scenarios/province/sweep.toml --out /shared/province --slurm --submit --partition batch\n  targetsim sweep scenarios/province/sweep.toml --out /shared/province --slurm --resume\n\nWrites DIR/<scenario>/<variant>/ (what `run` writes; the base is `base`), the shard\nfiles under DIR/shards/, and the province view DIR/sweep.csv, DIR/sweep.xlsx and DIR/report.html.\nA finished, valid shard file is not recomputed: rerun the same command to resume.\nWith --slurm, DIR must be on a filesystem every node sees."
)]
pub struct Args {
    /// The sweep file (TOML).
    pub sweep: PathBuf,
    /// Output directory [default: output/<sweep file name>].
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    #[command(flatten)]
    pub writes: super::run::Writes,
    /// Only merge the shards and write the province view; fail if a shard is
    /// missing (what the Slurm merge job runs).
    #[arg(long, conflicts_with = "slurm")]
    pub merge: bool,
    /// Write DIR/slurm/array.sh (one array task per shard), merge.sh and
    /// state.json instead of running.
    #[arg(long)]
    pub slurm: bool,
    /// Submit the array and the merge job (afterok) with sbatch; print the job ids.
    #[arg(long, requires = "slurm")]
    pub submit: bool,
    /// Resubmit only the missing or invalid shards and point the merge job at them.
    #[arg(long, requires = "slurm", conflicts_with = "submit")]
    pub resume: bool,
    /// Slurm partition for the jobs (sbatch --partition).
    #[arg(long, requires = "slurm", value_name = "P")]
    pub partition: Option<String>,
    /// Another sbatch option for both jobs, e.g. --sbatch-arg=--time=01:00:00 (repeatable).
    #[arg(
        long = "sbatch-arg",
        requires = "slurm",
        value_name = "ARG",
        allow_hyphen_values = true
    )]
    pub sbatch_args: Vec<String>,
    /// CPUs for the merge job (sbatch --cpus-per-task); it merges units in parallel.
    #[arg(long, requires = "slurm", value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub merge_cpus: u64,
}

pub fn execute(args: Args) -> Result<(), Failure> {
    let mut sweep = sweep::load(&args.sweep)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .sweep
            .file_stem()
            .map_or_else(|| "sweep".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("output").join(stem)
    });
    std::fs::create_dir_all(&out).map_err(|e| {
        Failure::Usage(format!(
            "error: {}: cannot create the output directory: {e}\n  hint: choose another directory with --out",
            out.display()
        ))
    })?;
    resolve_precision(&mut sweep, &out, &args)?;
    let sweep = sweep;
    let tasks = plan::tasks(&sweep);
    if args.slurm {
        return slurm_mode(&args, &sweep, &out, &tasks);
    }
    let quiet = args.writes.quiet;
    let states = plan::states(&sweep, &out, &tasks);
    let todo: Vec<Task> = tasks
        .iter()
        .zip(&states)
        .filter(|(_, d)| **d != Done::Valid)
        .map(|(t, _)| *t)
        .collect();
    if args.merge && !todo.is_empty() {
        let list: Vec<String> = todo
            .iter()
            .take(5)
            .map(|t| {
                sweep.units[t.unit]
                    .shard_path(&out, t.k)
                    .display()
                    .to_string()
            })
            .collect();
        return Err(Failure::Run(format!(
            "error: {} of {} shard files are missing or invalid: {}{}\n  hint: run them first (targetsim sweep {} --out {} --slurm --resume, or without --merge to run them here)",
            todo.len(),
            tasks.len(),
            list.join(", "),
            if todo.len() > 5 { ", ..." } else { "" },
            args.sweep.display(),
            out.display()
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, |t| t as usize))
        .build()
        .map_err(|e| Failure::Run(format!("error: cannot start worker threads: {e}")))?;
    if !quiet {
        outln!(
            "sweep {}: {} units, {} shards; {} already done, {} to run",
            sweep.file.display(),
            sweep.units.len(),
            tasks.len(),
            tasks.len() - todo.len(),
            todo.len()
        )?;
        for (t, d) in tasks.iter().zip(&states) {
            if let Done::Invalid(why) = d {
                outln!(
                    "rerunning {}: {why}",
                    sweep.units[t.unit].shard_path(&out, t.k).display()
                )?;
            }
        }
    }
    let draws: u64 = todo.iter().map(|&t| plan::task_draws(&sweep, t)).sum();
    let progress = Progress::new(draws, quiet);
    pool.install(|| run_tasks(&sweep, &out, &todo, &progress))?;
    progress.step("merging shards, writing every unit's results");
    pool.install(|| merge_units(&sweep, &out, args.writes.outputs()))?;
    progress.finish();
    write_view(&sweep, &out, quiet)
}

/// The draws of units with a stated precision, counted here or read from
/// `DIR/precision.json`.
fn resolve_precision(sweep: &mut Sweep, out: &Path, args: &Args) -> Result<(), Failure> {
    if sweep.units.iter().all(|u| u.precision.is_none()) {
        return Ok(());
    }
    let threads = args.threads.map(|t| t as usize);
    let (cache, counted) = sweep::precision::resolve(sweep, out, threads).map_err(|e| match e {
        sweep::precision::PrecisionError::Run(r) => Failure::from(r),
        other => Failure::Usage(format!("error: {}: {other}", sweep.file.display())),
    })?;
    let bytes = serde_json::to_vec_pretty(&cache).unwrap_or_default();
    output::write_file(
        &out.join(sweep::precision::FILE),
        &bytes,
        &[sweep.file.as_path()],
    )?;
    if !args.writes.quiet {
        for (label, f) in &cache {
            outln!("{label}: precision {} needs {} draws", f.precision, f.draws)?;
        }
        if counted > 0 {
            outln!(
                "(counted for {counted} unit(s); kept in {})",
                out.join(sweep::precision::FILE).display()
            )?;
        }
    }
    Ok(())
}

/// Run the shards of `todo`, each on one thread, all in parallel: a shard's
/// result does not depend on its threads, and many small runs fill the cores
/// better than one run's few blocks.
fn run_tasks(sweep: &Sweep, out: &Path, todo: &[Task], progress: &Progress) -> Result<(), Failure> {
    let count = |n: u64| progress.inc(n);
    let results: Vec<Result<(), Failure>> = todo
        .par_iter()
        .map(|&t| {
            let u = &sweep.units[t.unit];
            let model = YearModel::of(&u.scenario);
            let mut opts = RunOptions::new(u.draws, u.seed);
            opts.threads = Some(1);
            opts.shard = Some((t.k, u.shards));
            opts.progress = Some(&count);
            let run = engine::stream(&u.scenario, &model, &opts)?;
            let mut info = ScenarioInfo::of(&u.scenario);
            // The file to open, so `targetsim merge` finds it by itself.
            info.file = u.path.display().to_string();
            let shard = Shard::new(info, u.seed, u.draws, t.k, u.shards, run.tally);
            let path = u.shard_path(out, t.k);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Failure::Run(format!("error: {}: cannot create: {e}", dir.display()))
                })?;
            }
            output::write_file(&path, &shard.to_bytes(), &u.scenario.input_paths())?;
            Ok(())
        })
        .collect();
    results.into_iter().collect()
}

/// Merge every unit's shards into `DIR/<scenario>/<variant>/`.
fn merge_units(sweep: &Sweep, out: &Path, outputs: super::run::Outputs) -> Result<(), Failure> {
    let quiet = super::run::Outputs {
        quiet: true,
        ..outputs
    };
    let results: Vec<Result<(), Failure>> = (0..sweep.units.len())
        .into_par_iter()
        .map(|i| {
            let u = &sweep.units[i];
            let paths = plan::shard_paths(sweep, out, i);
            let mut shards = Vec::with_capacity(paths.len());
            for p in &paths {
                shards.push((
                    p.clone(),
                    shard::read(p).map_err(|e| Failure::Run(format!("error: {e}")))?,
                ));
            }
            let (first, tally) =
                shard::merge(shards).map_err(|e| Failure::Run(format!("error: {e}")))?;
            super::merge::write(
                &u.scenario,
                &first,
                tally,
                &paths,
                &u.dir(out),
                Some(1),
                quiet,
            )
        })
        .collect();
    results.into_iter().collect()
}

fn write_view(sweep: &Sweep, out: &Path, quiet: bool) -> Result<(), Failure> {
    let rows = view::rows(sweep, out).map_err(|e| Failure::Run(format!("error: {e}")))?;
    let inputs: Vec<&Path> = std::iter::once(sweep.file.as_path())
        .chain(sweep.units.iter().map(|u| u.path.as_path()))
        .collect();
    let csv = output::write_file(&out.join("sweep.csv"), &view::csv(&rows), &inputs)?;
    let book =
        view::workbook(&rows).map_err(|e| Failure::Run(format!("error: sweep.xlsx: {e}")))?;
    let xlsx = output::write_file(&out.join("sweep.xlsx"), &book, &inputs)?;
    let html = output::write_file(
        &out.join("report.html"),
        view::html(sweep, &rows).as_bytes(),
        &inputs,
    )?;
    if !quiet {
        outln!(
            "wrote {} units to {}/<scenario>/<variant>/",
            sweep.units.len(),
            out.display()
        )?;
        outln!("wrote {}", csv.display())?;
        outln!("wrote {}", xlsx.display())?;
        outln!("report: {}", html.display())?;
    }
    Ok(())
}

fn slurm_mode(args: &Args, sweep: &Sweep, out: &Path, tasks: &[Task]) -> Result<(), Failure> {
    let out_abs = slurm::absolute(out);
    let dir = out_abs.join(slurm::DIR);
    let state_path = dir.join(slurm::STATE);
    std::fs::create_dir_all(dir.join(slurm::LOGS)).map_err(|e| {
        Failure::Usage(format!(
            "error: {}: cannot create: {e}\n  hint: choose another directory with --out",
            dir.display()
        ))
    })?;
    let mut state = State::new(sweep, &slurm::absolute(&sweep.file), &out_abs, tasks);
    if args.resume {
        let old = read_state(&state_path)?;
        if old.tasks != state.tasks {
            return Err(Failure::Usage(format!(
                "error: {}: the sweep's tasks have changed since it was submitted\n  hint: submit it afresh with --submit (finished shards are kept)",
                state_path.display()
            )));
        }
        state.arrays = old.arrays;
        state.merge_job = old.merge_job;
    }
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Run(format!("error: cannot find the targetsim program: {e}")))?;
    let array = dir.join(slurm::ARRAY);
    let merge = dir.join(slurm::MERGE);
    let inputs = [sweep.file.as_path()];
    output::write_file(
        &array,
        slurm::array_script(&state, &exe).as_bytes(),
        &inputs,
    )?;
    output::write_file(
        &merge,
        slurm::merge_script(&state, &exe).as_bytes(),
        &inputs,
    )?;
    for script in [&array, &merge] {
        executable(script)?;
    }
    output::write_file(&state_path, &state.to_bytes(), &inputs)?;
    let quiet = args.writes.quiet;
    if !args.submit && !args.resume {
        if !quiet {
            outln!("wrote {} ({} array tasks)", array.display(), tasks.len())?;
            outln!("wrote {}", merge.display())?;
            outln!("wrote {}", state_path.display())?;
            outln!(
                "submit with: targetsim sweep {} --out {} --slurm --submit",
                args.sweep.display(),
                out.display()
            )?;
        }
        return Ok(());
    }
    let states = plan::states(sweep, out, tasks);
    let todo: Vec<usize> = states
        .iter()
        .enumerate()
        .filter(|(_, d)| **d != Done::Valid)
        .map(|(i, _)| i)
        .collect();
    let mut extra: Vec<String> = Vec::new();
    if let Some(p) = &args.partition {
        extra.push(format!("--partition={p}"));
    }
    extra.extend(args.sbatch_args.iter().cloned());
    let mut new_jobs = Vec::new();
    for (offset, list) in slurm::chunks(&todo) {
        let job = sbatch(
            &[
                "--parsable".into(),
                format!("--array={list}"),
                format!("--export=ALL,TARGETSIM_OFFSET={offset}"),
            ],
            &extra,
            &array,
        )?;
        let absolute: Vec<usize> = todo
            .iter()
            .copied()
            .filter(|i| i / slurm::CHUNK * slurm::CHUNK == offset)
            .collect();
        if !quiet {
            outln!(
                "submitted array job {job}: {} shard(s), indices {}",
                absolute.len(),
                slurm::ranges(&absolute)
            )?;
        }
        state.arrays.push(slurm::Submitted {
            job: job.clone(),
            indices: slurm::ranges(&absolute),
        });
        new_jobs.push(job);
    }
    if todo.is_empty() && !quiet {
        outln!("every shard file is done and valid; nothing to resubmit")?;
    }
    let dependency = if new_jobs.is_empty() {
        String::new()
    } else {
        format!("afterok:{}", new_jobs.join(":"))
    };
    // On resume, the waiting merge job is pointed at the new arrays (Slurm
    // does not retry a failed task, and requeueing it does not release the
    // merge); if it is gone, or this is a first submission, a new one is submitted.
    let repointed = match (&state.merge_job, args.resume) {
        (Some(m), true) => {
            let ok = scontrol_update(m, &dependency);
            if ok && !quiet {
                outln!(
                    "merge job {m} now waits for {}",
                    if dependency.is_empty() {
                        "nothing"
                    } else {
                        &dependency
                    }
                )?;
            }
            ok
        }
        _ => false,
    };
    if !repointed {
        let mut opts = vec![
            "--parsable".to_string(),
            format!("--cpus-per-task={}", args.merge_cpus),
        ];
        if !dependency.is_empty() {
            opts.push(format!("--dependency={dependency}"));
        }
        let job = sbatch(&opts, &extra, &merge)?;
        if !quiet {
            outln!(
                "submitted merge job {job}{}",
                if dependency.is_empty() {
                    String::new()
                } else {
                    format!(" ({dependency})")
                }
            )?;
        }
        state.merge_job = Some(job);
    }
    output::write_file(&state_path, &state.to_bytes(), &inputs)?;
    if !quiet {
        outln!(
            "results: {}/sweep.csv, sweep.xlsx and report.html once the merge job has run; logs in {}",
            out_abs.display(),
            dir.join(slurm::LOGS).display()
        )?;
    }
    Ok(())
}

fn read_state(path: &Path) -> Result<State, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::Usage(format!(
            "error: {}: cannot read: {e}\n  hint: submit the sweep first with --slurm --submit",
            path.display()
        ))
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Usage(format!(
            "error: {}: not a sweep's Slurm state: {e}\n  hint: submit the sweep afresh with --slurm --submit",
            path.display()
        ))
    })
}

fn executable(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|e| {
        Failure::Run(format!(
            "error: {}: cannot make executable: {e}",
            path.display()
        ))
    })
}

/// `sbatch OPTS EXTRA SCRIPT`, returning the job id.
fn sbatch(opts: &[String], extra: &[String], script: &Path) -> Result<String, Failure> {
    let result = Command::new("sbatch")
        .args(opts)
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| {
            Failure::Run(format!(
                "error: cannot run sbatch: {e}\n  hint: run on a Slurm login node, or submit {} yourself",
                script.display()
            ))
        })?;
    let answer = String::from_utf8_lossy(&result.stdout);
    if !result.status.success() {
        return Err(Failure::Run(format!(
            "error: sbatch {} failed ({}): {}",
            script.display(),
            result.status,
            String::from_utf8_lossy(&result.stderr).trim()
        )));
    }
    slurm::job_id(&answer).ok_or_else(|| {
        Failure::Run(format!(
            "error: sbatch answered {:?}, not a job id",
            answer.trim()
        ))
    })
}

/// `scontrol update JobId=M Dependency=D`; false when Slurm refuses (the job
/// has ended or is unknown).
fn scontrol_update(job: &str, dependency: &str) -> bool {
    Command::new("scontrol")
        .args([
            "update",
            &format!("JobId={job}"),
            &format!("Dependency={dependency}"),
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}
