"""The geometry of the facilitators' charts, worked out here so the markup is
only shapes: a reading's minimap (a bar per passage, thousands of them, and
its table of figures, a row per passage) and the group's participation.
Colours come from the stylesheet, by class."""

import itertools
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from discussions.pieces import HEAT_STEPS

from .figures import CLUSTER, PassageFigures

# Minimap: passages left to right in rows, COLUMNS to a row. A column is PITCH
# wide (a bar and a gap); a row has three lanes for marks above its bars, whose
# height grows with their heat so the level shows by more than colour.
COLUMNS, PITCH, ROW, BASELINE = 100, 10, 36, 34
BAR_HEIGHTS = (2, 4, 8, 12, 16)
MARKS = (("questions", "mq"), ("lost", "ml"), ("discuss", "md"))


@dataclass
class Minimap:
    width: int
    height: int
    shapes: SafeString
    # Each heat level's bar (its top and height, standing on 16) and what it stands for.
    key: list[tuple[int, int, int, str]] = field(default_factory=list)


def heat_key() -> list[tuple[int, int, int, str]]:
    labels = ["no posts"] + [
        f"{low}–{high - 1}" if high - 1 > low else str(low)
        for low, high in itertools.pairwise(HEAT_STEPS)
    ]
    labels.append(f"{HEAT_STEPS[-1]} or more")
    tallest = BAR_HEIGHTS[-1]
    return [
        (level, tallest - BAR_HEIGHTS[level], BAR_HEIGHTS[level], label)
        for level, label in enumerate(labels)
    ]


def minimap(figures: list[PassageFigures]) -> Minimap:
    columns = min(len(figures), COLUMNS) or 1
    shapes = []
    for n, passage in enumerate(figures):
        x, top = n % columns * PITCH + 1, n // columns * ROW
        height = BAR_HEIGHTS[passage.heat]
        shapes.append(
            f'<rect class="h{passage.heat}" x="{x}" y="{top + BASELINE - height}" '
            f'width="8" height="{height}"/>'
        )
        shapes += [
            f'<use href="#{mark}" x="{x}" y="{top}"/>'
            for name, mark in MARKS
            if getattr(passage, name) >= CLUSTER
        ]
    rows = -(-len(figures) // columns)
    # Only numbers and our own class names go in: nothing to escape.
    return Minimap(columns * PITCH, max(rows, 1) * ROW, mark_safe("".join(shapes)), heat_key())


def figure_rows(figures: list[PassageFigures], base: str) -> SafeString:
    """The minimap's figures as table rows, each passage linked on the reading
    page at `base`: written here, as the bars are, since a template loop over
    thousands of rows costs more than the rest of the page."""
    base = escape(base)
    return mark_safe(
        "".join(
            f'<tr><th scope="row"><a href="{base}#{escape(f.anchor)}">{f.position}</a></th>'
            f"<td>{f.posts}</td><td>{f.questions}</td><td>{f.open_questions}</td>"
            f"<td>{f.votes}</td><td>{f.lost}</td><td>{f.discuss}</td></tr>"
            for f in figures
        )
    )


# Participation: a bar per member, their posts by kind end to end.
LABEL, BARS, STEP = 180, 380, 22
SEGMENTS = (("questions", "pq"), ("comments", "pc"), ("replies", "pr"))


@dataclass
class ChartRow:
    y: int
    name: str
    total: int
    end: float
    segments: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def baseline(self) -> int:
        return self.y + 15

    @property
    def total_x(self) -> float:
        return round(self.end + 6, 1)


@dataclass
class Chart:
    width: int
    height: int
    rows: list[ChartRow]


def participation_chart(members) -> Chart:
    most = max((m.posts for m in members), default=0) or 1
    rows = []
    for n, member in enumerate(members):
        name = str(member.user)
        name = name if len(name) <= 24 else name[:23] + "…"
        row = ChartRow(n * STEP, name, member.posts, LABEL)
        for kind, css in SEGMENTS:
            width = round(getattr(member, kind) / most * BARS, 1)
            if width:
                row.segments.append((css, row.end, width))
                row.end = round(row.end + width, 1)
        rows.append(row)
    return Chart(LABEL + BARS + 50, max(len(rows), 1) * STEP, rows)
