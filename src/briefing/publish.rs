//! Targets as a bureau would publish them: rounded to a step planners use
//! (half a percentage point for growth rates, three significant figures
//! for levels, whole numbers for counts, or the scenario's `round_to`),
//! and worded as official documents word them (以上 / 左右 / 以内 / 区间).

use crate::render::lang::Lang;
use crate::scenario::{Kind, Rule};

/// Default step for a rate: half a percentage point.
pub const RATE_STEP: f64 = 0.005;

/// The step a recommended target on an indicator of `kind` near `x` is
/// rounded to: `round_to` when the scenario sets one, else half a point
/// for a rate, 1 for a count, three significant figures of `x` for a level.
pub fn step(kind: Kind, round_to: Option<f64>, x: f64) -> f64 {
    if let Some(s) = round_to {
        return s;
    }
    match kind {
        Kind::Rate => RATE_STEP,
        Kind::Count => 1.0,
        Kind::Level => {
            let a = x.abs();
            if a > 0.0 && a.is_finite() {
                10f64.powi(a.log10().floor() as i32 - 2)
            } else {
                1.0
            }
        }
    }
}

/// `k * step`, computed so that a multiple of a decimal step prints as
/// that decimal (0.085, not 0.08500000000000001): the step's decimals are
/// counted and the product rounded to them.
pub fn multiple(k: f64, step: f64) -> f64 {
    let d = decimals(step);
    let scale = 10f64.powi(d as i32);
    (k * step * scale).round() / scale
}

/// Decimals needed to write `step` exactly (at most 12).
fn decimals(step: f64) -> usize {
    (0..=12)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-9 * s.abs().max(1.0)
        })
        .unwrap_or(12)
}

/// The largest multiple of `step` at or below `x`.
pub fn floor_to(x: f64, step: f64) -> f64 {
    multiple((x / step + 1e-9).floor(), step)
}

/// The smallest multiple of `step` at or above `x`.
pub fn ceil_to(x: f64, step: f64) -> f64 {
    multiple((x / step - 1e-9).ceil(), step)
}

/// A number as published: `8.5%` for a rate, `280` or `2.95` for a level,
/// trailing zeros dropped.
pub fn number(x: f64, kind: Kind) -> String {
    let (v, pct) = match kind {
        Kind::Rate => (x * 100.0, "%"),
        _ => (x, ""),
    };
    // Enough decimals for any step down to 1e-6 of the value, then the
    // zeros a planner would not write.
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    format!("{s}{pct}")
}

/// A number with its unit (`280亿元`, `8.5%`).
fn with_unit(x: f64, kind: Kind, unit: Option<&str>, lang: Lang) -> String {
    let n = number(x, kind);
    match (kind, unit) {
        (Kind::Rate, _) | (_, None) => n,
        (_, Some(u)) => match lang {
            Lang::Zh => format!("{n}{u}"),
            Lang::En => format!("{n} {u}"),
        },
    }
}

/// A half-width: `0.5个百分点` / `0.5 points` for a rate, else the number
/// with its unit.
pub fn half_width(h: f64, kind: Kind, unit: Option<&str>, lang: Lang) -> String {
    match kind {
        Kind::Rate => {
            let pts = number(h * 100.0, Kind::Level);
            match lang {
                Lang::Zh => format!("{pts}个百分点"),
                Lang::En if pts == "1" => "1 point".into(),
                Lang::En => format!("{pts} points"),
            }
        }
        _ => with_unit(h, kind, unit, lang),
    }
}

/// A rule as published: `9%以上`, `3%以内`, `9%左右（±0.5个百分点）`,
/// `6%至7%`; in English `at least 9%`, `at most 3%`, `about 9% (±0.5
/// points)`, `6% to 7%`.
pub fn text(rule: &Rule, kind: Kind, unit: Option<&str>, lang: Lang) -> String {
    worded(rule, kind, unit, lang, &|x| number(x, kind))
}

/// A computed threshold (a joint calibration's, `--keep-plan`'s) in the
/// published wording but with the digits `format::threshold` gives
/// (`9.24%以上`, `269.2亿元以上`): it is not a rounded target.
pub fn text_exact(rule: &Rule, kind: Kind, unit: Option<&str>, lang: Lang) -> String {
    worded(rule, kind, unit, lang, &|x| {
        crate::render::format::threshold(x, kind)
    })
}

/// [`text`]'s wording with the numbers written by `num`.
fn worded(
    rule: &Rule,
    kind: Kind,
    unit: Option<&str>,
    lang: Lang,
    num: &dyn Fn(f64) -> String,
) -> String {
    let u = |x: f64| match (kind, unit, lang) {
        (Kind::Rate, _, _) | (_, None, _) => num(x),
        (_, Some(u), Lang::Zh) => format!("{}{u}", num(x)),
        (_, Some(u), Lang::En) => format!("{} {u}", num(x)),
    };
    match (*rule, lang) {
        (Rule::AtLeast { threshold }, Lang::Zh) => format!("{}以上", u(threshold)),
        (Rule::AtLeast { threshold }, Lang::En) => format!("at least {}", u(threshold)),
        (Rule::AtMost { threshold }, Lang::Zh) => format!("{}以内", u(threshold)),
        (Rule::AtMost { threshold }, Lang::En) => format!("at most {}", u(threshold)),
        (Rule::About { value, tolerance }, Lang::Zh) => format!(
            "{}左右（±{}）",
            u(value),
            half_width(tolerance, kind, unit, lang)
        ),
        (Rule::About { value, tolerance }, Lang::En) => format!(
            "about {} (±{})",
            u(value),
            half_width(tolerance, kind, unit, lang)
        ),
        (Rule::Range { low, high }, Lang::Zh) => format!("{}至{}", num(low), u(high)),
        (Rule::Range { low, high }, Lang::En) => format!("{} to {}", num(low), u(high)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_half_a_point_three_figures_and_whole_numbers() {
        assert_eq!(step(Kind::Rate, None, 0.093), 0.005);
        assert_eq!(step(Kind::Count, None, 12.4), 1.0);
        assert_eq!(step(Kind::Level, None, 283.7), 1.0);
        assert_eq!(step(Kind::Level, None, 3.217), 0.01);
        assert_eq!(step(Kind::Level, None, 1234.0), 10.0);
        assert_eq!(step(Kind::Rate, Some(0.01), 0.093), 0.01);
    }

    #[test]
    fn rounding_lands_on_the_step_and_prints_as_a_planner_writes_it() {
        assert_eq!(floor_to(0.0874, 0.005), 0.085);
        assert_eq!(ceil_to(0.0874, 0.005), 0.09);
        // A value already on the grid stays there.
        assert_eq!(floor_to(0.09, 0.005), 0.09);
        assert_eq!(ceil_to(0.09, 0.005), 0.09);
        assert_eq!(floor_to(283.7, 1.0), 283.0);
        assert_eq!(number(0.085, Kind::Rate), "8.5%");
        assert_eq!(number(0.09, Kind::Rate), "9%");
        assert_eq!(number(0.1225, Kind::Rate), "12.25%");
        assert_eq!(number(3.2, Kind::Level), "3.2");
        assert_eq!(number(10.0, Kind::Count), "10");
    }

    #[test]
    fn the_wording_is_kept_in_both_languages() {
        let r = |rule| text(&rule, Kind::Rate, None, Lang::Zh);
        assert_eq!(r(Rule::AtLeast { threshold: 0.085 }), "8.5%以上");
        assert_eq!(r(Rule::AtMost { threshold: 0.03 }), "3%以内");
        assert_eq!(
            r(Rule::About {
                value: 0.09,
                tolerance: 0.005
            }),
            "9%左右（±0.5个百分点）"
        );
        assert_eq!(
            r(Rule::Range {
                low: 0.06,
                high: 0.07
            }),
            "6%至7%"
        );
        let lvl = Rule::AtLeast { threshold: 280.0 };
        assert_eq!(
            text(&lvl, Kind::Level, Some("亿元"), Lang::Zh),
            "280亿元以上"
        );
        assert_eq!(
            text(&lvl, Kind::Level, Some("亿元"), Lang::En),
            "at least 280 亿元"
        );
        assert_eq!(
            text(
                &Rule::About {
                    value: 0.09,
                    tolerance: 0.01
                },
                Kind::Rate,
                None,
                Lang::En
            ),
            "about 9% (±1 point)"
        );
    }
}
