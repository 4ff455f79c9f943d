"""Fuzzing the loader and the command line with whatever a planner, a spreadsheet export
or a damaged file can hand them.

Every input must end in one of two ways: a valid scenario (``load_scenario`` returns;
``fuelseal validate`` / ``fuelseal run`` exit 0, the run leaving a complete run folder),
or the tool's own :class:`~simulator.ScenarioError` (exit 2, exactly one line on stderr
starting ``fuelseal: error:``, no traceback, no run folder). Anything else fails: another
exception, a warning (pytest turns warnings into errors), one input taking more than
``PER_EXAMPLE_SECONDS``, a run folder left behind.

The inputs: (a) whole TOML documents — random text and bytes, mutations of
``tests/data/minimal.toml``, random tables written as TOML; (b) random values (ints
huge and negative, floats with nan/inf, strings, bools, dates, times, lists, nested and
``{ dist = … }`` tables, and near-valid values read off each field's type and bounds) at
every dotted key of the schema, found by walking the pydantic models of
:mod:`simulator.scenario`, written into the file or given with ``--set``; (c) random
station-register CSV files; (d) near-valid scenarios run in Python; (e) a few of all
these run end to end with ``fuelseal run -n 1``.

The in-suite sizes (``EXAMPLES`` below, about 3,000 inputs) keep this file near half a
minute on two cores. A larger search — every test at 5,000 examples, the two
end-to-end ``fuelseal run`` tests at a tenth of that (about 10 minutes)::

    FUELSEAL_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/scenario/test_fuzz.py

The plain tests at the end pin, one by one, the hostile inputs this fuzzing found to
crash, warn or split the error line before the loader learned to refuse them.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import os
import signal
import tempfile
import time
import tomllib
import types
import typing
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

import simulator
from simulator.cli import main
from simulator.scenario import REGISTER_COLUMNS, Scenario, parse_value
from simulator.scenario.quantities import DISTRIBUTIONS, Quantity

DATA = Path(__file__).parents[1] / "data"
MINIMAL = DATA / "minimal.toml"
MINIMAL_TEXT = MINIMAL.read_text(encoding="utf-8")
MINIMAL_RAW = tomllib.loads(MINIMAL_TEXT)

PER_EXAMPLE_SECONDS = 20.0
RUN_MAX_STATIONS = 200  # the end-to-end test checks robustness, not capacity (see test_scale.py)
RUN_MAX_DISPENSERS = 2_000

_LARGE = int(os.environ.get("FUELSEAL_FUZZ_EXAMPLES", "0") or 0)
EXAMPLES = {  # in-suite examples per test; FUELSEAL_FUZZ_EXAMPLES raises them
    "text": 300,
    "mutations": 300,
    "tables": 200,
    "dotted_file": 1000,
    "dotted_set": 400,
    "register": 500,
    "model": 150,
    "run": 30,
    "run_bad": 200,
}


def examples(name: str) -> int:
    n = EXAMPLES[name]
    if _LARGE:
        n = max(n, _LARGE // 10 if name.startswith("run") else _LARGE)
    return n


def fuzz_settings(name: str):
    return settings(max_examples=examples(name),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example, HealthCheck.filter_too_much])


def note_event(text: str) -> None:
    """Count ``text`` in hypothesis' statistics (``--hypothesis-show-statistics``), inside @given."""
    if currently_in_test_context():
        event(text)


# ---- per-example time limit ---------------------------------------------------------------

class ExampleTimeout(Exception):
    """One input took longer than PER_EXAMPLE_SECONDS: a hang."""


@contextmanager
def time_limit(seconds: float = PER_EXAMPLE_SECONDS):
    """Interrupt (SIGALRM) and fail an input that runs longer than ``seconds``."""

    def _raise(signum, frame):
        raise ExampleTimeout(f"one input took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - t0
    if elapsed > seconds:  # a loop inside C code cannot be interrupted, but is still caught here
        raise ExampleTimeout(f"one input took {elapsed:.1f} s (limit {seconds:g} s)")


# ---- writing TOML (our own writer: it must write what the package's writer would refuse) --

@dataclass(frozen=True)
class Raw:
    """A value given as literal TOML text (e.g. a 5,000-digit integer, or 3,000 nested brackets)."""

    text: str


def toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif (ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_string(str(k))} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v).__name__)


def toml_document(raw: dict) -> str:
    """Top-level plain values first, then each table as a ``[section]`` (its values inline)."""
    lines = [f"{toml_string(k)} = {toml_value(v)}" for k, v in raw.items() if not isinstance(v, dict)]
    for k, v in raw.items():
        if isinstance(v, dict):
            lines.append(f"[{toml_string(k)}]")
            lines.extend(f"{toml_string(str(kk))} = {toml_value(vv)}" for kk, vv in v.items())
    return "\n".join(lines) + "\n"


def set_dotted(raw: dict, key: str, value) -> dict:
    """A copy of ``raw`` with ``key`` set (a plain value on the way is replaced by a table)."""
    out = copy.deepcopy(raw)
    node, parts = out, key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value
    return out


# ---- the schema's dotted keys, walked from the pydantic models ------------------------------

def _unwrap_optional(ann):
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return ann


def _is_quantity(ann) -> bool:
    ann = _unwrap_optional(ann)
    if typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    return isinstance(ann, type) and issubclass(ann, Quantity)


def _is_section(ann) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel) and not issubclass(ann, Quantity)


QUANTITY_KEYS = ("dist", "mean", "sd", "low", "high", "min")


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, FieldInfo | None]:
    """Every dotted key of the schema and its pydantic field (None for the keys of a
    quantity's inline table). ``NAME`` stands for a user-chosen table name (an operator,
    a district)."""
    out: dict[str, FieldInfo | None] = {}
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        ann = _unwrap_optional(field.annotation)
        if _is_section(ann):
            out.update(schema_fields(ann, key + "."))
        elif typing.get_origin(ann) is dict and _is_section(typing.get_args(ann)[1]):
            out.update(schema_fields(typing.get_args(ann)[1], key + ".NAME."))
        else:
            out[key] = field
            if typing.get_origin(ann) is dict:
                out[key + ".NAME"] = None
            if _is_quantity(field.annotation):
                out.update({f"{key}.{p}": None for p in QUANTITY_KEYS})
    return out


SCHEMA_FIELDS = schema_fields()
SCHEMA_KEYS = tuple(SCHEMA_FIELDS)
FIELD_KEYS = tuple(k for k, f in SCHEMA_FIELDS.items() if f is not None)  # without a quantity's inline keys


# ---- strategies -----------------------------------------------------------------------------

NAMES = st.one_of(st.sampled_from(["A", "B", "state", "private", "household", "Phủ Lý", "x y", "default", ""]),
                  st.text(max_size=6))
EXTREMES = [0, 1, -1, 2, 12, 13, 24, 25, 365, 600, 601, 10_000, 10_001, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64,
            10**7, 10**9, 10**18, 10**30, -(10**30),
            0.0, -0.0, 0.5, 1.0, 1.5, -0.5, 1e-300, 5e-324, 1e300, 1e308, -1e308, 1.7976931348623157e308,
            math.nan, math.inf, -math.inf]
INTERESTING_NUMBERS = st.sampled_from(EXTREMES)
ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-12))])
NEAR_DATES = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2019, 12, 31))
EDGE_DATES = st.sampled_from([dt.date(1, 1, 1), dt.date(1677, 9, 21), dt.date(1970, 1, 1), dt.date(2262, 4, 12),
                              dt.date(9999, 12, 31), dt.date(2016, 2, 29), dt.date(2017, 12, 31)])
SCALARS = st.one_of(
    INTERESTING_NUMBERS,
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["", "2017-01-02", "route", "random", "Mon", "beta", "fixed", "nan", "1e9", "A", "register.csv"]),
    st.booleans(),
    st.dates(),
    NEAR_DATES,
    st.datetimes(),
    st.datetimes(timezones=ZONES),
    st.times(),
)
DIST_PARAMS = st.one_of(INTERESTING_NUMBERS, st.floats(), st.integers(-5, 5000), st.text(max_size=4), st.booleans())
DIST_TABLES = st.fixed_dictionaries(
    {"dist": st.one_of(st.sampled_from([*sorted(DISTRIBUTIONS), "fixed", "weibull", "Beta", ""]), SCALARS)},
    optional={p: DIST_PARAMS for p in ("mean", "sd", "low", "high", "mode", "min", "max", "value", "shape")},
)
def _containers(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(NAMES, children, max_size=4))


VALUES = st.recursive(st.one_of(SCALARS, DIST_TABLES), _containers, max_leaves=10)
# values TOML can hold but Python's conversion limits or recursion cannot
PATHOLOGICAL = st.one_of(
    st.integers(min_value=4_301, max_value=6_000).map(lambda n: Raw("9" * n)),
    st.integers(min_value=1_500, max_value=3_000).map(lambda n: Raw("[" * n + "]" * n)),
    st.integers(min_value=1_500, max_value=3_000).map(lambda n: Raw("{a=" * n + "1" + "}" * n)),
)

# near-valid values, read off each field's type and bounds: the values that pass
# validation and then meet the model (extreme sizes, shares at 0 and 1, huge floats)
POSITIVE = st.one_of(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, exclude_min=True),
                     st.sampled_from([0.0, 5e-324, 1e-300, 1e-9, 1e9, 1e300, 1e308]))
SHARES = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 5e-324, 1 - 2**-53]))


WRONG_TYPES = st.sampled_from(["0.5", "1", "", "abc", "2017-01-02", "inf", True, False, [], [1], [0.5, "x"], {},
                               {"value": 1}, dt.date(2017, 1, 2), dt.time(8, 0), dt.datetime(2017, 1, 2, 8, 30),
                               0.5, 3, -2])
"""Values of the wrong kind for most keys (a number in quotes, a list for a number, …)."""


@st.composite
def plausible_distributions(draw):
    """``{ dist = … }`` tables with parameters of the right kind, valid or just beyond."""
    dist = draw(st.sampled_from(sorted(DISTRIBUTIONS)))
    number = st.one_of(POSITIVE, SHARES, st.floats(-2, 2), INTERESTING_NUMBERS)
    if dist in ("uniform", "triangular"):
        low, high = sorted(draw(st.lists(number.filter(lambda x: not math.isnan(x)), min_size=2, max_size=2)))
        table = {"dist": dist, "low": low, "high": high}
        if dist == "triangular":
            table["mode"] = draw(st.sampled_from([low, high, (low + high) / 2 if math.isfinite(low + high) else low]))
        return table
    if dist == "poisson":
        table = {"dist": dist, "mean": draw(st.one_of(st.floats(0, 50), number))}
        if draw(st.booleans()):
            table["min"] = draw(st.integers(-1, 3))
        return table
    mean = draw(SHARES if dist == "beta" else number)
    table = {"dist": dist, "mean": mean, "sd": draw(st.one_of(st.floats(0, 0.3), number))}
    if dist == "normal":
        for bound in ("min", "max"):
            if draw(st.booleans()):
                table[bound] = draw(number)
    return table


def _bounds(field: FieldInfo) -> tuple[float, float]:
    """The (low, high) a numeric field allows (±1e6 where it sets none)."""
    lo, hi = -1e6, 1e6
    for m in field.metadata:
        lo = next((getattr(m, a) for a in ("ge", "gt") if getattr(m, a, None) is not None), lo)
        hi = next((getattr(m, a) for a in ("le", "lt") if getattr(m, a, None) is not None), hi)
    return lo, hi


def plausible(key: str) -> st.SearchStrategy:
    """Values of the right type for ``key``: inside and just outside its range."""
    field = SCHEMA_FIELDS.get(key)
    if field is None:
        return st.one_of(POSITIVE, SHARES, INTERESTING_NUMBERS, st.sampled_from(sorted(DISTRIBUTIONS)))
    ann = _unwrap_optional(field.annotation)
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if _is_quantity(field.annotation):
        return st.one_of(POSITIVE, SHARES, st.floats(-2, 2), plausible_distributions())
    if ann is bool:
        return st.booleans()
    if ann is int:
        lo, hi = _bounds(field)
        return st.one_of(st.integers(int(lo) - 1, int(hi) + 1), st.integers(int(lo), min(int(hi), int(lo) + 30)))
    if ann is float:
        lo, hi = _bounds(field)
        return st.one_of(st.floats(lo, hi), st.floats(lo - 1, hi + 1), POSITIVE)
    if ann is dt.date:
        return st.one_of(NEAR_DATES, EDGE_DATES)
    if ann is str:
        return st.one_of(st.sampled_from(["register.csv", "minimal", "", "A"]), st.text(max_size=12))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(args), st.text(max_size=6))
    if origin is dict:  # network.districts
        count = st.one_of(st.integers(0, 40), st.integers(-1, 10**7), st.sampled_from([0.5, 1e9, 1.0]),
                          st.builds(lambda m, lo: {"dist": "poisson", "mean": m, "min": lo},
                                    st.floats(0, 40), st.integers(0, 2)))
        return st.dictionaries(NAMES, count, max_size=4)
    if origin is list:
        item = args[0]
        if item is float:  # seasonality
            return st.lists(st.one_of(st.floats(0, 3), POSITIVE, st.floats()), min_size=11, max_size=13)
        if item is dt.date:
            return st.lists(st.one_of(NEAR_DATES, EDGE_DATES), max_size=30)
        if typing.get_origin(item) is typing.Literal:
            return st.lists(st.sampled_from(typing.get_args(item)), max_size=8)
        if item is str:
            return st.lists(NAMES, max_size=4)
        if _is_section(item):  # price_path
            return st.lists(st.fixed_dictionaries({"date": st.one_of(NEAR_DATES, EDGE_DATES),
                                                   "price": st.one_of(POSITIVE, st.floats(-1, 1))}), max_size=4)
    return VALUES


def _schema_key(key: str) -> str:
    """``operators.state.share`` → ``operators.NAME.share`` (and the same for districts)."""
    parts = key.split(".")
    if parts[0] == "operators" and len(parts) > 2:
        parts[1] = "NAME"
    elif parts[:2] == ["network", "districts"] and len(parts) > 2:
        parts[2] = "NAME"
    return ".".join(parts)


@st.composite
def values_for(draw, key: str):
    """A value for ``key``: mostly near-valid, often anything at all, now and then pathological."""
    roll = draw(st.integers(0, 19))  # hypothesis favours small draws: the common case comes first
    if roll < 11:
        return draw(plausible(_schema_key(key)))
    if roll < 14:
        return draw(WRONG_TYPES)
    if roll < 19:
        return draw(st.one_of(VALUES, DIST_TABLES))
    return draw(PATHOLOGICAL)


@st.composite
def dotted_keys(draw) -> str:
    """A schema key (``NAME`` filled in), sometimes an unknown or malformed one."""
    key = draw(st.sampled_from(FIELD_KEYS if draw(st.integers(0, 3)) < 3 else SCHEMA_KEYS))
    if "NAME" in key:
        key = key.replace("NAME", draw(NAMES.filter(lambda s: "." not in s)) or "A")
    choice = draw(st.integers(0, 19))
    if choice == 19:  # unknown key in a known section
        key = key.rsplit(".", 1)[0] + "." + draw(st.text(min_size=1, max_size=8).filter(lambda s: "." not in s))
    elif choice == 18:  # one level too deep
        key = key + "." + draw(st.sampled_from(["mean", "x", "0"]))
    return key


@st.composite
def changes(draw, max_size: int = 3) -> list[tuple[str, object]]:
    """1–``max_size`` (dotted key, value) pairs."""
    out = []
    for _ in range(draw(st.integers(1, max_size))):
        key = draw(dotted_keys())
        out.append((key, draw(values_for(key))))
    return out


# ---- running one input and judging how it ended -----------------------------------------

def cli(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_one_error_line(err: str, expected: simulator.ScenarioError | None = None) -> None:
    """Exactly one line (as ``str.splitlines`` counts them), ``fuelseal: error: …``, no
    traceback — and, given the loader's error for the same input, its text."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    assert lines[0].startswith("fuelseal: error: "), lines[0]
    if expected is not None:
        assert lines[0] == f"fuelseal: error: {expected}", (lines[0], str(expected))


def assert_only_warnings(err: str, sc: Scenario | None = None) -> None:
    """A valid scenario may draw warnings (``fuelseal: warning: …``, one line each — the scenario's own
    :meth:`~simulator.Scenario.advice`), never an error or a traceback."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert all(line.startswith("fuelseal: warning: ") for line in lines), err
    if sc is not None:
        assert [line.removeprefix("fuelseal: warning: ") for line in lines] == sc.advice()


def load_outcome(path: Path, overrides: dict | None = None) -> Scenario | simulator.ScenarioError:
    """``load_scenario``: the Scenario, or the ScenarioError (whose text must be one line).
    Any other exception propagates, and fails the test."""
    try:
        return simulator.load_scenario(path, overrides)
    except simulator.ScenarioError as exc:
        text = str(exc)
        assert text and len(text.splitlines()) == 1 and "Traceback" not in text, text
        return exc


def check_validate(path: Path, sets: list[str] | None = None) -> None:
    """Loader and ``fuelseal validate`` agree: a Scenario and exit 0, or the same one-line
    error and exit 2. ``sets`` are ``KEY=VALUE`` texts given to the CLI as ``--set``."""
    with time_limit():
        overrides, outcome = None, None
        if sets:
            overrides = {}
            for pair in sets:  # what --set does with its text
                key, _, value = pair.partition("=")
                try:
                    overrides[key.strip()] = parse_value(value.strip(), key.strip())
                except simulator.ScenarioError as exc:  # a line break in a value: refused before loading
                    outcome = exc
                    break
        if outcome is None:
            outcome = load_outcome(path, overrides)
        code, out, err = cli(["validate", str(path)] + [f"--set={pair}" for pair in (sets or [])])
    if isinstance(outcome, simulator.ScenarioError):
        note_event("bad input")
        assert code == 2, (code, out, err)
        # an empty --set key is refused by the CLI before the loader sees it, in other words
        same_input = all(pair.partition("=")[0].strip() for pair in (sets or []))
        assert_one_error_line(err, outcome if same_input else None)
        assert out == ""
    else:
        note_event("valid scenario")
        assert code == 0, (code, out, err)
        assert ": ok" in out, (out, err)
        assert_only_warnings(err, outcome)


def write(folder: Path, name: str, data: str | bytes) -> Path:
    p = folder / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return p


# ---- (a) whole documents ------------------------------------------------------------------

TOML_ALPHABET = st.sampled_from(list('[]{}=".,#\n\t \'abcAB019-_:Te+') + ["nan", "inf", "true", "[[x]]",
                                                                              "2017-01-02", '"""', "\r\n"])


@pytest.mark.slow
@fuzz_settings("text")
@given(doc=st.one_of(st.text(max_size=300), st.binary(max_size=300),
                     st.lists(TOML_ALPHABET, max_size=80).map("".join)))
def test_random_text_is_a_scenario_or_one_clear_error(doc):
    """Random text and bytes as a scenario file: a valid scenario, or ScenarioError / exit 2
    with one `fuelseal: error:` line — never another exception or a traceback."""
    with tempfile.TemporaryDirectory() as d:
        check_validate(write(Path(d), "scenario.toml", doc))


@st.composite
def mutated_minimal(draw) -> str:
    """tests/data/minimal.toml with a few random edits: deleted, duplicated or swapped
    lines, inserted TOML punctuation or text, replaced values."""
    lines = MINIMAL_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "value", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            piece = draw(st.one_of(st.lists(TOML_ALPHABET, max_size=6).map("".join), st.text(max_size=6)))
            lines[i] = lines[i][:pos] + piece + lines[i][pos:]
        elif op == "value" and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + toml_value(draw(VALUES))
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@fuzz_settings("mutations")
@given(doc=mutated_minimal())
def test_mutated_minimal_scenario_is_valid_or_one_clear_error(doc):
    """minimal.toml with random edits: valid, or one clear error line and exit 2."""
    with tempfile.TemporaryDirectory() as d:
        check_validate(write(Path(d), "scenario.toml", doc))


SECTIONS = tuple(Scenario.model_fields)


@pytest.mark.slow
@fuzz_settings("tables")
@given(raw=st.dictionaries(st.one_of(st.sampled_from(SECTIONS), NAMES),
                           st.one_of(st.dictionaries(NAMES, VALUES, max_size=6), VALUES), max_size=8),
       base=st.booleans())
def test_random_tables_written_as_toml_are_valid_or_one_clear_error(raw, base):
    """Random tables (known and unknown sections, random keys and values), alone or merged
    over minimal.toml, written as TOML: valid, or one clear error line and exit 2."""
    if base:
        merged = copy.deepcopy(MINIMAL_RAW)
        for k, v in raw.items():
            if isinstance(v, dict) and isinstance(merged.get(k), dict):
                merged[k] = {**merged[k], **v}
            else:
                merged[k] = v
        raw = merged
    with tempfile.TemporaryDirectory() as d:
        check_validate(write(Path(d), "scenario.toml", toml_document(raw)))


# ---- (b) every dotted key -------------------------------------------------------------------

def test_schema_walk_finds_every_section_and_key():
    """The key list the fuzzing draws from covers every section of the schema, user-named
    tables (operators.NAME.*, network.districts.NAME) and aliases (network.register)."""
    sections = {k.split(".")[0] for k in SCHEMA_KEYS}
    assert sections == set(Scenario.model_fields)
    for key in ("scenario.start", "network.register", "network.districts.NAME", "network.pumps_per_station",
                "demand.litres_per_pump_day.mean", "demand.price_path", "tax.per_litre",
                "behaviour.residual_share.sd", "operators.NAME.share", "operators.NAME.undeclared_share",
                "campaign.working_weekdays", "campaign.reverification_months", "metrology.mpe",
                "enforcement.selection", "costs.fixed", "run.visit_log", "run.evaluation_months"):
        assert key in SCHEMA_KEYS, key
    assert len(SCHEMA_KEYS) > 80


def test_unchanged_minimal_scenario_passes_through_the_harness():
    """The harness itself: minimal.toml, and minimal.toml rewritten by this file's TOML
    writer, load and validate (so a failure in the fuzz tests is not the writer's)."""
    with tempfile.TemporaryDirectory() as d:
        path = write(Path(d), "s.toml", toml_document(MINIMAL_RAW))
        assert tomllib.loads(path.read_text(encoding="utf-8")) == MINIMAL_RAW
        for p in (MINIMAL, path):
            assert isinstance(load_outcome(p), Scenario)
            code, out, err = cli(["validate", str(p)])
            assert code == 0 and ": ok" in out
            assert_only_warnings(err, load_outcome(p))


BASES = {
    "minimal": MINIMAL_RAW,
    "distributions": {
        **MINIMAL_RAW,
        "network": {"districts": {"A": 3, "B": {"dist": "poisson", "mean": 2.0, "min": 1}}},
        "demand": {**MINIMAL_RAW["demand"], "litres_per_pump_day": {"dist": "gamma", "mean": 800.0, "sd": 300.0},
                   "annual_growth": {"dist": "normal", "mean": 0.05, "sd": 0.02, "min": -0.5}},
        "behaviour": {"undeclared_share": {"dist": "beta", "mean": 0.15, "sd": 0.05},
                      "residual_share": {"dist": "uniform", "low": 0.0, "high": 0.02}},
        "campaign": {**MINIMAL_RAW["campaign"], "minutes_per_pump": {"dist": "lognormal", "mean": 45.0, "sd": 10.0},
                     "travel_hours": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0}},
    },
    "operators": {**MINIMAL_RAW, "operators": {"state": {"share": 0.6, "undeclared_share": 0.05},
                                               "private": {"share": 0.4, "tax_rate": 0.02}}},
}


@pytest.mark.slow
@fuzz_settings("dotted_file")
@given(base=st.sampled_from(sorted(BASES)), edits=changes())
def test_any_value_at_any_key_in_the_file_is_valid_or_one_clear_error(base, edits):
    """minimal.toml with 1–3 schema keys set to arbitrary values in the file: valid, or
    ScenarioError / exit 2 with one line that matches the loader's message."""
    raw = BASES[base]
    for key, value in edits:
        raw = set_dotted(raw, key, value)
    with tempfile.TemporaryDirectory() as d:
        check_validate(write(Path(d), "scenario.toml", toml_document(raw)))


@pytest.mark.slow
@fuzz_settings("dotted_set")
@given(edits=changes(max_size=2), raw_text=st.one_of(st.none(), st.none(), st.text(max_size=20)))
@example(edits=[("scenario.name", "\x85")], raw_text=None)  # found in CI: a NEL inside a quoted --set value
def test_any_value_at_any_key_with_set_is_valid_or_one_clear_error(edits, raw_text):
    """`fuelseal validate minimal.toml --set KEY=VALUE …` with arbitrary keys and values
    (as TOML text, or any text at all): exit 0, or exit 2 with one line; the Python
    loader, given what --set parses, agrees."""
    sets = [f"{key}={toml_value(value) if raw_text is None else raw_text}" for key, value in edits]
    check_validate(MINIMAL, sets)


# ---- (c) station registers --------------------------------------------------------------------

REGISTER_SCENARIO = MINIMAL_TEXT.replace("districts = { A = 3, B = 2 }", 'register = "register.csv"')
assert REGISTER_SCENARIO != MINIMAL_TEXT
WITH_OPERATORS = REGISTER_SCENARIO + """
[operators.state]
undeclared_share = 0.02

[operators.private]
undeclared_share = 0.2

[operators.household]
tax_rate = 0.01
"""
CELLS = st.one_of(
    st.sampled_from(["", "1", "0", "-1", "2", "4", "1e308", "1e309", "inf", "nan", "NaN", " 3 ", "1_0", "٣", "1.5",
                     "9" * 30, "2100", "HN-001", "HN-002", "Phủ Lý", "Duy Tiên", "state", "private", "household",
                     "default", '"', '""', ",", "\n", "\r", "\u2028", "\x85", "\x0c", "\x0b", "\x1c", "\x00", "\ufeff",
                     "=1+1", "\\", "'"]),
    st.text(max_size=12),
    st.integers(-10, 10**7).map(str),
    st.floats().map(repr),
)
HUGE_CELL = st.integers(131_000, 140_000).map(lambda n: "1" * n)
HEADERS = st.one_of(
    st.just(list(REGISTER_COLUMNS)),
    st.permutations(list(REGISTER_COLUMNS)),
    st.lists(st.sampled_from([*REGISTER_COLUMNS, "extra", "", " id ", "ID", "pumps "]), max_size=7),
    st.lists(CELLS, max_size=6),
)


@st.composite
def well_formed_rows(draw) -> list[list[str]]:
    """Rows with the right columns and mostly sensible values (so many registers load)."""
    n = draw(st.integers(1, 8))
    ids = draw(st.lists(st.sampled_from([f"S{i}" for i in range(12)]) | st.text(min_size=1, max_size=4),
                        min_size=n, max_size=n, unique=True))
    rows = []
    for sid in ids:
        sensible = draw(st.integers(0, 5)) < 5
        rows.append([
            sid,
            draw(st.sampled_from(["Phủ Lý", "Duy Tiên", "A"]) if sensible else st.text(max_size=4)),
            draw(st.sampled_from(["state", "private", "household", ""]) if sensible else st.text(max_size=4)),
            draw(st.integers(1, 12).map(str) if sensible else st.integers(-1, 10**7).map(str) | CELLS),
            draw(st.sampled_from(["", "0", "600", "2100.5"]) | st.floats(0, 1e5).map(repr) if sensible
                 else st.floats(min_value=0).map(repr) | CELLS),
        ])
    return rows


@st.composite
def register_files(draw) -> bytes:
    """Register CSV bytes: mostly the right header over sensible rows, else anything."""
    header = list(REGISTER_COLUMNS) if draw(st.integers(0, 3)) < 2 else draw(HEADERS)
    rows = draw(well_formed_rows()) if draw(st.integers(0, 3)) < 2 else draw(st.lists(st.lists(CELLS, max_size=7),
                                                                                       max_size=8))
    if draw(st.integers(0, 19)) == 19:  # now and then a field beyond the csv module's limit
        rows = [*rows, ["S99", "A", "state", "1", draw(HUGE_CELL)]]
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buf = io.StringIO()
    if draw(st.booleans()):
        csv.writer(buf, lineterminator=terminator).writerows([header, *rows])
    else:  # a hand-made file: nothing quoted
        buf.write(terminator.join(",".join(r) for r in [header, *rows]) + terminator)
    text = buf.getvalue()
    roll = draw(st.integers(0, 19))
    encoding = "utf-8" if roll < 15 else "utf-8-sig" if roll < 18 else "latin-1" if roll < 19 else "utf-16"
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 9:  # a damaged end
        data += draw(st.binary(min_size=1, max_size=20))
    return data


@pytest.mark.slow
@fuzz_settings("register")
@given(csv_bytes=register_files(), scenario=st.sampled_from([REGISTER_SCENARIO, WITH_OPERATORS]))
def test_any_register_csv_is_valid_or_one_clear_error(csv_bytes, scenario):
    """A scenario whose network is a station register with arbitrary rows, headers,
    quoting, line ends and encodings: valid, or one clear error line naming the file."""
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "register.csv", csv_bytes)
        check_validate(write(Path(d), "scenario.toml", scenario))


def test_register_path_values_are_valid_or_one_clear_error():
    """network.register set to awkward paths (empty, a folder, a device, outside the folder,
    very long, with a NUL byte or a line break) — each a valid scenario or one clear error."""
    for path in ("", ".", "..", "/", "/dev/null", "/dev/zero", "../../../../etc/passwd", "register.csv/",
                 "nope.csv", "a" * 5000, "reg\x00ister.csv", "\n", "~/register.csv", "C:\\register.csv"):
        with tempfile.TemporaryDirectory() as d:
            raw = set_dotted(MINIMAL_RAW, "network", {"register": path})
            check_validate(write(Path(d), "scenario.toml", toml_document(raw)))


# ---- (d) every scenario that validates also runs (in Python) ---------------------------------

@pytest.mark.slow
@fuzz_settings("model")
@given(base=st.sampled_from(sorted(BASES)), keys=st.lists(dotted_keys(), min_size=1, max_size=3), data=st.data())
def test_every_scenario_that_validates_runs_without_error_or_warning(base, keys, data):
    """Near-valid values (inside and just outside each key's range, huge and tiny numbers,
    distributions with extreme parameters) at 1–3 keys: whatever validates must run one
    replication to the end — no exception, no warning, no hang — and say what it found
    (KPIs finite, or NaN where a ratio has no base)."""
    raw = BASES[base]
    for key in keys:
        raw = set_dotted(raw, key, data.draw(plausible(_schema_key(key)), label=key))
    with tempfile.TemporaryDirectory() as d, time_limit():
        sc = load_outcome(write(Path(d), "scenario.toml", toml_document(raw)))
        assume(isinstance(sc, Scenario))
        stations, dispensers = _size(sc)
        assume(stations <= RUN_MAX_STATIONS and dispensers <= RUN_MAX_DISPENSERS)
        res = simulator.run(sc, replications=1, seed=0)
    note_event("ran")
    kpis = res.kpis.iloc[0]
    assert kpis["stations"] >= 0 and kpis["pumps"] >= kpis["pumps_sealed"] >= 0
    for name in ("tax_with", "tax_without", "extra_tax", "cost", "visits", "team_days", "fines", "pumps"):
        assert math.isfinite(kpis[name]), (name, kpis[name])


# ---- (e) end to end: fuelseal run -n 1 ------------------------------------------------------

@st.composite
def run_inputs(draw, kinds=("plausible", "dotted", "mutated", "register")) -> tuple[str, bytes | None]:
    """(scenario text, register CSV or None): near-valid or arbitrary values at 1–2 keys,
    mutations of minimal.toml, or random registers."""
    kind = draw(st.sampled_from(kinds))
    if kind in ("plausible", "dotted"):
        raw = BASES[draw(st.sampled_from(sorted(BASES)))]
        for key, value in draw(changes(max_size=2)):
            if kind == "plausible":
                value = draw(plausible(_schema_key(key)))
            raw = set_dotted(raw, key, value)
        return toml_document(raw), None
    if kind == "mutated":
        return draw(mutated_minimal()), None
    return draw(st.sampled_from([REGISTER_SCENARIO, WITH_OPERATORS])), draw(register_files())


def _size(sc: Scenario) -> tuple[float, float]:
    """Expected stations and dispensers of one replication."""
    if sc.register is not None:
        return len(sc.register.ids), float(sc.register.pumps.sum())
    stations = sum(q.expected() for q in sc.network.districts.values())
    return stations, stations * sc.network.pumps_per_station.expected()


def check_run(text: str, register: bytes | None, charts: bool, want_valid: bool) -> None:
    """Write the input, load it (``assume`` it is valid or not, as wanted, and small),
    then `fuelseal run` it and judge the ending."""
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        if register is not None:
            write(folder, "register.csv", register)
        path = write(folder, "scenario.toml", text)
        out = folder / "runs" / "out"
        with time_limit():
            outcome = load_outcome(path)
            assume(isinstance(outcome, Scenario) == want_valid)
            if want_valid:
                stations, dispensers = _size(outcome)
                assume(stations <= RUN_MAX_STATIONS and dispensers <= RUN_MAX_DISPENSERS)
            argv = ["run", str(path), "-n", "1", "--out", str(out), "--quiet", "--workers", "1"]
            code, stdout, err = cli(argv + ([] if charts else ["--no-charts"]))
        if code == 2:
            note_event("run: bad input")
            assert_one_error_line(err, outcome if isinstance(outcome, simulator.ScenarioError) else None)
            assert not out.exists(), sorted(p.name for p in out.rglob("*"))
            assert not (folder / "runs").exists() or not any((folder / "runs").iterdir())
            return
        note_event("run: ok")
        assert isinstance(outcome, Scenario), str(outcome)
        assert code == 0, (code, err)
        assert_only_warnings(err)  # (none with --quiet)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "complete" and manifest["replications"] == 1
        for table in ("kpis", "summary", "monthly", "districts", "visits"):
            assert (out / f"{table}.csv").is_file() and (out / f"{table}.parquet").is_file(), table
        assert "Run folder" in stdout
        leftovers = [p.name for p in out.parent.iterdir() if p.name != "out"]
        assert not leftovers, leftovers


@pytest.mark.slow
@fuzz_settings("run")
@given(case=run_inputs(kinds=("plausible", "plausible", "register")), charts=st.integers(0, 2))
def test_fuelseal_run_on_a_valid_fuzzed_scenario_writes_a_complete_folder(case, charts):
    """`fuelseal run SCENARIO -n 1 --out DIR --quiet --workers 1` on fuzzed scenarios that
    validate: exit 0, nothing on stderr, a complete run folder — never an exception, a
    warning or more than PER_EXAMPLE_SECONDS. Drawing the charts takes about a second,
    so a third of the runs draw them and the rest add --no-charts."""
    check_run(*case, charts=charts == 2, want_valid=True)


@pytest.mark.slow
@fuzz_settings("run_bad")
@given(case=run_inputs())
def test_fuelseal_run_on_bad_input_leaves_no_run_folder(case):
    """`fuelseal run BAD -n 1 --out DIR …` on fuzzed scenarios that do not validate: exit 2,
    exactly the loader's one error line on stderr, and DIR never created."""
    check_run(*case, charts=False, want_valid=False)


# ---- hostile inputs the fuzzing found, pinned one by one ----------------------------------------
# Each crashed, warned or split the error line before the loader learned to refuse it.

def _scenario_file(tmp_path: Path, text: str, register: str | bytes | None = None) -> Path:
    if register is not None:
        write(tmp_path, "register.csv", register)
    return write(tmp_path, "scenario.toml", text)


def _refused(path: Path, key: str, overrides: dict | None = None) -> str:
    """Loading raises a one-line ScenarioError that names ``key``; the CLI says the same in one line."""
    with pytest.raises(simulator.ScenarioError) as info:
        simulator.load_scenario(path, overrides)
    text = str(info.value)
    assert len(text.splitlines()) == 1 and key in text, text
    if overrides is None:
        code, out, err = cli(["validate", str(path)])
        assert code == 2 and out == ""
        assert_one_error_line(err, info.value)
    return text


def _refused_or_runs(path: Path) -> None:
    """Refused with a one-line ScenarioError, or runs one replication without exception or
    warning and with finite tax and cost."""
    try:
        sc = simulator.load_scenario(path)
    except simulator.ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1, str(exc)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = simulator.run(sc, replications=1, seed=0).kpis.iloc[0]
    assert all(math.isfinite(k[name]) for name in ("tax_with", "tax_without", "cost")), k


@pytest.mark.parametrize("route", ["file", "set"])
def test_an_integer_of_4301_digits_is_one_clear_error(tmp_path, route, capsys):
    """`teams = 999…9` (4,301 digits, beyond Python's int-from-text limit) in the file, or
    given with --set: one ScenarioError line, not the ValueError tomllib raises."""
    digits = "9" * 4301
    if route == "file":
        _refused(_scenario_file(tmp_path, MINIMAL_TEXT.replace("teams = 1", f"teams = {digits}")), "not valid TOML")
    else:
        assert main(["validate", str(MINIMAL), f"--set=campaign.teams={digits}"]) == 2
        err = capsys.readouterr().err
        assert_one_error_line(err)
        assert "campaign.teams" in err


@pytest.mark.parametrize("value", ["[" * 3000 + "]" * 3000, "{a=" * 3000 + "1" + "}" * 3000], ids=["arrays", "tables"])
def test_deeply_nested_toml_is_one_clear_error(tmp_path, value, capsys):
    """`description = [[[…]]]` 3,000 deep (tomllib recurses per level): one ScenarioError line
    in the file; through --set the text is taken as a string, so `campaign.teams=[[[…]]]`
    exits 2 with one line naming the key — not a RecursionError."""
    text = MINIMAL_TEXT.replace('name = "minimal"', f'name = "minimal"\ndescription = {value}')
    _refused(_scenario_file(tmp_path, text), "not valid TOML")
    assert main(["validate", str(MINIMAL), f"--set=campaign.teams={value}"]) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "campaign.teams" in err


@pytest.mark.parametrize("path", ["reg\\u0000ister.csv", "a" * 5000], ids=["nul_byte", "5000_characters"])
def test_an_unusable_register_path_names_network_register(tmp_path, path):
    """network.register with a NUL byte, or too long for the file system: one ScenarioError
    naming network.register (not the ValueError or OSError of pathlib)."""
    _refused(_scenario_file(tmp_path, MINIMAL_TEXT.replace("districts = { A = 3, B = 2 }", f'register = "{path}"')),
             "network.register")


@pytest.mark.parametrize("row", ["S1,A", "S1,A,state,1", "S1,A\u2028B,,1,600", "S1,A,state,1," + "1" * 131_073],
                         ids=["two_fields", "four_fields", "line_separator_in_field", "field_over_csv_limit"])
def test_a_malformed_register_row_names_the_row(tmp_path, row):
    """A register row with too few fields, a U+2028 inside a field (once split into two
    rows), or a field beyond the csv module's 131,072-character limit: one ScenarioError
    naming the register file and row 2 (or taking U+2028 as part of the name)."""
    path = _scenario_file(tmp_path, REGISTER_SCENARIO, f"id,district,operator,pumps,litres_per_day\n{row}\n")
    if "\u2028" in row:
        assert load_outcome(path).register.districts == ("A\u2028B",)
    else:
        assert "register.csv: row 2" in _refused(path, "row 2")


@pytest.mark.parametrize("key,value", [
    ("behaviour.undeclared_share", {"dist": "beta", "mean": 0.5, "sd": 1e200}),
    ("demand.litres_per_pump_day", {"dist": "lognormal", "mean": 1.0, "sd": 1e200}),
    ("demand.litres_per_pump_day", {"dist": "gamma", "mean": 1.0, "sd": 1e-200}),
    ("demand.litres_per_pump_day", {"dist": "gamma", "mean": 1e-300, "sd": 1e300}),
    ("demand.litres_per_pump_day", {"dist": "poisson", "mean": 1e300}),
    ("behaviour.undeclared_share", {"dist": "beta", "mean": 0.2, "sd": 1e-200}),
    ("behaviour.undeclared_share", {"dist": "normal", "mean": 0.5, "sd": 0.1, "min": 0, "max": math.nan}),
    ("campaign.minutes_per_pump", {"dist": "uniform", "low": 0.0, "high": math.inf}),
    ("demand.daily_cv", 1e-200),
    ("demand.daily_cv", 1e-160),
    ("demand.litres_per_pump_day", 1e308),
    ("demand.price_per_litre", 1e308),
    ("demand.seasonality", [1e308] * 12),
    ("demand.annual_growth", 1e300),
    ("tax.retail_per_litre", 1e308),
    ("costs.per_team_day", 1e308),
    ("costs.per_seal", 1.7976931348623157e308),
], ids=["beta_sd_1e200", "lognormal_sd_1e200", "gamma_sd_1e-200", "gamma_shape_underflow", "poisson_mean_1e300",
        "beta_sd_1e-200", "normal_max_nan", "uniform_high_inf", "daily_cv_1e-200", "daily_cv_1e-160",
        "litres_1e308", "price_1e308", "seasonality_1e308", "growth_1e300", "per_litre_1e308", "team_day_1e308",
        "per_seal_max_float"])
def test_extreme_numbers_are_refused_or_run_cleanly(tmp_path, key, value):
    """Distributions with vanishing or astronomical spreads, infinite or NaN bounds, and
    amounts near the float limit (which used to raise OverflowError, ZeroDivisionError,
    numpy's 'lam value too large' or overflow warnings, or give NaN tax): refused with one
    ScenarioError line, or run without a warning and with finite tax and cost."""
    _refused_or_runs(_scenario_file(tmp_path, toml_document(set_dotted(MINIMAL_RAW, key, value))))


@pytest.mark.parametrize("key", ["demand.price_per_litre", "tax.per_litre", "metrology.adjust_minutes",
                                 "enforcement.fine", "enforcement.licence_loss", "costs.per_team_day",
                                 "costs.per_seal", "costs.per_visit", "costs.fixed", "scenario.reference_uplift"])
def test_an_infinite_amount_names_its_key(tmp_path, key):
    """An amount of inf (VND, minutes, a published uplift) is refused with a ScenarioError
    naming the key — it used to validate and give infinite or NaN KPIs."""
    _refused(_scenario_file(tmp_path, toml_document(set_dotted(MINIMAL_RAW, key, math.inf))), key)


@pytest.mark.parametrize("start,end,campaign", [
    (dt.date(9998, 1, 1), dt.date(9999, 12, 31), dt.date(9998, 6, 1)),  # months_of asked for January 10000
    (dt.date(1500, 1, 1), dt.date(1501, 12, 31), dt.date(1501, 1, 2)),  # before pandas' nanosecond timestamps
    (dt.date(2300, 1, 1), dt.date(2301, 12, 31), dt.date(2301, 1, 2)),  # after them
], ids=["ends_9999", "year_1500", "year_2300"])
def test_dates_the_tables_cannot_hold_are_refused_or_run(tmp_path, start, end, campaign):
    """A horizon ending in December 9999, or lying outside the years pandas can hold, is
    refused with one ScenarioError line (or runs) — no ValueError or OutOfBoundsDatetime."""
    raw = MINIMAL_RAW
    for key, value in (("scenario.start", start), ("scenario.end", end), ("campaign.start", campaign),
                       ("run.evaluation_months", 1)):
        raw = set_dotted(raw, key, value)
    _refused_or_runs(_scenario_file(tmp_path, toml_document(raw)))


@pytest.mark.parametrize("key", ["a\\nb", "a\\rb", "a\\u2028b", "a\\u0085b"])
def test_a_key_with_a_line_break_keeps_the_error_on_one_line(tmp_path, key):
    """`"a\\nb" = 1` under [scenario] (any character str.splitlines breaks at): the unknown-key
    error stays one line, in Python and on stderr."""
    _refused(_scenario_file(tmp_path, MINIMAL_TEXT.replace('name = "minimal"', f'name = "minimal"\n"{key}" = 1')),
             "unknown key")


@pytest.mark.parametrize("key,table", [
    ("demand.annual_growth", {"dist": "normal", "mean": 0.05, "sd": 0.02, "min": 1e154}),
    ("demand.annual_growth", {"dist": "normal", "mean": 0.05, "sd": 0.02, "min": 20.0}),
    ("demand.litres_per_pump_day", {"dist": "normal", "mean": 800.0, "sd": 100.0, "min": 1e300}),
], ids=["growth_min_1e154", "growth_min_20", "litres_min_1e300"])
def test_a_normal_clipped_beyond_the_limits_is_refused(tmp_path, key, table):
    """A normal whose min lies beyond the input limits (1e12; growth at most 10 a year) is
    refused with a ScenarioError naming the key: every draw would be that min."""
    _refused(_scenario_file(tmp_path, toml_document(set_dotted(MINIMAL_RAW, key, table))), key)
