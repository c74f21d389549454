//! `targetsim serve`: the target workshop, a local web page where a bureau
//! changes an assumption or a target and sees every probability update at
//! once, simulated on the server by the same engine as `run`.
//!
//! HTTP is `tiny_http` (small and synchronous: a page, a script and a
//! two-route JSON API need no async runtime). The accepting thread checks
//! each request and answers the page, the script and saves itself; one
//! worker thread runs the simulations, from a queue that keeps only the
//! latest request of each client (an older one waiting is answered 409,
//! "superseded"), so dragging a slider never piles up runs.
//!
//! Safety, because a page in the same browser could try to reach the
//! server: it listens on 127.0.0.1 unless told otherwise; a request whose
//! `Host` is not the bound address is refused (DNS rebinding); every
//! request needs the random token the printed address carries; bodies are
//! limited to [`BODY_LIMIT`]; files are written only beside the scenario,
//! never over one (see [`save`]).

pub mod controls;
pub mod page;
pub mod save;
pub mod view;
pub mod workshop;

use crate::error::{RunError, ScenarioError};
use crate::scenario::Editable;
use crate::scenario::variants::{Step, path_steps};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Condvar, Mutex};
use tiny_http::{Header, Method, Request, Response};
use workshop::{Ask, Refusal, Workshop};

/// The largest request body accepted (413 beyond): overrides for every
/// control of a large scenario fit many times over.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The header (or `token` query parameter) that carries the token.
pub const TOKEN_HEADER: &str = "X-Targetsim-Token";
/// The header a page names itself by, so its stale requests are dropped.
pub const CLIENT_HEADER: &str = "X-Targetsim-Client";

/// How to serve.
pub struct Options {
    /// Address to listen on (127.0.0.1 unless `--bind`).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Tells an invalid scenario as `validate` prints it.
    pub describe: fn(&ScenarioError) -> String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cannot listen on {addr}: {message}\n  hint: choose another port with --port (0 picks a free one)"
    )]
    Bind { addr: SocketAddr, message: String },
    #[error("cannot make the access token: {0}")]
    Token(std::io::Error),
    #[error(
        "{0} is not one address: listening on every interface would let any machine on the network in\n  hint: give the address of one interface, or leave --bind out for 127.0.0.1"
    )]
    Unspecified(IpAddr),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{0}")]
    Invalid(String),
}

/// A listening workshop; [`Server::serve`] answers requests until the
/// process ends.
pub struct Server {
    http: tiny_http::Server,
    state: Arc<State>,
    url: String,
}

struct State {
    workshop: Workshop,
    token: String,
    /// `Host` values accepted: the bound address and port, and
    /// `localhost:PORT` when bound to loopback.
    hosts: Vec<String>,
    page: String,
    describe: fn(&ScenarioError) -> String,
    queue: Queue,
}

impl Server {
    /// Check the scenario, run it once (the page's first results), listen.
    pub fn start(workshop: Workshop, opts: Options) -> Result<Server, ServeError> {
        if opts.bind.is_unspecified() {
            return Err(ServeError::Unspecified(opts.bind));
        }
        let token = token().map_err(ServeError::Token)?;
        let lang = workshop.settings().lang;
        let s = &workshop.editable.scenario;
        let controls = controls::of(workshop.editable.document(), s, lang);
        let references = references(&workshop.editable, &controls)
            .map_err(|e| ServeError::Invalid((opts.describe)(&e)))?;
        let first = Ask {
            view: true,
            ..Ask::default()
        };
        let results = match workshop.run(&first) {
            Ok(v) => v["view"]["html"].as_str().unwrap_or_default().to_string(),
            Err(Refusal::Run(e)) => return Err(e.into()),
            Err(Refusal::Invalid(e)) => return Err(ServeError::Invalid((opts.describe)(&e))),
            Err(Refusal::BadRequest(m) | Refusal::Draw(m)) => return Err(ServeError::Invalid(m)),
        };
        let addr = SocketAddr::new(opts.bind, opts.port);
        let http = tiny_http::Server::http(addr).map_err(|e| ServeError::Bind {
            addr,
            message: e.to_string(),
        })?;
        let bound = http.server_addr().to_ip().unwrap_or(addr);
        let host = match bound.ip() {
            IpAddr::V6(ip) => format!("[{ip}]:{}", bound.port()),
            ip => format!("{ip}:{}", bound.port()),
        };
        let mut hosts = vec![host.clone()];
        if bound.ip().is_loopback() {
            hosts.push(format!("localhost:{}", bound.port()));
        }
        let page = page::html(
            &page::PageInfo {
                scenario: s,
                lang,
                draws: workshop.draws,
                seed: workshop.seed,
                token: &token,
                results: &results,
                references: &references,
            },
            &controls,
        );
        let url = format!("http://{host}/?token={token}");
        Ok(Server {
            http,
            state: Arc::new(State {
                workshop,
                token,
                hosts,
                page,
                describe: opts.describe,
                queue: Queue::default(),
            }),
            url,
        })
    }

    /// The address to open, token included.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answer requests until the process ends.
    pub fn serve(self) -> Result<(), ServeError> {
        let worker = Arc::clone(&self.state);
        std::thread::spawn(move || {
            loop {
                let (request, ask) = worker.queue.pop();
                let answer = worker.run(&ask);
                let _ = request.respond(answer);
            }
        });
        for request in self.http.incoming_requests() {
            self.state.handle(request);
        }
        Ok(())
    }
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

impl State {
    fn handle(&self, mut request: Request) {
        // Refusals first, in this order: a foreign Host (DNS rebinding),
        // a missing or wrong token, an oversized body.
        let host = header(&request, "Host");
        if !host.is_some_and(|h| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h))) {
            let _ = request.respond(text(
                403,
                &format!(
                    "refused: the Host header must be {} (a page reaching this server through another name is refused)",
                    self.hosts.join(" or ")
                ),
            ));
            return;
        }
        let (path, query) = match request.url().split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (request.url().to_string(), String::new()),
        };
        let given = header(&request, TOKEN_HEADER)
            .map(str::to_string)
            .or_else(|| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("token=").map(str::to_string))
            });
        if !given.is_some_and(|t| same(&t, &self.token)) {
            let _ = request.respond(text(
                403,
                "refused: a valid token is needed; open the address `targetsim serve` printed, which carries it",
            ));
            return;
        }
        let method = request.method().clone();
        let answer = match (method, path.as_str()) {
            (Method::Get, "/") => with_csp(html(&self.page)),
            (Method::Get, "/app.js") => typed(
                200,
                page::SCRIPT.as_bytes(),
                "text/javascript; charset=utf-8",
            ),
            (Method::Post, "/api/run") => {
                let body = match read_body(&mut request) {
                    Ok(b) => b,
                    Err(answer) => {
                        let _ = request.respond(answer);
                        return;
                    }
                };
                match Ask::parse(&body) {
                    Ok(ask) => {
                        let client = header(&request, CLIENT_HEADER)
                            .map(str::to_string)
                            .or_else(|| request.remote_addr().map(|a| a.ip().to_string()))
                            .unwrap_or_default();
                        // Answered by the worker; a request it replaces is
                        // answered here, outside the queue's lock.
                        if let Some(old) = self.queue.push(client, request, ask) {
                            let _ = old.respond(json_answer(
                                409,
                                &json!({ "superseded": true, "message": "a later request from the same page replaced this one" }),
                            ));
                        }
                        return;
                    }
                    Err(refusal) => self.refusal(refusal),
                }
            }
            (Method::Post, "/api/save") => match read_body(&mut request) {
                Ok(body) => self.save(&body),
                Err(answer) => answer,
            },
            (_, "/" | "/app.js" | "/api/run" | "/api/save") => text(405, "method not allowed"),
            _ => text(404, "not found"),
        };
        let _ = request.respond(answer);
    }

    fn run(&self, ask: &Ask) -> Answer {
        match self.workshop.run(ask) {
            Ok(v) => json_answer(200, &v),
            Err(r) => self.refusal(r),
        }
    }

    fn refusal(&self, r: Refusal) -> Answer {
        match r {
            Refusal::BadRequest(m) => text(400, &format!("error: {m}")),
            Refusal::Invalid(e) => text(400, &(self.describe)(&e)),
            Refusal::Run(e) => text(500, &format!("error: {e}")),
            Refusal::Draw(m) => text(500, &format!("error: cannot draw the results: {m}")),
        }
    }

    /// `POST /api/save`: the request's overrides (and variant) written as a
    /// new scenario file beside the original; `{"file", "path", "changed"}`.
    fn save(&self, body: &[u8]) -> Answer {
        let ask = match Ask::parse(body) {
            Ok(a) => a,
            Err(r) => return self.refusal(r),
        };
        let name = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
            .filter(|n| !n.trim().is_empty());
        // Only a scenario that validates is saved.
        if let Err(r) = self.workshop.scenario(&ask) {
            return self.refusal(r);
        }
        let editable = &self.workshop.editable;
        let file = editable.scenario.file.clone();
        let base = editable.document();
        let mut changes = Vec::new();
        if let Some(v) = ask.variant.as_deref()
            && let Some(variant) = editable.scenario.variants.iter().find(|x| x.name == v)
        {
            for o in &variant.overrides {
                changes.push(save::Change {
                    path: o.path.clone(),
                    before: value_at(base, &o.path).cloned(),
                    after: o.value.clone(),
                });
            }
        }
        for o in &ask.overrides {
            changes.push(save::Change {
                path: o.path.clone(),
                before: value_at(base, &o.path).cloned(),
                after: o.value.clone(),
            });
        }
        let original = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => return text(500, &format!("error: {}: cannot read: {e}", file.display())),
        };
        let source = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let dir = file
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let written = save::write_beside(&file, name.as_deref(), |stem| {
            let text = save::edit(&original, &source, ask.variant.as_deref(), &changes, stem)?;
            // The saved text must be a valid scenario before it is written.
            let target = dir.join(format!("{stem}.toml"));
            crate::scenario::from_bytes(&target, text.as_bytes(), crate::scenario::Format::Toml)
                .map_err(|e| save::SaveError::Refused((self.describe)(&e)))?;
            Ok(text)
        });
        match written {
            Ok(path) => json_answer(
                200,
                &json!({
                    "file": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "path": path.display().to_string(),
                    "changed": changes.iter().map(|c| &c.path).collect::<Vec<_>>(),
                }),
            ),
            Err(e @ save::SaveError::Refused(_)) => text(400, &format!("error: {e}")),
            Err(e @ save::SaveError::Exists(_)) => text(409, &format!("error: {e}")),
            Err(e @ save::SaveError::Write(_)) => text(500, &format!("error: {e}")),
        }
    }
}

/// Each control's value in the scenario (`""`) and in each variant.
fn references(
    e: &Editable,
    controls: &[controls::Control],
) -> Result<Vec<Map<String, Value>>, ScenarioError> {
    let mut docs = vec![(String::new(), e.document().clone())];
    for v in &e.scenario.variants {
        docs.push((v.name.clone(), e.document_with(Some(&v.name), &[])?));
    }
    Ok(controls
        .iter()
        .map(|c| {
            docs.iter()
                .filter_map(|(name, doc)| {
                    let v = value_at(doc, &c.path)?.as_f64()?;
                    Some((name.clone(), json!(v)))
                })
                .collect()
        })
        .collect())
}

/// The value at a dotted path of a document, if there is one.
pub fn value_at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let steps = path_steps(path)?;
    let mut cur = doc;
    for (i, step) in steps.iter().enumerate() {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => m.get(k)?,
            (Step::Index(j), Value::Array(a)) => a.get(*j)?,
            (Step::Key(k), Value::Array(a)) => a
                .iter()
                .find(|t| t.get("indicator").and_then(Value::as_str) == Some(k))?,
            (Step::Key(k), bare @ (Value::Number(_) | Value::String(_)))
                if i + 1 == steps.len() && (k == "value" || k == "formula") =>
            {
                bare
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// The waiting simulations, at most one per client, oldest first.
#[derive(Default)]
struct Queue {
    waiting: Mutex<VecDeque<(String, Request, Ask)>>,
    ready: Condvar,
}

impl Queue {
    /// Queue a request; the same client's waiting one, if any, is returned
    /// to be answered as superseded.
    fn push(&self, client: String, request: Request, ask: Ask) -> Option<Request> {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let old = w
            .iter()
            .position(|(c, _, _)| *c == client)
            .and_then(|i| w.remove(i))
            .map(|(_, r, _)| r);
        w.push_back((client, request, ask));
        self.ready.notify_one();
        old
    }

    fn pop(&self) -> (Request, Ask) {
        let mut w = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some((_, r, a)) = w.pop_front() {
                return (r, a);
            }
            w = self.ready.wait(w).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// 128 random bits from the operating system, in hex. Read from
/// /dev/urandom rather than through a crate: one read, nothing to compile.
fn token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equal strings, compared in a time that does not depend on where they
/// first differ (no timing hints about the token).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn header<'a>(r: &'a Request, name: &'static str) -> Option<&'a str> {
    r.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// The body, at most [`BODY_LIMIT`] bytes (413 beyond).
fn read_body(r: &mut Request) -> Result<Vec<u8>, Answer> {
    let too_large = || {
        text(
            413,
            &format!("refused: the body is larger than {BODY_LIMIT} bytes"),
        )
    };
    if r.body_length().is_some_and(|n| n > BODY_LIMIT) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    r.as_reader()
        .take(BODY_LIMIT as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| text(400, &format!("error: cannot read the body: {e}")))?;
    if body.len() > BODY_LIMIT {
        return Err(too_large());
    }
    Ok(body)
}

fn make_header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// A response with its type and the headers every answer carries: no
/// caching (results change), no sniffing, no referrer (the URL has the token).
fn typed(status: u16, body: &[u8], content_type: &str) -> Answer {
    let mut r = Response::from_data(body.to_vec()).with_status_code(status);
    for (k, v) in [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ] {
        if let Some(h) = make_header(k, v) {
            r.add_header(h);
        }
    }
    r
}

fn text(status: u16, body: &str) -> Answer {
    typed(status, body.as_bytes(), "text/plain; charset=utf-8")
}

fn html(body: &str) -> Answer {
    typed(200, body.as_bytes(), "text/html; charset=utf-8")
}

fn json_answer(status: u16, v: &Value) -> Answer {
    typed(status, v.to_string().as_bytes(), "application/json")
}

fn with_csp(mut r: Answer) -> Answer {
    if let Some(h) = make_header("Content-Security-Policy", page::CSP) {
        r.add_header(h);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_random_bits_in_hex_and_compare_whole() {
        let (a, b) = (token().expect("token"), token().expect("token"));
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same(&a, &a[..31]));
    }

    #[test]
    fn values_are_found_by_index_by_indicator_and_bare() {
        let doc = json!({ "base": { "fai": 50 }, "t": { "targets": [{ "indicator": "g", "at_least": 0.09 }] } });
        assert_eq!(value_at(&doc, "t.targets.0.at_least"), Some(&json!(0.09)));
        assert_eq!(value_at(&doc, "t.targets.g.at_least"), Some(&json!(0.09)));
        assert_eq!(value_at(&doc, "base.fai.value"), Some(&json!(50)));
        assert_eq!(value_at(&doc, "base.gdp"), None);
    }
}
