//! A headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`, no network port), shared by the browser
//! tests of `report.html` (tests/browser.rs) and of the workshop
//! (tests/serve.rs).
//!
//! Without a browser a test fails when the environment variable `CI` is
//! set (`.ci/run` installs `chromium`), and otherwise skips with a notice.
//! `TARGETSIM_CHROMIUM` names another browser binary.

// Each test binary uses part of this module.
#![allow(dead_code)]

use base64::Engine;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TARGETSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` (with a notice) when it may be skipped.
pub fn browser_or_skip() -> Option<PathBuf> {
    match find_browser() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "chromium is not installed but CI is set: install it (apt-get install -y chromium)"
            )
        }
        None => {
            eprintln!(
                "NOTICE: skipping the browser test: no chromium on PATH (set CI to make this a failure)"
            );
            None
        }
    }
}

/// What the page did while it loaded.
#[derive(Debug, Default)]
pub struct PageLog {
    pub requests: Vec<String>,
    pub console: Vec<String>,
}

/// A headless browser spoken to over the DevTools protocol: messages are
/// JSON, each ended by a NUL byte, written to its fd 3 and read from its fd 4.
pub struct Browser {
    child: Child,
    to: std::io::PipeWriter,
    from: Receiver<Value>,
    next_id: u64,
    session: String,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch(exe: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile directory");
        let (child_reads, to) = std::io::pipe().expect("pipe");
        let (from, child_writes) = std::io::pipe().expect("pipe");
        let (r, w) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        let mut cmd = std::process::Command::new(exe);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2, close) between
        // fork and exec. The pipe ends are first copied above fd 10 so that
        // placing them at 3 and 4 cannot overwrite one with the other.
        unsafe {
            cmd.pre_exec(move || {
                let r2 = libc::fcntl(r, libc::F_DUPFD, 10);
                let w2 = libc::fcntl(w, libc::F_DUPFD, 10);
                if r2 < 0 || w2 < 0 || libc::dup2(r2, 3) < 0 || libc::dup2(w2, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(r2);
                libc::close(w2);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start the browser");
        drop(child_reads);
        drop(child_writes);
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from);
            loop {
                let mut buf = Vec::new();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop();
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            to,
            from: rx,
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
            _profile: profile,
        };
        let target = b.call(
            "Target.createTarget",
            json!({ "url": "about:blank" }),
            false,
        );
        let target_id = target["targetId"].as_str().expect("target id").to_string();
        let attached = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            false,
        );
        b.session = attached["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            b.call(&format!("{domain}.enable"), json!({}), true);
        }
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1200, "height": 1400, "deviceScaleFactor": 1, "mobile": false }),
            true,
        );
        b
    }

    pub fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.from
            .recv_timeout(left)
            .expect("the browser answered in time")
    }

    /// Send a command (to the page when `page`) and wait for its result;
    /// events that arrive meanwhile are kept.
    pub fn call(&mut self, method: &str, params: Value, page: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if page {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("json");
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to the browser");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.next(deadline);
            if v["id"].as_u64() == Some(id) {
                assert!(v.get("error").is_none(), "{method} failed: {v}");
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    /// Load a page and wait for its load event; returns what it requested
    /// and logged.
    pub fn open(&mut self, url: &str) -> PageLog {
        self.events.clear();
        self.call("Page.navigate", json!({ "url": url }), true);
        let deadline = Instant::now() + TIMEOUT;
        while !self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            let v = self.next(deadline);
            self.events.push(v);
        }
        // Let late messages (errors after load) arrive.
        let settle = Instant::now() + Duration::from_millis(300);
        while let Ok(v) = self
            .from
            .recv_timeout(settle.saturating_duration_since(Instant::now()))
        {
            self.events.push(v);
        }
        read_log(&self.events, url)
    }

    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
            true,
        );
        r["result"]["value"].clone()
    }

    /// Evaluate an expression whose value is a promise and wait for it.
    pub fn eval_async(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            true,
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "the page threw: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Events that arrived since the page was opened (requests, console
    /// messages after load), read into a log as [`Browser::open`] does.
    pub fn log_since_open(&mut self, url: &str) -> PageLog {
        let settle = Instant::now() + Duration::from_millis(300);
        while let Ok(v) = self
            .from
            .recv_timeout(settle.saturating_duration_since(Instant::now()))
        {
            self.events.push(v);
        }
        read_log(&self.events, url)
    }

    pub fn screenshot(&mut self) -> Vec<u8> {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }), true);
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("screenshot data"))
            .expect("base64 screenshot")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests other than `url` itself, console messages and exceptions.
fn read_log(events: &[Value], url: &str) -> PageLog {
    let mut log = PageLog::default();
    for e in events {
        let p = &e["params"];
        match e["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                let u = p["request"]["url"].as_str().unwrap_or_default();
                if u != url {
                    log.requests.push(u.to_string());
                }
            }
            Some("Runtime.consoleAPICalled") => log.console.push(format!(
                "console.{}: {}",
                p["type"].as_str().unwrap_or_default(),
                p["args"]
            )),
            Some("Runtime.exceptionThrown") => log
                .console
                .push(format!("exception: {}", p["exceptionDetails"])),
            Some("Log.entryAdded") => log.console.push(format!(
                "{}: {}",
                p["entry"]["level"].as_str().unwrap_or_default(),
                p["entry"]["text"].as_str().unwrap_or_default()
            )),
            _ => {}
        }
    }
    log
}
