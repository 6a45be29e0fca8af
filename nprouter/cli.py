"""``nppc route export`` (run stores -> router dataset) and ``nppc route eval`` (evaluate routers on any dataset).

Heavy imports (pandas, scikit-learn) happen inside the handlers, so ``nppc`` starts fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from npgym.cliargs import int_list, name_list


def add_commands(subparsers) -> None:
    """Add ``route`` (export, import, evaluate) to the ``nppc`` command line."""
    route = subparsers.add_parser("route", help="router datasets, routers and their evaluation")
    commands = route.add_subparsers(dest="route_command", metavar="ROUTE_COMMAND")

    export = commands.add_parser("export", help="turn run stores into a router dataset")
    export.add_argument("--stores", nargs="+", required=True, help="run store files (SQLite)")
    export.add_argument("--out", required=True, help="a directory, or a .parquet / .jsonl records file")
    export.add_argument("--include-api-errors", action="store_true", help="keep API errors as error rows")
    export.set_defaults(handler=_export)

    evaluate = commands.add_parser("eval", help="evaluate routers on a router dataset or public routing data")
    evaluate.add_argument("--data", required=True, help="a dataset file or directory (any supported format)")
    evaluate.add_argument("--format", default=None,
                          help="native, routellm, routerbench, llmrouterbench, embedllm or store (default: detect)")
    evaluate.add_argument("--routers", type=name_list, default=None, help="comma list (default: all)")
    evaluate.add_argument("--seeds", type=int_list, default=None, help="split seeds (default 42,999,2024,2025,3407)")
    evaluate.add_argument("--train-fraction", type=float, default=0.7)
    evaluate.add_argument("--inputs", default="auto", help="auto, text, features or both")
    evaluate.add_argument("--encoder", default="tfidf", help="tfidf (default) or minilm (needs the embed extra)")
    evaluate.add_argument("--cost-axis", default="auto", help="auto, usd, latency, tokens or calls")
    evaluate.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples per seed")
    evaluate.add_argument("--workers", type=int, default=1,
                          help="processes fitting and routing (default 1; 0: one per core, up to the seeds); the "
                               "results do not depend on it, and on a busy machine more gain nothing")
    evaluate.add_argument("--out", required=True, help="directory for report.json, decisions and the plot")
    evaluate.set_defaults(handler=_eval)
    route.set_defaults(handler=lambda args: route.print_help() or 2)


def _export(args: argparse.Namespace) -> int:
    from nprouter.api import export_dataset

    records = export_dataset(args.stores, args.out, include_api_errors=args.include_api_errors).records
    print(f"wrote {len(records)} records ({records['query_id'].nunique()} queries x "
          f"{records['model_id'].nunique()} models) to {args.out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from nprouter.api import evaluate_routers
    from nprouter.evaluate import format_table

    config = {"train_fraction": args.train_fraction, "inputs": args.inputs, "encoder": args.encoder,
              "cost_axis": args.cost_axis, "bootstrap": args.bootstrap, "workers": args.workers}
    if args.routers:
        config["routers"] = args.routers
    if args.seeds:
        config["seeds"] = tuple(args.seeds)
    out = Path(args.out)
    report = evaluate_routers(args.data, out, data_format=args.format, **config)
    print(format_table(report))
    print(f"report: {out / 'report.json'}; plot: {out / 'cost_accuracy.png'}")
    return 0
