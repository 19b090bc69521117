"""The records facts are made of: config, items, conflicts, updates, coverage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FactsConfig:
    context: float = 0.3  # share of context words two mentions of a counted noun need in common
    local: float = 0.5  # share of the 3 words either side of two dates (or percentages) in common
    same: float = 0.6  # weighted share of the shorter sentence two dated sentences need in common
    max_hours: float = 36.0  # figures published further apart are an update, not a conflict
    background_days: int = 3  # a sentence dated this long before its article is background
    max_items: int = 30  # per list (shared, unique, each outlet's added)
    novel: float = 0.35  # a one-source fact is unique while less than this weighted share of
    # its stems occurs anywhere in the other sources' articles (else: said in other words)

    def __post_init__(self) -> None:
        for name in ("context", "local", "same", "novel"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"FactsConfig.{name} must be in (0, 1], got {getattr(self, name)}")
        if self.max_hours <= 0:
            raise ValueError(f"FactsConfig.max_hours must be > 0, got {self.max_hours}")
        if self.background_days < 0:
            raise ValueError(
                f"FactsConfig.background_days must be >= 0, got {self.background_days}"
            )
        if self.max_items < 1:
            raise ValueError(f"FactsConfig.max_items must be >= 1, got {self.max_items}")


@dataclass
class Item:
    text: str
    article_ids: list[str]
    outlets: list[str]

    def to_dict(self) -> dict:
        return {"text": self.text, "article_ids": self.article_ids, "outlets": self.outlets}


@dataclass
class Value(Item):
    value: str = ""

    def to_dict(self) -> dict:
        return {"value": self.value, **super().to_dict()}


@dataclass
class Conflict:
    about: str
    kind: str  # number | date
    values: list[Value]
    heading: str = ""  # what is counted, for people: «عدد المصابين», «التاريخ»

    @property
    def label(self) -> str:
        """«عدد المصابين: 31 (صدى المدائن) مقابل 34 (مرفأ نت)»."""
        said = " مقابل ".join(
            f"{v.value} ({'، '.join(v.outlets) or 'مصدر غير معروف'})" for v in self.values
        )
        return f"{self.heading}: {said}" if self.heading else said

    def to_dict(self) -> dict:
        return {
            "about": self.about,
            "kind": self.kind,
            "label": self.label,
            "values": [v.to_dict() for v in self.values],
        }


@dataclass
class Step(Value):
    published: str | None = None  # when its first article came out

    def to_dict(self) -> dict:
        return {**super().to_dict(), "published": self.published}


@dataclass
class Update:
    """One count or one happening told in steps, in publish order: a toll that rises
    («عدد القتلى: 40+ ثم 50+»), or what was announced and then reported done. Not a
    conflict: the later report replaces the earlier one."""

    kind: str  # figure | outcome
    heading: str
    steps: list[Step]

    @property
    def label(self) -> str:
        """«عدد القتلى: 40+ (france24) ثم 50+ (BBC، skynews)»."""
        said = " ثم ".join(
            f"{s.value} ({'، '.join(s.outlets) or 'مصدر غير معروف'})" for s in self.steps
        )
        return f"{self.heading}: {said}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "heading": self.heading, "label": self.label,
                "steps": [s.to_dict() for s in self.steps]}  # fmt: skip


@dataclass
class Coverage:
    outlet: str | None  # None: an article whose outlet is unknown, a source of its own
    article_ids: list[str]
    added: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "outlet": self.outlet,
            "article_ids": self.article_ids,
            "added": [{"text": i.text, "article_ids": i.article_ids} for i in self.added],
        }


@dataclass
class Facts:
    shared: list[Item]
    unique: list[Item]
    conflicts: list[Conflict]
    coverage: list[Coverage]
    updates: list[Update] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The digest's `facts` section (coverage is its own section: `coverage_dicts`)."""
        return {
            "shared": [i.to_dict() for i in self.shared],
            "unique": [i.to_dict() for i in self.unique],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "updates": [u.to_dict() for u in self.updates],
        }

    def coverage_dicts(self) -> list[dict]:
        return [c.to_dict() for c in self.coverage]
