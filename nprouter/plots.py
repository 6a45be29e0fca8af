"""The cost-accuracy plot: every router's knob sweep, the single models, the Oracle and the Pareto frontier."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def cost_accuracy_plot(report: dict[str, Any], out: Path) -> Path:
    """Draw the report's cost-accuracy points and frontier into ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 5.5))
    for name, entry in report["routers"].items():
        points = sorted((p["cost"], p["accuracy"]) for p in entry["points"])
        style = dict(marker="*", markersize=12, linestyle="none") if entry["reference"] else dict(marker="o")
        axes.plot([c for c, _ in points], [a for _, a in points], label=name, alpha=0.85, **style)
    singles = report["references"]["single_models"]
    axes.scatter([s["cost"] for s in singles], [s["accuracy"] for s in singles], marker="s", color="grey",
                 label="single models", zorder=3)
    for s in singles:
        axes.annotate(s["model"].split("/")[-1][:18], (s["cost"], s["accuracy"]), fontsize=6, alpha=0.7)
    frontier = report["frontier"]
    steps_x = [c for c, _ in frontier] + [report["cost_max"]]
    steps_y = [a for _, a in frontier] + [frontier[-1][1]]
    axes.step(steps_x, steps_y, where="post", color="black", linewidth=1.5, label="Pareto frontier")
    axes.set_xlabel(f"cost per query ({report['data']['cost_axis']})")
    axes.set_ylabel("accuracy")
    axes.set_title("Routers: cost vs accuracy (mean over seeds)")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    plt.close(figure)
    return out
