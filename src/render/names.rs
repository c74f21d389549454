//! What a printed table calls the scenario's things: in Chinese the labels
//! and the targets' published wording (地区生产总值增速, 9%以上), in English
//! the code names and `>= 9.0%` that scripts read. `calibrate`'s and
//! `compare`'s tables, and calibrate's ladder, take their names from here.

use super::format;
use super::lang::Lang;
use super::table::rule_text;
use crate::scenario::{Kind, Rule, Scenario};

/// An indicator of the scenario (a plan's view: `name@year`) as the
/// language names it, with its unit.
pub(crate) fn indicator_text(s: &Scenario, name: &str, lang: Lang) -> (String, Option<String>) {
    s.indicators
        .iter()
        .find(|i| i.name == name)
        .map_or((name.to_string(), None), |i| {
            (
                lang.meta_label(&i.meta, name).to_string(),
                i.meta.unit.clone(),
            )
        })
}

/// The names of one scenario's things in one language.
pub(crate) struct Names<'a> {
    s: &'a Scenario,
    lang: Lang,
}

impl<'a> Names<'a> {
    pub(crate) fn new(s: &'a Scenario, lang: Lang) -> Self {
        Names { s, lang }
    }

    /// The indicator: its label in Chinese, its code name in English.
    pub(crate) fn indicator(&self, name: &str) -> String {
        match self.lang {
            Lang::Zh => indicator_text(self.s, name, self.lang).0,
            Lang::En => name.to_string(),
        }
    }

    /// A target's rule as set (a draft, the upper level's): the published
    /// wording with its unit in Chinese (280亿元以上), `>= 280.0` in English.
    pub(crate) fn rule(&self, name: &str, r: &Rule, kind: Kind) -> String {
        self.worded(name, r, kind, crate::briefing::publish::text)
    }

    /// A computed threshold (joint calibration, `--keep-plan`): the
    /// wording and unit in Chinese, its digits as calibrate computes it.
    pub(crate) fn exact(&self, name: &str, r: &Rule, kind: Kind) -> String {
        self.worded(name, r, kind, crate::briefing::publish::text_exact)
    }

    fn worded(
        &self,
        name: &str,
        r: &Rule,
        kind: Kind,
        chinese: fn(&Rule, Kind, Option<&str>, Lang) -> String,
    ) -> String {
        match self.lang {
            Lang::Zh => {
                let unit = indicator_text(self.s, name, self.lang).1;
                chinese(r, kind, unit.as_deref(), self.lang)
            }
            Lang::En => rule_text(r, |x| format::threshold(x, kind), self.lang),
        }
    }

    /// A driver: its label in Chinese, its code name in English.
    pub(crate) fn driver(&self, name: &str, label: Option<&str>) -> String {
        match self.lang {
            Lang::Zh => label.unwrap_or(name).to_string(),
            Lang::En => name.to_string(),
        }
    }

    /// A target set: its label in Chinese (区草案), name and label in English.
    pub(crate) fn set(&self, name: &str, label: Option<&str>) -> String {
        match (self.lang, label) {
            (Lang::Zh, Some(l)) => l.to_string(),
            (Lang::Zh, None) => name.to_string(),
            (Lang::En, Some(l)) => format!("{name} {l}"),
            (Lang::En, None) => name.to_string(),
        }
    }
}
