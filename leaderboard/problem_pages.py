"""One page per problem (its statement, an example instance, accuracy by level for every model, ceilings)
and the problems' index. Every piece of data is escaped with ``html.escape``."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from leaderboard.html import figure, number, page, samples_link
from npeval.analysis import Analysis
from npeval.plots import Figures, slug

EXAMPLE_CHARS = 4000


def paragraphs(text: str) -> str:
    """Card text as HTML paragraphs: the card's line breaks inside a paragraph are only its source layout."""
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]
    return "".join(f'<p class="statement">{escape(block)}</p>' for block in blocks)


def _card(problem: str):
    import npgym

    try:
        return npgym.get_problem(problem).card
    except KeyError:
        return None


def example_instance(analysis: Analysis, problem: str) -> tuple[str, str] | None:
    """(caption, text) of the board's first instance of ``problem`` at its lowest level, rendered as in prompts."""
    import npgym
    from npgym.instance import Instance

    record = analysis.board.first_instance(problem)
    if record is None:
        return None
    caption = (f"level {record['level']}, seed {record['seed']}, index {record['index']}, answer key: "
               f"{record.get('label', 'unknown')} (card v{record.get('version')})")
    try:
        text = npgym.render(Instance.from_record(record))
    except (KeyError, ValueError, TypeError):  # a card version this npgym cannot render: show the data
        text = json.dumps(record.get("data"), indent=1)
    if len(text) > EXAMPLE_CHARS:
        text = text[:EXAMPLE_CHARS] + f"\n... ({len(text) - EXAMPLE_CHARS:,} more characters)"
    return caption, text


def _ranked_models(document: dict[str, Any]) -> list[str]:
    return [row["model"] for row in document["rows"]]


def level_table(cells: pd.DataFrame, ceilings: pd.DataFrame, models: list[str], problem: str) -> str:
    """One problem's accuracy table: a row per model, a column per level, and its ceiling."""
    levels = sorted(int(level) for level in cells["level"].unique())
    head = "".join(f"<th>level {level}</th>" for level in levels)
    by_cell = cells.set_index(["model", "level"]).to_dict("index")  # a dict lookup per cell, not a .loc
    by_model = ceilings.set_index("model")
    lines = []
    for model in models:
        tds = []
        for level in levels:
            cell = by_cell[model, level]
            if cell["status"] == "missing":
                tds.append('<td class="partial" title="no attempts">not run</td>')
                continue
            mark = " *" if cell["status"] == "partial" else ""
            title = (f"{int(cell['correct'])} correct of {int(cell['attempts'])} attempts; {int(cell['expected'])} "
                     f"expected; {int(cell['api_errors'])} API errors")
            link = samples_link(1, model=model, problem=problem, level=level)
            tds.append(f'<td class="{"partial" if mark else ""}" title="{escape(title)}"><a href="{escape(link)}">'
                       f"<b>{number(cell['accuracy'])}{mark}</b></a><br><small>[{number(cell['ci_low'])}, "
                       f"{number(cell['ci_high'])}]</small></td>")
        ceiling = by_model.loc[model]
        if pd.isna(ceiling["ceiling"]):
            ceiling_text = "n/a (not run)"
        else:
            ceiling_text = (f"L{ceiling['ceiling']:g}{'+' if ceiling['censored'] else ''} "
                            f"<small>[{ceiling['ci_low']:g}, {ceiling['ci_high']:g}]</small>")
        lines.append(f'<tr><td class="model">{escape(str(model))}</td>{"".join(tds)}<td>{ceiling_text}</td></tr>')
    return (f'<table class="plain"><tr><th class="model">model</th>{head}<th>ceiling [95% CI]</th></tr>'
            f'{"".join(lines)}</table>')


def problem_page(analysis: Analysis, document: dict[str, Any], figures: Figures, problem: str) -> str:
    """One problem's page: its card's statement, ladder, figures and the level table."""
    info = document["problem_info"][problem]
    card = _card(problem)
    cells = analysis.cells[analysis.cells["problem"] == problem]
    ceilings = analysis.ceilings[analysis.ceilings["problem"] == problem]
    name = slug(problem)
    versions = ", ".join(f"v{v}" for v in info["versions"]) or "unknown"
    levels = sorted(int(level) for level in cells["level"].unique())
    statement = (f"<h2>The problem</h2>{paragraphs(card.statement)}"
                 f"<h3>Answer format</h3>{paragraphs(card.answer_format)}"
                 f"<p>Example of a solution value: <code>{escape(json.dumps(card.answer_example))}</code></p>"
                 if card else "<h2>The problem</h2><p>This problem is not registered in the installed npgym.</p>")
    example = example_instance(analysis, problem)
    example_html = (f"<h2>An example instance</h2><p class=\"note\">{escape(example[0])}; rendered as in the "
                    f"prompts</p><pre class=\"example\">{escape(example[1])}</pre>" if example else "")
    shown = [figure(f"../plots/{kind}_{name}.png", caption) for kind, caption in
             (("accuracy", f"{problem}: accuracy by level, every model, with 95% CIs"),
              ("errors", f"{problem}: what became of every answer, by level"))
             if f"{kind}_{name}" in figures.paths]
    omitted = [f"<li>{escape(reason)}</li>" for kind in ("accuracy", "errors")
               if (reason := figures.omitted.get(f"{kind}_{name}"))]
    body = f"""<main>
<h1>{escape(info['name'])}</h1>
<p class="meta"><code>{escape(problem)}</code> &middot; {escape(card.reference if card else '')} &middot; suite
{escape(info['suite'])} &middot; family {escape(info['family'])} &middot; card {escape(versions)} &middot;
{escape(str(len(levels)))} level(s) on the board &middot;
<a href="{escape(samples_link(1, problem=problem))}">read every answer</a></p>
<div class="two"><section>{statement}</section><section>{example_html}</section></div>
<h2>Accuracy by level</h2>
{''.join(shown[:1])}
<p class="note">Accuracy = correct / attempts, with its 95% stratified bootstrap interval; * = partial (fewer
attempts than expected); hover a cell for its counts, click it to read the answers. The ceiling is the highest level
L with accuracy of at least 50% at L and at every level below (+: the model passed the highest level tried).</p>
{level_table(cells, ceilings, _ranked_models(document), problem)}
<h2>What became of the answers</h2>
{''.join(shown[1:])}
{f'<ul class="note">{"".join(omitted)}</ul>' if omitted else ''}
</main>"""
    return page(f"nppc: {info['name']}", body, depth=1, current="problems/index.html")


def problems_index(document: dict[str, Any]) -> str:
    """The page listing the problems by family."""
    sections = []
    for family, members in document["groups"]["family"].items():
        lines = []
        for problem in members:
            info = document["problem_info"][problem]
            best = max(((row["problems"][problem]["accuracy"], row["model"]) for row in document["rows"]
                        if not row["is_baseline"] and row["problems"][problem]["accuracy"] is not None),
                       default=None)
            lines.append(
                f'<tr><td class="text"><a href="{escape(document["problem_pages"][problem])}">{escape(info["name"])}'
                f'</a></td><td class="text"><code>{escape(problem)}</code></td><td class="text">{escape(info["suite"])}'
                f'</td><td>{escape(", ".join(f"v{v}" for v in info["versions"]))}</td>'
                f'<td class="text">{escape(best[1]) + " (" + number(best[0]) + ")" if best else "no model data"}'
                "</td></tr>")
        sections.append(f"<h2>{escape(family.capitalize())}</h2><table class=\"plain\"><tr><th class=\"text\">problem"
                        "</th><th class=\"text\">id</th><th class=\"text\">suite</th><th>card</th><th class=\"text\">"
                        "best model (mean accuracy over levels; baselines aside)</th></tr>"
                        f"{''.join(lines)}</table>")
    body = f"<main><h1>Problems</h1>{''.join(sections)}</main>"
    return page("nppc problems", body, depth=1, current="problems/index.html")


def write_problem_pages(analysis: Analysis, document: dict[str, Any], figures: Figures, out: Path) -> dict[str, Path]:
    """Write every problem's page; its path by problem."""
    paths = {}
    for problem in analysis.board.problems:
        path = out / document["problem_pages"][problem]
        path.write_text(problem_page(analysis, document, figures, problem), encoding="utf-8")
        paths[problem] = path
    (out / "index.html").write_text(problems_index(document), encoding="utf-8")
    return paths
