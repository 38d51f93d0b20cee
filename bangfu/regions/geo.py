"""Where a region lies: longitude and latitude for the pairing map (data/coordinates.csv).

Counties and above carry their GB/T 2260 code; a town, or a county missing from
the file, takes its nearest ancestor's position.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "coordinates.csv"


@functools.cache
def _table() -> dict[str, tuple[float, float]]:
    with open(DATA, newline="", encoding="utf-8") as fh:
        return {
            r["code"]: (float(r["longitude"]), float(r["latitude"])) for r in csv.DictReader(fh)
        }


def position(region) -> tuple[float, float] | None:
    """(longitude, latitude) of the region or of its nearest ancestor with one; None if none."""
    table = _table()
    for node in (region, region.county, region.prefecture, region.province):
        if node is not None and node.code and node.code in table:
            return table[node.code]
    return None
