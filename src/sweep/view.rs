//! The province view: one row per scenario × variant × target set, read
//! from each unit's `summary.json` (so it can be rebuilt without
//! simulating), written as `sweep.csv` and a self-contained `report.html`
//! with a ranking of units by joint probability and each target's P(met)
//! across units.
//!
//! Definitions (README, "Sweeps"):
//! - verdict counts use the calibrate bands: P(met) below `ambitious_below`
//!   (0.5) is 偏高 (too ambitious), above `timid_above` (0.9) 偏低 (too
//!   timid), else 适中;
//! - `rank` is where the row's joint probability sits among the rows of the
//!   same target set name across all units: 1 is the least likely to be met.
//!   For the upper level's set (`upper_level = true`) it says where the
//!   requirement handed to this unit sits among those handed to the others.

use super::file::Sweep;
use crate::calibrate::{Bands, Verdict};
use crate::render::chart::svg::{self as svg_chart, PALETTE};
use crate::render::html::{Report, Section};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;
use std::path::Path;

/// One scenario × variant × target set.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub scenario: String,
    pub variant: String,
    pub title: String,
    pub set: String,
    pub set_label: String,
    pub upper_level: bool,
    pub joint: f64,
    pub joint_se: f64,
    /// Targets, in the set's order: name and P(met).
    pub targets: Vec<(String, f64)>,
    /// 偏高, 适中, 偏低.
    pub verdicts: [usize; 3],
    /// 1-based rank of `joint` among rows of the same set (ties share the lower rank).
    pub rank: usize,
    /// Rows of the same set.
    pub of: usize,
}

/// Why the view could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}\n  hint: rerun the sweep to rewrite it")]
pub struct ViewError {
    pub path: String,
    pub message: String,
}

/// Read every unit's `summary.json` under `out` and make the rows.
pub fn rows(sweep: &Sweep, out: &Path) -> Result<Vec<Row>, ViewError> {
    let mut rows = Vec::new();
    for u in &sweep.units {
        let path = u.dir(out).join("summary.json");
        let fail = |message: String| ViewError {
            path: path.display().to_string(),
            message,
        };
        let bytes = std::fs::read(&path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let doc: Value =
            serde_json::from_slice(&bytes).map_err(|e| fail(format!("not JSON: {e}")))?;
        let upper = u
            .scenario
            .upper_level
            .and_then(|i| u.scenario.target_sets.get(i))
            .map(|s| s.name.clone());
        let mut sets: Vec<(String, &Value)> = match doc.get("target_sets") {
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
            _ => return Err(fail("has no target_sets".into())),
        };
        if let Some(plan) = doc.get("plan_targets") {
            sets.push(("plan_targets".into(), plan));
        }
        for (name, set) in sets {
            let targets =
                targets_of(set).ok_or_else(|| fail(format!("target set {name} has no targets")))?;
            let mut verdicts = [0; 3];
            for (_, p) in &targets {
                verdicts[match Verdict::of(*p, sweep.bands) {
                    Verdict::TooAmbitious => 0,
                    Verdict::Within => 1,
                    Verdict::TooTimid => 2,
                }] += 1;
            }
            let num = |k: &str| set.get(k).and_then(Value::as_f64);
            let joint = num("joint_probability")
                .or_else(|| (targets.len() == 1).then(|| targets[0].1))
                .ok_or_else(|| fail(format!("target set {name} has no joint_probability")))?;
            rows.push(Row {
                scenario: u.scenario.name.clone(),
                variant: u.variant_dir().to_string(),
                title: u.scenario.title.clone(),
                upper_level: upper.as_deref() == Some(name.as_str()),
                set_label: set
                    .get("label")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                set: name,
                joint,
                joint_se: num("joint_se").unwrap_or(0.0),
                targets,
                verdicts,
                rank: 0,
                of: 0,
            });
        }
    }
    rank(&mut rows);
    Ok(rows)
}

/// A set's targets: a table by indicator (one-year runs) or a list with
/// years (plans, shown as `indicator@year`).
fn targets_of(set: &Value) -> Option<Vec<(String, f64)>> {
    let p = |t: &Value| t.get("probability").and_then(Value::as_f64);
    match set.get("targets")? {
        Value::Object(m) => m.iter().map(|(k, t)| Some((k.clone(), p(t)?))).collect(),
        Value::Array(list) => list
            .iter()
            .map(|t| {
                let ind = t.get("indicator")?.as_str()?;
                let name = match t.get("year").and_then(Value::as_i64) {
                    Some(y) => format!("{ind}@{y}"),
                    None => ind.to_string(),
                };
                Some((name, p(t)?))
            })
            .collect(),
        _ => None,
    }
}

fn rank(rows: &mut [Row]) {
    let snapshot: Vec<(String, f64)> = rows.iter().map(|r| (r.set.clone(), r.joint)).collect();
    for r in rows.iter_mut() {
        let same: Vec<f64> = snapshot
            .iter()
            .filter(|(s, _)| *s == r.set)
            .map(|(_, j)| *j)
            .collect();
        r.of = same.len();
        r.rank = 1 + same.iter().filter(|&&j| j < r.joint).count();
    }
}

/// Every target name across rows, in first-seen order: the CSV's columns.
fn target_columns(rows: &[Row]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for (t, _) in &r.targets {
            if !names.contains(t) {
                names.push(t.clone());
            }
        }
    }
    names
}

/// The code names of the province view's columns (`sweep.csv`'s header):
/// the fixed ones, then `p_<target>` for every target column.
fn header(columns: &[String]) -> Vec<String> {
    let mut head: Vec<String> = [
        "scenario",
        "variant",
        "title",
        "target_set",
        "set_label",
        "upper_level",
        "joint_probability",
        "joint_se",
        "rank",
        "of",
        "targets",
        "too_ambitious_偏高",
        "within_适中",
        "too_timid_偏低",
    ]
    .map(String::from)
    .to_vec();
    head.extend(columns.iter().map(|c| format!("p_{c}")));
    head
}

/// `sweep.csv`: UTF-8 with a byte-order mark (so spreadsheet programs read
/// the Chinese labels), probabilities as fractions with 6 decimals.
pub fn csv(rows: &[Row]) -> Vec<u8> {
    let columns = target_columns(rows);
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let head = header(&columns);
    // Writing to a Vec cannot fail; a failure would only drop the row.
    let _ = w.write_record(&head);
    for r in rows {
        let mut rec = vec![
            r.scenario.clone(),
            r.variant.clone(),
            r.title.clone(),
            r.set.clone(),
            r.set_label.clone(),
            r.upper_level.to_string(),
            format!("{:.6}", r.joint),
            format!("{:.6}", r.joint_se),
            r.rank.to_string(),
            r.of.to_string(),
            r.targets.len().to_string(),
            r.verdicts[0].to_string(),
            r.verdicts[1].to_string(),
            r.verdicts[2].to_string(),
        ];
        for c in &columns {
            rec.push(
                r.targets
                    .iter()
                    .find(|(t, _)| t == c)
                    .map(|(_, p)| format!("{p:.6}"))
                    .unwrap_or_default(),
            );
        }
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

/// `sweep.xlsx`: the rows of `sweep.csv` as one sheet `汇总` of number
/// cells (probabilities `0.0%`, standard errors `0.00%`, counts `0`), with
/// Chinese headers over the code names, written like `results.xlsx`.
pub fn workbook(rows: &[Row]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::render::workbook::{Shown, Table, Value, write};
    let columns = target_columns(rows);
    let head = header(&columns);
    let mut t = Table::new("汇总", &[]);
    t.columns = head;
    let count = |n: usize| Value::num(n as f64, Shown::Count);
    for r in rows {
        let mut row = vec![
            Value::text(&r.scenario),
            Value::text(&r.variant),
            Value::text(&r.title),
            Value::text(&r.set),
            Value::text(&r.set_label),
            Value::text(if r.upper_level { "是" } else { "否" }),
            Value::num(r.joint, Shown::Percent),
            Value::num(r.joint_se, Shown::FinePercent),
            count(r.rank),
            count(r.of),
            count(r.targets.len()),
            count(r.verdicts[0]),
            count(r.verdicts[1]),
            count(r.verdicts[2]),
        ];
        for c in &columns {
            row.push(
                r.targets
                    .iter()
                    .find(|(t, _)| t == c)
                    .map_or(Value::Empty, |(_, p)| Value::num(*p, Shown::Percent)),
            );
        }
        t.push(row);
    }
    write(&[t], &[])
}

/// Set names in first-seen order.
fn set_names(rows: &[Row]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        if !names.contains(&r.set) {
            names.push(r.set.clone());
        }
    }
    names
}

fn pct(p: f64) -> String {
    format!("{:.1}%", 100.0 * p)
}

/// `report.html`: the ranking charts, the P(met) grids and the table.
pub fn html(sweep: &Sweep, rows: &[Row]) -> String {
    let mut report = Report::new(&sweep.title);
    report.lead = html! {
        p.meta {
            (sweep.units.len()) " units (scenario × variant) from "
            (sweep.file.display().to_string())
            "; verdict bands: 偏高 below " (pct(sweep.bands.too_ambitious_below))
            ", 偏低 above " (pct(sweep.bands.too_timid_above)) "."
        }
    };
    // Per set, least likely first: its heading and its rows.
    let sets: Vec<(String, Vec<&Row>)> = set_names(rows)
        .into_iter()
        .map(|set| {
            let mut of_set: Vec<&Row> = rows.iter().filter(|r| r.set == set).collect();
            of_set.sort_by(|a, b| a.joint.total_cmp(&b.joint));
            let label = of_set
                .first()
                .map(|r| r.set_label.clone())
                .unwrap_or_default();
            (format!("{set} {label}").trim_end().to_string(), of_set)
        })
        .collect();
    // The charts are drawn by `svg_chart`, which escapes their text.
    report.push(Section::new(
        "ranking",
        "Units ranked by joint probability",
        html! {
            p.note { "Each bar is one unit's probability that every target of the set is met, least likely first." }
            @for (heading, of_set) in &sets {
                figure {
                    (PreEscaped(ranking_svg(heading, of_set)))
                    figcaption { "Joint probability of " (heading) ", by unit" }
                }
            }
        },
    ));
    report.push(Section::new(
        "targets",
        "Each target's P(met) across units",
        html! {
            p.note { "Each cell is one target's P(met) in one unit: vermillion 偏高 (too ambitious), grey 适中, blue 偏低 (too timid)." }
            @for (heading, of_set) in &sets {
                figure {
                    (PreEscaped(grid_svg(heading, of_set, sweep.bands)))
                    figcaption { "P(met) of each target of " (heading) ", by unit" }
                }
            }
        },
    ));
    report.push(Section::new(
        "table",
        "All units and target sets",
        table(rows),
    ));
    report.to_html()
}

fn table(rows: &[Row]) -> Markup {
    html! {
        table {
            tr {
                th { "scenario" } th { "variant" } th { "target set" }
                th.num { "joint P" } th.num { "rank" }
                th.num { "偏高" } th.num { "适中" } th.num { "偏低" }
                th { "P(met) of each target" }
            }
            @for r in rows {
                tr {
                    td { (r.scenario) }
                    td { (r.variant) }
                    td { (r.set) " " (r.set_label) @if r.upper_level { " (upper level)" } }
                    td.num { (pct(r.joint)) }
                    td.num { (r.rank) " of " (r.of) }
                    td.num { (r.verdicts[0]) }
                    td.num { (r.verdicts[1]) }
                    td.num { (r.verdicts[2]) }
                    td {
                        @for (i, (t, p)) in r.targets.iter().enumerate() {
                            @if i > 0 { ", " }
                            (t) " " (pct(*p))
                        }
                    }
                }
            }
        }
    }
}

fn unit_name(r: &Row) -> String {
    if r.variant == super::file::BASE {
        r.scenario.clone()
    } else {
        format!("{}/{}", r.scenario, r.variant)
    }
}

/// Horizontal bars of joint probability, one per unit (already sorted).
fn ranking_svg(title: &str, rows: &[&Row]) -> String {
    let names: Vec<String> = rows.iter().map(|r| unit_name(r)).collect();
    let left = names
        .iter()
        .map(|n| svg_chart::text_width(n, 13.0))
        .fold(80.0, f64::max)
        + 16.0;
    let (bar_w, row_h, top) = (520.0, 22.0, 44.0);
    let max = rows.iter().map(|r| r.joint).fold(0.0, f64::max).max(1e-9);
    let width = left + bar_w + 70.0;
    let height = top + row_h * rows.len() as f64 + 12.0;
    let mut s = svg_chart::header(width, height, title);
    s.push_str(&svg_chart::text(8.0, 24.0, 16.0, "start", title));
    for (i, (r, name)) in rows.iter().zip(&names).enumerate() {
        let y = top + row_h * i as f64;
        let w = bar_w * r.joint / max;
        s.push_str(&svg_chart::text(left - 8.0, y + 15.0, 13.0, "end", name));
        s.push_str(&format!(
            "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"/>\n",
            y + 3.0,
            row_h - 6.0,
            PALETTE[0]
        ));
        s.push_str(&svg_chart::text(
            left + w + 6.0,
            y + 15.0,
            12.0,
            "start",
            &pct(r.joint),
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// A grid of P(met): units down, targets across, coloured by verdict.
fn grid_svg(title: &str, rows: &[&Row], bands: Bands) -> String {
    let mut columns: Vec<String> = Vec::new();
    for r in rows {
        for (t, _) in &r.targets {
            if !columns.contains(t) {
                columns.push(t.clone());
            }
        }
    }
    let names: Vec<String> = rows.iter().map(|r| unit_name(r)).collect();
    let left = names
        .iter()
        .map(|n| svg_chart::text_width(n, 13.0))
        .fold(80.0, f64::max)
        + 16.0;
    let (cell_w, cell_h, top) = (64.0, 22.0, 150.0);
    let width = left + cell_w * columns.len() as f64 + 16.0;
    let height = top + cell_h * rows.len() as f64 + 12.0;
    let mut s = svg_chart::header(width, height, title);
    s.push_str(&svg_chart::text(8.0, 24.0, 16.0, "start", title));
    for (j, c) in columns.iter().enumerate() {
        let x = left + cell_w * (j as f64 + 0.5);
        s.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"start\" transform=\"rotate(-60 {x:.1} {:.1})\">{}</text>\n",
            top - 6.0,
            top - 6.0,
            svg_chart::escape(c)
        ));
    }
    for (i, (r, name)) in rows.iter().zip(&names).enumerate() {
        let y = top + cell_h * i as f64;
        s.push_str(&svg_chart::text(left - 8.0, y + 15.0, 13.0, "end", name));
        for (j, c) in columns.iter().enumerate() {
            let Some((_, p)) = r.targets.iter().find(|(t, _)| t == c) else {
                continue;
            };
            let (fill, ink) = match Verdict::of(*p, bands) {
                Verdict::TooAmbitious => (PALETTE[5], "white"),
                Verdict::Within => ("#e4e4e4", "#282828"),
                Verdict::TooTimid => (PALETTE[0], "white"),
            };
            let x = left + cell_w * j as f64;
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>\n",
                x + 1.0,
                y + 1.0,
                cell_w - 2.0,
                cell_h - 2.0,
                x + cell_w / 2.0,
                y + 15.0,
                pct(*p)
            ));
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: &str, set: &str, joint: f64, ps: &[f64]) -> Row {
        Row {
            scenario: scenario.into(),
            variant: "base".into(),
            title: String::new(),
            set: set.into(),
            set_label: String::new(),
            upper_level: false,
            joint,
            joint_se: 0.0,
            targets: ps
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("t{i}"), *p))
                .collect(),
            verdicts: [0; 3],
            rank: 0,
            of: 0,
        }
    }

    #[test]
    fn ranks_count_from_the_least_likely_within_each_set() {
        let mut rows = vec![
            row("a", "draft", 0.3, &[0.5]),
            row("b", "draft", 0.1, &[0.5]),
            row("a", "city", 0.05, &[0.5]),
            row("c", "draft", 0.3, &[0.5]),
        ];
        rank(&mut rows);
        let got: Vec<(usize, usize)> = rows.iter().map(|r| (r.rank, r.of)).collect();
        assert_eq!(got, vec![(2, 3), (1, 3), (1, 1), (2, 3)]);
    }

    #[test]
    fn the_csv_has_one_column_per_target_and_blanks_where_a_set_lacks_one() {
        let rows = vec![
            row("a", "draft", 0.3, &[0.25, 0.5]),
            row("b", "draft", 0.1, &[0.75]),
        ];
        let text = String::from_utf8(csv(&rows)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].ends_with("p_t0,p_t1"), "{}", lines[0]);
        assert!(lines[1].ends_with("0.250000,0.500000"), "{}", lines[1]);
        assert!(lines[2].ends_with("0.750000,"), "{}", lines[2]);
    }
}
