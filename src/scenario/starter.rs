//! `targetsim new NAME`: a scenario a planner starts from, seeded from the
//! seed district. The TOML keeps the seed's drivers, correlations,
//! indicators and comments and includes `NAME-inputs.xlsx`, which holds
//! the base values (sheet `基数`) and the target sets (sheet `目标`) under
//! Chinese headers, rates in percentage-formatted cells, read back by
//! [`super::workbook`] as exactly the seed's numbers.
//!
//! The seed is compiled in, so `new` works wherever the binary is.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// The seed district scenario, as shipped.
pub const SEED: &str = include_str!("../../scenarios/seed-district.toml");

/// The two files of a new scenario.
pub struct Starter {
    /// `NAME.toml`.
    pub toml: String,
    /// `NAME-inputs.xlsx`.
    pub workbook: Vec<u8>,
}

/// The workbook's file name for scenario `name`.
pub fn inputs_name(name: &str) -> String {
    format!("{name}-inputs.xlsx")
}

/// `NAME` becomes the scenario's `name`, which names its output folder,
/// and the stem of both files: the scenario name's rule (1 to 64 ASCII
/// letters, digits, `-`, `_`, `.`, not starting with `.`), which also keeps
/// out `/`, `\`, control characters and every character a file system
/// refuses; `..` is refused too, so no name reads as a path. Err holds the
/// problem and the fix.
pub fn check_name(name: &str) -> Result<(), String> {
    let hint = "use 1 to 64 ASCII letters, digits, `-`, `_` or `.`, e.g. east-district (put the Chinese name in the title)";
    let problem = if name.is_empty() {
        "is empty"
    } else if name.chars().any(char::is_control) {
        "holds a control character"
    } else if name.contains('/') || name.contains('\\') {
        "holds a path separator; NAME is a file name, see --dir for the folder"
    } else if name.contains("..") {
        "holds `..`"
    } else if name.starts_with('.') {
        "starts with `.` (a hidden file)"
    } else if name.len() > 64 {
        "is longer than 64 characters"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        "holds a character other than ASCII letters, digits, `-`, `_` and `.`"
    } else {
        return Ok(());
    };
    Err(format!(
        "NAME \"{}\" {problem}\n  hint: {hint}",
        crate::input::text::escape(&crate::input::text::excerpt(name, 60))
    ))
}

/// The scenario and its workbook for `name` (checked by [`check_name`]).
pub fn starter(name: &str) -> Result<Starter, String> {
    check_name(name)?;
    let seed: toml::Table = SEED
        .parse()
        .map_err(|e| format!("the compiled-in seed district does not parse: {e}"))?;
    let workbook = workbook(&seed).map_err(|e| format!("cannot write the workbook: {e}"))?;
    Ok(Starter {
        toml: toml_text(name),
        workbook,
    })
}

/// The seed's text, line for line, with `name` and `title` set, the
/// workbook included, and `[base]` and the target sets (now in the
/// workbook) left out.
fn toml_text(name: &str) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let inputs = inputs_name(name);
    let mut out = format!(
        "# Made by `targetsim new {name}` from the seed district: fill in\n\
         # {inputs} (sheets 基数 and 目标), then edit the drivers below.\n\n"
    );
    let mut skipping = false;
    for line in SEED.lines() {
        if line.starts_with('[') {
            let moved = line == "[base]" || line.starts_with("[target_sets.");
            if moved && !skipping {
                let what = if line == "[base]" {
                    "base values: sheet 基数"
                } else {
                    "target sets: sheet 目标"
                };
                out.push_str(&format!("# The {what} of {inputs}.\n\n"));
            }
            skipping = moved;
        }
        if skipping {
            continue;
        }
        if line.starts_with("name = ") {
            out.push_str(&format!("name = {}\n", quoted(name)));
            out.push_str(&format!("include = [{}]\n", quoted(&inputs)));
        } else if line.starts_with("title = ") {
            out.push_str(&format!(
                "title = {}\n",
                quoted(&format!("{name}: next year's targets"))
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The `基数` and `目标` sheets from the seed's `[base]` and target sets.
fn workbook(seed: &toml::Table) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // The results workbooks' fixed creation time: the same NAME gives the
    // same bytes.
    let (y, m, d) = crate::render::workbook::CREATED;
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?),
    );
    let head = Format::new().set_bold().set_background_color(0xDDE4EE);
    let amount = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.0%");
    let general = Format::new();
    let empty = toml::Table::new();
    let table = |key: &str| seed.get(key).and_then(|v| v.as_table()).unwrap_or(&empty);
    let text = |v: &toml::Value, key: &str| {
        v.get(key)
            .and_then(|s| s.as_str())
            .map(str::to_string)
            .unwrap_or_default()
    };
    let float = |v: &toml::Value| {
        v.as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .unwrap_or(0.0)
    };

    let ws = wb.add_worksheet();
    ws.set_name("基数")?;
    // Headers a planner reads; the reader knows them (`名称` is `name`).
    for (c, (h, w)) in [
        ("名称", 18.0),
        ("数值", 12.0),
        ("中文名称", 26.0),
        ("英文名称", 34.0),
        ("单位", 8.0),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, (name, v)) in table("base").iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, name)?;
        ws.write_number_with_format(r, 1, float(&v["value"]), &amount)?;
        for (c, key) in [(2, "label"), (3, "label_en"), (4, "unit")] {
            let s = text(v, key);
            if !s.is_empty() {
                ws.write_string(r, c, &s)?;
            }
        }
    }

    // Rates are shown as percentages (0.09 as 9.0%); the cell holds 0.09.
    let rates: Vec<&str> = table("indicators")
        .iter()
        .filter(|(_, v)| v.get("kind").and_then(|k| k.as_str()) == Some("rate"))
        .map(|(k, _)| k.as_str())
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name("目标")?;
    for (c, (h, w)) in [
        ("目标组", 10.0),
        ("指标", 22.0),
        ("规则", 8.0),
        ("目标值", 10.0),
        ("容差", 8.0),
        ("上限", 10.0),
        ("表述", 20.0),
        ("目标组名称", 14.0),
        ("目标组英文名称", 34.0),
        ("上级下达", 10.0),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1u32;
    for (set, s) in table("target_sets") {
        let targets = s.get("targets").and_then(|t| t.as_array());
        for t in targets.into_iter().flatten() {
            let indicator = text(t, "indicator");
            let fmt = if rates.contains(&indicator.as_str()) {
                &percent
            } else {
                &general
            };
            ws.write_string(r, 0, set)?;
            ws.write_string(r, 1, &indicator)?;
            let rule = ["at_least", "at_most", "about", "range"]
                .into_iter()
                .find(|k| t.get(*k).is_some())
                .unwrap_or("at_least");
            ws.write_string(
                r,
                2,
                match rule {
                    "at_least" => "以上",
                    "at_most" => "以内",
                    "about" => "左右",
                    _ => "区间",
                },
            )?;
            match (rule, t.get(rule)) {
                ("range", Some(toml::Value::Array(a))) if a.len() == 2 => {
                    ws.write_number_with_format(r, 3, float(&a[0]), fmt)?;
                    ws.write_number_with_format(r, 5, float(&a[1]), fmt)?;
                }
                (_, Some(v)) => {
                    ws.write_number_with_format(r, 3, float(v), fmt)?;
                }
                _ => {}
            }
            if let Some(tol) = t.get("tolerance") {
                ws.write_number_with_format(r, 4, float(tol), fmt)?;
            }
            let wording = text(t, "wording");
            if !wording.is_empty() {
                ws.write_string(r, 6, &wording)?;
            }
            // Set-level fields on every row of the set: the reader takes
            // them when they agree, and a planner sorting rows keeps them.
            for (c, key) in [(7, "label"), (8, "label_en")] {
                let s = text(s, key);
                if !s.is_empty() {
                    ws.write_string(r, c, &s)?;
                }
            }
            if let Some(b) = s.get("upper_level").and_then(|b| b.as_bool()) {
                ws.write_boolean(r, 9, b)?;
            }
            r += 1;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_a_plain_file_stem_are_refused() {
        for bad in [
            "", "a/b", "..", "a..b", "a\\b", ".hidden", "a\nb", "东区", "a b",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["east-district", "east_2026", "v1.2"] {
            assert!(check_name(good).is_ok(), "{good:?} refused");
        }
        assert!(check_name("a/b").unwrap_err().contains("--dir"));
    }

    #[test]
    fn the_scenario_text_keeps_the_seed_comments_and_leaves_base_and_targets_to_the_workbook() {
        let text = toml_text("east");
        assert!(text.contains("name = \"east\"\ninclude = [\"east-inputs.xlsx\"]\n"));
        assert!(text.contains("# The first eight drivers are joined by a Gaussian copula"));
        assert!(text.contains("[drivers]") && text.contains("[correlations]"));
        assert!(!text.contains("[base]") && !text.contains("[target_sets."));
        let doc: toml::Table = text.parse().expect("parses");
        assert_eq!(doc["title"].as_str(), Some("east: next year's targets"));
    }
}
