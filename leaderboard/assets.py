"""The site's stylesheet and script, kept in Python so that any install of the package ships them.

The script reads the board from ``<script type="application/json" id="board-data">`` and builds the
table with ``createElement`` and ``textContent`` only: no data ever passes through ``innerHTML``.
"""

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem auto; max-width: 78rem;
       padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.meta, .note { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.86rem; margin: 0.8rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.55rem; text-align: right; white-space: nowrap; }
th { background: #f4f4f6; position: sticky; top: 0; }
th button { font: inherit; font-weight: 600; background: none; border: 0; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td.model, th.model { text-align: left; }
.badge { background: #e8e8ee; border-radius: 0.3rem; color: #444; font-size: 0.75rem; margin-left: 0.4rem;
         padding: 0 0.3rem; }
tr.baseline td { color: #555; background: #fafafa; }
.partial { color: #a15c00; }
figure { display: inline-block; margin: 0.5rem; }
figure img { max-width: 100%; border: 1px solid #eee; }
pre { background: #f6f6f8; padding: 0.5rem; overflow-x: auto; font-size: 0.8rem; }
"""

JS = """
"use strict";
(function () {
  const board = JSON.parse(document.getElementById("board-data").textContent);
  const table = document.getElementById("board");
  const rows = board.rows.map(function (row, index) { return Object.assign({index: index}, row); });
  const state = {column: 0, descending: false};

  function fixed(value, digits) {
    return value === null || value === undefined ? "n/a" : Number(value).toFixed(digits);
  }
  function interval(value, low, high) {
    return value === null ? "n/a" : fixed(value, 3) + " [" + fixed(low, 2) + ", " + fixed(high, 2) + "]";
  }
  function put(cell, text, title) {
    cell.textContent = text;
    if (title) { cell.title = title; }
  }
  function modelCell(cell, row) {
    cell.className = "model";
    const name = document.createElement("span");
    name.textContent = row.model;
    cell.appendChild(name);
    if (row.is_baseline) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "baseline";
      cell.appendChild(badge);
    }
  }
  function problemColumn(problem) {
    return {
      label: problem, value: function (row) { return row.problems[problem].accuracy; },
      render: function (cell, row) {
        const p = row.problems[problem];
        const ceiling = p.ceiling === null ? "" : " \\u00b7 L" + p.ceiling + (p.censored ? "+" : "");
        put(cell, fixed(p.accuracy, 2) + ceiling + (p.partial ? " *" : ""),
            "accuracy 95% CI [" + fixed(p.ci_low, 2) + ", " + fixed(p.ci_high, 2) + "]; ceiling level CI [" +
            fixed(p.ceiling_low, 0) + ", " + fixed(p.ceiling_high, 0) + "]");
        if (p.partial) { cell.className = "partial"; }
      }
    };
  }
  const columns = [
    {label: "#", value: function (r) { return r.rank; }, render: function (c, r) { put(c, r.rank === null ? "-" : String(r.rank)); }},
    {label: "Model", cls: "model", value: function (r) { return r.model.toLowerCase(); }, render: modelCell},
    {label: "IQM [95% CI]", value: function (r) { return r.iqm; },
     render: function (c, r) { put(c, interval(r.iqm, r.iqm_low, r.iqm_high) + (r.partial ? " *" : "")); if (r.partial) { c.className = "partial"; } }},
    {label: "Mean", value: function (r) { return r.mean; }, render: function (c, r) { put(c, fixed(r.mean, 3)); }},
  ].concat(board.problems.map(problemColumn)).concat([
    {label: "Tokens", value: function (r) { return r.mean_completion_tokens; },
     render: function (c, r) { put(c, fixed(r.mean_completion_tokens, 0), "mean completion tokens per attempt"); }},
    {label: "$ / correct", value: function (r) { return r.cost_per_correct_usd; },
     render: function (c, r) { put(c, r.cost_per_correct_usd === null ? "unknown" : "$" + fixed(r.cost_per_correct_usd, 5),
                                   "cost known for " + fixed(100 * (r.cost_coverage || 0), 0) + "% of attempts"); }},
    {label: "Coverage", value: function (r) { return r.board_tasks ? r.tasks / r.board_tasks : null; },
     render: function (c, r) { put(c, r.tasks + "/" + r.board_tasks + " tasks", r.missing + " answers missing, " + r.api_errors + " API errors"); }},
    {label: "Runs", value: function (r) { return r.runs.length; },
     render: function (c, r) {
       const link = document.createElement("a");
       link.href = "runs.html#model-" + r.index;
       link.textContent = r.runs.length + (r.runs.length === 1 ? " run" : " runs");
       c.appendChild(link);
     }},
  ]);

  function compare(a, b) {
    const column = columns[state.column];
    const x = column.value(a), y = column.value(b);
    if (x === null || x === undefined) { return (y === null || y === undefined) ? 0 : 1; }
    if (y === null || y === undefined) { return -1; }
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return state.descending ? -order : order;
  }

  function renderHead() {
    const head = table.tHead || table.createTHead();
    head.replaceChildren();
    const tr = head.insertRow();
    columns.forEach(function (column, index) {
      const th = document.createElement("th");
      th.scope = "col";
      if (column.cls) { th.className = column.cls; }
      th.setAttribute("aria-sort", index === state.column ? (state.descending ? "descending" : "ascending") : "none");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = column.label;
      button.addEventListener("click", function () {
        state.descending = state.column === index ? !state.descending : false;
        state.column = index;
        render();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
  }

  function renderBody() {
    const body = table.tBodies[0] || table.createTBody();
    body.replaceChildren();
    rows.slice().sort(compare).forEach(function (row) {
      const tr = body.insertRow();
      tr.dataset.model = row.model;
      if (row.is_baseline) { tr.className = "baseline"; }
      columns.forEach(function (column) { column.render(tr.insertCell(), row); });
    });
  }

  function render() { renderHead(); renderBody(); }
  render();
})();
"""
