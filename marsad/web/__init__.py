"""HTML for people: the server-rendered UI pages and the self-contained digest report.

Both render a story with the same template partial (`templates/story_section.html`); only the
link targets differ: the UI links citations to `/articles/<id>#s-<i>`, the report to the
article texts it carries inline.
"""

from marsad.web.render import environment, render_report

__all__ = ["environment", "render_report"]
