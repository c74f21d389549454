//! `[report]`: the scenario's defaults for the briefing every output shows
//! (language, confidence of the recommended targets, verdict bands, the one
//! interval) and, per indicator, the step its recommended target is
//! rounded to. The command line may override the language (`--lang`).

use super::Indicator;
use super::fields::{Fields, did_you_mean, join, show};
use crate::briefing::{Bands, Interval, Settings};
use crate::error::Problem;
use crate::render::lang::Lang;
use serde_json::Value;

/// What `[report]` sets; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub lang: Option<Lang>,
    pub confidence: Option<f64>,
    pub bands: Option<Bands>,
    pub interval: Option<Interval>,
    /// `round_to`: per indicator (index into `Scenario::indicators`), the
    /// step a recommended target is rounded to, in the indicator's own
    /// units (a fraction for a rate: 0.005 is half a percentage point).
    pub round_to: Vec<(usize, f64)>,
}

impl Report {
    /// The briefing settings: the scenario's, then `lang` when given.
    pub fn settings(&self, lang: Option<Lang>) -> Settings {
        let d = Settings::default();
        Settings {
            lang: lang.or(self.lang).unwrap_or(d.lang),
            confidence: self.confidence.unwrap_or(d.confidence),
            bands: self.bands.unwrap_or(d.bands),
            interval: self.interval.unwrap_or(d.interval),
        }
    }

    /// The rounding step set for indicator `i`, if any.
    pub fn step(&self, i: usize) -> Option<f64> {
        self.round_to.iter().find(|(j, _)| *j == i).map(|&(_, s)| s)
    }
}

/// Read and check `[report]`.
pub(super) fn read(v: Option<&Value>, indicators: &[Indicator], p: &mut Vec<Problem>) -> Report {
    let mut r = Report::default();
    let Some(v) = v else { return r };
    let Some(mut f) = Fields::of(v, "report", p) else {
        return r;
    };
    if let Some(text) = f.opt_str("lang", p) {
        match text.parse::<Lang>() {
            Ok(l) => r.lang = Some(l),
            Err(_) => p.push(
                Problem::new("report.lang", "the language of reports and printed tables")
                    .value(format!("\"{text}\""))
                    .hint("write `lang = \"zh\"` (中文, the default) or `lang = \"en\"` (English)"),
            ),
        }
    }
    if let Some(c) = f.opt_f64("confidence", p) {
        if c > 0.0 && c < 1.0 {
            r.confidence = Some(c);
        } else {
            p.push(
                Problem::new(
                    "report.confidence",
                    "the probability a recommended target should be met with is strictly between 0 and 1",
                )
                .value(c.to_string())
                .hint("for example `confidence = 0.7` (the default)"),
            );
        }
    }
    if let Some(b) = f.get("bands") {
        let pair = b
            .as_array()
            .filter(|a| a.len() == 2)
            .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
        match pair {
            Some((lo, hi)) if 0.0 < lo && lo < hi && hi < 1.0 => {
                r.bands = Some(Bands {
                    high_below: lo,
                    low_above: hi,
                })
            }
            _ => p.push(
                Problem::new(
                    "report.bands",
                    "two probabilities, 0 < a < b < 1: below a a target is 偏高 (too high), above b 偏低 (too low)",
                )
                .value(show(b))
                .hint("for example `bands = [0.5, 0.9]` (the default)"),
            ),
        }
    }
    if let Some(text) = f.opt_str("interval", p) {
        match text.trim() {
            "10-90" => r.interval = Some(Interval::P10P90),
            "5-95" => r.interval = Some(Interval::P05P95),
            "25-75" => r.interval = Some(Interval::P25P75),
            _ => p.push(
                Problem::new(
                    "report.interval",
                    "the interval every table, band and fan shows",
                )
                .value(format!("\"{text}\""))
                .hint("write \"10-90\" (the default), \"5-95\" or \"25-75\""),
            ),
        }
    }
    if let Some(t) = f.get("round_to") {
        match t.as_object() {
            Some(map) => {
                for (name, step) in map {
                    let path = join("report.round_to", name);
                    let Some(i) = indicators.iter().position(|x| &x.name == name) else {
                        let hint = did_you_mean(name, indicators.iter().map(|x| x.name.as_str()))
                            .unwrap_or_else(|| "name an indicator of [indicators]".into());
                        p.push(Problem::new(path, "no indicator of this name").hint(hint));
                        continue;
                    };
                    match step.as_f64() {
                        Some(s) if s > 0.0 && s.is_finite() && s <= 1e12 => {
                            r.round_to.push((i, s))
                        }
                        _ => p.push(
                            Problem::new(
                                path,
                                "a rounding step is a positive number in the indicator's units (a fraction for a rate)",
                            )
                            .value(show(step))
                            .hint("for example `gdp_growth = 0.005` (half a percentage point) or `fai_1 = 5`"),
                        ),
                    }
                }
            }
            None => p.push(
                Problem::new(
                    "report.round_to",
                    "a table of indicator names and rounding steps",
                )
                .value(show(t))
                .hint("for example `round_to = { gdp_growth = 0.01 }`"),
            ),
        }
    }
    f.finish(p);
    r
}
