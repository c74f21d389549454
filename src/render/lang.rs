//! The language of everything a planner reads: reports, chart titles, axes
//! and legends, printed tables. Chinese is the default because the people
//! the briefing goes to read Chinese; `--lang en` (or the scenario's
//! default) gives English. Scenario labels are used as written: `label` in
//! Chinese, `label_en` in English, the code name only when neither exists.

use crate::scenario::Meta;
use std::fmt;
use std::str::FromStr;

/// A language of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The text in this language: `lang.t("结论", "Conclusion")`.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The code used on the command line and in scenarios: `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// A label in this language: `label` (Chinese) or `label_en`, falling
    /// back to the other language's label, then to the code name.
    pub fn label<'a>(
        self,
        label: Option<&'a str>,
        label_en: Option<&'a str>,
        name: &'a str,
    ) -> &'a str {
        let (first, second) = match self {
            Lang::Zh => (label, label_en),
            Lang::En => (label_en, label),
        };
        first.or(second).unwrap_or(name)
    }

    /// [`Lang::label`] of a scenario variable's labels.
    pub fn meta_label<'a>(self, meta: &'a Meta, name: &'a str) -> &'a str {
        self.label(meta.label.as_deref(), meta.label_en.as_deref(), name)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" | "中文" => Ok(Lang::Zh),
            "en" | "english" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}`: use `zh` (中文, the default) or `en` (English)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fall_back_from_the_chosen_language_to_the_other_then_the_name() {
        assert_eq!(Lang::Zh.label(Some("增速"), Some("growth"), "g"), "增速");
        assert_eq!(Lang::En.label(Some("增速"), Some("growth"), "g"), "growth");
        assert_eq!(Lang::En.label(Some("增速"), None, "g"), "增速");
        assert_eq!(Lang::Zh.label(None, None, "g"), "g");
    }

    #[test]
    fn languages_parse_from_their_codes_and_nothing_else() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().unwrap_err().contains("`fr`"));
        assert_eq!(Lang::default(), Lang::Zh);
    }
}
