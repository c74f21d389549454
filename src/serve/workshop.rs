//! One turn of the workshop: a set of overrides in, the summary (in
//! `summary.json`'s shape) and the page's redrawn results out. The run is
//! [`crate::run`], the same engine and summary as `targetsim run`, with the
//! scenario's seed, so every change is measured on the same draws (common
//! random numbers) and shows the effect of the change, not noise.

use super::view;
use crate::RunOptions;
use crate::briefing::Settings;
use crate::error::{RunError, ScenarioError};
use crate::render::lang::Lang;
use crate::scenario::{Editable, Override, Scenario};
use serde_json::{Map, Value, json};
use std::time::Instant;

/// The scenario and how every turn is run.
#[derive(Debug)]
pub struct Workshop {
    pub editable: Editable,
    pub draws: u64,
    pub seed: u64,
    /// Worker threads of the engine; `None` uses every core.
    pub threads: Option<usize>,
    /// `--lang`, over the scenario's `[report] lang`.
    pub lang: Option<Lang>,
}

/// What a turn asks for (the body of `POST /api/run`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ask {
    /// One of the scenario's `[variants]`, applied before the overrides.
    pub variant: Option<String>,
    pub overrides: Vec<Override>,
    /// Also draw the page's results (`view.html`), for this target set
    /// (`None`: the first).
    pub view: bool,
    pub set: Option<String>,
}

/// Why a turn gave no results.
#[derive(Debug)]
pub enum Refusal {
    /// The body is not a request (HTTP 400).
    BadRequest(String),
    /// The overrides make an invalid scenario (HTTP 400 with `validate`'s text).
    Invalid(ScenarioError),
    /// The run itself failed (HTTP 500).
    Run(RunError),
    /// A chart could not be drawn (HTTP 500).
    Draw(String),
}

impl Ask {
    /// Read `{"overrides": {"<dotted path>": value, ...}, "variant": "name",
    /// "view": true, "set": "draft"}`; every key but `overrides` may be left out.
    pub fn parse(body: &[u8]) -> Result<Ask, Refusal> {
        let bad = |m: String| Refusal::BadRequest(m);
        let v: Value =
            serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
        let Value::Object(map) = v else {
            return Err(bad(
                "the body must be an object: {\"overrides\": {\"<dotted path>\": value}}".into(),
            ));
        };
        let mut ask = Ask::default();
        for (k, v) in map {
            match (k.as_str(), v) {
                ("overrides", Value::Object(o)) => {
                    ask.overrides = o
                        .into_iter()
                        .map(|(path, value)| Override { path, value })
                        .collect();
                }
                ("variant" | "set", Value::Null) => {}
                ("variant", Value::String(s)) => ask.variant = Some(s).filter(|s| !s.is_empty()),
                ("set", Value::String(s)) => ask.set = Some(s),
                ("view", Value::Bool(b)) => ask.view = b,
                ("name", _) => {}
                (other, _) => {
                    return Err(bad(format!(
                        "`{}` is not a key of the request, or its value has the wrong type: overrides (object), variant (string), view (bool), set (string)",
                        other.escape_default()
                    )));
                }
            }
        }
        Ok(ask)
    }
}

impl Workshop {
    pub fn settings(&self) -> Settings {
        self.editable.scenario.report.settings(self.lang)
    }

    /// The scenario a turn runs.
    pub fn scenario(&self, ask: &Ask) -> Result<Scenario, Refusal> {
        self.editable
            .with(ask.variant.as_deref(), &ask.overrides)
            .map_err(Refusal::Invalid)
    }

    /// Run one turn: the summary's fields, `elapsed_ms` (the server's time
    /// for the whole turn: check, simulate, summarise, draw) and, when asked,
    /// `view`.
    pub fn run(&self, ask: &Ask) -> Result<Value, Refusal> {
        let start = Instant::now();
        let s = self.scenario(ask)?;
        let mut opts = RunOptions::new(self.draws, self.seed);
        opts.threads = self.threads;
        let summary = crate::run(&s, &opts).map_err(Refusal::Run)?;
        let mut out = match serde_json::to_value(&summary) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        if ask.view {
            let settings = self.settings();
            let html = view::results(&s, &summary, &settings, ask.set.as_deref())
                .map_err(|e| Refusal::Draw(e.to_string()))?;
            out.insert("view".into(), json!({ "html": html }));
        }
        let ms = start.elapsed().as_secs_f64() * 1e3;
        out.insert("elapsed_ms".into(), json!((ms * 10.0).round() / 10.0));
        Ok(Value::Object(out))
    }
}
