//! Errors the library returns. Scenario problems carry the file, the dotted
//! path to the field, the bad value and a fix, so the CLI can print them as a
//! planner needs them; run failures carry what failed and why.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted path to the field, e.g. `drivers.g_fai.sd`; empty for the whole file.
    pub path: String,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// What is wrong, as a rule the planner can check.
    pub message: String,
    /// How to fix it, when a fix is obvious.
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            value: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

/// Everything that can stop a scenario from loading.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the scenario file: {source}")]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file}: the file is {size} bytes; a scenario file is at most {limit} bytes (is this the right file?)"
    )]
    TooLarge {
        file: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{file}:{line}:{column}: {format} syntax error: {message}")]
    Syntax {
        file: PathBuf,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// Problems in an included workbook, each naming its sheet and cell.
    #[error("{}", render_cells(file, problems))]
    Workbook {
        file: PathBuf,
        problems: Vec<crate::input::workbook::CellProblem>,
    },
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

impl ScenarioError {
    /// The individual problems (one for read and syntax errors).
    pub fn problem_count(&self) -> usize {
        match self {
            ScenarioError::Invalid { problems, .. } => problems.len(),
            ScenarioError::Workbook { problems, .. } => problems.len(),
            _ => 1,
        }
    }
}

/// `inputs.xlsx, sheet base, B7: "9%" is text, not a number: type 9% as a
/// number or 0.09`, one problem a line.
pub(crate) fn render_cells(
    file: &std::path::Path,
    problems: &[crate::input::workbook::CellProblem],
) -> String {
    let file = crate::input::text::escape(&file.display().to_string()).into_owned();
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            let text = p.to_string();
            // A problem about the whole file has no place: `file: message`.
            match text.strip_prefix(": ") {
                Some(rest) => format!("{file}: {rest}"),
                None => format!("{file}, {text}"),
            }
        })
        .collect();
    lines.join("\n")
}

fn render_problems(file: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}", ProblemDisplay { file, problem: p }));
    }
    out
}

/// `file: path = value` then the message and hint indented, one problem.
pub struct ProblemDisplay<'a> {
    pub file: &'a std::path::Path,
    pub problem: &'a Problem,
}

/// Every part is escaped ([`crate::input::text::escape`]) line by line:
/// paths, values and messages quote text from the scenario, which must not
/// reach the terminal as control characters.
impl fmt::Display for ProblemDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::input::text::escape;
        let p = self.problem;
        write!(f, "{}", escape(&self.file.display().to_string()))?;
        if !p.path.is_empty() {
            write!(f, ": {}", escape(&p.path))?;
        }
        if let Some(v) = &p.value {
            write!(f, " = {}", escape(v))?;
        }
        for line in p.message.lines() {
            write!(f, "\n  {}", escape(line))?;
        }
        if let Some(h) = &p.hint {
            for (i, line) in h.lines().enumerate() {
                let lead = if i == 0 { "hint: " } else { "  " };
                write!(f, "\n  {lead}{}", escape(line))?;
            }
        }
        Ok(())
    }
}

/// A run that started from a valid scenario but could not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "{draws} draws need about {need_mib} MiB for {columns} result columns, but only {available_mib} MiB of memory is available\n  hint: lower --draws to at most {max_draws}"
    )]
    TooMuchMemory {
        draws: u64,
        columns: usize,
        need_mib: u64,
        available_mib: u64,
        max_draws: u64,
    },
    #[error(
        "indicator `{indicator}` is {value} in draw {draw}\n  formula: {formula}\n  inputs in that draw: {inputs}\n  hint: guard the formula (for example max(x, 0) before ln or sqrt, or a non-zero denominator)"
    )]
    NonFinite {
        indicator: String,
        formula: String,
        draw: u64,
        value: f64,
        inputs: String,
    },
    #[error("could not start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    /// The output directory cannot be created or written (checked before the run).
    #[error("{path}: {message}\n  hint: choose another directory with --out")]
    OutputDir { path: PathBuf, message: String },
    /// An indicator's values or statistics overflow what results can show.
    #[error(
        "indicator `{indicator}`: its {what} is {value:e}, too large to report\n  hint: rescale the indicator (for example 亿元 rather than 元) so that its values stay below {limit:e}"
    )]
    Overflow {
        indicator: String,
        what: &'static str,
        value: f64,
        limit: f64,
    },
    /// Writing a result file failed (disk full, permissions changed mid-run).
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
}
