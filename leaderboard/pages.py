"""The board's index page and the runs page. Every piece of data is escaped with ``html.escape``; the
index's table data is embedded as JSON (see :func:`leaderboard.html.embed_json`) and rendered by
``board.js`` as text."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from leaderboard.html import embed_json, figure, page
from leaderboard.viewer import static_text
from npeval.plots import Figures

INDEX_FIGURES = (("aggregates", "aggregate scores with 95% CIs"), ("heatmap", "accuracy by model and problem"),
                 ("errors_by_level", "what became of every answer, by level"),
                 ("tokens_by_level", "completion tokens by level"), ("aha_by_level", "aha moments by level"))


def write_assets(out: Path) -> None:
    """Write the board's stylesheet and script into ``out``."""
    (out / "board.css").write_text(static_text("base.css") + static_text("board.css"), encoding="utf-8")
    (out / "board.js").write_text(static_text("board.js"), encoding="utf-8")


def _options(document: dict[str, Any]) -> str:
    groups = document["groups"]
    options = ['<option value="suite:*">all problems, by suite</option>',
               '<option value="family:*">all problems, by family</option>']
    for by in ("suite", "family"):
        for name, members in groups[by].items():
            options.append(f'<option value="{escape(by)}:{escape(name)}">{escape(by)}: {escape(name)} '
                           f"({len(members)})</option>")
    return "".join(options)


def _figures(figures: Figures) -> str:
    shown = "".join(figure(f"plots/{name}.png", caption) for name, caption in INDEX_FIGURES if name in figures.paths)
    omitted = "".join(f"<li>{escape(name.replace('_', ' '))}: {escape(reason)}</li>"
                      for name, reason in figures.omitted.items() if name in dict(INDEX_FIGURES))
    return shown + (f'<p class="note">Not drawn:</p><ul class="note">{omitted}</ul>' if omitted else "")


def index_page(document: dict[str, Any], figures: Figures) -> str:
    """The board page: the sortable table, figures, test-set facts, notes and data links."""
    boot = document["bootstrap"]
    testset = document["testset"]
    seeds = ", ".join(str(s) for s in testset["seeds"][:6]) + (" ..." if len(testset["seeds"]) > 6 else "")
    notes = "".join(f"<li>{escape(note)}</li>" for note in document["notes"])
    adaptive = ('<li><a href="adaptive.html">adaptive ceilings</a>: the fitted ceiling level of adaptive and grid '
                'runs</li>' if document.get("adaptive") else "")
    body = f"""<header>
<h1>nppc leaderboard</h1>
<p class="meta">{len(document['rows'])} models &middot; {len(document['problems'])} problems &middot;
{document['records']:,} records ({document['api_errors']:,} API errors, counted as missing) from
{len(document['stores'])} store(s) &middot; test set: {testset['instances']:,} instances, seed(s) {escape(seeds)},
hash <code>{escape(str(testset['hash']))}</code> &middot; built {escape(document['generated_at'])} by nppc
{escape(str(document['nppc_version']))} &middot; intervals: 95% stratified bootstrap, {int(boot['replicates'])}
replicates, seed {int(boot['seed'])}</p>
{f'<ul class="notes">{notes}</ul>' if notes else ''}
</header>
<main>
<form class="toolbar" id="toolbar" aria-label="filters">
<label>Search <input type="search" id="search" placeholder="model or provider" autocomplete="off"></label>
<label>Problems <select id="problems-shown">{_options(document)}</select></label>
<label>Weights <select id="weights"><option value="">open and closed</option><option value="open">open</option>
<option value="closed">closed</option></select></label>
<label class="check"><input type="checkbox" id="baselines" checked> baselines</label>
<span id="shown-count" class="count" role="status"></span>
<span class="downloads">Download <a href="leaderboard.json" download>leaderboard.json</a>
<a href="leaderboard.csv" download>leaderboard.csv</a></span>
</form>
<div class="table-frame"><table id="board"><thead></thead><tbody></tbody></table></div>
<noscript><p>The table needs JavaScript; the same data is in <a href="leaderboard.csv">leaderboard.csv</a>.</p>
</noscript>
<p class="note">Ranked by IQM, the interquartile mean of the per-seed accuracy over every problem and level, with its
95% interval below it (bars: the interval on a 0-1 scale, the tick the estimate). A problem cell shows the accuracy
averaged over that problem's levels and the <b>ceiling level</b> (L3: accuracy of at least 50% at level 3 and at every
level below; + when the model passed the highest level tried). <b>*</b> = partial data, explained under the model's
name; &ndash; = not run. A window narrower than about 1900 px opens on the core problems: pick another set above.
$ / correct counts only answers of known cost. Click a problem cell to read its answers,
a header to sort. Definitions: <a href="schema.md">schema.md</a>.</p>
<h2>Figures</h2>
{_figures(figures)}
<h2>Data</h2>
<ul><li><a href="leaderboard.json">leaderboard.json</a> and <a href="leaderboard.csv">leaderboard.csv</a> (fields:
<a href="schema.md">schema.md</a>)</li><li><a href="samples/index.html">every answer</a> in the sample viewer</li>
<li><a href="runs.html">runs</a>: configuration, package version and commit of every run</li>
<li><a href="tables/">all tables</a> (CSV and JSON)</li>
{adaptive}</ul>
</main>
<script type="application/json" id="board-data">{embed_json(document)}</script>
<script src="board.js"></script>"""
    return page("nppc leaderboard", body, current="index.html")


RUN_FACTS = (("run id", "run_id"), ("store", "store"), ("created", "created_at"), ("last updated", "updated_at"),
             ("first answer", "first_answer_at"), ("last answer", "last_answer_at"), ("nppc", "package_version"),
             ("git commit", "git_commit"), ("prompt template", "prompt_template"))


def _run(run: dict[str, Any]) -> str:
    facts = "".join(f"<dt>{escape(label)}</dt><dd>{escape(str(run[key] or 'unknown'))}</dd>"
                    for label, key in RUN_FACTS)
    config = escape(json.dumps(run["config"], indent=1, sort_keys=True))
    return (f'<div class="run"><dl class="card">{facts}</dl><details><summary>configuration</summary>'
            f"<pre>{config}</pre></details></div>")


def runs_page(document: dict[str, Any]) -> str:
    """The page with every run behind the board: its facts and configuration, by model."""
    sections = "".join(f'<section id="model-{index}"><h2>{escape(row["model"])}</h2>'
                       f'{"".join(_run(run) for run in row["runs"])}</section>'
                       for index, row in enumerate(document["rows"]))
    body = f"<main><h1>Runs behind the board</h1>{sections}</main>"
    return page("nppc runs", body, current="runs.html")


def no_samples_page() -> str:
    """The samples page of a site built with ``--no-samples``: how to see the answers instead."""
    body = ("<main><h1>Samples</h1><p>This site was built with <code>--no-samples</code>. To read every answer, run "
            "<code>nppc view STORE</code> on the run stores and open the folder it writes.</p></main>")
    return page("nppc samples", body, depth=1, current="samples/index.html")
