"""The terminal view of a digest (rich): what each story says, in a few lines per story."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text


def _cited(text: str, outlets: list[str]) -> Text:
    line = Text("• ")
    line.append(text)
    line.append("  [" + "، ".join(outlets) + "]", style="cyan")
    return line


def print_digest(digest: dict, console: Console | None = None, *, max_stories: int = 10) -> None:
    """Multi-article stories as panels (summary, entities, conflicts); singletons as a list."""
    console = console or Console()
    stories = digest["stories"]
    multi = [s for s in stories if s["size"] > 1]
    for story in multi[:max_stories]:
        parts: list[Text] = [
            Text(
                f"{story['size']} articles · {', '.join(story['outlets'])}"
                f" · {story['start'] or '?'} → {story['end'] or '?'}",
                style="dim",
            )
        ]
        parts += [_cited(s["text"], s["outlets"]) for s in story["summary"]]
        if story["entities"]:
            names = "، ".join(e["name"] for e in story["entities"][:8])
            parts.append(Text(f"entities: {names}", style="green"))
        for conflict in story["facts"]["conflicts"][:3]:
            values = " ≠ ".join(
                f"{v['value']} ({'، '.join(v['outlets'])})" for v in conflict["values"]
            )
            parts.append(Text(f"conflict: {conflict['about']}: {values}", style="red"))
        if story["timeline"]:
            first, last = story["timeline"][0]["date"], story["timeline"][-1]["date"]
            parts.append(
                Text(f"timeline: {len(story['timeline'])} dated entries, {first} … {last}")
            )
        console.print(Panel(Group(*parts), title=story["title"], subtitle=story["id"]))
    if len(multi) > max_stories:
        console.print(f"… and {len(multi) - max_stories} more multi-article stories")
    singles = [s for s in stories if s["size"] == 1]
    if singles:
        console.print(f"{len(singles)} single-article stories:", style="bold")
        for story in singles[:max_stories]:
            console.print(f"  {story['id']}  {', '.join(story['outlets'])}  {story['title']}")
