"""The terminal view of a digest (rich): what each story says, in a few lines per story."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from marsad.model import source_label


def _cited(text: str, article_ids: list[str], articles: dict[str, dict]) -> Text:
    """A statement and who states it (outlets; pages when the outlet is unknown)."""
    sources = dict.fromkeys(source_label(articles.get(a, {})) for a in article_ids)
    line = Text("• ")
    line.append(text)
    line.append("  [" + "، ".join(sources) + "]", style="cyan")
    return line


def print_digest(digest: dict, console: Console | None = None, *, max_stories: int = 10) -> None:
    """Multi-article stories as panels (summary, entities, conflicts); singletons as a list."""
    console = console or Console()
    stories = digest["stories"]
    articles = {a["id"]: a for a in digest["articles"]}
    multi = [s for s in stories if s["size"] > 1]
    for story in multi[:max_stories]:
        sources = dict.fromkeys(source_label(articles[a]) for a in story["article_ids"])
        span = f"{story['start'] or '?'} → {story['end'] or '?'}"
        parts: list[Text] = [
            Text(f"{story['size']} articles · {', '.join(sources)} · {span}", style="dim")
        ]
        parts += [_cited(s["text"], s["article_ids"], articles) for s in story["summary"]]
        if story["entities"]:
            names = "، ".join(e["name"] for e in story["entities"][:8])
            parts.append(Text(f"entities: {names}", style="green"))
        for conflict in story["facts"]["conflicts"][:3]:
            parts.append(Text(f"conflict ({conflict['kind']}):", style="red"))
            parts += [_cited(v["value"], v["article_ids"], articles) for v in conflict["values"]]
        if story["timeline"]:
            first, last = story["timeline"][0]["date"], story["timeline"][-1]["date"]
            parts.append(
                Text(f"timeline: {len(story['timeline'])} dated entries, {first} … {last}")
            )
        console.print(Panel(Group(*parts), title=story["title"], subtitle=story["id"]))
    for story in stories:
        if "error" in story:
            console.print(f"{story['id']}: {story['error']}", style="red")
    if len(multi) > max_stories:
        console.print(f"… and {len(multi) - max_stories} more multi-article stories")
    singles = [s for s in stories if s["size"] == 1]
    if singles:
        console.print(f"{len(singles)} single-article stories:", style="bold")
        for story in singles[:max_stories]:
            source = source_label(articles.get(story["article_ids"][0], {}))
            console.print(f"  {story['id']}  {source}  {story['title']}")
