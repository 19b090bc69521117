"""The demo corpus that ships with marsad: invented Arabic news pages, written for this project.

`DEMO_DIR` holds the pages (plain-text dumps in several encodings, HTML pages and one JSON Lines
feed); `load_labels()` returns their gold labels (articles, stories, line-level boilerplate
labels). The format is described in docs/demo.md. `DEMO_MANIFEST` lists every page with what a
scraper would know about it (outlet, the day it was filed): ingest it to get the whole demo with
its metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

DEMO_DIR = Path(__file__).parent / "pages"
DEMO_MANIFEST = Path(__file__).parent / "manifest.jsonl"
LABELS_PATH = Path(__file__).parent / "labels.json"

__all__ = ["DEMO_DIR", "DEMO_MANIFEST", "LABELS_PATH", "load_labels"]


def load_labels() -> dict:
    """The gold labels of the demo corpus (see docs/demo.md for the format)."""
    with LABELS_PATH.open(encoding="utf-8") as f:
        return json.load(f)
