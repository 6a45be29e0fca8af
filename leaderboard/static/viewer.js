// The nppc sample viewer. Data files are scripts that call nppcViewer.receive(kind, number, data);
// they are loaded on demand, so the page stays fast however many records the folder holds.
// Every value is shown with textContent: no data ever passes through innerHTML.
"use strict";
(function () {
  const PAGE = 50;
  const DIMENSIONS = [
    {key: "model", label: "Model", column: 0, list: "models"},
    {key: "problem", label: "Problem", column: 1, list: "problems"},
    {key: "level", label: "Level", column: 2, list: null},
    {key: "status", label: "Status", column: 3, list: "statuses"},
    {key: "code", label: "Code", column: 4, list: "codes"},
  ];
  const waiting = {};
  const loaded = {};
  let manifest = null;
  let matched = [];          // groups matching the filters: [group, start, count, offset in the filtered list]
  let matchedTotal = 0;
  let shownRecord = null;    // the record in the detail pane

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function load(kind, number) {
    const key = kind + "-" + String(number).padStart(5, "0");
    if (loaded[key] !== undefined) { return Promise.resolve(loaded[key]); }
    if (!waiting[key]) {
      waiting[key] = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = "data/" + key + ".js";
        script.onload = function () {
          if (loaded[key] === undefined) { reject(new Error(key + " did not hand over its data")); }
          else { resolve(loaded[key]); }
        };
        script.onerror = function () { reject(new Error("cannot read data/" + key + ".js")); };
        document.head.appendChild(script);
      });
    }
    return waiting[key];
  }

  window.nppcViewer = {
    receive: function (kind, number, data) { loaded[kind + "-" + String(number).padStart(5, "0")] = data; },
  };

  // ---- state in the address: #model=NAME&problem=ID&level=N&status=S&code=C&page=P&r=R ----------------
  function readState() {
    const params = new URLSearchParams(location.hash.slice(1));
    const state = {page: Math.max(0, parseInt(params.get("page") || "0", 10) || 0), record: null};
    DIMENSIONS.forEach(function (d) { state[d.key] = params.has(d.key) ? params.get(d.key) : ""; });
    if (params.has("r")) {
      const record = parseInt(params.get("r"), 10);
      if (record >= 0 && record < manifest.total) { state.record = record; }
    }
    return state;
  }
  function writeState(state) {
    const params = new URLSearchParams();
    DIMENSIONS.forEach(function (d) { if (state[d.key] !== "") { params.set(d.key, state[d.key]); } });
    if (state.page) { params.set("page", String(state.page)); }
    if (state.record !== null) { params.set("r", String(state.record)); }
    const hash = "#" + params.toString();
    if (location.hash !== hash) { location.hash = hash; } else { render(); }
  }

  function valueOf(group, d) {
    const raw = group[d.column];
    if (d.list === null) { return raw === null ? "none" : String(raw); }
    return manifest[d.list][raw];
  }
  function groupMatches(group, state, except) {
    return DIMENSIONS.every(function (d) {
      return d.key === except || state[d.key] === "" || valueOf(group, d) === state[d.key];
    });
  }

  // ---- filters ----------------------------------------------------------------------------------
  function renderFilters(state) {
    const form = document.getElementById("filters");
    form.replaceChildren();
    DIMENSIONS.forEach(function (d) {
      const counts = new Map();
      manifest.groups.forEach(function (g) {
        if (groupMatches(g, state, d.key)) {
          const v = valueOf(g, d);
          counts.set(v, (counts.get(v) || 0) + g[6]);
        }
      });
      const label = el("label", "filter");
      label.appendChild(el("span", "filter-name", d.label));
      const select = el("select");
      select.name = d.key;
      const all = el("option", null, "all (" + sum(counts) + ")");
      all.value = "";
      select.appendChild(all);
      const values = Array.from(counts.keys());
      if (state[d.key] !== "" && !counts.has(state[d.key])) { values.push(state[d.key]); }
      values.sort(d.list === null ? function (a, b) { return Number(a) - Number(b); } : undefined);
      values.forEach(function (v) {
        const option = el("option", null, v + " (" + (counts.get(v) || 0) + ")");
        option.value = v;
        option.selected = v === state[d.key];
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        const next = readState();
        next[d.key] = select.value;
        next.page = 0;
        next.record = null;  // show the first record that matches the new filters
        writeState(next);
      });
      label.appendChild(select);
      form.appendChild(label);
    });
    const reset = el("button", "reset", "clear filters");
    reset.type = "button";
    reset.addEventListener("click", function () {
      writeState({model: "", problem: "", level: "", status: "", code: "", page: 0, record: null});
    });
    form.appendChild(reset);
  }
  function sum(counts) { let n = 0; counts.forEach(function (v) { n += v; }); return n; }

  function match(state) {
    matched = [];
    matchedTotal = 0;
    manifest.groups.forEach(function (g) {
      if (groupMatches(g, state, null)) {
        matched.push([g, g[5], g[6], matchedTotal]);
        matchedTotal += g[6];
      }
    });
  }
  // Global record numbers of positions [from, to) of the filtered list.
  function recordsAt(from, to) {
    const out = [];
    for (let i = 0; i < matched.length && out.length < to - from; i++) {
      const m = matched[i];
      const lo = Math.max(from, m[3]), hi = Math.min(to, m[3] + m[2]);
      for (let p = lo; p < hi; p++) { out.push(m[1] + (p - m[3])); }
    }
    return out;
  }
  function positionOf(record) {
    for (let i = 0; i < matched.length; i++) {
      const m = matched[i];
      if (record >= m[1] && record < m[1] + m[2]) { return m[3] + record - m[1]; }
    }
    return -1;
  }
  function groupOf(record) {
    const groups = manifest.groups;
    let lo = 0, hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (groups[mid][5] <= record) { lo = mid; } else { hi = mid - 1; }
    }
    return groups[lo];
  }
  function detailFileOf(record) {
    const starts = manifest.detail_starts;
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= record) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }

  // ---- the list ---------------------------------------------------------------------------------
  function fmt(value, digits) { return value === null || value === undefined ? "\u2013" : Number(value).toFixed(digits); }
  function money(value) { return value === null || value === undefined ? "unknown" : "$" + Number(value).toFixed(5); }
  function outcome(status, correct) {
    if (status === "api_error") { return "missing"; }
    return correct === 1 ? "correct" : "wrong";
  }

  const HEAD = ["#", "model", "problem", "level", "seed/index/sample", "status \u00b7 code", "tokens", "cost",
                "latency"];
  const TEXT_COLUMNS = [1, 2, 5];
  const FILTERED_COLUMN = {model: 1, problem: 2, level: 3};  // a column a filter fixes is not shown
  function hidden(state) {
    return Object.keys(FILTERED_COLUMN).filter(function (k) { return state[k] !== ""; })
      .map(function (k) { return FILTERED_COLUMN[k]; });
  }

  function renderList(state) {
    const table = document.getElementById("records");
    const head = table.tHead;
    const skip = hidden(state);
    head.replaceChildren();
    const headRow = head.insertRow();
    HEAD.forEach(function (h, i) {
      if (skip.indexOf(i) >= 0) { return; }
      const th = el("th", TEXT_COLUMNS.indexOf(i) >= 0 ? "text" : null, h);
      th.scope = "col";
      headRow.appendChild(th);
    });
    const pages = Math.max(1, Math.ceil(matchedTotal / PAGE));
    const page = Math.min(state.page, pages - 1);
    const records = recordsAt(page * PAGE, (page + 1) * PAGE);
    const chunks = Array.from(new Set(records.map(function (r) { return Math.floor(r / manifest.list_chunk); })));
    return Promise.all(chunks.map(function (c) { return load("list", c); })).then(function () {
      const body = table.tBodies[0];
      body.replaceChildren();
      records.forEach(function (r) {
        const g = groupOf(r);
        const chunk = loaded["list-" + String(Math.floor(r / manifest.list_chunk)).padStart(5, "0")];
        const row = chunk[r % manifest.list_chunk];
        const status = manifest.statuses[g[3]];
        const tr = body.insertRow();
        tr.dataset.record = String(r);
        tr.className = outcome(status, row[3]) + (r === state.record ? " selected" : "");
        tr.tabIndex = 0;
        const code = manifest.codes[g[4]];
        [String(r), manifest.models[g[0]], manifest.problems[g[1]], g[2] === null ? "none" : g[2],
         row[0] + "/" + row[1] + "/" + row[2], status + (code ? " \u00b7 " + code : ""),
         fmt(row[4], 0), money(row[5]), row[6] === null ? "\u2013" : fmt(row[6], 2) + " s"]
          .forEach(function (text, i) {
            if (skip.indexOf(i) >= 0) { return; }
            const td = tr.insertCell();
            td.textContent = String(text);
            if (TEXT_COLUMNS.indexOf(i) >= 0) { td.className = "text"; }
          });
        tr.title = row[8] || "";
        tr.addEventListener("click", function () { select(r); });
        tr.addEventListener("keydown", function (event) { if (event.key === "Enter") { select(r); } });
      });
      renderPager(page, pages);
      document.getElementById("status").textContent = matchedTotal.toLocaleString("en") + " of " +
        manifest.total.toLocaleString("en") + " records match; page " + (page + 1) + " of " + pages + ".";
    });
  }
  function select(record) {
    const state = readState();
    state.record = record;
    writeState(state);
  }
  function renderPager(page, pages) {
    const pager = document.getElementById("pager");
    pager.replaceChildren();
    function go(label, target, disabled) {
      const button = el("button", null, label);
      button.type = "button";
      button.disabled = disabled;
      button.addEventListener("click", function () { const s = readState(); s.page = target; writeState(s); });
      pager.appendChild(button);
    }
    go("\u00ab first", 0, page === 0);
    go("\u2039 previous", page - 1, page === 0);
    pager.appendChild(el("span", "page-of", "page " + (page + 1) + " of " + pages));
    go("next \u203a", page + 1, page >= pages - 1);
    go("last \u00bb", pages - 1, page >= pages - 1);
  }

  // ---- one record -------------------------------------------------------------------------------
  function fact(list, name, value) {
    list.appendChild(el("dt", null, name));
    list.appendChild(el("dd", null, value === null || value === undefined || value === "" ? "\u2013" : value));
  }
  function when(seconds) {
    return seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString().replace(".000", "");
  }
  function block(parent, title, text, open) {
    const details = el("details", "block");
    details.open = open;
    const summary = el("summary", null, title);
    const size = text === null || text === undefined ? 0 : String(text).length;
    summary.appendChild(el("span", "size", size ? size.toLocaleString("en") + " characters" : "none"));
    details.appendChild(summary);
    details.appendChild(el("pre", null, size ? text : "(none)"));
    parent.appendChild(details);
  }
  function pretty(answer) {
    if (answer === null || answer === undefined) { return null; }
    try { return JSON.stringify(JSON.parse(answer)); } catch (error) { return answer; }
  }

  function renderDetail(state) {
    const pane = document.getElementById("detail");
    if (state.record === null) {
      pane.replaceChildren(el("p", "hint", "No record matches the filters."));
      return Promise.resolve();
    }
    const r = state.record;
    const file = detailFileOf(r);
    const listFile = Math.floor(r / manifest.list_chunk);
    return Promise.all([load("detail", file), load("list", listFile)]).then(function (both) {
      const d = both[0][r - manifest.detail_starts[file]];
      return load("prompt", d.prompt[0]).then(function (prompts) {
        const prompt = prompts.find(function (p) { return p[0] === d.prompt[1]; });
        showRecord(pane, r, d, prompt ? prompt[1] : null);
      });
    });
  }

  function showRecord(pane, r, d, prompt) {
    const g = groupOf(r);
    const status = manifest.statuses[g[3]];
    const run = manifest.runs[d.run];
    pane.replaceChildren();
    const head = el("div", "detail-head");
    const title = el("h2");
    const result = outcome(status, correctOf(r));
    title.appendChild(el("span", "badge " + result, result));
    title.appendChild(el("span", null, " " + manifest.problems[g[1]] + " \u00b7 level " + (g[2] === null ? "none" : g[2])));
    head.appendChild(title);
    head.appendChild(el("p", "model-line", manifest.models[g[0]]));
    const steps = el("div", "steps");
    [["\u2039 previous", -1], ["next \u203a", 1]].forEach(function (s) {
      const button = el("button", null, s[0]);
      button.type = "button";
      button.addEventListener("click", function () { step(s[1]); });
      steps.appendChild(button);
    });
    head.appendChild(steps);
    pane.appendChild(head);

    if (positionOf(r) < 0) {
      pane.appendChild(el("p", "note", "This record is outside the current filters (opened by its address)."));
    }
    const verdict = el("p", "verdict");
    verdict.appendChild(el("strong", null, status + (manifest.codes[g[4]] ? " \u00b7 " + manifest.codes[g[4]] : "")));
    verdict.appendChild(el("span", null, d.message ? " \u2014 " + d.message : ""));
    pane.appendChild(verdict);

    const facts = el("dl", "facts");
    fact(facts, "record", "#" + r);
    fact(facts, "instance", d.instance_id);
    const list = loaded["list-" + String(Math.floor(r / manifest.list_chunk)).padStart(5, "0")];
    if (list) {
      const row = list[r % manifest.list_chunk];
      fact(facts, "seed / index / sample", row[0] + " / " + row[1] + " / " + row[2]);
    }
    fact(facts, "label (answer key)", d.label);
    fact(facts, "optimum / objective", fmt(d.optimum, 0) + " / " + fmt(d.objective, 0));
    fact(facts, "problem version", d.version === null ? null : "v" + d.version);
    fact(facts, "tokens: prompt / completion / reasoning", d.tokens.map(function (t) { return fmt(t, 0); }).join(" / "));
    fact(facts, "cost", money(d.cost_usd) + (d.cost_source ? " (" + d.cost_source + ")" : ""));
    fact(facts, "latency", d.latency_s === null ? null : fmt(d.latency_s, 2) + " s");
    fact(facts, "API attempts", d.attempts);
    fact(facts, "finish reason", d.finish_reason);
    fact(facts, "started / finished", (when(d.started_at) || "\u2013") + " / " + (when(d.finished_at) || "\u2013"));
    fact(facts, "run", run.run_id);
    fact(facts, "store", manifest.stores[run.store]);
    pane.appendChild(facts);

    block(pane, "Extracted answer", pretty(d.answer), true);
    block(pane, "Reply", d.response, true);
    block(pane, "Reasoning", d.reasoning, false);
    block(pane, "Prompt", prompt, false);
  }
  function correctOf(r) {
    const list = loaded["list-" + String(Math.floor(r / manifest.list_chunk)).padStart(5, "0")];
    return list ? list[r % manifest.list_chunk][3] : null;
  }

  function step(delta) {
    const state = readState();
    if (!matchedTotal) { return; }
    let position = shownRecord === null ? -1 : positionOf(shownRecord);
    position = Math.min(matchedTotal - 1, Math.max(0, position + delta));
    state.record = recordsAt(position, position + 1)[0];
    state.page = Math.floor(position / PAGE);
    writeState(state);
  }

  // ---- wiring -----------------------------------------------------------------------------------
  function render() {
    const state = readState();
    match(state);
    if (state.record !== null && positionOf(state.record) >= 0) { state.page = Math.floor(positionOf(state.record) / PAGE); }
    if (state.record === null && matchedTotal) {  // nothing picked yet: show the first record of the page
      const pages = Math.max(1, Math.ceil(matchedTotal / PAGE));
      state.record = recordsAt(Math.min(state.page, pages - 1) * PAGE, Math.min(state.page, pages - 1) * PAGE + 1)[0];
    }
    shownRecord = state.record;
    renderFilters(state);
    const status = document.getElementById("status");
    return Promise.all([renderList(state), renderDetail(state)]).then(function () {
      if (!document.body.dataset.ready) {  // ms from navigation to the first record shown (benchmarks read it)
        document.body.dataset.openedMs = String(Math.round(performance.now()));
      }
      document.body.dataset.ready = "true";
      const selected = document.querySelector("#records tr.selected");
      if (selected && selected.scrollIntoView) { selected.scrollIntoView({block: "nearest"}); }
    }).catch(function (error) {
      status.textContent = "Could not load the data: " + error.message;
      status.className = "status error";
    });
  }

  load("manifest", 0).then(function (data) {
    manifest = data;
    const built = document.getElementById("built");
    built.textContent = manifest.total.toLocaleString("en") + " records from " + manifest.stores.length +
      " store(s), built " + manifest.built;
    window.addEventListener("hashchange", render);
    document.addEventListener("keydown", function (event) {
      if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT") { return; }
      if (event.key === "j") { step(1); }
      if (event.key === "k") { step(-1); }
    });
    render();
  }).catch(function (error) {
    const status = document.getElementById("status");
    status.textContent = "Could not load the data: " + error.message;
    status.className = "status error";
  });
})();
