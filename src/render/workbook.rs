//! Tables a planner opens in Excel or WPS: one [`Table`] is written both as
//! a sheet of a workbook (`results.xlsx`, `calibration.xlsx`,
//! `comparison.xlsx`) and, where a command has no CSV of its own yet, as a
//! CSV file (`calibration.csv`, `comparison.csv`), so the two never differ.
//!
//! A sheet has two header rows, frozen: the headers in Chinese, then the
//! code names (the CSV's header, which scripts read). Every value is a
//! number cell with a number format by what it holds (rates and
//! probabilities `0.0%`, amounts `#,##0.00`, counts `0`), never text;
//! columns are sized to their widest cell; text that a spreadsheet would
//! run as a formula gets Excel's quote prefix (see [`super::cells`]).
//!
//! The workbook is deterministic: rust_xlsxwriter stamps the file with the
//! time it was made unless told otherwise, so its creation time is fixed
//! at 2000-01-01 00:00 UTC ([`CREATED`]); zip entries carry no times. The
//! same run gives the same bytes.

use super::cells;
use crate::scenario::Kind;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError,
};

/// The fixed creation date of every workbook (year, month, day).
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A probability or a rate: `0.0%`.
    Percent,
    /// A standard error of a probability: `0.00%`.
    FinePercent,
    /// An amount: `#,##0.00`.
    Amount,
    /// A whole number: `0`.
    Count,
    /// A coefficient (a correlation, an R²): `0.000`.
    Coefficient,
}

impl Shown {
    /// The format of a value of an indicator of this kind.
    pub fn of(kind: Kind) -> Shown {
        match kind {
            Kind::Rate => Shown::Percent,
            Kind::Level => Shown::Amount,
            Kind::Count => Shown::Count,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Shown::Percent => "0.0%",
            Shown::FinePercent => "0.00%",
            Shown::Amount => "#,##0.00",
            Shown::Count => "0",
            Shown::Coefficient => "0.000",
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64, Shown),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }
    pub fn opt_text(s: Option<&str>) -> Value {
        s.map_or(Value::Empty, Value::text)
    }
    pub fn num(x: f64, shown: Shown) -> Value {
        Value::Number(x, shown)
    }
}

/// A sheet: its name, the code names of its columns, and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: &'static str,
    /// Code names (the CSV header); owned, as some tables' columns are
    /// made at run time (a sweep's `p_<target>`).
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(sheet: &'static str, columns: &[&'static str]) -> Table {
        Table {
            sheet,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }

    /// The table as a CSV file: the code names as the header, numbers
    /// rounded, text neutralised, a byte-order mark first.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&self.columns);
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    Value::Empty => String::new(),
                    Value::Text(s) => cells::text(s).into_owned(),
                    Value::Number(x, _) => cells::display(*x),
                })
                .collect();
            let _ = w.write_record(&cells);
        }
        cells::csv_file(&w.into_inner().unwrap_or_default())
    }
}

/// A chart of one column of a table against another, on some sheet.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// The sheet it is drawn on.
    pub on: &'static str,
    pub title: String,
    /// The sheet whose rows it reads, the first and last row (0-based, in
    /// the sheet: data start at row 2), the category and value columns.
    pub from: &'static str,
    pub rows: (u32, u32),
    pub category: u16,
    pub value: u16,
}

/// Display width of a cell, counting East Asian characters twice.
fn width(v: &Value) -> usize {
    use unicode_width::UnicodeWidthStr;
    match v {
        Value::Empty => 0,
        Value::Text(s) => s.width(),
        // Formatted numbers: `12,345.67`, `59.4%`; 12 fits nearly all.
        Value::Number(x, shown) => match shown {
            Shown::Percent | Shown::FinePercent | Shown::Coefficient | Shown::Count => 8,
            Shown::Amount => (x.abs().max(1.0).log10() as usize * 4 / 3 + 5).min(20),
        },
    }
}

/// Write the tables, one sheet each in order, and the charts.
pub fn write(tables: &[Table], charts: &[BarChart]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let (y, m, d) = CREATED;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let head = Format::new()
        .set_bold()
        .set_background_color(0xDDE4EE)
        .set_align(FormatAlign::Center);
    let code = Format::new()
        .set_italic()
        .set_font_color(0x666666)
        .set_align(FormatAlign::Center);
    let quoted = Format::new().set_quote_prefix();
    let formats: Vec<(Shown, Format)> = [
        Shown::Percent,
        Shown::FinePercent,
        Shown::Amount,
        Shown::Count,
        Shown::Coefficient,
    ]
    .into_iter()
    .map(|s| (s, Format::new().set_num_format(s.code())))
    .collect();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.sheet)?;
        let mut widths: Vec<usize> = t
            .columns
            .iter()
            .map(|c| {
                use unicode_width::UnicodeWidthStr;
                c.width().max(cells::header_zh(c).width())
            })
            .collect();
        for (c, name) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, cells::header_zh(name), &head)?;
            ws.write_string_with_format(1, c as u16, name, &code)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, v) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width(v));
                }
                let c = c as u16;
                match v {
                    Value::Empty => {}
                    Value::Text(s) if cells::is_formula_like(s) => {
                        ws.write_string_with_format(r, c, s, &quoted)?;
                    }
                    Value::Text(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    // A NaN or an infinity has no cell value: left empty.
                    Value::Number(x, _) if !x.is_finite() => {}
                    Value::Number(x, shown) => {
                        let f = formats
                            .iter()
                            .find(|(s, _)| s == shown)
                            .map(|(_, f)| f)
                            .unwrap_or(&formats[0].1);
                        ws.write_number_with_format(r, c, *x, f)?;
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        ws.set_freeze_panes(2, 0)?;
    }
    for ch in charts {
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name(&ch.title);
        chart
            .add_series()
            .set_categories((ch.from, ch.rows.0, ch.category, ch.rows.1, ch.category))
            .set_values((ch.from, ch.rows.0, ch.value, ch.rows.1, ch.value));
        chart.legend().set_hidden();
        chart
            .x_axis()
            .set_num_format("0%")
            .set_min(0.0)
            .set_max(1.0);
        let at = tables
            .iter()
            .find(|t| t.sheet == ch.on)
            .map_or(0, |t| t.rows.len() as u32 + 4);
        let index = charts
            .iter()
            .take_while(|o| !std::ptr::eq(*o, ch))
            .filter(|o| o.on == ch.on)
            .count();
        let ws = wb.worksheet_from_name(ch.on)?;
        ws.insert_chart(at + 16 * index as u32, 0, &chart)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_as_csv_has_the_code_names_rounded_numbers_and_inert_text() {
        let mut t = Table::new("目标", &["indicator", "probability"]);
        t.push(vec![
            Value::text("=1+1"),
            Value::num(0.09000000000000001, Shown::Percent),
        ]);
        t.push(vec![Value::text("gdp"), Value::num(-0.05, Shown::Percent)]);
        let csv = String::from_utf8(t.to_csv()).expect("UTF-8");
        assert_eq!(
            csv,
            "\u{feff}indicator,probability\n'=1+1,0.09\ngdp,-0.05\n"
        );
    }

    #[test]
    fn the_same_tables_give_the_same_workbook_bytes() {
        let mut t = Table::new("结论", &["target_set", "joint_probability"]);
        t.push(vec![Value::text("draft"), Value::num(0.25, Shown::Percent)]);
        let chart = BarChart {
            on: "结论",
            title: "P".into(),
            from: "结论",
            rows: (2, 2),
            category: 0,
            value: 1,
        };
        let a = write(std::slice::from_ref(&t), std::slice::from_ref(&chart)).expect("xlsx");
        let b = write(&[t], &[chart]).expect("xlsx");
        assert!(a.starts_with(b"PK"));
        assert_eq!(a, b);
    }
}
