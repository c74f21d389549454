// The workshop page's script: every change to a control is sent to
// /api/run with the overrides that differ from the scenario (or the chosen
// variant), and the redrawn results (HTML written and escaped by the
// server) replace the old ones. The server keeps only the latest request of
// this page and answers a superseded one with 409, which is ignored; a late
// answer to an older request never replaces a newer one.
"use strict";
(() => {
  const body = document.body;
  const token = body.dataset.token;
  const client = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0")).join("");
  const $ = (id) => document.getElementById(id);
  const results = $("results");
  const status = $("status");
  const problem = $("problem");
  const variant = $("variant");
  const set = $("set");
  const controls = Array.from(document.querySelectorAll(".control"));
  let sent = 0;
  let shown = 0;

  // Shown value <-> value in the file: 9.5 (%) <-> 0.095. toPrecision drops
  // the binary noise of the division so 0.095 is sent, not 0.09500000000000001.
  const toFile = (x, scale) => Number((x / scale).toPrecision(12));
  const toShown = (v, scale) => Number((v * scale).toPrecision(10));
  const chosenVariant = () => (variant ? variant.value : "");
  const reference = (c) => {
    const refs = JSON.parse(c.dataset.refs);
    const v = refs[chosenVariant()];
    return v === undefined ? refs[""] : v;
  };
  const numberOf = (c) => c.querySelector("input[type=number]");
  const sliderOf = (c) => c.querySelector("input[type=range]");

  // Mark a control changed against the reference; its value in the file
  // when changed, else undefined.
  function mark(c) {
    const scale = Number(c.dataset.scale);
    const ref = reference(c);
    const text = numberOf(c).value.trim();
    const v = toFile(Number(text), scale);
    const changed = text !== "" && Number.isFinite(v) &&
      Math.abs(v - ref) > 1e-12 * Math.max(1, Math.abs(ref));
    c.classList.toggle("changed", changed);
    c.querySelector(".was").textContent = changed
      ? body.dataset.was + toShown(ref, scale) + c.dataset.suffix : "";
    return changed ? v : undefined;
  }

  function request() {
    const overrides = {};
    for (const c of controls) {
      const v = mark(c);
      if (v !== undefined) overrides[c.dataset.path] = v;
    }
    const n = Object.keys(overrides).length;
    $("changes").textContent = n ? n + body.dataset.changes : "";
    return {
      overrides,
      variant: chosenVariant() || null,
      set: set ? set.value : null,
    };
  }

  function post(path, payload) {
    return fetch(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Targetsim-Token": token,
        "X-Targetsim-Client": client,
      },
      body: JSON.stringify(payload),
    });
  }

  function showProblem(text) {
    problem.textContent = body.dataset.stale + "\n" + text;
    problem.hidden = false;
    results.classList.add("stale");
  }

  async function run() {
    const mine = ++sent;
    const payload = request();
    payload.view = true;
    let r;
    try {
      r = await post("/api/run", payload);
    } catch (e) {
      if (mine === sent) showProblem(String(e));
      return;
    }
    if (r.status === 409) return; // superseded by a later change
    const text = await r.text();
    if (mine < shown) return;
    if (!r.ok) {
      if (mine === sent) showProblem(text);
      return;
    }
    const data = JSON.parse(text);
    if (mine < shown) return;
    shown = mine;
    results.innerHTML = data.view.html;
    results.classList.remove("stale");
    problem.hidden = true;
    status.textContent = body.dataset.took + " " + Math.round(data.elapsed_ms) + " ms";
    body.dataset.shown = String(mine);
  }

  function showSet() {
    for (const g of document.querySelectorAll("details.group[data-set]")) {
      g.hidden = set && g.dataset.set !== set.value;
    }
  }

  // Every control to its reference (the scenario's or the variant's value).
  function reset() {
    for (const c of controls) {
      const v = toShown(reference(c), Number(c.dataset.scale));
      numberOf(c).value = v;
      sliderOf(c).value = v;
    }
    run();
  }

  for (const c of controls) {
    const num = numberOf(c);
    const slider = sliderOf(c);
    slider.addEventListener("input", () => {
      num.value = slider.value;
      run();
    });
    num.addEventListener("input", () => {
      if (num.value.trim() === "") return;
      slider.value = num.value;
      run();
    });
  }
  $("reset").addEventListener("click", reset);
  if (variant) variant.addEventListener("change", reset);
  if (set) set.addEventListener("change", () => { showSet(); run(); });

  $("save").addEventListener("click", async () => {
    const payload = request();
    const name = $("save-name").value.trim();
    if (name) payload.name = name;
    const saved = $("saved");
    saved.textContent = "…";
    try {
      const r = await post("/api/save", payload);
      const text = await r.text();
      if (r.ok) {
        saved.textContent = body.dataset.saved + JSON.parse(text).file;
        problem.hidden = true;
      } else {
        saved.textContent = "";
        problem.textContent = text;
        problem.hidden = false;
      }
    } catch (e) {
      saved.textContent = String(e);
    }
  });

  showSet();
  request();
})();
