//! `include = ["inputs.xlsx"]`: base values and target sets from a
//! planner's workbook, read into the same document tree a TOML file gives,
//! so the validator, and so the results, cannot tell the two apart.
//!
//! Sheets (names without case; other sheets are ignored, so a workbook may
//! keep notes):
//! * `base` or `基数`: columns `name`, `value` and optionally `label`,
//!   `label_en`, `unit`, `note`; one row per base value, as
//!   `[base] name = { value = ..., label = ... }`.
//! * `targets` or `目标`: columns `set`, `indicator`, `rule` (`at_least`,
//!   `at_most`, `about`, `range`, or 以上, 以内, 左右, 区间), `value`, and
//!   `tolerance` (about) or `high` (range), optionally `year`, `wording`,
//!   `set_label`, `set_label_en`, `upper_level`. Rows of one set, in row
//!   order, become that set's targets; `value` is the threshold (at_least,
//!   at_most), the centre (about) or the low end (range).
//!
//! A number is the cell's stored number: a cell shown as 9% holds 0.09 and
//! reads as 0.09, bit for bit what `0.09` in TOML reads as. Every problem
//! names the workbook, the sheet and the cell; problems the validator finds
//! later name the cell through [`Origins`](super::include::Origins).

use crate::error::ScenarioError;
use crate::input::workbook::{self, Cell, CellProblem, Column, Sheet, WorkbookError, cell_name};
use serde_json::{Map, Value};
use std::path::Path;

const BASE: [Column; 6] = [
    Column {
        name: "name",
        aliases: &["名称", "代码"],
        required: true,
    },
    Column {
        name: "value",
        aliases: &["数值", "基数"],
        required: true,
    },
    Column {
        name: "label",
        aliases: &["标签", "中文名称"],
        required: false,
    },
    Column {
        name: "label_en",
        aliases: &["英文名称"],
        required: false,
    },
    Column {
        name: "unit",
        aliases: &["单位"],
        required: false,
    },
    Column {
        name: "note",
        aliases: &["备注"],
        required: false,
    },
];

const TARGETS: [Column; 11] = [
    Column {
        name: "set",
        aliases: &["目标组"],
        required: true,
    },
    Column {
        name: "indicator",
        aliases: &["指标"],
        required: true,
    },
    Column {
        name: "rule",
        aliases: &["规则"],
        required: true,
    },
    Column {
        name: "value",
        aliases: &["目标值", "数值"],
        required: true,
    },
    Column {
        name: "tolerance",
        aliases: &["容差"],
        required: false,
    },
    Column {
        name: "high",
        aliases: &["上限"],
        required: false,
    },
    Column {
        name: "year",
        aliases: &["年份"],
        required: false,
    },
    Column {
        name: "wording",
        aliases: &["表述"],
        required: false,
    },
    Column {
        name: "set_label",
        aliases: &["目标组名称"],
        required: false,
    },
    Column {
        name: "set_label_en",
        aliases: &["目标组英文名称"],
        required: false,
    },
    Column {
        name: "upper_level",
        aliases: &["上级下达"],
        required: false,
    },
];

/// The rules, with the words planners use for them.
const RULES: [(&str, &[&str]); 4] = [
    ("at_least", &["以上", ">=", "≥", "不低于"]),
    ("at_most", &["以内", "<=", "≤", "不高于"]),
    ("about", &["左右"]),
    ("range", &["区间", "之间"]),
];

/// Where each generated entry came from: (`section.name[.field]`, place).
pub type CellOrigins = Vec<(String, String)>;

/// Whether a file is read as a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

fn error(file: &Path, problems: Vec<CellProblem>) -> ScenarioError {
    ScenarioError::Workbook {
        file: file.to_path_buf(),
        problems,
    }
}

/// Read the workbook into a document with `base` and `target_sets`, the
/// file's bytes (hashed with the scenario) and where every entry came from.
pub fn read(file: &Path) -> Result<(Value, Vec<u8>, CellOrigins), ScenarioError> {
    let (mut wb, bytes) = workbook::open(file).map_err(|e| match e {
        WorkbookError::Read(crate::input::file::ReadError::Io(source)) => ScenarioError::Read {
            file: file.to_path_buf(),
            source,
        },
        WorkbookError::Read(crate::input::file::ReadError::TooLarge { size, limit }) => {
            ScenarioError::TooLarge {
                file: file.to_path_buf(),
                size,
                limit,
            }
        }
        WorkbookError::Problems(p) => error(file, p.0),
    })?;
    let place = file.display().to_string();
    let mut doc = Map::new();
    let mut origins = CellOrigins::new();
    let mut problems = Vec::new();
    let lift = |e: WorkbookError| match e {
        WorkbookError::Problems(p) => p.0,
        WorkbookError::Read(r) => vec![CellProblem::new(r.to_string())],
    };
    let base = wb
        .find(&["base", "基数"])
        .map_err(|e| error(file, lift(e)))?;
    let targets = wb
        .find(&["targets", "目标"])
        .map_err(|e| error(file, lift(e)))?;
    if base.is_none() && targets.is_none() {
        let names = wb.sheet_names().join(", ");
        return Err(error(
            file,
            vec![CellProblem::new(format!("has no sheet named base or targets (its sheets: {names})"))
                .hint("name the sheet of base values `base` (or 基数) and the sheet of targets `targets` (or 目标)")],
        ));
    }
    if let Some(sheet) = &base {
        match base_section(sheet, &place, &mut origins) {
            Ok(v) => {
                doc.insert("base".into(), v);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if let Some(sheet) = &targets {
        match target_sets(sheet, &place, &mut origins) {
            Ok(v) => {
                doc.insert("target_sets".into(), v);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok((Value::Object(doc), bytes, origins))
    } else {
        Err(error(file, problems))
    }
}

fn at(place: &str, sheet: &Sheet, row: u32, col: u32) -> String {
    format!("{place}, sheet {}, {}", sheet.name, cell_name(row, col))
}

fn row_place(place: &str, sheet: &Sheet, row: u32) -> String {
    format!("{place}, sheet {}, row {}", sheet.name, row + 1)
}

fn base_section(
    sheet: &Sheet,
    place: &str,
    origins: &mut CellOrigins,
) -> Result<Value, Vec<CellProblem>> {
    let t = workbook::table(sheet, &BASE).map_err(|p| p.0)?;
    let mut problems = Vec::new();
    let mut out = Map::new();
    let mut first_row: Vec<(String, u32)> = Vec::new();
    for &row in &t.rows {
        let (name_cell, name_col) = t.get(row, 0).unwrap_or((Cell::Empty, 0));
        let name = match workbook::text(sheet, row, name_col, &name_cell) {
            Ok(Some(n)) => n,
            Ok(None) => {
                problems.push(
                    sheet
                        .problem(row, name_col, "has no name")
                        .hint("give every base value a name such as gdp, or delete the row"),
                );
                continue;
            }
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if let Some((_, r)) = first_row.iter().find(|(n, _)| *n == name) {
            problems.push(
                sheet
                    .problem(
                        row,
                        name_col,
                        format!("names `{name}` again (first in row {})", r + 1),
                    )
                    .hint("give each base value one row"),
            );
            continue;
        }
        first_row.push((name.clone(), row));
        let prefix = format!("base.{name}");
        origins.push((prefix.clone(), row_place(place, sheet, row)));
        let mut entry = Map::new();
        let (cell, col) = t.get(row, 1).unwrap_or((Cell::Empty, t.col(1)));
        match workbook::number(sheet, row, col, &cell) {
            Ok(x) => {
                entry.insert("value".into(), number(x));
                origins.push((format!("{prefix}.value"), at(place, sheet, row, col)));
            }
            Err(p) => problems.push(p),
        }
        for (k, key) in [(2, "label"), (3, "label_en"), (4, "unit"), (5, "note")] {
            if let Some((cell, col)) = t.get(row, k) {
                match workbook::text(sheet, row, col, &cell) {
                    Ok(Some(s)) => {
                        entry.insert(key.into(), Value::String(s));
                        origins.push((format!("{prefix}.{key}"), at(place, sheet, row, col)));
                    }
                    Ok(None) => {}
                    Err(p) => problems.push(p),
                }
            }
        }
        out.insert(name, Value::Object(entry));
    }
    if problems.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(problems)
    }
}

/// A JSON number of the double, exactly (what TOML's float gives).
fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn rule_name(text: &str) -> Option<&'static str> {
    let t = text.trim();
    RULES.iter().find_map(|(name, words)| {
        (name.eq_ignore_ascii_case(t) || words.contains(&t)).then_some(*name)
    })
}

fn target_sets(
    sheet: &Sheet,
    place: &str,
    origins: &mut CellOrigins,
) -> Result<Value, Vec<CellProblem>> {
    let t = workbook::table(sheet, &TARGETS).map_err(|p| p.0)?;
    let mut problems = Vec::new();
    // Set name -> (set table, its targets, the row and column of each set-level field).
    let mut sets: Vec<(String, Map<String, Value>, Vec<Value>)> = Vec::new();
    let mut set_fields: Vec<Vec<(String, String, u32, u32)>> = Vec::new();
    for &row in &t.rows {
        let text_at = |k: usize, problems: &mut Vec<CellProblem>| -> Option<(String, u32)> {
            let (cell, col) = t.get(row, k)?;
            match workbook::text(sheet, row, col, &cell) {
                Ok(s) => s.map(|s| (s, col)),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        };
        let Some((set, _)) = text_at(0, &mut problems) else {
            problems.push(
                sheet
                    .problem(row, t.col(0), "has no target set")
                    .hint("name the set this target belongs to, such as draft"),
            );
            continue;
        };
        let k = match sets.iter().position(|(n, _, _)| *n == set) {
            Some(k) => k,
            None => {
                sets.push((set.clone(), Map::new(), Vec::new()));
                set_fields.push(Vec::new());
                origins.push((format!("target_sets.{set}"), row_place(place, sheet, row)));
                sets.len() - 1
            }
        };
        let index = sets[k].2.len();
        let prefix = format!("target_sets.{set}.targets[{index}]");
        origins.push((prefix.clone(), row_place(place, sheet, row)));
        let mut target = Map::new();
        if let Some((ind, col)) = text_at(1, &mut problems) {
            target.insert("indicator".into(), Value::String(ind));
            origins.push((format!("{prefix}.indicator"), at(place, sheet, row, col)));
        } else {
            problems.push(
                sheet
                    .problem(row, t.col(1), "has no indicator")
                    .hint("name the indicator the target is on, such as gdp_growth"),
            );
        }
        let rule = match text_at(2, &mut problems) {
            Some((r, col)) => match rule_name(&r) {
                Some(rule) => Some(rule),
                None => {
                    let names = RULES.iter().map(|(n, _)| *n);
                    problems.push(
                        sheet
                            .problem(row, col, "is not a rule")
                            .value(format!("\"{r}\""))
                            .hint(
                                crate::diagnostics::suggest(&r, names)
                                    .map(|n| format!("did you mean {n}?"))
                                    .unwrap_or_else(|| "write at_least, at_most, about or range (以上, 以内, 左右, 区间)".into()),
                            ),
                    );
                    None
                }
            },
            None => {
                problems.push(
                    sheet
                        .problem(row, t.col(2), "has no rule")
                        .hint("write at_least, at_most, about or range (以上, 以内, 左右, 区间)"),
                );
                None
            }
        };
        let num_at = |k: usize, problems: &mut Vec<CellProblem>| -> Option<(f64, u32)> {
            let (cell, col) = t.get(row, k)?;
            if cell == Cell::Empty {
                return None;
            }
            match workbook::number(sheet, row, col, &cell) {
                Ok(x) => Some((x, col)),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        };
        let value = num_at(3, &mut problems);
        let tolerance = num_at(4, &mut problems);
        let high = num_at(5, &mut problems);
        let year = num_at(6, &mut problems);
        if value.is_none() && t.get(row, 3).is_some_and(|(c, _)| c == Cell::Empty) {
            problems.push(
                sheet
                    .problem(row, t.col(3), "is empty; the target's number belongs here")
                    .hint("type the threshold, for example 0.09 or 9%"),
            );
        }
        let needs = |what: &str, k: usize, problems: &mut Vec<CellProblem>, why: &str| {
            problems.push(
                sheet
                    .problem(row, t.col(k), format!("is empty; {why}"))
                    .hint(format!(
                        "add the {what} (a `{}` column if there is none)",
                        TARGETS[k].name
                    )),
            );
        };
        let stray = |k: usize, col: u32, rule: &str, problems: &mut Vec<CellProblem>| {
            problems.push(
                sheet
                    .problem(
                        row,
                        col,
                        format!("has a {} but the rule is {rule}", TARGETS[k].name),
                    )
                    .hint("clear this cell, or change the rule"),
            );
        };
        if let (Some(rule), Some((v, vcol))) = (rule, value) {
            let vpath = |key: &str| (format!("{prefix}.{key}"), at(place, sheet, row, vcol));
            match rule {
                "at_least" | "at_most" => {
                    target.insert(rule.into(), number(v));
                    origins.push(vpath(rule));
                    if let Some((_, c)) = tolerance {
                        stray(4, c, rule, &mut problems);
                    }
                    if let Some((_, c)) = high {
                        stray(5, c, rule, &mut problems);
                    }
                }
                "about" => {
                    target.insert("about".into(), number(v));
                    origins.push(vpath("about"));
                    match tolerance {
                        Some((tol, c)) => {
                            target.insert("tolerance".into(), number(tol));
                            origins.push((format!("{prefix}.tolerance"), at(place, sheet, row, c)));
                        }
                        None => needs(
                            "tolerance",
                            4,
                            &mut problems,
                            "an about target needs its tolerance",
                        ),
                    }
                    if let Some((_, c)) = high {
                        stray(5, c, rule, &mut problems);
                    }
                }
                _ => {
                    match high {
                        Some((h, _)) => {
                            target.insert("range".into(), Value::Array(vec![number(v), number(h)]));
                            origins.push(vpath("range"));
                        }
                        None => needs(
                            "high end",
                            5,
                            &mut problems,
                            "a range target needs its high end",
                        ),
                    }
                    if let Some((_, c)) = tolerance {
                        stray(4, c, rule, &mut problems);
                    }
                }
            }
        }
        if let Some((y, col)) = year {
            if y.fract() != 0.0 || y.abs() > 1e6 {
                problems.push(
                    sheet
                        .problem(row, col, "is not a year")
                        .value(y.to_string())
                        .hint("type the calendar year, such as 2026"),
                );
            } else {
                target.insert("year".into(), Value::from(y as i64));
                origins.push((format!("{prefix}.year"), at(place, sheet, row, col)));
            }
        }
        if let Some((w, col)) = text_at(7, &mut problems) {
            target.insert("wording".into(), Value::String(w));
            origins.push((format!("{prefix}.wording"), at(place, sheet, row, col)));
        }
        // Set-level fields: given on any row of the set, the same on every row.
        let mut set_field = |key: &str, value: Value, col: u32, problems: &mut Vec<CellProblem>| {
            let shown = match &value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some((_, first, r, c)) = set_fields[k].iter().find(|(f, _, _, _)| f == key) {
                if *first != shown {
                    problems.push(
                        sheet
                            .problem(row, col, format!("gives set {set} another {key}"))
                            .value(format!("\"{shown}\""))
                            .hint(format!("{} already says \"{first}\"; give it once, or the same on every row", cell_name(*r, *c))),
                    );
                }
                return;
            }
            set_fields[k].push((key.to_string(), shown, row, col));
            sets[k].1.insert(key.into(), value);
            origins.push((
                format!("target_sets.{set}.{key}"),
                at(place, sheet, row, col),
            ));
        };
        for (ci, key) in [(8, "label"), (9, "label_en")] {
            if let Some((s, col)) = text_at(ci, &mut problems) {
                set_field(key, Value::String(s), col, &mut problems);
            }
        }
        if let Some((cell, col)) = t.get(row, 10) {
            let flag = match &cell {
                Cell::Empty => None,
                Cell::Bool(b) => Some(*b),
                Cell::Number(x) if *x == 0.0 || *x == 1.0 => Some(*x == 1.0),
                Cell::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "是" => Some(true),
                    "false" | "no" | "否" => Some(false),
                    _ => {
                        problems.push(
                            sheet
                                .problem(row, col, "is not yes or no")
                                .value(cell.shown())
                                .hint("write TRUE (or 是) for the upper level's set, or leave it empty"),
                        );
                        None
                    }
                },
                other => {
                    problems.push(
                        sheet
                            .problem(row, col, "is not yes or no")
                            .value(other.shown())
                            .hint(
                                "write TRUE (or 是) for the upper level's set, or leave it empty",
                            ),
                    );
                    None
                }
            };
            if let Some(flag) = flag {
                set_field("upper_level", Value::Bool(flag), col, &mut problems);
            }
        }
        sets[k].2.push(Value::Object(target));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Map::new();
    for (name, mut table, targets) in sets {
        table.insert("targets".into(), Value::Array(targets));
        out.insert(name, Value::Object(table));
    }
    Ok(Value::Object(out))
}
