"""The command line, run as people run it: ``python -m allianssi.settlement``, without Django.
The examples in docs/examples/settlement keep the format stable: their results byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "settlement"
INPUTS = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".result.json"))


def cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "allianssi.settlement", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_examples__there_are_three():
    assert [p.stem for p in INPUTS] == ["banded-pain", "issue", "two-organizers"]


@pytest.mark.parametrize("example", INPUTS, ids=lambda p: p.stem)
def test_calculate__gives_the_stored_result_byte_for_byte(example, tmp_path):
    out = tmp_path / "result.json"
    done = cli("calculate", str(example), "-o", str(out))
    assert (done.returncode, done.stderr) == (0, b"")
    assert out.read_bytes() == example.with_suffix(".result.json").read_bytes()


def test_what_if__gives_the_stored_result_byte_for_byte():
    example = EXAMPLES / "issue.json"
    done = cli("what-if", str(example))
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == (EXAMPLES / "issue.what-if.result.json").read_bytes()


def test_calculate__reads_standard_input_and_writes_standard_output():
    example = EXAMPLES / "two-organizers.json"
    done = cli("calculate", "-", stdin=example.read_bytes())
    assert done.returncode == 0
    assert done.stdout == (EXAMPLES / "two-organizers.result.json").read_bytes()


def test_calculate__bad_input_exits_2_with_every_error_on_stderr():
    document = json.loads((EXAMPLES / "issue.json").read_text())
    document["terms"]["target"] = "-1"
    document["terms"]["producers"][0]["markpu"] = "0.08"
    done = cli("calculate", "-", stdin=json.dumps(document).encode())
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode().splitlines() == [
        "terms.target: This cannot be negative.",
        "terms.producers[0].markpu: Unknown field markpu.",
    ]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b'{"format": ', "$: The document is not valid JSON: Expecting value"),
        (b"\xff{}", "$: The document is not valid JSON: not UTF-8 text"),
        (b'{"a": 1, "a": 2}', "a: The name a appears more than once in this object."),
    ],
)
def test_calculate__unreadable_input_exits_2(stdin, message):
    done = cli("calculate", "-", stdin=stdin)
    assert done.returncode == 2
    assert done.stderr.decode().startswith(message)


def test_what_if__without_a_what_if_exits_2():
    done = cli("what-if", str(EXAMPLES / "two-organizers.json"))
    assert (done.returncode, done.stderr) == (2, b"what_if: This field is required.\n")


def test_calculate__a_missing_file_exits_2():
    done = cli("calculate", "no-such-file.json")
    assert (done.returncode, done.stderr) == (2, b"no-such-file.json: No such file or directory\n")


def test_cli__imports_no_django():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, allianssi.settlement.__main__, allianssi.settlement.whatif; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert done.stdout == b"[]\n"


def _two_organizers(**producer_a: str) -> dict:
    document = json.loads((EXAMPLES / "two-organizers.json").read_text())
    costs = producer_a.pop("costs", None)
    document["terms"]["producers"][0].update(producer_a)
    if costs is not None:
        document["actuals"]["producers"]["a"]["costs"] = costs
    return document


@pytest.mark.parametrize("command", ["calculate", "what-if"])
def test_cli__a_markup_near_its_maximum_on_costs_near_theirs_exits_2(command):
    document = _two_organizers(markup="999999999999999.99", costs="999999999999999.99")
    document["what_if"] = {"outturn": {"low": "100000.00", "high": "200000.00"}}
    done = cli(command, "-", stdin=json.dumps(document).encode())
    assert (done.returncode, done.stdout) == (2, b"")
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("terms.producers[0].markup: The fee, this mark-up on the costs of ")
    assert line.endswith(": it must be less than 1000000000000000.")


def test_cli__a_fee_within_the_limit_is_exact():
    document = _two_organizers(markup="0.5", costs="999999999999999.99")
    done = cli("calculate", "-", stdin=json.dumps(document).encode())
    assert (done.returncode, done.stderr) == (0, b"")
    assert json.loads(done.stdout)["producers"][0]["fee"] == "500000000000000.00"


@pytest.mark.parametrize(
    ("stdin", "line"),
    [
        (
            b"[" * 100_000,
            "$: The document is not valid JSON: it nests arrays or objects too deeply.",
        ),
        (
            json.dumps(_two_organizers(name="A\x00")).encode(),
            "terms.producers[0].name: The text contains a character that cannot be stored "
            "(U+0000): remove it.",
        ),
    ],
    ids=["deep", "nul"],
)
def test_cli__other_bad_input_exits_2_with_a_path_line(stdin, line):
    done = cli("calculate", "-", stdin=stdin)
    assert (done.returncode, done.stdout, done.stderr.decode()) == (2, b"", line + "\n")
