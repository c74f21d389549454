//! `[pipeline]` (a key-project list, inline or from a CSV file beside the
//! scenario), `[peers]` (the city's other districts) and the two kinds of
//! indicator they feed: pipeline aggregates (`pipeline = "count"` or
//! `"amount"`) and ranks (`rank = "gdp_growth"`). See the README, sections
//! "Project pipelines" and "Peers and rank targets".
//!
//! Both are one-year features: a multi-year scenario with either is refused
//! (a key-project list is the year's list).

use super::fields::{Fields, did_you_mean, index, join, show};
use super::validate::{Problems, distribution, param_problem};
use super::{Driver, Indicator};
use crate::error::Problem;
use crate::model::distribution::{Distribution, Marginal};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Most projects a pipeline may list (inline and file together): ten times
/// a large district's key-project list, and what the performance test runs.
pub const MAX_PROJECTS: usize = 50_000;
/// Most peer districts: more than any city has.
pub const MAX_PEERS: usize = 200;

/// A project's amount when it starts.
#[derive(Debug, Clone)]
pub enum Amount {
    Fixed(f64),
    /// Drawn independently of everything else, once per draw in which the project starts.
    Drawn(Box<Marginal>),
}

impl Amount {
    pub fn mean(&self) -> f64 {
        match self {
            Amount::Fixed(v) => *v,
            Amount::Drawn(m) => m.mean(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    /// Probability that it starts (or completes, as the list says) in the year.
    pub p: f64,
    pub amount: Amount,
    /// Quarter (1-4) it is planned to start in.
    pub quarter: Option<u8>,
    /// Whether it adds a firm above the size threshold (规上企业).
    pub firm: bool,
    pub sector: Option<String>,
    /// Share `rho` of its latent variable's variance from the common factor.
    pub loading: f64,
}

/// A normal driver used as a common factor: its standardised value is the
/// factor's score, so the factor moves with the scenario's other drivers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Factor {
    pub driver: usize,
    pub mean: f64,
    pub sd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Projects started.
    Count,
    /// Sum of the amounts of the projects started.
    Amount,
}

/// An indicator that adds up the projects started, optionally only some.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Index into `Scenario::indicators`.
    pub indicator: usize,
    pub measure: Measure,
    pub sector: Option<String>,
    pub firm: Option<bool>,
    /// Only projects planned to start in this quarter or earlier.
    pub by_quarter: Option<u8>,
}

impl Aggregate {
    pub fn includes(&self, p: &Project) -> bool {
        self.sector
            .as_ref()
            .is_none_or(|s| p.sector.as_ref() == Some(s))
            && self.firm.is_none_or(|f| p.firm == f)
            && self
                .by_quarter
                .is_none_or(|q| p.quarter.is_some_and(|pq| pq <= q))
    }
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub projects: Vec<Project>,
    /// `None`: the common factor is drawn on its own stream.
    pub factor: Option<Factor>,
    /// The CSV file the projects came from, if any.
    pub file: Option<PathBuf>,
    pub aggregates: Vec<Aggregate>,
}

#[derive(Debug, Clone)]
pub struct PeerIndicator {
    /// The district's indicator the peers' values compare with.
    pub indicator: usize,
    /// Share of each peer's latent variance from the city-wide factor.
    pub loading: f64,
    /// Each peer's marginal, in the order of `Peers::names`.
    pub marginals: Vec<Marginal>,
}

/// A rank indicator: 1 + the number of peers whose value is strictly higher.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    /// Index into `Scenario::indicators` of the rank indicator itself.
    pub indicator: usize,
    /// Index into `Peers::indicators`.
    pub peer: usize,
}

#[derive(Debug, Clone)]
pub struct Peers {
    pub names: Vec<String>,
    pub factor: Option<Factor>,
    pub indicators: Vec<PeerIndicator>,
    pub ranks: Vec<Rank>,
}

/// What an indicator table said instead of a formula.
#[derive(Debug, Clone)]
pub enum Special {
    Aggregate {
        measure: Measure,
        sector: Option<String>,
        firm: Option<bool>,
        by_quarter: Option<u8>,
    },
    Rank {
        of: String,
    },
}

/// Read `pipeline = ...` or `rank = ...` from an indicator table: the
/// special kind, the formula text shown in reports, and the formula the
/// validator orders by (a rank reads the district's indicator).
pub(super) fn special(f: &mut Fields, p: &mut Problems) -> Option<(Special, String, String)> {
    if f.has("pipeline") {
        let path = f.child_path("pipeline");
        let measure = match f.opt_str("pipeline", p)?.as_str() {
            "count" => Measure::Count,
            "amount" => Measure::Amount,
            other => {
                p.push(
                    Problem::new(path, "must be \"count\" or \"amount\"")
                        .value(format!("\"{other}\""))
                        .hint("\"count\" counts the projects started, \"amount\" adds up their amounts"),
                );
                return None;
            }
        };
        let sector = f.opt_str("sector", p);
        let firm = f.opt_bool("firm", p);
        let qpath = f.child_path("quarter");
        let by_quarter = match f.opt_u64("quarter", p) {
            Some(q @ 1..=4) => Some(q as u8),
            Some(q) => {
                p.push(
                    Problem::new(qpath, "must be a quarter, 1 to 4")
                        .value(q.to_string())
                        .hint("quarter = 2 counts projects planned to start by the second quarter"),
                );
                None
            }
            None => None,
        };
        let mut text = format!(
            "pipeline {}",
            if measure == Measure::Count {
                "count"
            } else {
                "amount"
            }
        );
        if let Some(s) = &sector {
            text.push_str(&format!(", sector {s}"));
        }
        if let Some(b) = firm {
            text.push_str(if b { ", firms" } else { ", not firms" });
        }
        if let Some(q) = by_quarter {
            text.push_str(&format!(", by Q{q}"));
        }
        return Some((
            Special::Aggregate {
                measure,
                sector,
                firm,
                by_quarter,
            },
            text,
            "0".into(),
        ));
    }
    if f.has("rank") {
        let of = f.opt_str("rank", p)?;
        let text = format!("rank of {of} among the peers");
        return Some((Special::Rank { of: of.clone() }, text, of));
    }
    None
}

/// The default kind of a special indicator: both are whole numbers except
/// an amount.
pub(super) fn default_kind(f: &Fields) -> Option<super::Kind> {
    (f.has("rank") || f.has("pipeline")).then_some(super::Kind::Count)
}

/// Read `[pipeline]` and `[peers]`, and bind the special indicators.
/// Returns the pipeline, the peers, and the CSV file's bytes (hashed with
/// the scenario).
#[allow(clippy::too_many_arguments)]
pub(super) fn read(
    path: &Path,
    pipeline: Option<&Value>,
    peers: Option<&Value>,
    multi_year: bool,
    drivers: &[Driver],
    indicators: &[Indicator],
    specials: &[(String, String, Special)],
    p: &mut Problems,
) -> (Option<Pipeline>, Option<Peers>, Vec<u8>) {
    let index_of = |name: &str| indicators.iter().position(|i| i.name == name);
    if multi_year {
        for (key, v) in [("pipeline", pipeline), ("peers", peers)] {
            if v.is_some() {
                p.push(
                    Problem::new(
                        key,
                        "is for one-year scenarios; this scenario has a horizon",
                    )
                    .hint("model the year's key-project list and peers in a one-year scenario"),
                );
            }
        }
        return (None, None, Vec::new());
    }
    let mut bytes = Vec::new();
    let mut pipe = pipeline.and_then(|v| read_pipeline(path, v, drivers, p, &mut bytes));
    let mut peer = peers.and_then(|v| read_peers(v, drivers, indicators, p));
    for (name, ipath, sp) in specials {
        let Some(indicator) = index_of(name) else {
            continue;
        };
        match sp {
            Special::Aggregate {
                measure,
                sector,
                firm,
                by_quarter,
            } => match &mut pipe {
                Some(pl) => {
                    let a = Aggregate {
                        indicator,
                        measure: *measure,
                        sector: sector.clone(),
                        firm: *firm,
                        by_quarter: *by_quarter,
                    };
                    if let Some(s) = &a.sector
                        && !pl.projects.iter().any(|x| x.sector.as_ref() == Some(s))
                    {
                        let sectors: Vec<&str> = pl
                            .projects
                            .iter()
                            .filter_map(|x| x.sector.as_deref())
                            .collect();
                        p.push(
                            Problem::new(join(ipath, "sector"), "no project has this sector")
                                .value(format!("\"{s}\""))
                                .maybe_hint(did_you_mean(s, sectors)),
                        );
                    }
                    pl.aggregates.push(a);
                }
                None if pipeline.is_none() => p.push(
                    Problem::new(join(ipath, "pipeline"), "the scenario has no [pipeline]").hint(
                        "list the projects under [pipeline] (inline or file = \"projects.csv\")",
                    ),
                ),
                None => {}
            },
            Special::Rank { of } => match &mut peer {
                Some(pr) => {
                    match pr
                        .indicators
                        .iter()
                        .position(|pi| indicators[pi.indicator].name == *of)
                    {
                        Some(k) => pr.ranks.push(Rank { indicator, peer: k }),
                        None => p.push(
                            Problem::new(
                                join(ipath, "rank"),
                                "the peers have no values for this indicator",
                            )
                            .value(format!("\"{of}\""))
                            .hint(format!(
                                "add [peers.indicators.{of}] with the peers' distribution"
                            )),
                        ),
                    }
                }
                None if peers.is_none() => p.push(
                    Problem::new(join(ipath, "rank"), "the scenario has no [peers]").hint(
                        "list the city's other districts under [peers] with districts = [...]",
                    ),
                ),
                None => {}
            },
        }
    }
    (pipe, peer, bytes)
}

fn factor(f: &mut Fields, drivers: &[Driver], p: &mut Problems) -> Option<Factor> {
    let path = f.child_path("factor");
    let name = f.opt_str("factor", p)?;
    let Some(i) = drivers.iter().position(|d| d.name == name) else {
        p.push(
            Problem::new(path, "unknown driver")
                .value(format!("\"{name}\""))
                .maybe_hint(did_you_mean(&name, drivers.iter().map(|d| d.name.as_str()))),
        );
        return None;
    };
    match drivers[i].distribution {
        Distribution::Normal { mean, sd } => Some(Factor {
            driver: i,
            mean,
            sd,
        }),
        _ => {
            p.push(
                Problem::new(path, "a common factor must be a normal driver")
                    .value(format!("\"{name}\""))
                    .hint("its standardised value is the factor's score; give the driver dist = \"normal\""),
            );
            None
        }
    }
}

fn loading(v: &Value, path: &str, p: &mut Problems) -> Option<f64> {
    let x = super::fields::number(v, path, p)?;
    if (0.0..1.0).contains(&x) {
        Some(x)
    } else {
        p.push(
            Problem::new(path, "a loading must be at least 0 and less than 1")
                .value(show(v))
                .hint("it is the share of the latent variance from the common factor, e.g. 0.2"),
        );
        None
    }
}

fn probability(x: f64, path: &str, shown: String, p: &mut Problems) -> Option<f64> {
    if (0.0..=1.0).contains(&x) {
        Some(x)
    } else {
        let hint = if x > 1.0 && x <= 100.0 {
            format!("write a probability as a fraction: {}", x / 100.0)
        } else {
            "a probability is between 0 and 1".into()
        };
        p.push(
            Problem::new(path, "must be a probability between 0 and 1")
                .value(shown)
                .hint(hint),
        );
        None
    }
}

fn read_pipeline(
    path: &Path,
    v: &Value,
    drivers: &[Driver],
    p: &mut Problems,
    bytes: &mut Vec<u8>,
) -> Option<Pipeline> {
    let mut f = Fields::of(v, "pipeline", p)?;
    let before = p.len();
    let factor = factor(&mut f, drivers, p);
    let default_loading = match f.get("loading") {
        Some(v) => loading(v, "pipeline.loading", p).unwrap_or(0.0),
        None => 0.0,
    };
    let mut sector_loading: Vec<(String, f64)> = Vec::new();
    // `Fields::of` reports a value that is not a table.
    if let Some(v) = f.get("sector_loading")
        && Fields::of(v, "pipeline.sector_loading", p).is_some()
        && let Value::Object(m) = v
    {
        for (k, x) in m {
            let kp = join("pipeline.sector_loading", k);
            if let Some(l) = loading(x, &kp, p) {
                sector_loading.push((k.clone(), l));
            }
        }
    }
    let defaults = |sector: Option<&str>| {
        sector
            .and_then(|s| sector_loading.iter().find(|(k, _)| k == s).map(|x| x.1))
            .unwrap_or(default_loading)
    };
    let mut projects = Vec::new();
    let mut file = None;
    if let Some(name) = f.opt_str("file", p) {
        let full = path.parent().unwrap_or(Path::new("")).join(&name);
        match crate::input::file::read(&full, super::source::MAX_FILE_BYTES) {
            Ok(b) => {
                csv_projects(&name, &b, &defaults, &mut projects, p);
                bytes.extend_from_slice(&b);
                file = Some(full);
            }
            Err(e) => {
                let why = match e {
                    crate::input::file::ReadError::Io(e) => e.to_string(),
                    crate::input::file::ReadError::TooLarge { size, limit } => {
                        format!("{size} bytes, more than the limit of {limit}")
                    }
                };
                p.push(
                    Problem::new(
                        "pipeline.file",
                        format!("cannot read {}: {why}", full.display()),
                    )
                    .value(format!("\"{name}\""))
                    .hint("the file name is relative to the scenario's folder"),
                );
            }
        }
    }
    if let Some(list) = f.get("projects") {
        match list {
            Value::Array(items) => {
                for (k, item) in items.iter().enumerate() {
                    let ipath = index("pipeline.projects", k);
                    if let Some(pr) = inline_project(item, &ipath, &defaults, p) {
                        projects.push(pr);
                    }
                }
            }
            other => p.push(
                Problem::new("pipeline.projects", "must be a list of project tables")
                    .value(show(other))
                    .hint("write [[pipeline.projects]] before each project"),
            ),
        }
    }
    f.finish(p);
    if p.len() > before {
        return None;
    }
    if projects.is_empty() {
        p.push(
            Problem::new("pipeline", "lists no projects")
                .hint("add file = \"projects.csv\" or [[pipeline.projects]] entries"),
        );
        return None;
    }
    if projects.len() > MAX_PROJECTS {
        p.push(Problem::new(
            "pipeline",
            format!(
                "lists {} projects; at most {MAX_PROJECTS} are allowed",
                projects.len()
            ),
        ));
        return None;
    }
    let mut seen = HashSet::new();
    for pr in &projects {
        if !seen.insert(pr.name.as_str()) {
            // CSV duplicates are reported with their line; this catches a
            // name both in the file and inline.
            p.push(
                Problem::new("pipeline.projects", "two projects have the same name")
                    .value(format!("\"{}\"", pr.name))
                    .hint("give each project its own name"),
            );
            return None;
        }
    }
    Some(Pipeline {
        projects,
        factor,
        file,
        aggregates: Vec::new(),
    })
}

fn inline_project(
    v: &Value,
    path: &str,
    defaults: &dyn Fn(Option<&str>) -> f64,
    p: &mut Problems,
) -> Option<Project> {
    let mut f = Fields::of(v, path, p)?;
    let before = p.len();
    let name = f.opt_str("name", p);
    if name.is_none() && !f.has("name") {
        p.push(Problem::new(path, "a project needs `name`").hint("add name = \"...\""));
    }
    let pp = f.req_f64("p", "a project", p);
    let prob = pp.and_then(|x| probability(x, &join(path, "p"), x.to_string(), p));
    let amount = match f.get("amount") {
        None => {
            p.push(
                Problem::new(path, "a project needs `amount`")
                    .hint("a fixed value (amount = 12.5) or a distribution (amount = { dist = \"triangular\", min = 8, mode = 10, max = 15 })"),
            );
            None
        }
        Some(Value::Number(n)) => n.as_f64().map(Amount::Fixed),
        Some(t @ Value::Object(_)) => {
            let apath = join(path, "amount");
            Fields::of(t, &apath, p).and_then(|mut af| {
                let d = distribution(&mut af, p);
                af.finish(p);
                d.and_then(|d| match Marginal::new(&d) {
                    Ok(m) => Some(Amount::Drawn(Box::new(m))),
                    Err(e) => {
                        p.push(param_problem(&apath, &e));
                        None
                    }
                })
            })
        }
        Some(other) => {
            p.push(
                Problem::new(
                    join(path, "amount"),
                    "must be a number or a distribution table",
                )
                .value(show(other)),
            );
            None
        }
    };
    let sector = f.opt_str("sector", p);
    let firm = f.opt_bool("firm", p).unwrap_or(false);
    let qpath = join(path, "quarter");
    let quarter = match f.opt_u64("quarter", p) {
        Some(q @ 1..=4) => Some(q as u8),
        Some(q) => {
            p.push(Problem::new(qpath, "must be a quarter, 1 to 4").value(q.to_string()));
            None
        }
        None => None,
    };
    let load = match f.get("loading") {
        Some(v) => loading(v, &join(path, "loading"), p),
        None => Some(defaults(sector.as_deref())),
    };
    f.finish(p);
    if p.len() > before {
        return None;
    }
    Some(Project {
        name: name?,
        p: prob?,
        amount: amount?,
        quarter,
        firm,
        sector,
        loading: load?,
    })
}

/// Columns a project CSV may have; `name`, `p` and `amount` are required.
pub const CSV_COLUMNS: [&str; 7] = [
    "name", "p", "amount", "quarter", "firm", "sector", "loading",
];

/// Read the project list from CSV text. Every problem names the file, the
/// line and the column.
fn csv_projects(
    file: &str,
    bytes: &[u8],
    defaults: &dyn Fn(Option<&str>) -> f64,
    out: &mut Vec<Project>,
    p: &mut Problems,
) {
    let at =
        |line: u64, column: &str| format!("pipeline.file ({file}) line {line}, column {column}");
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let line = e.position().map_or(1, |x| x.line());
            p.push(Problem::new(
                format!("pipeline.file ({file}) line {line}"),
                crate::input::text::excerpt(&e.to_string(), 200),
            ));
            return;
        }
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    for h in &names {
        if !CSV_COLUMNS.contains(&h.as_str()) {
            p.push(
                Problem::new(at(1, h), "unknown column").hint(
                    did_you_mean(h, CSV_COLUMNS)
                        .unwrap_or_else(|| format!("known columns: {}", CSV_COLUMNS.join(", "))),
                ),
            );
        }
    }
    let col = |c: &str| names.iter().position(|h| h == c);
    let missing: Vec<&str> = ["name", "p", "amount"]
        .into_iter()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        p.push(
            Problem::new(
                format!("pipeline.file ({file}) line 1"),
                format!("the header has no column {}", missing.join(", ")),
            )
            .value(crate::input::text::excerpt(&names.join(","), 200))
            .hint("the first line names the columns, e.g. name,p,amount,quarter,firm,sector"),
        );
        return;
    }
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for record in reader.records() {
        if out.len() > MAX_PROJECTS || p.len() > 50 {
            return;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |x| x.line());
                p.push(
                    Problem::new(
                        format!("pipeline.file ({file}) line {line}"),
                        crate::input::text::excerpt(&e.to_string(), 200),
                    )
                    .hint("every line needs as many cells as the header"),
                );
                return;
            }
        };
        let line = record.position().map_or(0, |x| x.line());
        let cell = |c: &str| col(c).and_then(|i| record.get(i)).unwrap_or("");
        let before = p.len();
        let name = cell("name").to_string();
        if name.is_empty() {
            p.push(Problem::new(at(line, "name"), "a project needs a name"));
        } else if let Err(e) = crate::input::text::check(&name, crate::input::text::TextKind::Line)
        {
            p.push(Problem::new(at(line, "name"), e.to_string()));
        } else if let Some(first) = seen.get(&name) {
            p.push(
                Problem::new(
                    at(line, "name"),
                    format!("the same name as the project on line {first}"),
                )
                .value(crate::input::text::excerpt(&name, 60))
                .hint("give each project its own name"),
            );
        } else {
            seen.insert(name.clone(), line);
        }
        let num = |c: &str, p: &mut Problems| -> Option<f64> {
            let s = cell(c);
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    p.push(
                        Problem::new(at(line, c), "must be a finite number")
                            .value(crate::input::text::excerpt(s, 60)),
                    );
                    None
                }
            }
        };
        let prob = num("p", p).and_then(|x| probability(x, &at(line, "p"), x.to_string(), p));
        let amount = num("amount", p);
        let quarter = match cell("quarter") {
            "" => None,
            s => match s.parse::<u8>() {
                Ok(q @ 1..=4) => Some(q),
                _ => {
                    p.push(
                        Problem::new(at(line, "quarter"), "must be a quarter, 1 to 4, or empty")
                            .value(crate::input::text::excerpt(s, 60)),
                    );
                    None
                }
            },
        };
        let firm = match cell("firm").to_ascii_lowercase().as_str() {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            s => {
                p.push(
                    Problem::new(at(line, "firm"), "must be true or false (or empty)")
                        .value(crate::input::text::excerpt(s, 60)),
                );
                false
            }
        };
        let sector = Some(cell("sector").to_string()).filter(|s| !s.is_empty());
        // Text from the file reaches reports and the terminal, as a scenario's does.
        if let Some(sec) = &sector
            && let Err(e) = crate::input::text::check(sec, crate::input::text::TextKind::Line)
        {
            p.push(Problem::new(at(line, "sector"), e.to_string()));
        }
        let load = match cell("loading") {
            "" => Some(defaults(sector.as_deref())),
            s => {
                let v = s
                    .parse::<f64>()
                    .map(Value::from)
                    .unwrap_or(Value::String(s.to_string()));
                loading(&v, &at(line, "loading"), p)
            }
        };
        if p.len() > before {
            continue;
        }
        if let (Some(prob), Some(amount), Some(load)) = (prob, amount, load) {
            out.push(Project {
                name,
                p: prob,
                amount: Amount::Fixed(amount),
                quarter,
                firm,
                sector,
                loading: load,
            });
        }
    }
}

fn read_peers(
    v: &Value,
    drivers: &[Driver],
    indicators: &[Indicator],
    p: &mut Problems,
) -> Option<Peers> {
    let mut f = Fields::of(v, "peers", p)?;
    let before = p.len();
    let factor = factor(&mut f, drivers, p);
    let mut names: Vec<String> = Vec::new();
    match f.get("districts") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_PEERS => {
            for (k, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) if !s.is_empty() && !names.iter().any(|n| n == s) => {
                        names.push(s.to_string())
                    }
                    _ => p.push(
                        Problem::new(
                            index("peers.districts", k),
                            "must be a district's name, not empty and not repeated",
                        )
                        .value(show(item)),
                    ),
                }
            }
        }
        other => p.push(
            Problem::new(
                "peers.districts",
                format!("must list the other districts' names (1 to {MAX_PEERS})"),
            )
            .value(other.map_or_else(|| "missing".to_string(), show))
            .hint("districts = [\"东城区\", \"西城区\", ...]: the city's N - 1 other districts"),
        ),
    }
    let mut list = Vec::new();
    match f.get("indicators") {
        Some(Value::Object(m)) => {
            for (name, spec) in m {
                let ipath = join("peers.indicators", name);
                let Some(indicator) = indicators.iter().position(|i| &i.name == name) else {
                    p.push(
                        Problem::new(ipath, "not an indicator of the district")
                            .maybe_hint(did_you_mean(name, indicators.iter().map(|i| i.name.as_str()))),
                    );
                    continue;
                };
                let Some(mut sf) = Fields::of(spec, &ipath, p) else {
                    continue;
                };
                let default = distribution(&mut sf, p).and_then(|d| {
                    Marginal::new(&d)
                        .map_err(|e| p.push(param_problem(&ipath, &e)))
                        .ok()
                });
                let load = match sf.get("loading") {
                    Some(v) => loading(v, &join(&ipath, "loading"), p),
                    None => Some(0.0),
                };
                if load.is_some_and(|l| l > 0.0) && factor.is_none() {
                    p.push(
                        Problem::new(join(&ipath, "loading"), "a loading needs the city-wide factor")
                            .hint("name it under [peers] with factor = \"<a normal driver>\""),
                    );
                }
                let mut marginals: Vec<Option<Marginal>> = vec![default.clone(); names.len()];
                if let Some(by) = sf.get("by_district") {
                    if let Value::Object(bm) = by {
                        for (peer, dspec) in bm {
                            let dpath = join(&join(&ipath, "by_district"), peer);
                            let Some(k) = names.iter().position(|n| n == peer) else {
                                p.push(
                                    Problem::new(dpath, "not one of peers.districts")
                                        .maybe_hint(did_you_mean(peer, names.iter().map(String::as_str))),
                                );
                                continue;
                            };
                            if let Some(mut df) = Fields::of(dspec, &dpath, p) {
                                marginals[k] = distribution(&mut df, p).and_then(|d| {
                                    Marginal::new(&d)
                                        .map_err(|e| p.push(param_problem(&dpath, &e)))
                                        .ok()
                                });
                                df.finish(p);
                            }
                        }
                    } else {
                        p.push(Problem::new(join(&ipath, "by_district"), "must be a table of district = distribution").value(show(by)));
                    }
                }
                sf.finish(p);
                if let (Some(loading), Some(marginals)) =
                    (load, marginals.into_iter().collect::<Option<Vec<_>>>())
                {
                    list.push(PeerIndicator {
                        indicator,
                        loading,
                        marginals,
                    });
                }
            }
        }
        other => p.push(
            Problem::new("peers.indicators", "must give the peers' distribution for at least one of the district's indicators")
                .value(other.map_or_else(|| "missing".to_string(), show))
                .hint("[peers.indicators.gdp_growth] dist = \"normal\", mean = 0.055, sd = 0.012, loading = 0.5"),
        ),
    }
    f.finish(p);
    if p.len() > before {
        return None;
    }
    Some(Peers {
        names,
        factor,
        indicators: list,
        ranks: Vec::new(),
    })
}
