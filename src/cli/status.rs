//! The status lines `run` prints around its tables (the files written,
//! the draws `--precision` chose) and its progress messages, in the
//! output's language like the tables themselves. The English lines are
//! those scripts and the README already read, kept byte for byte.

use std::path::Path;
use targetsim::render::lang::Lang;
use targetsim::render::table::thousands;

/// `wrote output/…/summary.json`.
pub fn wrote(lang: Lang, path: &Path) -> String {
    match lang {
        Lang::Zh => format!("已写入 {}", path.display()),
        Lang::En => format!("wrote {}", path.display()),
    }
}

/// The count of charts written to `dir`; `fans` for a plan's fan charts.
pub fn charts(lang: Lang, n: usize, fans: bool, dir: &Path) -> String {
    match (lang, fans) {
        (Lang::Zh, false) => format!("已写入 {n} 张图（SVG 和 PNG）到 {}", dir.display()),
        (Lang::Zh, true) => format!("已写入 {n} 张扇形图（SVG 和 PNG）到 {}", dir.display()),
        (Lang::En, false) => format!("wrote {n} charts (SVG and PNG) to {}", dir.display()),
        (Lang::En, true) => format!("wrote {n} fan charts (SVG and PNG) to {}", dir.display()),
    }
}

/// Where the report is.
pub fn report(lang: Lang, path: &Path) -> String {
    match lang {
        Lang::Zh => format!("报告：{}", path.display()),
        Lang::En => format!("report: {}", path.display()),
    }
}

/// The draws `--precision E` chose.
pub fn precision(lang: Lang, e: f64, draws: u64) -> String {
    let n = thousands(draws);
    match lang {
        Lang::Zh => format!(
            "精度 {e}：{n} 次模拟（从 65,536 次起逐次加倍，取第一个所有标准误都不超过 {e} 的检查点）"
        ),
        Lang::En => format!(
            "precision {e}: {n} draws (the first checkpoint, from 65,536 doubling, where every standard error is at most {e})"
        ),
    }
}

/// Progress messages.
pub fn simulating(lang: Lang) -> &'static str {
    lang.t("模拟中", "simulating")
}

pub fn summarising(lang: Lang) -> &'static str {
    lang.t("汇总中", "summarising")
}

pub fn sensitivity(lang: Lang) -> &'static str {
    lang.t(
        "敏感性分析：什么决定未达成",
        "sensitivity: what decides a miss",
    )
}

pub fn drawing(lang: Lang) -> &'static str {
    lang.t("绘制图表，写出报告", "drawing charts, writing the report")
}

/// The progress bar's template (`{human_len}` is the number of draws).
pub fn bar(lang: Lang) -> &'static str {
    lang.t(
        "{spinner} {msg} {human_len} 次模拟 [{wide_bar}] {percent:>3}% {eta:>3}",
        "{spinner} {msg} {human_len} draws [{wide_bar}] {percent:>3}% {eta:>3}",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lines_are_the_ones_scripts_read_and_chinese_has_no_english_words() {
        let p = Path::new("output/seed-district/summary.json");
        assert_eq!(
            wrote(Lang::En, p),
            "wrote output/seed-district/summary.json"
        );
        assert_eq!(
            charts(Lang::En, 15, false, Path::new("out/charts")),
            "wrote 15 charts (SVG and PNG) to out/charts"
        );
        assert_eq!(
            report(Lang::En, p),
            "report: output/seed-district/summary.json"
        );
        for zh in [
            wrote(Lang::Zh, Path::new("x")),
            charts(Lang::Zh, 3, true, Path::new("x")),
            report(Lang::Zh, Path::new("x")),
            precision(Lang::Zh, 0.001, 131_072),
        ] {
            let words: Vec<&str> = zh
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 1 && !["SVG", "PNG"].contains(w))
                .collect();
            assert!(words.is_empty(), "{zh}: {words:?}");
        }
    }
}
