//! History from a workbook (`.xlsx`): the same table as the CSV file, a
//! `year` column then one column of levels per series, on the first sheet
//! or the sheet `--sheet` names.
//!
//! The cells are read as [`crate::input::workbook`] reads a scenario's
//! inputs: a number cell is its stored number (a percentage cell its
//! fraction), and text where a number belongs, a date, an error value, a
//! formula never computed, merged cells or an empty sheet are refused,
//! each problem naming the workbook, the sheet and the cell with a fix.
//! A number read from a cell is the double a CSV's text parses to, so the
//! same data from either file gives the same fit and backtest, bit for bit.

use super::{HistoryError, Series, YEARS};
use crate::input::text::{self, TextKind};
use crate::input::workbook::{self, Cell, CellProblem, Sheet, WorkbookError, cell_name};
use std::path::Path;

/// Whether a history file is read as a workbook (by its extension, as a
/// scenario's includes are).
pub fn is_workbook(path: &Path) -> bool {
    crate::scenario::workbook::is_workbook(path)
}

/// The years and series of the sheet `sheet` (the first sheet when `None`).
pub fn read(file: &Path, sheet: Option<&str>) -> Result<(Vec<i32>, Vec<Series>), HistoryError> {
    let problems = |p: Vec<CellProblem>| HistoryError::Workbook {
        file: file.to_path_buf(),
        problems: p,
    };
    let (mut wb, _) = workbook::open(file).map_err(|e| match e {
        WorkbookError::Read(crate::input::file::ReadError::Io(source)) => HistoryError::Read {
            file: file.to_path_buf(),
            source,
        },
        WorkbookError::Read(too_large) => HistoryError::Read {
            file: file.to_path_buf(),
            source: std::io::Error::other(too_large.to_string()),
        },
        WorkbookError::Problems(p) => problems(p.0),
    })?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(wanted) => match names.iter().find(|n| n.as_str() == wanted) {
            Some(n) => n.clone(),
            None => {
                let hint = crate::diagnostics::suggest(wanted, names.iter().map(String::as_str))
                    .map(|n| format!("did you mean --sheet {n}?"))
                    .unwrap_or_else(|| "give --sheet one of the sheet names, as written".into());
                return Err(problems(vec![
                    CellProblem::new(format!(
                        "has no sheet {} (its sheets: {})",
                        text::excerpt(wanted, 60),
                        names.join(", ")
                    ))
                    .hint(hint),
                ]));
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => {
                return Err(problems(vec![
                    CellProblem::new("has no sheets").hint("save the history on the first sheet"),
                ]));
            }
        },
    };
    let sheet = wb.sheet(&name).map_err(|e| match e {
        WorkbookError::Problems(p) => problems(p.0),
        WorkbookError::Read(r) => problems(vec![CellProblem::new(r.to_string())]),
    })?;
    table(&sheet).map_err(problems)
}

/// The sheet as a history table: the header is the first used row, its
/// first used column `year`.
fn table(sheet: &Sheet) -> Result<(Vec<i32>, Vec<Series>), Vec<CellProblem>> {
    let Some((start, end)) = sheet.bounds() else {
        return Err(vec![CellProblem::new("is empty").sheet(&sheet.name).hint(
            "put the headers in row 1 (year, then one name per series) and one row per year below",
        )]);
    };
    let merged = sheet.merged_problems(start, end);
    if !merged.is_empty() {
        return Err(merged);
    }
    let (header, first_col) = start;
    let year_cell = sheet.cell(header, first_col);
    let is_year = matches!(&year_cell, Cell::Text(t) if t.trim().eq_ignore_ascii_case("year") || t.trim() == "年份");
    if !is_year {
        return Err(vec![
            sheet
                .problem(header, first_col, "is not the `year` column's header")
                .value(year_cell.shown())
                .hint("put the years in the first column, headed year"),
        ]);
    }
    let mut problems = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for col in first_col + 1..=end.1 {
        let cell = sheet.cell(header, col);
        let at = |m: &str| sheet.problem(header, col, m).value(cell.shown());
        match workbook::text(sheet, header, col, &cell) {
            Ok(Some(name)) => {
                if let Err(e) = text::check(&name, TextKind::Line) {
                    problems.push(
                        at(&format!("is not a usable column name: the name {e}"))
                            .hint(e.hint(TextKind::Line)),
                    );
                } else if names.contains(&name) {
                    problems.push(
                        at("names a column a second time").hint("give each column its own name"),
                    );
                }
                names.push(name);
            }
            Ok(None) => {
                problems.push(sheet.problem(header, col, "is an empty header").hint(
                    "give every column after year a name in the header row, or delete the empty column",
                ));
                names.push(String::new());
            }
            Err(p) => {
                problems.push(p);
                names.push(String::new());
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut years: Vec<i32> = Vec::new();
    let mut levels: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for row in header + 1..=end.0 {
        if (first_col..=end.1).all(|c| sheet.cell(row, c) == Cell::Empty) {
            continue;
        }
        let cell = sheet.cell(row, first_col);
        let year = match workbook::number(sheet, row, first_col, &cell) {
            Ok(y) if y.fract() == 0.0 && YEARS.contains(&(y as i32)) && y.abs() < 1e6 => y as i32,
            Ok(_) => {
                problems.push(
                    sheet
                        .problem(row, first_col, "is not a calendar year from 1 to 9999")
                        .value(cell.shown())
                        .hint("type the year as a whole number, e.g. 1995"),
                );
                break;
            }
            Err(p) => {
                problems.push(p.hint("type the year as a whole number, e.g. 1995"));
                break;
            }
        };
        if let Some(&previous) = years.last()
            && year != previous + 1
        {
            let (message, hint) = if year > previous + 1 {
                (
                    format!(
                        "year {year} follows {previous}; year {} is missing",
                        previous + 1
                    ),
                    format!(
                        "add a row for every year from {} to the last, in order",
                        years[0]
                    ),
                )
            } else {
                (
                    format!(
                        "year {year} follows {previous}; years must increase by one, each once"
                    ),
                    "sort the rows by year and remove repeated years".to_string(),
                )
            };
            problems.push(sheet.problem(row, first_col, message).hint(hint));
            break;
        }
        years.push(year);
        for (k, level) in levels.iter_mut().enumerate() {
            let col = first_col + 1 + k as u32;
            let cell = sheet.cell(row, col);
            match workbook::number(sheet, row, col, &cell) {
                Ok(x) => level.push(x),
                Err(p) => problems.push(if cell == Cell::Empty {
                    sheet
                        .problem(row, col, "is empty")
                        .hint("fill in the value for this year (a history has no gaps)")
                } else {
                    p
                }),
            }
        }
        if problems.len() >= 20 {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if years.len() < 2 {
        return Err(vec![
            CellProblem::new(format!(
                "has {} years of data; a history needs at least 2",
                years.len()
            ))
            .sheet(&sheet.name)
            .at(cell_name(header + 1, first_col))
            .hint("add one row per year below the header"),
        ]);
    }
    Ok((
        years,
        names
            .into_iter()
            .zip(levels)
            .map(|(name, levels)| Series { name, levels })
            .collect(),
    ))
}
