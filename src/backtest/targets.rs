//! Past targets against outcomes: how often targets were met, by wording,
//! by how much, and where each target sat in the projection made the year
//! before it was set.
//!
//! # The file
//!
//! A CSV with a header and one row per consecutive year: `year`,
//! `target_pct` (the target growth in percent; empty when there was none),
//! `target_form` (the wording), `actual_pct` (the outcome in percent, latest
//! revision), and optionally `target_hi` (upper end of a range target) and
//! `first_release_pct` (the outcome as first published). Other columns
//! (`confidence`, `note`, ...) are ignored.
//!
//! # Wordings and when a target counts as met
//!
//! Chinese growth targets are read as floors: "about 7%" (7%左右) is
//! reported as achieved when growth reaches 7% and as missed when it falls
//! short (2014: 7.4% against "about 7.5%" was widely reported as the first
//! miss since 1998), and "protect 8" (保八, 2009) made the floor explicit.
//! So, with `tol` the `about_tolerance` in percentage points (default 0):
//!
//! | `target_form` | wording | met when |
//! |---|---|---|
//! | `about`, `左右` | about | actual ≥ target − tol |
//! | `above`, `at_least`, `at least`, `以上` | at least | actual ≥ target |
//! | `range` | range lo–hi (`target_pct`–`target_hi`) | actual ≥ lo (reaching the range; years inside it are counted too) |
//! | `none`, empty | no numeric target | not counted |
//!
//! The margin is `actual − target` (for a range, `actual − lo`), in
//! percentage points.
//!
//! # Where the target sat
//!
//! For each year `T` from the backtest's first forecast year on, every
//! method's projection is made from the outcomes before `T` (the same
//! column as is judged), exactly as in the backtest, and the target's
//! percentile is `100·F(target)` (the lower end for a range): the chance, under that projection, of
//! growth at or below the target. 80 means the target was bold (a 20%
//! projected chance of reaching it), 20 that it was timid.

use super::methods::{self, Method, SimSpec};
use super::{BacktestError, BacktestOptions};
use crate::history::Growth;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The wording of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wording {
    About,
    AtLeast,
    Range,
    None,
}

impl Wording {
    pub const ALL: [Wording; 4] = [
        Wording::About,
        Wording::AtLeast,
        Wording::Range,
        Wording::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Wording::About => "about",
            Wording::AtLeast => "at least",
            Wording::Range => "range",
            Wording::None => "none",
        }
    }

    /// The name in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Wording::About => "about",
            Wording::AtLeast => "at_least",
            Wording::Range => "range",
            Wording::None => "none",
        }
    }

    fn parse(s: &str) -> Option<Wording> {
        match s.trim().to_ascii_lowercase().as_str() {
            "about" | "左右" => Some(Wording::About),
            "above" | "at_least" | "at least" | "以上" => Some(Wording::AtLeast),
            "range" => Some(Wording::Range),
            "none" | "" => Some(Wording::None),
            _ => None,
        }
    }
}

/// Which outcome column judges the targets (and feeds the projections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `actual_pct`, the latest revision.
    Final,
    /// `first_release_pct`, as first published.
    FirstRelease,
}

/// One row of the file, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRow {
    pub year: i32,
    pub wording: Wording,
    pub target: Option<f64>,
    pub target_hi: Option<f64>,
    pub actual: f64,
    pub first_release: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("{file}: cannot read the file: {source}")]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: line {line}: not a readable CSV row: {message}")]
    Csv {
        file: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{file}: no column `{column}`\n  hint: a targets file has the columns year, target_pct, target_form, actual_pct (and optionally target_hi, first_release_pct)"
    )]
    MissingColumn { file: PathBuf, column: String },
    /// `message` holds the problem, the value and the fix.
    #[error("{file}: line {line}, column `{column}`: {message}")]
    Cell {
        file: PathBuf,
        line: u64,
        column: String,
        message: String,
    },
    #[error(
        "{file}: line {line}: year {found} follows {previous}; the years must be consecutive (year {expected} is missing or out of order)"
    )]
    Years {
        file: PathBuf,
        line: u64,
        previous: i32,
        expected: i32,
        found: i32,
    },
    #[error(transparent)]
    Backtest(#[from] BacktestError),
}

/// Read a targets file.
pub fn load(path: &Path) -> Result<Vec<TargetRow>, TargetsError> {
    use crate::input::file::{self, ReadError};
    let bytes =
        file::read(path, crate::history::MAX_FILE_BYTES).map_err(|e| TargetsError::Read {
            file: path.to_path_buf(),
            source: match e {
                ReadError::Io(source) => source,
                too_large => std::io::Error::other(too_large.to_string()),
            },
        })?;
    from_bytes(path, &bytes)
}

pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<TargetRow>, TargetsError> {
    let file = path.to_path_buf();
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let csv_err = |e: csv::Error| TargetsError::Csv {
        file: file.clone(),
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let header = r.headers().map_err(csv_err)?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| TargetsError::MissingColumn {
            file: file.clone(),
            column: name.into(),
        })
    };
    let (cy, ct, cf, ca) = (
        need("year")?,
        need("target_pct")?,
        need("target_form")?,
        need("actual_pct")?,
    );
    let (chi, cfirst) = (col("target_hi"), col("first_release_pct"));
    let mut rows: Vec<TargetRow> = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |c: usize, problem: &str, hint: &str| TargetsError::Cell {
            file: file.clone(),
            line,
            column: crate::input::text::excerpt(header.get(c).unwrap_or(""), 60),
            message: format!(
                "{problem} (value `{}`)\n  hint: {hint}",
                crate::input::text::excerpt(rec.get(c).unwrap_or(""), 60)
            ),
        };
        let opt_num = |c: Option<usize>| -> Result<Option<f64>, TargetsError> {
            let Some(c) = c else { return Ok(None) };
            let t = rec.get(c).unwrap_or("");
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(cell(
                    c,
                    "not a number",
                    "write a percent as a plain number, 6.5 for 6.5%",
                )),
            }
        };
        let year: i32 = rec
            .get(cy)
            .unwrap_or("")
            .parse()
            .ok()
            .filter(|y| crate::history::YEARS.contains(y))
            .ok_or_else(|| {
                cell(
                    cy,
                    "not a calendar year from 1 to 9999",
                    "write the year as a whole number",
                )
            })?;
        if let Some(prev) = rows.last().map(|r| r.year)
            && year != prev + 1
        {
            return Err(TargetsError::Years {
                file,
                line,
                previous: prev,
                expected: prev + 1,
                found: year,
            });
        }
        let wording = Wording::parse(rec.get(cf).unwrap_or("")).ok_or_else(|| {
            cell(
                cf,
                "unknown wording",
                "use about, above (at least), range or none",
            )
        })?;
        let target = opt_num(Some(ct))?;
        let target_hi = opt_num(chi)?;
        let actual = opt_num(Some(ca))?.ok_or_else(|| {
            cell(
                ca,
                "the outcome is missing",
                "fill in the growth of that year",
            )
        })?;
        if wording != Wording::None && target.is_none() {
            return Err(cell(
                ct,
                "a target with this wording needs a number",
                "write the target, or set target_form to none",
            ));
        }
        if wording == Wording::Range {
            match (target, target_hi) {
                (Some(lo), Some(hi)) if hi >= lo => {}
                _ => {
                    return Err(cell(
                        chi.unwrap_or(ct),
                        "a range needs target_hi at or above target_pct",
                        "put the lower end in target_pct and the upper end in target_hi",
                    ));
                }
            }
        }
        rows.push(TargetRow {
            year,
            wording,
            target,
            target_hi,
            actual,
            first_release: opt_num(cfirst)?,
        });
    }
    if rows.is_empty() {
        return Err(TargetsError::Cell {
            file,
            line: 1,
            column: "year".into(),
            message: "the file has no rows\n  hint: add one row per year".into(),
        });
    }
    Ok(rows)
}

/// The outcome of a row under the chosen column, in percent.
pub fn outcome_of(row: &TargetRow, outcome: Outcome) -> Option<f64> {
    match outcome {
        Outcome::Final => Some(row.actual),
        Outcome::FirstRelease => row.first_release,
    }
}

/// The outcome series as growth fractions, for the projections.
pub fn growth(file: &Path, rows: &[TargetRow], outcome: Outcome) -> Result<Growth, TargetsError> {
    let mut values = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        let v = outcome_of(r, outcome).ok_or_else(|| TargetsError::Cell {
            file: file.to_path_buf(),
            line: k as u64 + 2,
            column: "first_release_pct".into(),
            message: "the first release is missing\n  hint: fill it in, or judge by the latest figures (--outcome final)".into(),
        })?;
        values.push(v / 100.0);
    }
    Ok(Growth {
        name: match outcome {
            Outcome::Final => "actual_pct".into(),
            Outcome::FirstRelease => "first_release_pct".into(),
        },
        years: rows.iter().map(|r| r.year).collect(),
        values,
    })
}

/// One year's target judged.
#[derive(Debug, Clone, Serialize)]
pub struct YearResult {
    pub year: i32,
    pub wording: Wording,
    /// Target (lower end for a range), percent.
    pub target: Option<f64>,
    pub target_hi: Option<f64>,
    /// The outcome judged, percent.
    pub actual: f64,
    /// Absent when there was no target.
    pub met: Option<bool>,
    /// For ranges: whether the outcome fell inside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_range: Option<bool>,
    /// `actual − target` (lower end for a range), percentage points.
    pub margin: Option<f64>,
    /// Per method (naive, mean, ar1, sim): `100·F(target)` under the
    /// projection made from the years before; absent without a target or
    /// before the first forecast year.
    pub percentile: indexmap::IndexMap<&'static str, f64>,
    /// Per method: the projection's mean, percent.
    pub projected_mean: indexmap::IndexMap<&'static str, f64>,
}

/// Counts for one wording.
#[derive(Debug, Clone, Serialize)]
pub struct WordingSummary {
    /// `about`, `at_least`, `range`, `none`, or `all` (every year with a numeric target).
    pub wording: &'static str,
    pub years: usize,
    pub met: usize,
    /// `met / years` (absent for `none`).
    pub met_share: Option<f64>,
    /// Mean of `actual − target`, percentage points.
    pub mean_margin: Option<f64>,
    /// Ranges only: outcomes inside the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_range: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetsReport {
    pub outcome: Outcome,
    /// Percentage points by which an "about" target may be missed and still count as met.
    pub about_tolerance: f64,
    pub by_wording: Vec<WordingSummary>,
    /// All years with a numeric target.
    pub all: WordingSummary,
    /// Per method: mean percentile of the targets over the years that have one.
    pub mean_percentile: indexmap::IndexMap<&'static str, f64>,
    pub years: Vec<YearResult>,
}

/// Judge every year, and place each target in each method's projection.
pub fn evaluate(
    rows: &[TargetRow],
    growth: &Growth,
    outcome: Outcome,
    about_tolerance: f64,
    opts: &BacktestOptions,
) -> Result<TargetsReport, TargetsError> {
    super::check_options(opts)?;
    let start = super::first_index(growth, opts.from)?;
    let mut years = Vec::new();
    for (k, r) in rows.iter().enumerate() {
        let actual = growth.values[k] * 100.0;
        let met = r.target.map(|t| match r.wording {
            Wording::About => actual >= t - about_tolerance,
            _ => actual >= t,
        });
        let met = if r.wording == Wording::None {
            None
        } else {
            met
        };
        let within_range = match (r.wording, r.target, r.target_hi) {
            (Wording::Range, Some(lo), Some(hi)) => Some(lo <= actual && actual <= hi),
            _ => None,
        };
        let mut percentile = indexmap::IndexMap::new();
        let mut projected_mean = indexmap::IndexMap::new();
        if k >= start {
            for m in Method::ALL {
                let spec = SimSpec {
                    dist: opts.sim_dist,
                    draws: opts.draws,
                    seed: opts.seed,
                    index: (k - start) as u64,
                };
                let p = methods::predict(m, &growth.values[..k], spec);
                projected_mean.insert(m.name(), p.point() * 100.0);
                if let (Some(t), true) = (r.target, met.is_some()) {
                    percentile.insert(m.name(), 100.0 * p.cdf(t / 100.0));
                }
            }
        }
        years.push(YearResult {
            year: r.year,
            wording: r.wording,
            target: r.target.filter(|_| met.is_some()),
            target_hi: r.target_hi,
            actual,
            met,
            within_range,
            margin: r.target.filter(|_| met.is_some()).map(|t| actual - t),
            percentile,
            projected_mean,
        });
    }
    let summarise = |w: Option<Wording>| {
        let ys: Vec<&YearResult> = years
            .iter()
            .filter(|y| match w {
                Some(w) => y.wording == w,
                None => y.met.is_some(),
            })
            .collect();
        let judged: Vec<&&YearResult> = ys.iter().filter(|y| y.met.is_some()).collect();
        let met = judged.iter().filter(|y| y.met == Some(true)).count();
        let n = judged.len();
        WordingSummary {
            wording: w.map_or("all", Wording::key),
            years: ys.len(),
            met,
            met_share: (n > 0).then(|| met as f64 / n as f64),
            mean_margin: (n > 0)
                .then(|| judged.iter().filter_map(|y| y.margin).sum::<f64>() / n as f64),
            within_range: (w == Some(Wording::Range))
                .then(|| ys.iter().filter(|y| y.within_range == Some(true)).count()),
        }
    };
    let by_wording = Wording::ALL.iter().map(|&w| summarise(Some(w))).collect();
    let all = summarise(None);
    let mut mean_percentile = indexmap::IndexMap::new();
    for m in Method::ALL {
        let v: Vec<f64> = years
            .iter()
            .filter_map(|y| y.percentile.get(m.name()).copied())
            .collect();
        if !v.is_empty() {
            mean_percentile.insert(m.name(), v.iter().sum::<f64>() / v.len() as f64);
        }
    }
    Ok(TargetsReport {
        outcome,
        about_tolerance,
        by_wording,
        all,
        mean_percentile,
        years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "year,target_pct,target_form,actual_pct,target_hi,first_release_pct\n\
        2000,7,about,8,,7.5\n2001,7,about,6.9,,6.8\n2002,6.5,range,6.8,7,6.7\n\
        2003,6,above,5.5,,5.5\n2004,,none,2,,2\n2005,6,range,7.5,6.5,7.2\n\
        2006,6,about,6.2,,6.2\n2007,6,about,6.4,,6.4\n";

    fn rows() -> Vec<TargetRow> {
        from_bytes(Path::new("t.csv"), FILE.as_bytes()).unwrap()
    }

    #[test]
    fn targets_are_met_as_floors_by_wording() {
        let rows = rows();
        let g = growth(Path::new("t.csv"), &rows, Outcome::Final).unwrap();
        let opts = BacktestOptions {
            from: Some(2005),
            draws: 1000,
            ..BacktestOptions::default()
        };
        let r = evaluate(&rows, &g, Outcome::Final, 0.0, &opts).unwrap();
        let about = &r.by_wording[0];
        // 8 >= 7 met, 6.9 < 7 missed, 6.2 >= 6 met, 6.4 >= 6 met.
        assert_eq!((about.years, about.met), (4, 3));
        assert!((about.mean_margin.unwrap() - (1.0 - 0.1 + 0.2 + 0.4) / 4.0).abs() < 1e-12);
        let range = &r.by_wording[2];
        // 6.8 in 6.5–7: met and inside; 7.5 above 6–6.5: met, not inside.
        assert_eq!((range.met, range.within_range), (2, Some(1)));
        let at_least = &r.by_wording[1];
        assert_eq!((at_least.years, at_least.met), (1, 0));
        assert_eq!(r.by_wording[3].years, 1);
        assert_eq!((r.all.years, r.all.met), (7, 5));
        // With a 0.1-point tolerance, "about 7" is met by 6.9.
        let r = evaluate(&rows, &g, Outcome::Final, 0.1 + 1e-9, &opts).unwrap();
        assert_eq!(r.by_wording[0].met, 4);
        // Percentiles exist from 2005 on, for years with a target.
        assert!(r.years[4].percentile.is_empty());
        assert_eq!(r.years[5].percentile.len(), 4);
        let p = r.years[6].percentile["mean"];
        assert!((0.0..=100.0).contains(&p));
    }

    #[test]
    fn first_release_outcomes_can_judge_instead() {
        let rows = rows();
        let g = growth(Path::new("t.csv"), &rows, Outcome::FirstRelease).unwrap();
        assert!((g.values[0] - 0.075).abs() < 1e-15);
    }

    #[test]
    fn bad_rows_name_the_line_and_column() {
        let e = from_bytes(
            Path::new("t.csv"),
            b"year,target_pct,target_form,actual_pct\n2000,7,roughly,8\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2, column `target_form`"), "{e}");
        let e = from_bytes(
            Path::new("t.csv"),
            b"year,target_pct,target_form,actual_pct\n2000,7,about,8\n2002,7,about,8\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("year 2001 is missing"), "{e}");
        let e = from_bytes(Path::new("t.csv"), b"year,target_pct,actual_pct\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column `target_form`"), "{e}");
    }
}
