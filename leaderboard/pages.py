"""HTML of the site. Every piece of data is escaped with ``html.escape``; the index's table data is
embedded as JSON with ``<``, ``>`` and ``&`` escaped, and rendered by ``board.js`` as text."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from leaderboard import assets
from npeval.analysis import Analysis
from npeval.plots import slug


def write_assets(out: Path) -> None:
    (out / "board.css").write_text(assets.CSS, encoding="utf-8")
    (out / "board.js").write_text(assets.JS, encoding="utf-8")


def embed_json(value: Any) -> str:
    """JSON that cannot close its ``<script>`` element or open a comment: ``< > &`` become ``\\u`` escapes."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def page(title: str, body: str, depth: int = 0) -> str:
    up = "../" * depth
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<link rel="icon" href="data:,">\n<link rel="stylesheet" href="{up}board.css">\n'
            f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _figure(path: str, caption: str) -> str:
    svg = path[:-4] + ".svg"
    return (f'<figure><a href="{escape(svg)}"><img src="{escape(path)}" alt="{escape(caption)}" loading="lazy"></a>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def index_page(document: dict[str, Any], figures: dict[str, list[Path]]) -> str:
    problems = "".join(f'<li><a href="problems/{escape(slug(p))}.html">{escape(p)}</a></li>'
                       for p in document["problems"])
    shown = [name for name in ("aggregates", "heatmap", "tokens_by_level", "aha_by_level", "errors_by_level")
             if name in figures]
    boot = document["bootstrap"]
    body = f"""<header>
<h1>nppc leaderboard</h1>
<p class="meta">Built {escape(document['generated_at'])} by nppc {escape(str(document['nppc_version']))} from
{len(document['stores'])} store(s); intervals: 95% stratified bootstrap, {int(boot['replicates'])} replicates,
seed {int(boot['seed'])}.</p>
</header>
<main>
<p class="note">Ranked by IQM (interquartile mean of per-seed accuracy over every problem and level). A problem
cell shows the accuracy averaged over its levels and the ceiling level (L: the highest level with accuracy of at least
50% at it and at every level below; + means the model passed the highest level tried). * marks partial data: some
answers are missing (API errors or runs that did not finish). Hover a cell for its interval. Click a column header to
sort. Definitions: <a href="schema.md">schema.md</a>.</p>
<table id="board"><thead></thead><tbody></tbody></table>
<noscript><p>The table needs JavaScript; the same data is in <a href="leaderboard.csv">leaderboard.csv</a>.</p></noscript>
<h2>Problems</h2>
<ul>{problems}</ul>
<h2>Figures</h2>
{''.join(_figure(f'plots/{name}.png', name.replace('_', ' ')) for name in shown)}
<h2>Data</h2>
<ul><li><a href="leaderboard.json">leaderboard.json</a></li><li><a href="leaderboard.csv">leaderboard.csv</a></li>
{'<li><a href="adaptive.html">adaptive ceilings</a> (fitted ceiling level, adaptive and grid runs)</li>' if document.get('adaptive') else ''}
<li><a href="schema.md">schema.md</a> (fields and definitions)</li><li><a href="runs.html">runs</a> (configuration,
package version and commit of every run)</li><li><a href="tables/">all tables</a> (CSV and JSON)</li></ul>
</main>
<script type="application/json" id="board-data">{embed_json(document)}</script>
<script src="board.js"></script>"""
    return page("nppc leaderboard", body)


def runs_page(document: dict[str, Any]) -> str:
    sections = []
    for index, row in enumerate(document["rows"]):
        runs = "".join(
            f"<tr><td>{escape(str(run['run_id']))}</td><td>{escape(str(run['store']))}</td>"
            f"<td>{escape(str(run['package_version']))}</td><td>{escape(str(run['git_commit'] or 'unknown'))}</td>"
            f"<td>{escape(str(run['prompt_template']))}</td>"
            f"<td><pre>{escape(json.dumps(run['config'], indent=1, sort_keys=True))}</pre></td></tr>"
            for run in row["runs"])
        sections.append(
            f'<section id="model-{index}"><h2>{escape(row["model"])}</h2>'
            f"<table><tr><th>run id</th><th>store</th><th>package</th><th>git commit</th><th>prompt template</th>"
            f"<th>configuration</th></tr>{runs}</table></section>")
    body = (f'<p><a href="index.html">&larr; leaderboard</a></p><h1>Runs behind the board</h1>'
            f"{''.join(sections)}")
    return page("nppc runs", body)


def _level_table(cells: pd.DataFrame) -> str:
    levels = sorted(int(level) for level in cells["level"].unique())
    head = "".join(f"<th>L{level}</th>" for level in levels)
    lines = []
    for model, rows in cells.groupby("model", sort=True):
        by_level = rows.set_index("level")
        tds = []
        for level in levels:
            cell = by_level.loc[level]
            if cell["status"] == "missing":
                tds.append('<td class="partial" title="no attempts">missing</td>')
                continue
            mark = " *" if cell["status"] == "partial" else ""
            title = (f"95% CI [{cell['ci_low']:.2f}, {cell['ci_high']:.2f}]; {int(cell['attempts'])} of "
                     f"{int(cell['expected'])} expected attempts, {int(cell['api_errors'])} API errors")
            tds.append(f'<td class="{"partial" if mark else ""}" title="{escape(title)}">'
                       f"{cell['accuracy']:.2f}{mark}</td>")
        lines.append(f'<tr><td class="model">{escape(str(model))}</td>{"".join(tds)}</tr>')
    return f'<table><tr><th class="model">model</th>{head}</tr>{"".join(lines)}</table>'


def problem_page(analysis: Analysis, problem: str) -> str:
    cells = analysis.cells[analysis.cells["problem"] == problem]
    ceilings = analysis.ceilings[analysis.ceilings["problem"] == problem].sort_values("model")
    ceiling_rows = "".join(
        f'<tr><td class="model">{escape(str(r.model))}</td><td>{r.ceiling:g}{"+" if r.censored else ""}</td>'
        f"<td>[{r.ci_low:g}, {r.ci_high:g}]</td></tr>" if not pd.isna(r.ceiling) else
        f'<tr><td class="model">{escape(str(r.model))}</td><td>n/a</td><td>not evaluated</td></tr>'
        for r in ceilings.itertuples())
    name = slug(problem)
    body = f"""<p><a href="../index.html">&larr; leaderboard</a></p>
<h1>{escape(problem)}</h1>
<h2>Accuracy by level</h2>
<p class="note">Accuracy = correct / attempts; * = partial (fewer attempts than expected); hover for the 95% CI and
counts.</p>
{_level_table(cells)}
<h2>Ceiling level</h2>
<table><tr><th class="model">model</th><th>ceiling</th><th>95% CI</th></tr>{ceiling_rows}</table>
<h2>Figures</h2>
{_figure(f'../plots/accuracy_{name}.png', f'{problem}: accuracy by level')}
{_figure(f'../plots/errors_{name}.png', f'{problem}: error types by level')}"""
    return page(f"nppc: {problem}", body, depth=1)
