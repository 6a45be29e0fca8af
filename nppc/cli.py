"""``nppc``: one command line, with each package contributing its own subcommands.

A package joins by exposing ``add_commands(subparsers)`` in its ``cli`` module; packages whose
optional dependencies are not installed are skipped, so the core install still works.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from npgym.cliargs import package_version

COMMAND_MODULES = ("npgym.cli", "npsolver.cli", "npeval.cli", "leaderboard.cli", "nprouter.cli", "nppc.demo")


class OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose errors are one line that names the bad input and where help is."""

    def error(self, message: str):
        """Exit with a one-line usage error that points at ``--help``."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``nppc`` parser with every package's commands."""
    parser = OneLineErrors(prog="nppc", description="NP-complete reasoning benchmark.")
    parser.add_argument("--version", action="version", version=f"nppc {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrors)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name and name.startswith(missing.name.split(".")[0]):
                continue  # that package is not part of this install
            raise
        module.add_commands(subparsers)
    return parser


def main(argv: list[str] | None = None, **hooks) -> int:
    """Run one command; ``hooks`` are values for the handler that no command line can give (callables)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, value in hooks.items():
        setattr(args, name, value)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    previous = _terminate_as_interrupt()
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt as stop:
        name = stop.args[0] if stop.args and isinstance(stop.args[0], str) else "SIGINT"
        print(f"\nnppc {args.command}: interrupted by {name}; what was finished is kept: rerun the same command "
              "(a run resumes where it stopped)", file=sys.stderr)
        return 128 + int(signal.Signals[name])
    except (ValueError, KeyError, FileNotFoundError, RuntimeError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        if isinstance(error, FileNotFoundError) and error.filename:
            message = f"no such file: {error.filename}"
        print(f"nppc {args.command}: error: {redact(args, str(message))}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminate_as_interrupt():
    """Make SIGTERM stop a command the way Ctrl-C does (in the main thread); returns the old handler."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None


def redact(args: argparse.Namespace, text: str) -> str:
    """``text`` without the values of secret variables, the run's ``--api-key-env`` among them."""
    from npsolver.secrets import Redactor

    named = [args.api_key_env] if getattr(args, "api_key_env", None) else []
    return Redactor.from_environment(credential_variables=named).text(text) or ""


if __name__ == "__main__":
    raise SystemExit(main())
