//! Cells a spreadsheet reads safely: the one place that decides how a
//! number and a piece of text go into a CSV file or a workbook.
//!
//! * **Numbers** in CSV are rounded to [`SIGNIFICANT`] significant digits
//!   and written in their shortest form that reads back as that rounded
//!   value: `31.049999999999997` becomes `31.05`, `0.09000000000000001`
//!   becomes `0.09`. Ten digits keep a relative error below 5e-10, far
//!   below any Monte Carlo standard error, and stay inside the 15 digits a
//!   spreadsheet keeps. `summary.json` and the workbook's number cells keep
//!   the full double. A number is never escaped: `-0.05` is a number cell,
//!   negative or not.
//! * **Text** (labels, names, units, wording: anything a planner typed) that
//!   begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be
//!   read by a spreadsheet as a formula (OWASP, "CSV Injection"). In CSV it
//!   gets a leading apostrophe, which Excel and WPS show as a text marker;
//!   in a workbook the cell is a string cell with Excel's "quote prefix"
//!   style, the same apostrophe kept as a format, so editing the cell keeps
//!   it text. Text that cannot start a formula is written as it is.
//! * **CSV files** start with the UTF-8 byte-order mark, so Excel and WPS in
//!   a Chinese locale open 第一产业增加值 as Chinese, not mojibake.
//! * **Headers** of the workbook are Chinese ([`header_zh`]), with the code
//!   names (the CSV headers, which scripts read) in a second row.

use std::borrow::Cow;

/// Significant digits of a number in a CSV file.
pub const SIGNIFICANT: usize = 10;

/// The UTF-8 byte-order mark every CSV file starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `x` rounded to [`SIGNIFICANT`] significant digits (the nearest double
/// to that decimal). Non-finite values come back unchanged.
pub fn round(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // `{:.9e}` rounds the decimal expansion correctly (to nearest, ties to
    // even on the exact binary value), which arithmetic scaling by powers
    // of ten would not; parsing it back is exact to the nearest double.
    format!("{:.*e}", SIGNIFICANT - 1, x).parse().unwrap_or(x)
}

/// The number as a CSV cell: rounded, shortest form (`0.09`, `31.05`,
/// `280`); empty for NaN (no value), `inf`/`-inf` as Rust writes them.
pub fn display(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    let r = round(x);
    // -0 would read as a different value to a script; it is 0.
    if r == 0.0 { "0".into() } else { r.to_string() }
}

/// Whether a spreadsheet would read text starting so as a formula.
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text as a CSV cell: a leading apostrophe when it would read as a formula.
pub fn text(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A whole CSV file: the byte-order mark, then the records.
pub fn csv_file(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(BOM.len() + records.len());
    out.extend_from_slice(BOM);
    out.extend_from_slice(records);
    out
}

/// The Chinese header of a code-name column, for the workbook's first
/// header row; the code name itself when it has none.
pub fn header_zh(code: &str) -> &str {
    match code {
        "target_set" => "目标组",
        "set_label" => "目标组名称",
        "indicator" => "指标",
        "label" => "名称",
        "label_en" => "英文名称",
        "unit" => "单位",
        "kind" => "类型",
        "wording" => "表述",
        "rule" => "规则",
        "threshold" => "目标值",
        "low" => "下限",
        "high" => "上限",
        "probability" => "实现概率",
        "se" => "标准误",
        "verdict" => "判断",
        "recommended" => "建议目标",
        "mean" => "均值",
        "sd" => "标准差",
        "min" => "最小值",
        "max" => "最大值",
        "year" => "年份",
        "measure" => "口径",
        "joint_probability" => "全部实现概率",
        "joint_se" => "全部实现标准误",
        "independent_product" => "若相互独立",
        "targets" => "目标数",
        "variant" => "情景",
        "difference" => "差值",
        "difference_se" => "差值标准误",
        "driver" => "驱动因素",
        "rank" => "排序",
        "of" => "参与排序数",
        "scenario" => "地区",
        "title" => "标题",
        "upper_level" => "上级下达",
        "too_ambitious_偏高" => "偏高",
        "within_适中" => "适中",
        "too_timid_偏低" => "偏低",
        "share" => "解释份额",
        "p_if_low" => "低位时概率",
        "p_if_high" => "高位时概率",
        "confidence" => "置信度",
        "row" => "行",
        "from_year" => "起始年",
        "to_year" => "终止年",
        "given" => "条件",
        "value" => "数值",
        "p01" => "1%分位",
        "p05" => "5%分位",
        "p10" => "10%分位",
        "p25" => "25%分位",
        "p50" => "中位数",
        "p75" => "75%分位",
        "p90" => "90%分位",
        "p95" => "95%分位",
        "p99" => "99%分位",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_their_binary_noise_and_keep_ten_digits() {
        assert_eq!(display(31.049999999999997), "31.05");
        assert_eq!(display(0.09000000000000001), "0.09");
        assert_eq!(display(0.003473032104660134), "0.003473032105");
        assert_eq!(display(280.0), "280");
        assert_eq!(display(-0.05), "-0.05");
        assert_eq!(display(1234567890123.0), "1234567890000");
        assert_eq!(display(-0.0), "0");
        assert_eq!(display(f64::NAN), "");
        // Ten significant digits: the relative change is below 5e-10.
        for x in [
            std::f64::consts::PI,
            1.0 / 3.0,
            2.0e-12 / 7.0,
            9.87654321987e15,
        ] {
            let r = round(x);
            assert!(((r - x) / x).abs() <= 5e-10, "{x} -> {r}");
            let digits = format!("{r:e}");
            let mantissa = digits.split('e').next().unwrap_or("");
            assert!(
                mantissa.chars().filter(char::is_ascii_digit).count() <= SIGNIFICANT,
                "{r}"
            );
        }
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_gets_an_apostrophe_and_other_text_does_not() {
        for hostile in [
            "=HYPERLINK(\"http://x\",\"click\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(text(hostile), format!("'{hostile}"));
        }
        for plain in ["地区生产总值", "GDP", "年均增长8.5%以上", "9%", "a=b", ""] {
            assert_eq!(text(plain), plain);
        }
    }

    #[test]
    fn a_csv_file_starts_with_the_byte_order_mark() {
        assert_eq!(csv_file(b"a,b\n"), b"\xEF\xBB\xBFa,b\n");
    }
}
