//! Historical series: a CSV file with a `year` column and one column per
//! series (levels, one row per year), and the growth rates computed from it.
//!
//! Promises: every year from the first to the last is present exactly once
//! and in increasing order; every cell of every series is a finite number.
//! A missing year, a repeated year, an empty or non-numeric cell is an error
//! naming the file, the line (as a spreadsheet shows it: the header is line
//! 1) and the column.
//!
//! The same table may come from a workbook (`.xlsx`, first sheet or a
//! named one): see [`workbook`]. Its problems name the sheet and the cell.
//!
//! The growth rate of year `t` is `level[t] / level[t − 1] − 1`, a fraction
//! (0.05 for 5%). It needs a positive level in year `t − 1`.

use std::path::{Path, PathBuf};

pub mod workbook;

/// Largest history file read: decades of annual data for thousands of
/// series fit in a fraction of this.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Calendar years a history may hold (the scenario format's range).
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The bytes of a history or targets file, read safely (see
/// [`crate::input::file::read`]).
pub fn read_input(path: &Path) -> Result<Vec<u8>, HistoryError> {
    use crate::input::file::{self, ReadError};
    file::read(path, MAX_FILE_BYTES).map_err(|e| HistoryError::Read {
        file: path.to_path_buf(),
        source: match e {
            ReadError::Io(source) => source,
            too_large => std::io::Error::other(too_large.to_string()),
        },
    })
}

/// A file of annual levels.
#[derive(Debug, Clone)]
pub struct History {
    pub file: PathBuf,
    /// The years, consecutive and increasing.
    pub years: Vec<i32>,
    /// One per column after `year`, in file order.
    pub series: Vec<Series>,
}

/// One column of levels, aligned with [`History::years`].
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub levels: Vec<f64>,
}

/// Growth rates of one series: `values[k]` is the growth in `years[k]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    pub name: String,
    pub years: Vec<i32>,
    pub values: Vec<f64>,
}

/// Why a history file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{file}: cannot read the file: {source}")]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Problems in a history workbook, each naming its sheet and cell.
    #[error("{}", crate::error::render_cells(file, problems))]
    Workbook {
        file: PathBuf,
        problems: Vec<crate::input::workbook::CellProblem>,
    },
    #[error(
        "{file}: --sheet {sheet}: the file is not a workbook, so it has no sheets\n  hint: drop --sheet for a CSV file, or give the .xlsx file"
    )]
    SheetOfCsv { file: PathBuf, sheet: String },
    #[error("{file}: line {line}: not a readable CSV row: {message}")]
    Csv {
        file: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{file}: the first column must be `year` (found `{found}`)\n  hint: put the years in the first column, headed `year`"
    )]
    NoYearColumn { file: PathBuf, found: String },
    #[error("{file}: no data rows; a history needs at least {needed} years")]
    TooShort { file: PathBuf, needed: usize },
    /// `message` holds the problem, the value and the fix.
    #[error("{file}: line {line}, column `{column}`: {message}")]
    Cell {
        file: PathBuf,
        line: u64,
        column: String,
        message: String,
    },
    #[error(
        "{file}: line {line}: year {found} follows {previous}; year {expected} is missing\n  hint: add a row for every year from {first} to the last, in order"
    )]
    MissingYear {
        file: PathBuf,
        line: u64,
        previous: i32,
        expected: i32,
        found: i32,
        first: i32,
    },
    #[error(
        "{file}: line {line}: year {found} follows {previous}; years must increase by one, each once\n  hint: sort the rows by year and remove repeated years"
    )]
    YearOrder {
        file: PathBuf,
        line: u64,
        previous: i32,
        found: i32,
    },
    /// A column name that breaks the inert-text rule, is empty or repeated.
    #[error("{file}: column {position} of the header, `{name}`: {problem}\n  hint: {hint}")]
    ColumnName {
        file: PathBuf,
        /// 1-based, counting `year`.
        position: usize,
        /// Escaped and cut short for the message.
        name: String,
        problem: String,
        hint: String,
    },
    #[error("{file}: no column `{name}`; the series are: {available}{hint}")]
    UnknownSeries {
        file: PathBuf,
        name: String,
        available: String,
        hint: String,
    },
    #[error(
        "{file}: column `{column}`: the level in {year} is {value}, so the growth rate of {next} cannot be computed\n  hint: growth rates need positive levels"
    )]
    NonPositiveLevel {
        file: PathBuf,
        column: String,
        year: i32,
        next: i32,
        value: f64,
    },
    #[error(
        "{file}: --years {from}..{to}: {problem}\n  hint: the file covers {first}..{last}; give FROM..TO with FROM < TO inside it"
    )]
    YearRange {
        file: PathBuf,
        from: i32,
        to: i32,
        first: i32,
        last: i32,
        problem: String,
    },
}

impl History {
    /// Read and check a history file: a regular file (a FIFO or a device is
    /// refused before it is opened) of at most [`MAX_FILE_BYTES`].
    pub fn load(path: &Path) -> Result<History, HistoryError> {
        let bytes = read_input(path)?;
        History::from_bytes(path, &bytes)
    }

    /// Read and check a history file of either kind: a workbook (`.xlsx`)
    /// from its sheet `sheet` (the first sheet when `None`), any other file
    /// as CSV (where a sheet name is an error).
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<History, HistoryError> {
        if workbook::is_workbook(path) {
            let (years, series) = workbook::read(path, sheet)?;
            return Ok(History {
                file: path.to_path_buf(),
                years,
                series,
            });
        }
        if let Some(sheet) = sheet {
            return Err(HistoryError::SheetOfCsv {
                file: path.to_path_buf(),
                sheet: crate::input::text::excerpt(sheet, 60),
            });
        }
        History::load(path)
    }

    /// Parse history text; `path` is used in messages only.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<History, HistoryError> {
        let file = path.to_path_buf();
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(bytes);
        let csv_err = |e: csv::Error| HistoryError::Csv {
            file: file.clone(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        };
        let header = reader.headers().map_err(csv_err)?.clone();
        let first = header.get(0).unwrap_or("").trim_start_matches('\u{feff}');
        if !first.eq_ignore_ascii_case("year") {
            return Err(HistoryError::NoYearColumn {
                file,
                found: crate::input::text::excerpt(first, 60),
            });
        }
        let names: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
        check_names(&file, &names)?;
        let mut years: Vec<i32> = Vec::new();
        let mut levels: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        for record in reader.records() {
            let record = record.map_err(csv_err)?;
            let line = record.position().map_or(0, |p| p.line());
            let cell = |column: &str, value: &str, problem: &str, hint: &str| HistoryError::Cell {
                file: file.clone(),
                line,
                column: column.to_string(),
                message: format!(
                    "{problem} (value `{}`)\n  hint: {hint}",
                    crate::input::text::excerpt(value, 60)
                ),
            };
            let y = record.get(0).unwrap_or("");
            let year: i32 = y
                .parse()
                .ok()
                .filter(|year| YEARS.contains(year))
                .ok_or_else(|| {
                    cell(
                        "year",
                        y,
                        "not a calendar year from 1 to 9999",
                        "write the year as a whole number, e.g. 1995",
                    )
                })?;
            if let Some(&previous) = years.last() {
                if year > previous + 1 {
                    return Err(HistoryError::MissingYear {
                        file,
                        line,
                        previous,
                        expected: previous + 1,
                        found: year,
                        first: years[0],
                    });
                }
                if year != previous + 1 {
                    return Err(HistoryError::YearOrder {
                        file,
                        line,
                        previous,
                        found: year,
                    });
                }
            }
            years.push(year);
            for (k, name) in names.iter().enumerate() {
                let text = record.get(k + 1).unwrap_or("");
                levels[k].push(
                    parse_number(text)
                        .map_err(|(problem, hint)| cell(name, text, problem, hint))?,
                );
            }
        }
        if years.len() < 2 {
            return Err(HistoryError::TooShort { file, needed: 2 });
        }
        Ok(History {
            file,
            years,
            series: names
                .into_iter()
                .zip(levels)
                .map(|(name, levels)| Series { name, levels })
                .collect(),
        })
    }

    /// The series named `name`, or an error listing the columns.
    pub fn series(&self, name: &str) -> Result<&Series, HistoryError> {
        self.series.iter().find(|s| s.name == name).ok_or_else(|| {
            let close = self
                .series
                .iter()
                .map(|s| (strsim::jaro_winkler(&s.name, name), &s.name))
                .filter(|(d, _)| *d > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            HistoryError::UnknownSeries {
                file: self.file.clone(),
                name: name.to_string(),
                available: self
                    .series
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                hint: close.map_or(String::new(), |(_, n)| {
                    format!("\n  hint: did you mean `{n}`?")
                }),
            }
        })
    }

    /// Growth rates of `name` from the levels of years `from..=to` (the
    /// whole file when `None`): growth years `from + 1 ..= to`.
    pub fn growth(&self, name: &str, years: Option<(i32, i32)>) -> Result<Growth, HistoryError> {
        let s = self.series(name)?;
        let first = self.years[0];
        let last = *self.years.last().unwrap_or(&first);
        let (from, to) = years.unwrap_or((first, last));
        let range_err = |problem: &str| HistoryError::YearRange {
            file: self.file.clone(),
            from,
            to,
            first,
            last,
            problem: problem.to_string(),
        };
        if from >= to {
            return Err(range_err("FROM must be before TO"));
        }
        if from < first || to > last {
            return Err(range_err("the years are not all in the file"));
        }
        let lo = (from - first) as usize;
        let hi = (to - first) as usize;
        let mut out = Growth {
            name: name.to_string(),
            years: Vec::with_capacity(hi - lo),
            values: Vec::with_capacity(hi - lo),
        };
        for k in lo + 1..=hi {
            let prev = s.levels[k - 1];
            if prev <= 0.0 {
                return Err(HistoryError::NonPositiveLevel {
                    file: self.file.clone(),
                    column: name.to_string(),
                    year: self.years[k - 1],
                    next: self.years[k],
                    value: prev,
                });
            }
            out.years.push(self.years[k]);
            out.values.push(s.levels[k] / prev - 1.0);
        }
        Ok(out)
    }
}

/// Column names end up in tables, charts, labels and generated scenario
/// text: each must be inert text (see [`crate::input::text`]), non-empty and
/// unique.
fn check_names(file: &Path, names: &[String]) -> Result<(), HistoryError> {
    use crate::input::text::{self, TextKind};
    for (k, name) in names.iter().enumerate() {
        let err = |problem: String, hint: String| HistoryError::ColumnName {
            file: file.to_path_buf(),
            position: k + 2,
            name: text::excerpt(name, 60),
            problem,
            hint,
        };
        if let Err(e) = text::check(name, TextKind::Line) {
            return Err(err(format!("the name {e}"), e.hint(TextKind::Line)));
        }
        if name.trim().is_empty() {
            return Err(err(
                "the column has no name".into(),
                "give every column after `year` a name in the first line, or delete the empty column".into(),
            ));
        }
        if names[..k].contains(name) {
            return Err(err(
                "the name is used by an earlier column too".into(),
                "give each column its own name".into(),
            ));
        }
    }
    Ok(())
}

/// A finite number, or why not (problem, hint).
fn parse_number(text: &str) -> Result<f64, (&'static str, &'static str)> {
    if text.is_empty() {
        return Err((
            "the cell is empty",
            "fill in the value for this year (a history has no gaps)",
        ));
    }
    let cleaned: String = text.chars().filter(|&c| c != ',' && c != '_').collect();
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(("not a finite number", "write an ordinary number")),
        Err(_) => Err((
            "not a number",
            "write the level as a plain number, without units or notes",
        )),
    }
}

/// Parse `FROM..TO` (both years, inclusive).
pub fn parse_years(text: &str) -> Option<(i32, i32)> {
    let (a, b) = text.split_once("..")?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<History, HistoryError> {
        History::from_bytes(Path::new("h.csv"), text.as_bytes())
    }

    #[test]
    fn growth_rates_are_ratios_of_consecutive_levels_minus_one() {
        let h = load("year,a,b\n2000,100,10\n2001,105,11\n2002,110.25,9.9\n").unwrap();
        let g = h.growth("a", None).unwrap();
        assert_eq!(g.years, vec![2001, 2002]);
        assert!((g.values[0] - 0.05).abs() < 1e-15);
        assert!((g.values[1] - 0.05).abs() < 1e-15);
        let g = h.growth("b", Some((2001, 2002))).unwrap();
        assert_eq!(g.years, vec![2002]);
        assert!((g.values[0] + 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_missing_year_names_the_line_and_the_year() {
        let e = load("year,a\n2000,1\n2001,2\n2003,3\n").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("line 4"), "{m}");
        assert!(m.contains("year 2002 is missing"), "{m}");
    }

    #[test]
    fn a_non_numeric_cell_names_the_line_the_column_and_the_value() {
        let e = load("year,a,b\n2000,1,2\n2001,1.5,n/a\n").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("line 3, column `b`"), "{m}");
        assert!(m.contains("`n/a`"), "{m}");
        let e = load("year,a\n2000,1\n2001,\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("line 3, column `a`: the cell is empty")
        );
    }

    #[test]
    fn an_unknown_series_lists_the_columns_and_suggests_the_closest() {
        let h = load("year,income,expenditure\n2000,1,2\n2001,2,3\n").unwrap();
        let m = h.growth("incme", None).unwrap_err().to_string();
        assert!(m.contains("income, expenditure"), "{m}");
        assert!(m.contains("did you mean `income`"), "{m}");
    }

    #[test]
    fn repeated_years_and_a_missing_year_column_are_refused() {
        assert!(matches!(
            load("year,a\n2000,1\n2000,2\n"),
            Err(HistoryError::YearOrder { .. })
        ));
        assert!(matches!(
            load("date,a\n2000,1\n2001,2\n"),
            Err(HistoryError::NoYearColumn { .. })
        ));
    }

    #[test]
    fn column_names_must_be_inert_named_and_unique() {
        let e = load("year,a\u{1b}[2Jb\n2000,1\n2001,2\n").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("column 2"), "{m}");
        assert!(m.contains("U+001B at position 2"), "{m}");
        assert!(!m.contains('\u{1b}'), "the name is escaped: {m}");
        let e = load("year,a,a\n2000,1,2\n2001,2,3\n").unwrap_err();
        assert!(e.to_string().contains("column 3"), "{e}");
        let e = load("year,,b\n2000,1,2\n2001,2,3\n").unwrap_err();
        assert!(e.to_string().contains("no name"), "{e}");
        assert!(load("year,地区生产总值,b\n2000,1,2\n2001,2,3\n").is_ok());
    }

    #[test]
    fn a_year_beyond_the_calendar_is_refused_not_wrapped() {
        let e = load("year,a\n2147483647,1\n2147483648,2\n").unwrap_err();
        assert!(e.to_string().contains("not a calendar year"), "{e}");
        let e = load("year,a\n2000,1\n2001,\u{1b}]0;x\n").unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
    }

    #[test]
    fn years_outside_the_file_are_refused() {
        let h = load("year,a\n2000,1\n2001,2\n2002,3\n").unwrap();
        assert!(h.growth("a", Some((1999, 2002))).is_err());
        assert!(h.growth("a", Some((2002, 2001))).is_err());
        assert_eq!(parse_years("1950..1993"), Some((1950, 1993)));
        assert_eq!(parse_years("1950-1993"), None);
    }
}
