"""Pages of unknown sites, grouped by their site's template into one anonymous source.

A scraped folder often names no outlet. Pages that name themselves («"الشرق الأوسط"
(موسكو)») or come with a name (record, manifest, `--outlet`) teach the store their template
lines (`extract.source.template_keys`); a page without a name takes the name, or the
anonymous source «موقع غير معروف ١», of the first page that shared one of its template lines.
A page with no template lines is a source of its own. The store keeps the lines as rows, so
the grouping holds across ingests. A name learned after an anonymous source was made applies
to pages from then on (stored pages keep their label: labels are never rewritten).
"""

from __future__ import annotations

from dataclasses import replace

from marsad.extract.source import template_keys
from marsad.model import Extraction, Failure
from marsad.store import Store

ANONYMOUS = "موقع غير معروف {}"
_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def group_sources(store: Store, results: list[Extraction | Failure]) -> list[Extraction | Failure]:
    """`results` with an outlet on every page that had none and no URL to name it; inside
    the caller's transaction. Named pages are learned first, so one batch is order-free."""
    for result in results:
        if isinstance(result, Extraction) and (name := _outlet(result)):
            store.sources_add([(k, name, False) for k in template_keys(result.dropped)])
    return [_grouped(store, r) if isinstance(r, Extraction) and _unknown(r) else r
            for r in results]  # fmt: skip


def _outlet(result: Extraction) -> str | None:
    return result.page.outlet or next((a.outlet for a in result.articles if a.outlet), None)


def _unknown(result: Extraction) -> bool:
    return bool(result.articles) and not result.page.url and _outlet(result) is None


def _grouped(store: Store, result: Extraction) -> Extraction:
    keys = template_keys(result.dropped)
    known = store.sources_of(keys)
    if known:
        label = known[min(known)]
    else:
        label = ANONYMOUS.format(str(store.sources_anonymous() + 1).translate(_DIGITS))
    store.sources_add([(k, label, not known) for k in keys or [f"page:{result.page.id}"]])
    return replace(result, articles=[replace(a, outlet=label) for a in result.articles])
