"""One page per model (its card, runs and their dates, nppc and problem-card versions, test set, results per
problem) and the models' index. Every piece of data is escaped with ``html.escape``."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from leaderboard.html import interval, number, page, samples_link
from leaderboard.modelcards import FIELDS

CARD_LABELS = {"provider": "provider", "parameters": "parameters", "weights": "weights",
               "release_date": "release date", "reasoning_effort": "reasoning effort", "url": "link", "notes": "notes"}


def _card_html(row: dict[str, Any]) -> str:
    card = row["card"]
    if not card:
        return ('<p class="note">No model card: the submitter gave no provider, size, weights or release date for '
                "this model (pass <code>--model-cards FILE</code> to <code>nppc leaderboard build</code>).</p>")
    facts = []
    for field in FIELDS[1:]:
        value = card.get(field)
        if value is None:
            continue
        shown = escape(str(value))
        if field == "url" and str(value).startswith(("https://", "http://")):
            shown = f'<a href="{escape(str(value))}" rel="noopener noreferrer">{shown}</a>'
        facts.append(f"<dt>{escape(CARD_LABELS[field])}</dt><dd>{shown}</dd>")
    facts.append(f"<dt>card</dt><dd>{escape(str(card['source']))} (card version {escape(str(card['card_version']))})"
                 "</dd>")
    return f'<dl class="card">{"".join(facts)}</dl>'


def _days(runs: list[dict[str, Any]]) -> str:
    """The run dates as days: ``2025-01-02`` or ``2025-01-02 to 2025-01-09``."""
    text = _dates(runs)
    first, _, last = text.partition(" to ")
    first, last = first[:10], last[:10]
    return first if first == last else f"{first} to {last}"


def _dates(runs: list[dict[str, Any]]) -> str:
    first = min((r["first_answer_at"] or r["created_at"] for r in runs if r["first_answer_at"] or r["created_at"]),
                default=None)
    last = max((r["last_answer_at"] or r["updated_at"] for r in runs if r["last_answer_at"] or r["updated_at"]),
               default=None)
    return f"{first or 'unknown'} to {last or 'unknown'}"


def _versions(testset: dict[str, Any]) -> str:
    by_version: dict[str, list[str]] = {}
    for problem, versions in sorted(testset["problem_versions"].items()):
        by_version.setdefault(", ".join(f"v{v}" for v in versions), []).append(problem)
    return "; ".join(f"{version}: {', '.join(problems)}" for version, problems in sorted(by_version.items()))


def model_page(document: dict[str, Any], row: dict[str, Any]) -> str:
    """One model's page: its card, scores per problem, and the runs and versions behind them."""
    runs = row["runs"]
    testset = row["testset"]
    packages = sorted({str(r["package_version"]) for r in runs})
    commits = sorted({str(r["git_commit"]) for r in runs if r["git_commit"]})
    templates = sorted({str(r["prompt_template"]) for r in runs})
    facts = [("rank", "\u2013" if row["rank"] is None else str(row["rank"])),
             ("IQM [95% CI]", interval(row["iqm"], row["iqm_low"], row["iqm_high"], 3)),
             ("mean [95% CI]", interval(row["mean"], row["mean_low"], row["mean_high"], 3)),
             ("coverage", row["coverage"]),
             ("tokens per answer", number(row["mean_completion_tokens"], 0)),
             ("cost per correct answer", "unknown" if row["cost_per_correct_usd"] is None else
              f"${row['cost_per_correct_usd']:.5f} (cost known for {100 * (row['cost_coverage'] or 0):.0f}% of "
              "attempts)"),
             ("answers", f"{row['attempts']} attempts, {row['api_errors']} API "
                         f"error{'' if row['api_errors'] == 1 else 's'}, "
                         f"{row['missing']} missing"),
             ("run dates", _dates(runs)), ("nppc version", ", ".join(packages) or "unknown"),
             ("git commit", ", ".join(commits) or "unknown"), ("prompt template", ", ".join(templates) or "unknown"),
             ("test set", f"{testset['instances']} instances, seed(s) {', '.join(map(str, testset['seeds']))}, "
                          f"hash {testset['hash']}"),
             ("problem card versions", _versions(testset) or "unknown")]
    facts_html = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in facts)
    lines = []
    for group, members in document["groups"]["suite"].items():
        for problem in members:
            p = row["problems"][problem]
            info = document["problem_info"][problem]
            ceiling = "n/a" if p["ceiling"] is None else f"L{p['ceiling']:g}{'+' if p['censored'] else ''}"
            note = ("not run" if p["accuracy"] is None else
                    f"{p['levels_missing']} level(s) not run" if p["levels_missing"] else
                    "some answers missing" if p["partial"] else "")
            link = samples_link(1, model=row["model"], problem=problem)
            lines.append(f'<tr><td class="text"><a href="../problems/{escape(document["problem_pages"][problem])}">'
                         f'{escape(info["name"])}</a></td><td class="text">{escape(group)}</td>'
                         f"<td>{interval(p['accuracy'], p['ci_low'], p['ci_high'])}</td><td>{escape(ceiling)}</td>"
                         f'<td class="text partial">{escape(note)}</td>'
                         f'<td><a href="{escape(link)}">answers</a></td></tr>')
    runs_html = "".join(
        f'<tr><td class="text">{escape(str(r["run_id"]))}</td><td>{escape(str(r["created_at"] or "unknown"))}</td>'
        f"<td>{escape(str(r['first_answer_at'] or 'unknown'))}</td><td>{escape(str(r['last_answer_at'] or 'unknown'))}"
        f'</td><td>{escape(str(r["package_version"]))}</td><td class="text">{escape(str(r["store"]))}</td></tr>'
        for r in runs)
    body = f"""<main>
<h1>{escape(row['model'])}</h1>
<p class="meta">{'classical baseline &middot; ' if row['is_baseline'] else ''}<a
href="{escape(samples_link(1, model=row['model']))}">read every answer</a> &middot;
<a href="../runs.html#model-{document['rows'].index(row)}">full run configuration</a></p>
<div class="two"><section><h2>Model card</h2>{_card_html(row)}</section>
<section><h2>Results and provenance</h2><dl class="card">{facts_html}</dl></section></div>
<h2>Per problem</h2>
<table class="plain"><tr><th class="text">problem</th><th class="text">suite</th><th>accuracy [95% CI]</th>
<th>ceiling</th><th class="text">coverage</th><th></th></tr>{''.join(lines)}</table>
<h2>Runs</h2>
<table class="plain"><tr><th class="text">run id</th><th>created</th><th>first answer</th><th>last answer</th>
<th>nppc</th><th class="text">store</th></tr>{runs_html}</table>
</main>"""
    return page(f"nppc: {row['model']}", body, depth=1, current="models/index.html")


def models_index(document: dict[str, Any]) -> str:
    """The page listing every model with its card's main facts."""
    lines = []
    for row in document["rows"]:
        card = row["card"] or {}
        cells = [card.get("provider"), card.get("parameters"), card.get("weights"), card.get("release_date"),
                 card.get("reasoning_effort")]
        lines.append(
            f'<tr><td>{"&ndash;" if row["rank"] is None else row["rank"]}</td><td class="text"><a '
            f'href="{escape(row["page"])}">{escape(row["model"])}</a>'
            f'{" <span class=badge>baseline</span>" if row["is_baseline"] else ""}'
            f"</td>{''.join(f'<td class=text>{escape(str(c)) if c else chr(8211)}</td>' for c in cells)}"
            f"<td>{number(row['iqm'], 3)}</td><td class=\"text\">{escape(_days(row['runs']))}</td>"
            f'<td class="text coverage">{escape(row["coverage"])}</td></tr>')
    body = ('<main><h1>Models</h1><p class="note">Provider, parameters, weights, release date and reasoning effort '
            "come from the model cards the submitters gave (none: &ndash;).</p>"
            '<table class="plain models-table"><tr><th>#</th><th class="text">model</th><th class="text">provider</th>'
            '<th class="text">parameters</th><th class="text">weights</th><th class="text">released</th>'
            '<th class="text">reasoning effort</th><th>IQM</th><th class="text">run dates</th>'
            f'<th class="text">coverage</th></tr>{"".join(lines)}</table></main>')
    return page("nppc models", body, depth=1, current="models/index.html")


def write_model_pages(document: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write every model's page; its path by model."""
    paths = {}
    for row in document["rows"]:
        path = out / row["page"]
        path.write_text(model_page(document, row), encoding="utf-8")
        paths[row["model"]] = path
    (out / "index.html").write_text(models_index(document), encoding="utf-8")
    return paths
