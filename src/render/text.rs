//! The one rule for text that reaches a page or a chart: which characters
//! are dropped. Scenario files may hold anything a planner pasted
//! (terminal colour codes, a bell, a stray NUL); none of it may reach
//! `report.html` or an SVG. HTML text is escaped by maud (the one HTML
//! escaper) and SVG text by [`super::chart::svg::escape`] (the one SVG
//! escaper); both drop what [`stripped`] names.

/// Whether `c` is dropped from every text of a page or a chart: control
/// characters other than newline and tab, and the two noncharacters XML
/// forbids (U+FFFE, U+FFFF), any of which would make an SVG unreadable.
pub fn stripped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `s` without the characters [`stripped`] names.
pub fn clean(s: &str) -> String {
    s.chars().filter(|&c| !stripped(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_stripped_but_lines_and_tabs_kept() {
        assert_eq!(
            clean("a\u{1b}[31mb\u{7}\nc\td\u{0}\r\u{7f}\u{9b}"),
            "a[31mb\nc\td"
        );
        assert_eq!(clean("地区\u{FFFF}生产\u{FFFE}总值"), "地区生产总值");
    }
}
