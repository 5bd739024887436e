"""The settlement calculator on the command line, without Django (docs/settlement-format.md):

    python -m allianssi.settlement calculate IN.json [-o OUT.json]
    python -m allianssi.settlement what-if IN.json [-o OUT.json]

``-`` reads standard input or writes standard output. Exit 0 on success; on bad input, exit 2
with every error on standard error as a ``path: message`` line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from allianssi.settlement import format as settlement_format
from allianssi.settlement import whatif

COMMANDS = {
    "calculate": (settlement_format.run, "calculate the settlement of an input document"),
    "what-if": (whatif.run, "simulate the input document's what_if ranges"),
}


def _read(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(name, "rb") as file:
            data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
        raise settlement_format.InvalidDocument(
            [settlement_format.FormatError("invalid_json", "$", {"reason": reason})]
        ) from None


def _write(name: str, text: str) -> None:
    if name == "-":
        sys.stdout.buffer.write(text.encode())
        sys.stdout.flush()
    else:
        with open(name, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m allianssi.settlement", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("input", help="the input document (- for standard input)")
        command.add_argument("-o", "--output", default="-", help="the result (default: -)")
    args = parser.parse_args(argv)
    run, _ = COMMANDS[args.command]
    try:
        result = run(settlement_format.loads(_read(args.input)))
    except OSError as error:
        print(f"{args.input}: {error.strerror}", file=sys.stderr)
        return 2
    except settlement_format.InvalidDocument as invalid:
        for problem in invalid.errors:
            print(problem, file=sys.stderr)
        return 2
    _write(args.output, settlement_format.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
