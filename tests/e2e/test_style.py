"""What the style sheet promises, measured in the browser: the heat bars, the
highlighted words and the ¶ link stand out enough in the light and dark themes,
a pressed toggle looks pressed, and reduced motion stops smooth scrolling."""

import re

import pytest
from playwright.sync_api import expect

from groups.services import assign_reading, create_group
from tests.conftest import add_member, make_annotation, make_reading, make_user

pytestmark = pytest.mark.e2e

# Threads on passages 1 to 4: the fewest that reach heat levels 1 to 4.
THREADS_FOR_HEAT = [1, 3, 6, 11]


@pytest.fixture
def discussed(transactional_db):
    """A reading whose four passages are at heat 1 to 4, with overlapping
    highlights on the first, and a question the reader has not yet seconded."""
    author = make_user("ann@example.org", "Ann Author")
    reader = make_user("rae@example.org", "Rae Reader")
    group = create_group(name="Heat", description="", creator=author)
    add_member(group, reader)
    reading = make_reading(passages=4, title="Warm")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=author)
    passages = list(reading.passages.all())
    question = make_annotation(group, reading, author, words="says something")
    make_annotation(group, reading, author, kind="comment", words="something worth")
    for passage, count in zip(passages[1:], THREADS_FOR_HEAT[1:], strict=True):
        for _ in range(count):
            make_annotation(group, reading, author, kind="comment", passage=passage)
    url = f"/g/{group.slug}/r/{reading.slug}/"
    return {"reader": reader, "url": url, "thread": f"{url}t/{question.pk}/"}


def style(locator, prop: str, pseudo: str | None = None) -> str:
    return locator.evaluate(
        "(el, [prop, pseudo]) => getComputedStyle(el, pseudo).getPropertyValue(prop)",
        [prop, pseudo],
    )


def luminance(color: str) -> float:
    """WCAG relative luminance of a computed `rgb(...)` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", color)[:3]]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    dark, light = sorted([luminance(one), luminance(other)])
    return round((light + 0.05) / (dark + 0.05), 2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_heat_highlights_and_the_pilcrow_stand_out(open_as, discussed, scheme):
    page = open_as(discussed["reader"], discussed["url"], color_scheme=scheme)
    paper = style(page.locator("body"), "background-color")
    heat = {}
    for level in range(1, 5):
        bar = page.locator(f".heat-{level} .heat")
        heat[level] = (style(bar, "background-color"), style(bar, "height"))
    marks = {
        name: page.locator(selector).first
        for name, selector in [
            ("highlight", "mark.anno:not([data-overlap])"),
            ("overlap", "mark.anno[data-overlap]"),
        ]
    }
    pilcrow = page.locator(".permalink").first
    pilcrow.focus()
    ratios = {
        **{f"heat {level}": contrast(color, paper) for level, (color, _) in heat.items()},
        **{
            name: contrast(style(mark, "color"), style(mark, "background-color"))
            for name, mark in marks.items()
        },
        "¶ link": contrast(style(pilcrow, "color"), paper),
    }
    print(f"\ncontrast, {scheme}: {ratios}")

    assert all(ratios[f"heat {level}"] >= 3 for level in heat), ratios
    assert ratios["highlight"] >= 4.5 and ratios["overlap"] >= 4.5, ratios
    assert ratios["¶ link"] >= 4.5 and style(pilcrow, "opacity") == "1", ratios
    # Each level differs from every other in colour and in height.
    assert len({color for color, _ in heat.values()}) == 4, heat
    assert len({height for _, height in heat.values()}) == 4, heat
    # On a phone the link has no margin to appear in on hover: it is always shown.
    page.set_viewport_size({"width": 320, "height": 800})
    page.locator("body").focus()
    assert style(pilcrow, "opacity") == "1"


def test_i_have_this_question_too_looks_pressed(open_as, discussed):
    page = open_as(discussed["reader"], discussed["thread"])
    toggle = page.get_by_role("button", name="I have this question too", exact=True)

    def looks():
        return {
            "background": style(toggle, "background-color"),
            "text": style(toggle, "color"),
            "tick": style(toggle, "content", "::before"),
        }

    expect(toggle).to_have_attribute("aria-pressed", "false")
    unpressed = looks()
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    pressed = looks()
    # Filled against outlined, and a tick: not a change of colour alone.
    assert pressed["background"] != unpressed["background"]
    assert pressed["text"] != unpressed["text"]
    assert unpressed["tick"] == "none" and "✓" in pressed["tick"]
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert looks() == unpressed


@pytest.mark.parametrize(("motion", "scrolling"), [("no-preference", "smooth"), ("reduce", "auto")])
def test_reduced_motion_turns_smooth_scrolling_off(open_as, discussed, motion, scrolling):
    page = open_as(discussed["reader"], discussed["url"])
    page.emulate_media(reduced_motion=motion)
    assert style(page.locator("html"), "scroll-behavior") == scrolling
