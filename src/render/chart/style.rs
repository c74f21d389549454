//! The chart vocabulary, defined once and used by every chart: what each
//! colour and marker means, text sizes, the one interval every band and
//! shading shows, and the words of titles, axes and legends in the
//! output's language.
//!
//! Roles and colours (Okabe and Ito 2008, safe for colour-vision
//! deficiencies):
//! - each target set keeps one colour everywhere, [`palette::target_set`]
//!   by declaration order (the upper level's set included, so the city is
//!   the same blue in every chart); the set's marker shape is
//!   [`set_shape`];
//! - the recommendation is [`RECOMMENDATION`] with a diamond, a colour no
//!   target set takes;
//! - the simulated distribution is neutral ([`DIST`], [`BAND`]), the
//!   median black, so colour always means "somebody's target".

use crate::briefing::Settings;
use crate::render::lang::Lang;

/// Okabe–Ito palette as `#RRGGBB`.
pub mod palette {
    pub const BLACK: &str = "#000000";
    pub const ORANGE: &str = "#E69F00";
    pub const SKY_BLUE: &str = "#56B4E9";
    pub const BLUISH_GREEN: &str = "#009E73";
    pub const YELLOW: &str = "#F0E442";
    pub const BLUE: &str = "#0072B2";
    pub const VERMILLION: &str = "#D55E00";
    pub const REDDISH_PURPLE: &str = "#CC79A7";

    /// Colour of the `i`-th target set (declaration order): the one
    /// source of a set's colour, so a set keeps it in every chart.
    /// Reddish purple is kept for the recommendation.
    pub fn target_set(i: usize) -> &'static str {
        const SETS: [&str; 4] = [VERMILLION, BLUE, BLUISH_GREEN, ORANGE];
        SETS[i % SETS.len()]
    }

    /// [`target_set`] as an owned string (for the comparison charts).
    pub fn target_set_hex(i: usize) -> String {
        target_set(i).to_string()
    }
}

/// The recommended target.
pub const RECOMMENDATION: &str = palette::REDDISH_PURPLE;
/// Text and axes.
pub const INK: &str = "#282828";
pub const MUTED: &str = "#5A5A5A";
pub const AXIS: &str = "#6E6E6E";
pub const GRID: &str = "#E3E3E3";
/// The simulated distribution (histogram bars, fan).
pub const DIST: &str = "#9DB4C6";
/// The interval's shading.
pub const BAND: &str = "#DCE6EE";
/// The median.
pub const MEDIAN: &str = palette::BLACK;
/// Verdict backgrounds: 偏高 / 适中 / 偏低.
pub const TOO_HIGH_BG: &str = "#FBE3D6";
pub const FIT_BG: &str = "#E4F2EC";
pub const TOO_LOW_BG: &str = "#E3EEF7";

/// Text sizes in SVG units. Charts are [`WIDTH`] units wide and their PNG
/// copies 1.5 times that in pixels, so at half an A4 page body text prints
/// at about 9 points.
pub const TITLE: f64 = 22.0;
pub const TEXT: f64 = 15.0;
pub const SMALL: f64 = 13.0;
pub const TICK: f64 = 13.0;
pub const WIDTH: f64 = 800.0;

/// Marker shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
    /// Hollow: a value that is not anybody's target (the "if independent"
    /// joint probability).
    Ring,
}

/// The marker of the `i`-th target set; the diamond is the recommendation's.
pub fn set_shape(i: usize) -> Shape {
    [Shape::Circle, Shape::Triangle, Shape::Square][i % 3]
}

/// `80%区间 (10–90%)` / `80% range (10–90%)`: the one interval's name.
pub fn interval_name(settings: &Settings) -> String {
    let (a, b) = settings.interval.probabilities();
    let width = ((b - a) * 100.0).round();
    match settings.lang {
        Lang::Zh => format!("{width:.0}%区间 ({})", settings.interval.label()),
        Lang::En => format!("{width:.0}% range ({})", settings.interval.label()),
    }
}

/// Words every chart uses, in the output's language.
pub fn median(lang: Lang) -> &'static str {
    lang.t("中位数", "median")
}

pub fn p_met(lang: Lang) -> &'static str {
    lang.t("实现概率", "P(met)")
}

pub fn draws(n: u64, lang: Lang) -> String {
    let n = crate::render::table::thousands(n);
    match lang {
        Lang::Zh => format!("{n} 次模拟"),
        Lang::En => format!("{n} draws"),
    }
}

pub fn share_of_draws(lang: Lang) -> &'static str {
    lang.t("模拟次数占比 (%)", "share of draws (%)")
}

pub fn met_together(lang: Lang) -> &'static str {
    lang.t("全部同时实现", "all met together")
}

pub fn if_independent(lang: Lang) -> &'static str {
    lang.t("若相互独立", "if independent")
}

/// A set's name as a legend shows it: its label in the language.
pub fn set_label(label: Option<&str>, label_en: Option<&str>, name: &str, lang: Lang) -> String {
    lang.label(label, label_en, name).to_string()
}
