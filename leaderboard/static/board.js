// The leaderboard table. It reads the board from <script type="application/json" id="board-data"> and builds
// the table with createElement and textContent only: no data ever passes through innerHTML.
"use strict";
(function () {
  const board = JSON.parse(document.getElementById("board-data").textContent);
  const table = document.getElementById("board");
  const rows = board.rows.map(function (row, index) { return Object.assign({index: index}, row); });
  const state = {column: "rank", descending: false, grouping: "suite", group: "*", search: "", weights: "",
                 baselines: true};

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function fixed(value, digits) {
    return value === null || value === undefined ? "n/a" : Number(value).toFixed(digits);
  }
  function modelPage(row) { return "models/" + row.page; }
  function samples(filters) {
    const params = new URLSearchParams();
    Object.keys(filters).forEach(function (key) { params.set(key, filters[key]); });
    return "samples/index.html#" + params.toString();
  }

  // An interval bar on a 0-1 scale: the shaded range is the 95% CI, the tick the estimate.
  function bar(value, low, high) {
    const track = el("span", "ci");
    if (value === null || value === undefined) { return track; }
    const range = el("span", "ci-range");
    const lo = Math.max(0, Math.min(1, low === null ? value : low));
    const hi = Math.max(0, Math.min(1, high === null ? value : high));
    range.style.left = (100 * lo) + "%";
    range.style.width = Math.max(1, 100 * (hi - lo)) + "%";
    const tick = el("span", "ci-point");
    tick.style.left = (100 * Math.max(0, Math.min(1, value))) + "%";
    track.appendChild(range);
    track.appendChild(tick);
    return track;
  }
  // A light single-hue blue scale (readable with dark text, safe for colour-blind readers).
  function heat(value) {
    if (value === null || value === undefined) { return ""; }
    const v = Math.max(0, Math.min(1, value));
    const mix = function (a, b) { return Math.round(a + (b - a) * v); };
    return "rgb(" + mix(250, 160) + "," + mix(251, 196) + "," + mix(255, 236) + ")";
  }

  function modelCell(td, row) {
    td.className = "model sticky-2";
    const name = el("div", "name");
    const link = el("a", null, row.model);
    link.href = modelPage(row);
    name.appendChild(link);
    td.appendChild(name);
    if (row.is_baseline) { name.appendChild(el("span", "badge", "baseline")); }
    if (row.weights) { name.appendChild(el("span", "badge " + row.weights, row.weights)); }
    const card = row.card || {};
    const facts = [card.provider, card.parameters && !row.is_baseline ? card.parameters + " parameters" : null,
                   card.reasoning_effort && !row.is_baseline ? "reasoning: " + card.reasoning_effort : null,
                   card.release_date].filter(Boolean);
    if (facts.length) { td.appendChild(el("div", "facts", facts.join(" \u00b7 "))); }
    td.appendChild(el("div", "coverage" + (row.partial ? " partial" : ""), row.coverage));
  }
  function intervalCell(td, value, low, high, partial) {
    td.appendChild(el("div", "value", fixed(value, 3) + (partial ? " *" : "")));
    td.appendChild(el("div", "range", value === null ? "" : "[" + fixed(low, 2) + ", " + fixed(high, 2) + "]"));
    td.appendChild(bar(value, low, high));
    if (partial) { td.classList.add("partial"); }
  }
  function problemCell(td, row, problem) {
    const p = row.problems[problem];
    td.className = "problem";
    if (p.accuracy === null) {
      td.appendChild(el("span", "none", "\u2013"));
      td.title = row.model + " \u00b7 " + problem + ": not run";
      return;
    }
    const link = el("a", "cell-link");
    link.href = samples({model: row.model, problem: problem});
    link.appendChild(el("span", "value", fixed(p.accuracy, 2) + (p.partial ? "*" : "")));
    const ceiling = p.ceiling === null ? "" : "L" + p.ceiling + (p.censored ? "+" : "");
    link.appendChild(el("span", "ceiling", ceiling));
    link.appendChild(bar(p.accuracy, p.ci_low, p.ci_high));
    td.appendChild(link);
    td.style.background = heat(p.accuracy);
    if (p.partial) { td.classList.add("partial"); }
    td.title = row.model + " \u00b7 " + problem + "\naccuracy " + fixed(p.accuracy, 3) + ", 95% CI [" +
      fixed(p.ci_low, 2) + ", " + fixed(p.ci_high, 2) + "]\nceiling level " + (ceiling || "n/a") + ", 95% CI [" +
      fixed(p.ceiling_low, 0) + ", " + fixed(p.ceiling_high, 0) + "]" +
      (p.partial ? "\npartial: " + (p.levels_missing ? p.levels_missing + " level(s) not run" : "some answers missing") : "") +
      "\nclick to read the answers";
  }

  // The columns before the problem columns come from the board (leaderboard.schema.BOARD_COLUMNS), in order;
  // a kind names how its cells are drawn.
  const draw = {
    rank: function (td, r) { td.textContent = r.rank === null ? "\u2013" : String(r.rank); },
    model: modelCell,
    interval: function (td, r, column) {
      const field = column.field;
      intervalCell(td, r[field], r[field + "_low"], r[field + "_high"], Boolean(column.marks_partial && r.partial));
    },
    cost: function (td, r, column) {
      const field = column.field;
      td.textContent = r[field] === null ? "unknown" : r[field] === 0 ? "free" : "$" + fixed(r[field], 4);
      td.title = "cost known for " + fixed(100 * (r.cost_coverage || 0), 0) + "% of attempts";
    },
    tokens: function (td, r, column) {
      td.textContent = r[column.field] === null ? "n/a" : fixed(r[column.field], 0);
      td.title = "mean completion tokens per attempt";
    },
  };
  const cellClass = {rank: "rank sticky-1", model: "model sticky-2", interval: "score", cost: "num", tokens: "num"};
  const fixedColumns = board.board_columns.map(function (column) {
    return {key: column.key, label: column.label, cls: cellClass[column.kind],
            descendingFirst: column.first_sort === "descending",
            value: column.kind === "model" ? function (r) { return r.model.toLowerCase(); }
              : function (r) { return r[column.field]; },
            render: function (td, r) { draw[column.kind](td, r, column); }};
  });

  function shownGroups() {
    const groups = board.groups[state.grouping];
    return Object.keys(groups).filter(function (name) { return state.group === "*" || name === state.group; })
      .map(function (name) { return {name: name, problems: groups[name]}; });
  }
  function columns() {
    const out = fixedColumns.slice();
    shownGroups().forEach(function (group, groupIndex) {
      group.problems.forEach(function (problem, i) {
        out.push({key: "p:" + problem, problem: problem, first: i === 0 && groupIndex > 0, descendingFirst: true,
                  value: function (r) { return r.problems[problem].accuracy; },
                  render: function (td, r) { problemCell(td, r, problem); }});
      });
    });
    return out;
  }

  function visible(row) {
    if (!state.baselines && row.is_baseline) { return false; }
    if (state.weights && !row.is_baseline && row.weights !== state.weights) { return false; }
    if (state.search) {
      const card = row.card || {};
      const text = [row.model, card.provider || "", card.notes || ""].join(" ").toLowerCase();
      if (text.indexOf(state.search) < 0) { return false; }
    }
    return true;
  }

  function compare(columnsNow) {
    const column = columnsNow.find(function (c) { return c.key === state.column; }) || columnsNow[0];
    return function (a, b) {
      const x = column.value(a), y = column.value(b);
      if (x === null || x === undefined) { return (y === null || y === undefined) ? a.index - b.index : 1; }
      if (y === null || y === undefined) { return -1; }
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return (state.descending ? -order : order) || a.index - b.index;
    };
  }

  function sortButton(th, column) {
    th.setAttribute("aria-sort", column.key === state.column ? (state.descending ? "descending" : "ascending") : "none");
    const button = el("button", "sort", column.label || "");
    button.type = "button";
    button.title = "sort by " + (column.problem || column.label);
    button.addEventListener("click", function () {
      // Scores read best-first: the first click on a score column sorts it descending.
      const first = column.key !== state.column;
      state.descending = first ? column.descendingFirst : !state.descending;
      state.column = column.key;
      render();
    });
    return button;
  }

  function renderHead(columnsNow) {
    const head = table.tHead;
    head.replaceChildren();
    const top = head.insertRow();
    const bottom = head.insertRow();
    columnsNow.filter(function (c) { return !c.problem; }).forEach(function (column) {
      const th = el("th", column.cls);
      th.rowSpan = 2;
      th.scope = "col";
      th.appendChild(sortButton(th, column));
      top.appendChild(th);
    });
    shownGroups().forEach(function (group, i) {
      const th = el("th", "group" + (i > 0 ? " first" : ""), group.name + " (" + group.problems.length + ")");
      th.colSpan = group.problems.length;
      th.scope = "colgroup";
      top.appendChild(th);
    });
    columnsNow.filter(function (c) { return c.problem; }).forEach(function (column) {
      const info = board.problem_info[column.problem];
      const th = el("th", "problem-head" + (column.first ? " first" : ""));
      th.scope = "col";
      const button = sortButton(th, column);
      button.textContent = info.name;
      button.title = info.name + " (" + column.problem + ", " + info.suite + ", " + info.family + "): sort";
      const wrap = el("div", "vertical");
      wrap.appendChild(button);
      const link = el("a", "problem-link", "\u2197");
      link.href = "problems/" + board.problem_pages[column.problem];
      link.title = "the " + info.name + " page";
      th.appendChild(wrap);
      th.appendChild(link);
      bottom.appendChild(th);
    });
  }

  function renderBody(columnsNow) {
    const body = table.tBodies[0];
    body.replaceChildren();
    const shown = rows.filter(visible).sort(compare(columnsNow));
    shown.forEach(function (row) {
      const tr = body.insertRow();
      tr.dataset.model = row.model;
      if (row.is_baseline) { tr.className = "baseline"; }
      columnsNow.forEach(function (column) {
        const td = tr.insertCell();
        if (column.cls) { td.className = column.cls; }
        column.render(td, row);
        if (column.first) { td.classList.add("first"); }
      });
    });
    if (!shown.length) {
      const td = body.insertRow().insertCell();
      td.colSpan = columnsNow.length;
      td.className = "empty";
      td.textContent = "No model matches the filters.";
    }
    document.getElementById("shown-count").textContent = "showing " + shown.length + " of " + rows.length + " models";
  }

  function render() {
    const columnsNow = columns();
    renderHead(columnsNow);
    renderBody(columnsNow);
  }

  document.getElementById("toolbar").addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("search").addEventListener("input", function (event) {
    state.search = event.target.value.trim().toLowerCase();
    render();
  });
  document.getElementById("problems-shown").addEventListener("change", function (event) {
    const parts = event.target.value.split(":");
    state.grouping = parts[0];
    state.group = parts.slice(1).join(":");
    if (state.column.indexOf("p:") === 0) { state.column = "rank"; state.descending = false; }
    render();
  });
  document.getElementById("weights").addEventListener("change", function (event) {
    state.weights = event.target.value;
    render();
  });
  document.getElementById("baselines").addEventListener("change", function (event) {
    state.baselines = event.target.checked;
    render();
  });
  // A narrow window opens on the core problems (all 25 columns need about 1900 px); the select shows it.
  const shownSelect = document.getElementById("problems-shown");
  if (window.innerWidth < 1900 && board.problems.length > 14 && board.groups.suite.core) {
    shownSelect.value = "suite:core";
    state.group = "core";
  }
  render();
})();
