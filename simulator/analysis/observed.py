"""An observed monthly tax series: what a province collected, month by month.

Read from a CSV file (columns ``month``, ``tax``) or a DataFrame, as data only; months
must be consecutive, without gaps or repeats; every error names the file and the row.
Calibration fits the model to it; ex-post evaluation will read the same format.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError


def parse_month(text: str, src: str, where: str, column: str = "month") -> pd.Timestamp:
    """A month cell (``2017-01`` or ``2017-01-01``) as the month's first day; one-line error otherwise."""
    try:
        d = dt.date.fromisoformat(text if len(text) > 7 else text + "-01")
    except ValueError:
        raise ScenarioError(f"{column}: expected a month like 2017-01, got {text!r}", source=src, key=where) from None
    return pd.Timestamp(d.replace(day=1))


def parse_tax(text: str, src: str, where: str) -> float:
    """A tax cell: a finite number ≥ 0 (VND); one-line error otherwise."""
    try:
        v = float(text)
        if not (math.isfinite(v) and v >= 0):
            raise ValueError
    except ValueError:
        raise ScenarioError(f"tax: expected a number ≥ 0 (VND), got {text!r}", source=src, key=where) from None
    return v


def csv_rows(data: str | Path | pd.DataFrame, what: str, name: str = "observed") -> tuple[
        str, list[str], list[dict[str, str]]]:
    """A small CSV file (or a DataFrame, called ``name`` in messages) as (source, header, rows of stripped
    text cells), read as data only."""
    from ..files import MAX_REGISTER_BYTES, read_regular

    if isinstance(data, pd.DataFrame):
        header = [str(c).strip() for c in data.columns]
        return name, header, [dict(zip(header, ("" if pd.isna(v) else str(v) for v in rec), strict=True))
                              for rec in data.itertuples(index=False)]
    src = str(data)
    try:
        text = read_regular(data, MAX_REGISTER_BYTES, what).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"cannot read as UTF-8 text ({exc.__class__.__name__})", source=src) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    rows = [{(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in r.items()}
            for r in reader]
    return src, header, rows


def read_observed(data: str | Path | pd.DataFrame) -> pd.Series:
    """An observed monthly tax series from a CSV file (or a DataFrame) with columns
    ``month`` (``2017-01`` or ``2017-01-01``) and ``tax`` (VND). Months must be
    consecutive, without gaps or repeats; errors name the file and the row."""
    src, header, rows = csv_rows(data, "observed series (CSV)")
    for col in ("month", "tax"):
        if col not in header:
            raise ScenarioError(f"missing column {col!r}; expected columns month, tax", source=src)
    months: dict[pd.Timestamp, int] = {}
    values = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        where = f"row {n}"
        month = parse_month(row.get("month", ""), src, where)
        if month in months:
            raise ScenarioError(f"month: {month:%Y-%m} repeats row {months[month]}", source=src, key=where)
        v = parse_tax(row.get("tax", ""), src, where)
        months[month] = n
        values.append(v)
    if not values:
        raise ScenarioError("expected at least one month of observed tax", source=src)
    series = pd.Series(values, index=pd.DatetimeIndex(list(months)), name="tax").sort_index()
    full = pd.date_range(series.index[0], series.index[-1], freq="MS")
    missing = full.difference(series.index)
    if len(missing):
        raise ScenarioError(f"missing month {missing[0]:%Y-%m} (months must run without gaps from "
                            f"{full[0]:%Y-%m} to {full[-1]:%Y-%m})", source=src)
    series.attrs["source"] = src
    return series
