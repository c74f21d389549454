//! Reading a workbook (`.xlsx`, as Excel and WPS save it) a planner hands
//! us: its size checked like every input file, its sheets found by name, and
//! each sheet read as a table under a header row, with every problem naming
//! the sheet and the cell (`sheet base, B7`) and saying how to fix it.
//!
//! The parsing itself is calamine's. What this module adds is what a
//! planner's workbook needs and calamine leaves to its callers:
//! * a size limit on the file, and on what its parts unpack to (a zip can
//!   claim gigabytes in a few kilobytes), checked before calamine reads it;
//! * refusals, each naming a cell: merged cells over the table, a formula
//!   whose value was never computed (files written by scripts, not saved by
//!   Excel or WPS), error values (`#DIV/0!`), dates where a number belongs,
//!   and text where a number belongs (`"9%"` typed as text);
//! * nothing else: a cell formatted as a percentage holds the fraction
//!   (9% is stored as 0.09), so it is read as that number, exactly.

use calamine::{Data, Range, Reader, Xlsx};
use std::fmt;
use std::io::Cursor;
use std::path::Path;

/// Largest workbook read. A bureau's input workbook is tens of kilobytes.
pub const MAX_WORKBOOK_BYTES: u64 = 16 * 1024 * 1024;
/// Largest total that a workbook's parts may unpack to, as their zip
/// directory declares (a zip bomb is refused before anything unpacks).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// One problem in a workbook, where it is and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProblem {
    pub sheet: Option<String>,
    /// `B7`, or `B` for a whole column, `7` for a row.
    pub cell: Option<String>,
    /// The offending cell as written, quoted when it is text.
    pub value: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl CellProblem {
    pub fn new(message: impl Into<String>) -> CellProblem {
        CellProblem {
            sheet: None,
            cell: None,
            value: None,
            message: message.into(),
            hint: None,
        }
    }
    pub fn sheet(mut self, sheet: &str) -> Self {
        self.sheet = Some(sheet.to_string());
        self
    }
    pub fn at(mut self, cell: impl Into<String>) -> Self {
        self.cell = Some(cell.into());
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// `sheet base, B7: "9%" is text, not a number: type 9% as a number or 0.09`
/// (the file name goes in front). Every part is escaped, as cells are
/// untrusted text.
impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::input::text::escape;
        let mut place = Vec::new();
        if let Some(s) = &self.sheet {
            place.push(format!("sheet {}", escape(s)));
        }
        if let Some(c) = &self.cell {
            place.push(c.clone());
        }
        write!(f, "{}: ", place.join(", "))?;
        if let Some(v) = &self.value {
            write!(f, "{} ", escape(v))?;
        }
        write!(f, "{}", escape(&self.message))?;
        if let Some(h) = &self.hint {
            write!(f, ": {}", escape(h))?;
        }
        Ok(())
    }
}

/// Why a workbook could not be read at all, or its problems.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(transparent)]
    Read(#[from] crate::input::file::ReadError),
    #[error("{0}")]
    Problems(Problems),
}

/// The problems found, in sheet and cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct Problems(pub Vec<CellProblem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// An open workbook.
pub struct Workbook {
    xlsx: Xlsx<Cursor<Vec<u8>>>,
}

/// Column letters of a 0-based column: 0 is `A`, 26 is `AA`.
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `B7` for 0-based (row 6, column 1).
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row as u64 + 1)
}

fn one(p: CellProblem) -> WorkbookError {
    WorkbookError::Problems(Problems(vec![p]))
}

/// Read and open a workbook: a regular file of at most
/// [`MAX_WORKBOOK_BYTES`], whose parts unpack to at most
/// [`MAX_UNPACKED_BYTES`]. Returns the bytes too (a scenario hashes them).
pub fn open(path: &Path) -> Result<(Workbook, Vec<u8>), WorkbookError> {
    let bytes = crate::input::file::read(path, MAX_WORKBOOK_BYTES)?;
    let wb = from_bytes(bytes.clone())?;
    Ok((wb, bytes))
}

/// Open a workbook held in memory.
pub fn from_bytes(bytes: Vec<u8>) -> Result<Workbook, WorkbookError> {
    let not_a_workbook = || {
        CellProblem::new("is not an Excel workbook (.xlsx)").hint(
            "save it from Excel or WPS as \"Excel Workbook (*.xlsx)\"; .xls, .et and .csv files are not read here",
        )
    };
    check_unpacked(&bytes).map_err(|p| one(p.unwrap_or_else(not_a_workbook)))?;
    let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        one(not_a_workbook().value(format!(
            "({})",
            crate::input::text::excerpt(&e.to_string(), 80)
        )))
    })?;
    Ok(Workbook { xlsx })
}

/// Refuse a zip whose directory declares more than [`MAX_UNPACKED_BYTES`];
/// `Err(None)` when it is not a zip at all.
fn check_unpacked(bytes: &[u8]) -> Result<(), Option<CellProblem>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| None)?;
    // Sizes from the central directory (Excel and rust_xlsxwriter write
    // data descriptors, which `decompressed_size` declines to add up).
    let mut declared = 0u128;
    for i in 0..archive.len() {
        let size = archive.by_index_raw(i).map_err(|_| None)?.size();
        declared += u128::from(size);
    }
    if declared > u128::from(MAX_UNPACKED_BYTES) {
        return Err(Some(
            CellProblem::new(format!(
                "unpacks to more than {} MB; at most {} MB are read",
                declared.min(u128::from(u64::MAX)) / 1_000_000,
                MAX_UNPACKED_BYTES / 1_000_000
            ))
            .hint("keep only the sheets targetsim reads (base, targets, or the history) in this workbook"),
        ));
    }
    Ok(())
}

/// One cell's content, as a planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// A date or time (a number formatted as a date).
    Date,
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A formula whose value was never computed and saved.
    Uncomputed(String),
}

impl Cell {
    /// How it reads in a message: text quoted, numbers as written.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => "(empty)".into(),
            Cell::Number(x) => x.to_string(),
            Cell::Text(s) => format!("\"{}\"", crate::input::text::excerpt(s, 60)),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Cell::Date => "(a date)".into(),
            Cell::Error(e) => e.clone(),
            Cell::Uncomputed(f) => format!("={}", crate::input::text::excerpt(f, 60)),
        }
    }
}

/// One sheet, its values and formulas, absolute positions (0-based).
pub struct Sheet {
    pub name: String,
    values: Range<Data>,
    formulas: Range<String>,
    merged: Vec<calamine::Dimensions>,
}

impl Workbook {
    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// The sheet whose name is one of `names` (compared without case and
    /// surrounding spaces); `Ok(None)` when none is there, an error when two are.
    pub fn find(&mut self, names: &[&str]) -> Result<Option<Sheet>, WorkbookError> {
        let found: Vec<String> = self
            .sheet_names()
            .into_iter()
            .filter(|s| names.iter().any(|n| s.trim().eq_ignore_ascii_case(n)))
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [one_name] => self.sheet(one_name).map(Some),
            [a, b, ..] => Err(one(CellProblem::new(format!(
                "sheets {a} and {b} are the same sheet by name"
            ))
            .hint(format!(
                "keep one of them (both mean {})",
                names.join(" / ")
            )))),
        }
    }

    /// Read a sheet by its exact name.
    pub fn sheet(&mut self, name: &str) -> Result<Sheet, WorkbookError> {
        let bad = |e: calamine::XlsxError| {
            one(CellProblem::new(format!(
                "cannot be read: {}",
                crate::input::text::excerpt(&e.to_string(), 120)
            ))
            .sheet(name)
            .hint("open the workbook in Excel or WPS and save it again"))
        };
        let values = self.xlsx.worksheet_range(name).map_err(bad)?;
        let formulas = self.xlsx.worksheet_formula(name).map_err(bad)?;
        let merged = self.xlsx.merge_cells_by_sheet_name(name).map_err(bad)?;
        Ok(Sheet {
            name: name.to_string(),
            values,
            formulas,
            merged,
        })
    }
}

impl Sheet {
    /// The cell at (row, column), 0-based.
    pub fn cell(&self, row: u32, col: u32) -> Cell {
        let value = self.values.get_value((row, col)).unwrap_or(&Data::Empty);
        let formula = self
            .formulas
            .get_value((row, col))
            .filter(|f| !f.is_empty());
        let blank = match value {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        };
        if blank {
            // A formula saved without its value reads as empty (or as an
            // empty string, by its result type).
            return formula.map_or(Cell::Empty, |f| Cell::Uncomputed(f.clone()));
        }
        match value {
            Data::Empty => Cell::Empty,
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(x) => Cell::Number(*x),
            Data::String(s) => Cell::Text(s.clone()),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Cell::Date,
            Data::Error(e) => Cell::Error(e.to_string()),
        }
    }

    /// The first and last used rows and columns, or `None` for an empty sheet.
    pub fn bounds(&self) -> Option<((u32, u32), (u32, u32))> {
        let (vs, ve) = (self.values.start()?, self.values.end()?);
        // Uncomputed formulas have no value but are cells all the same.
        let (fs, fe) = (
            self.formulas.start().unwrap_or(vs),
            self.formulas.end().unwrap_or(ve),
        );
        Some((
            (vs.0.min(fs.0), vs.1.min(fs.1)),
            (ve.0.max(fe.0), ve.1.max(fe.1)),
        ))
    }

    /// A problem at a cell of this sheet.
    pub fn problem(&self, row: u32, col: u32, message: impl Into<String>) -> CellProblem {
        CellProblem::new(message)
            .sheet(&self.name)
            .at(cell_name(row, col))
    }

    /// Merged cells that overlap the rows and columns of the table.
    pub fn merged_problems(&self, from: (u32, u32), to: (u32, u32)) -> Vec<CellProblem> {
        self.merged
            .iter()
            .filter(|d| {
                d.start.0 <= to.0 && d.end.0 >= from.0 && d.start.1 <= to.1 && d.end.1 >= from.1
            })
            .map(|d| {
                CellProblem::new("are merged cells")
                    .sheet(&self.name)
                    .at(format!(
                        "{}:{}",
                        cell_name(d.start.0, d.start.1),
                        cell_name(d.end.0, d.end.1)
                    ))
                    .hint("unmerge them (Merge & Center off) and give every row its own value")
            })
            .collect()
    }
}

/// A column a table may have: its code name, the other headers that mean
/// it (Chinese ones), and whether every table needs it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// A sheet read as a table: the header row, then one record per row that
/// is not empty.
pub struct Table<'a> {
    pub sheet: &'a Sheet,
    /// The sheet column of each of the spec's columns, when present.
    pub columns: Vec<Option<u32>>,
    /// Rows (0-based) with at least one cell, after the header.
    pub rows: Vec<u32>,
}

/// Cells longer than this in a header are not a header we know.
const MAX_ROWS: u32 = 100_000;

/// Read `sheet` as a table of `spec`'s columns: the header is the first
/// used row, each header cell must name one of the columns (by code name
/// or alias, without case), required columns must be there, and no merged
/// cell may lie over the table.
pub fn table<'a>(sheet: &'a Sheet, spec: &[Column]) -> Result<Table<'a>, Problems> {
    let names: Vec<&str> = spec.iter().map(|c| c.name).collect();
    let Some((start, end)) = sheet.bounds() else {
        return Err(Problems(vec![
            CellProblem::new("is empty")
                .sheet(&sheet.name)
                .hint(format!(
                    "put the headers {} in row 1 and one entry per row below",
                    names.join(", ")
                )),
        ]));
    };
    let mut problems = sheet.merged_problems(start, end);
    if end.0 - start.0 > MAX_ROWS {
        problems.push(
            CellProblem::new(format!("has more than {MAX_ROWS} rows"))
                .sheet(&sheet.name)
                .hint("is this the right sheet?"),
        );
        return Err(Problems(problems));
    }
    let header = start.0;
    let mut columns: Vec<Option<u32>> = vec![None; spec.len()];
    for col in start.1..=end.1 {
        let cell = sheet.cell(header, col);
        let text = match &cell {
            Cell::Empty => continue,
            Cell::Text(s) => s.trim().to_string(),
            other => {
                problems.push(
                    sheet
                        .problem(header, col, "is not a column name")
                        .value(other.shown())
                        .hint(format!(
                            "row {} is the header row: {}",
                            header + 1,
                            names.join(", ")
                        )),
                );
                continue;
            }
        };
        let found = spec.iter().position(|c| {
            c.name.eq_ignore_ascii_case(&text)
                || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(&text))
        });
        match found {
            Some(k) if columns[k].is_some() => problems.push(
                sheet
                    .problem(
                        header,
                        col,
                        format!("is a second `{}` column", spec[k].name),
                    )
                    .value(cell.shown())
                    .hint("delete one of the two columns"),
            ),
            Some(k) => columns[k] = Some(col),
            None => {
                let hint = crate::diagnostics::suggest(&text, names.iter().copied())
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| format!("the columns are {}", names.join(", ")));
                problems.push(
                    sheet
                        .problem(header, col, "is not a column this sheet may have")
                        .value(cell.shown())
                        .hint(hint),
                );
            }
        }
    }
    for (c, at) in spec.iter().zip(&columns) {
        if c.required && at.is_none() {
            problems.push(
                CellProblem::new(format!("has no `{}` column", c.name))
                    .sheet(&sheet.name)
                    .at(format!("row {}", header + 1))
                    .hint(format!("add a column headed {} to the header row", c.name)),
            );
        }
    }
    let rows: Vec<u32> = (header + 1..=end.0)
        .filter(|&r| (start.1..=end.1).any(|c| sheet.cell(r, c) != Cell::Empty))
        .collect();
    if problems.is_empty() && rows.is_empty() {
        problems.push(
            CellProblem::new("has a header row but no entries below it")
                .sheet(&sheet.name)
                .hint("add one row per entry, or delete the sheet"),
        );
    }
    if problems.is_empty() {
        Ok(Table {
            sheet,
            columns,
            rows,
        })
    } else {
        Err(Problems(problems))
    }
}

impl Table<'_> {
    /// The cell of spec column `k` in `row`, with its position; `None` when
    /// the table has no such column.
    pub fn get(&self, row: u32, k: usize) -> Option<(Cell, u32)> {
        self.columns[k].map(|c| (self.sheet.cell(row, c), c))
    }

    /// The column (0-based) of spec column `k`, or the first column.
    pub fn col(&self, k: usize) -> u32 {
        self.columns[k].unwrap_or(0)
    }
}

/// A cell that must hold a number: a number cell (a percentage cell holds
/// its fraction), never text, a date or an error.
pub fn number(sheet: &Sheet, row: u32, col: u32, cell: &Cell) -> Result<f64, CellProblem> {
    let at = |m: &str| sheet.problem(row, col, m).value(cell.shown());
    match cell {
        Cell::Number(x) if x.is_finite() => Ok(*x),
        Cell::Number(_) => Err(at("is not a finite number")),
        Cell::Empty => Err(sheet
            .problem(row, col, "is empty; a number belongs here")
            .hint("type the number, for example 0.09 or 9%")),
        Cell::Text(s) => {
            let t = s.trim();
            let hint = match t.strip_suffix('%') {
                Some(p) if p.trim().parse::<f64>().is_ok() => {
                    let x: f64 = p.trim().parse().unwrap_or(0.0);
                    format!(
                        "type {t} as a number or {}",
                        crate::render::cells::display(x / 100.0)
                    )
                }
                _ if t.parse::<f64>().is_ok() => format!(
                    "the cell is formatted as text: set it to Number (or General) and type {t} again"
                ),
                _ => "type a number, for example 0.09 or 9%".to_string(),
            };
            Err(at("is text, not a number").hint(hint))
        }
        Cell::Bool(_) => Err(at("is TRUE/FALSE, not a number").hint("type a number")),
        Cell::Date => Err(at("is a date, not a number")
            .hint("set the cell's format to Number (or General) and type the number again")),
        Cell::Error(_) => {
            Err(at("is an error value, not a number").hint("fix the formula, or type the number"))
        }
        Cell::Uncomputed(_) => Err(uncomputed(sheet, row, col, cell)),
    }
}

fn uncomputed(sheet: &Sheet, row: u32, col: u32, cell: &Cell) -> CellProblem {
    sheet
        .problem(row, col, "is a formula whose value was never computed")
        .value(cell.shown())
        .hint("open the workbook in Excel or WPS and save it, so its values are stored; or type the value")
}

/// A cell that holds text: text as written, a number as its shortest form
/// (a set called 2026); `None` when empty.
pub fn text(sheet: &Sheet, row: u32, col: u32, cell: &Cell) -> Result<Option<String>, CellProblem> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) => Ok(Some(s.trim().to_string())),
        Cell::Number(x) => Ok(Some(x.to_string())),
        Cell::Uncomputed(_) => Err(uncomputed(sheet, row, col, cell)),
        other => Err(sheet
            .problem(row, col, "is not text")
            .value(other.shown())
            .hint("type the text")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(cell_name(6, 1), "B7");
    }

    #[test]
    fn bytes_that_are_not_a_zip_are_not_a_workbook() {
        let e = from_bytes(b"name,value\n".to_vec()).err().expect("refused");
        assert!(e.to_string().contains("is not an Excel workbook"), "{e}");
    }

    #[test]
    fn a_problem_reads_sheet_cell_value_message_and_fix() {
        let p = CellProblem::new("is text, not a number")
            .sheet("base")
            .at("B7")
            .value("\"9%\"")
            .hint("type 9% as a number or 0.09");
        assert_eq!(
            p.to_string(),
            "sheet base, B7: \"9%\" is text, not a number: type 9% as a number or 0.09"
        );
    }
}
