//! The workshop's response time, issue 13: `POST /api/run` at 1e5 draws on
//! the seed district and on the plan scenario, as the page sends it (one
//! target moved a step at a time, the redrawn results asked for), to a
//! server started in this process on 127.0.0.1 and spoken to over loopback.
//!
//!     cargo bench --bench serve
//!     SERVE_BENCH_REQUESTS=50 cargo bench --bench serve
//!
//! Prints, per scenario, the median and 95th percentile of the server's
//! time (`elapsed_ms`: check the overrides, simulate, summarise, brief,
//! draw) and of the round trip seen by the client, and as the baseline
//! measured in the same run the median of `targetsim::run` alone (the
//! engine and summary every turn rests on), with the ratio. Not criterion:
//! the 95th percentile is the figure asked for, and each sample is a real
//! request whose time the server reports itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Instant;
use targetsim::RunOptions;
use targetsim::scenario::Editable;
use targetsim::serve::workshop::Workshop;
use targetsim::serve::{Options, Server};

const DRAWS: u64 = 100_000;

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let requests: usize = std::env::var("SERVE_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    for (file, target) in [
        (
            "scenarios/seed-district.toml",
            "target_sets.draft.targets.0.at_least",
        ),
        (
            "scenarios/seed-district-plan.toml",
            "target_sets.draft.targets.0.at_least",
        ),
    ] {
        bench(Path::new(file), target, requests);
    }
}

fn bench(file: &Path, target: &str, requests: usize) {
    let editable = match Editable::load(file) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot load {}: {e}", file.display());
            return;
        }
    };
    // The baseline: the engine and summary alone, as `run` makes them.
    let seed = editable.scenario.simulation.seed;
    let mut engine_ms = Vec::new();
    for _ in 0..requests.min(10) {
        let start = Instant::now();
        if let Err(e) = targetsim::run(&editable.scenario, &RunOptions::new(DRAWS, seed)) {
            eprintln!("{}: {e}", file.display());
            return;
        }
        engine_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let workshop = Workshop {
        editable,
        draws: DRAWS,
        seed,
        threads: None,
        lang: None,
    };
    let opts = Options {
        bind: [127, 0, 0, 1].into(),
        port: 0,
        describe: |e| e.to_string(),
    };
    let server = match Server::start(workshop, opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the server: {e}");
            return;
        }
    };
    let url = server.url().to_string();
    std::thread::spawn(move || server.serve());
    let Some((port, token)) = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.split_once("/?token="))
    else {
        eprintln!("unexpected address {url}");
        return;
    };
    let port: u16 = port.parse().unwrap_or(0);
    let mut server_ms = Vec::new();
    let mut trip_ms = Vec::new();
    for i in 0..requests {
        // A slider moved a tenth of a point at a time, 8.0% to 9.9%.
        let value = (80 + (i % 20)) as f64 / 1000.0;
        let body = format!("{{\"overrides\": {{\"{target}\": {value}}}, \"view\": true}}");
        let start = Instant::now();
        let Some(reply) = post(port, token, &body) else {
            eprintln!("request {i} failed");
            return;
        };
        trip_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let elapsed = serde_json::from_str::<serde_json::Value>(&reply)
            .ok()
            .and_then(|v| v["elapsed_ms"].as_f64());
        match elapsed {
            Some(ms) => server_ms.push(ms),
            None => {
                eprintln!("request {i}: no elapsed_ms in the reply");
                return;
            }
        }
    }
    let engine = median(&mut engine_ms);
    let server = median(&mut server_ms);
    println!(
        "{}: /api/run at {DRAWS} draws, {requests} requests: server median {server:.1} ms, p95 {:.1} ms; round trip median {:.1} ms, p95 {:.1} ms; engine and summary alone median {engine:.1} ms (server / engine {:.2}x)",
        file.display(),
        p95(&mut server_ms),
        median(&mut trip_ms),
        p95(&mut trip_ms),
        server / engine,
    );
}

/// One `POST /api/run` over loopback; the body of a 200 reply.
fn post(port: u16, token: &str, body: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let head = format!(
        "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nX-Targetsim-Token: {token}\r\nX-Targetsim-Client: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let rest = &raw[split + 4..];
    if !head.starts_with("HTTP/1.1 200") {
        return None;
    }
    // tiny_http sends long bodies chunked; chunks may split a character,
    // so the body is put together as bytes.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    String::from_utf8(body).ok()
}

fn dechunk(mut s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = s.windows(2).position(|w| w == b"\r\n")?;
        let n = usize::from_str_radix(std::str::from_utf8(&s[..end]).ok()?.trim(), 16).ok()?;
        if n == 0 {
            return Some(out);
        }
        let data = s.get(end + 2..end + 2 + n)?;
        out.extend_from_slice(data);
        s = s.get(end + 4 + n..)?;
    }
}

fn median(v: &mut [f64]) -> f64 {
    quantile(v, 0.5)
}

fn p95(v: &mut [f64]) -> f64 {
    quantile(v, 0.95)
}

/// The sample's q quantile, nearest rank.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}
