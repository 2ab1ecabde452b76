"""Anchoring annotations to words of a passage (resolve_selector) and showing
them in the passage HTML (mark_html). Pure functions: no database."""

import dataclasses
import html
import random
import re

import pytest

from discussions.anchoring import CONTEXT, Selector, SelectorError, mark_html, resolve_selector

FOX = "The quick brown fox jumps over the lazy dog."
CATS = "the cat sat. the cat ran. the cat slept."  # "the cat" at 0, 13 and 26


def mark(ids: str, text: str, overlap: int = 0) -> str:
    extra = f' data-overlap="{overlap}"' if overlap else ""
    return f'<mark class="anno" data-annotations="{ids}"{extra}>{text}</mark>'


# resolve_selector: positions


def test_valid_positions_are_used_and_context_recomputed():
    got = resolve_selector(FOX, exact="quick brown", prefix="junk", suffix="junk", start=4, end=15)
    assert got == Selector(
        exact="quick brown",
        prefix="The ",
        suffix=" fox jumps over the lazy dog.",
        start=4,
        end=15,
    )


def test_valid_positions_win_over_a_better_context_match_elsewhere():
    got = resolve_selector(CATS, exact="the cat", suffix=" ran", start=26, end=33)
    assert (got.start, got.end) == (26, 33)


def test_whitespace_is_trimmed_from_positions_and_quote():
    got = resolve_selector(FOX, exact="  quick brown \n", start=3, end=16)
    assert (got.exact, got.start, got.end) == ("quick brown", 4, 15)
    assert (got.prefix, got.suffix) == ("The ", " fox jumps over the lazy dog.")


def test_trimming_unicode_whitespace():
    text = "a\u00a0word\u2003here"
    got = resolve_selector(text, exact="\u00a0word\u2003", start=1, end=7)
    assert (got.exact, got.start, got.end) == ("word", 2, 6)


def test_whitespace_trimmed_from_the_quote_counts_as_context():
    # "the cat " followed by "ran" means the space before "ran" was selected too.
    got = resolve_selector(CATS, exact="the cat ", suffix="ran")
    assert (got.start, got.end) == (13, 20)
    got = resolve_selector(CATS, exact=" the cat", prefix="ran.")
    assert got.start == 26


@pytest.mark.parametrize("exact", ["", " ", "\n\t  \u00a0"])
def test_empty_or_blank_selection_is_refused(exact):
    with pytest.raises(SelectorError) as caught:
        resolve_selector(FOX, exact=exact, start=3, end=4)
    assert str(caught.value) == "Select some words first."


def test_selector_error_is_a_value_error():
    assert issubclass(SelectorError, ValueError)


# resolve_selector: falling back on the quote


def test_stale_positions_fall_back_on_the_quote():
    got = resolve_selector(FOX, exact="lazy dog", start=0, end=8)
    assert got == Selector(
        exact="lazy dog", prefix=" quick brown fox jumps over the ", suffix=".", start=35, end=43
    )


def test_absent_positions_fall_back_on_the_quote():
    got = resolve_selector(FOX, exact="lazy dog")
    assert (got.start, got.end) == (35, 43)


@pytest.mark.parametrize(
    ("start", "end"),
    [(40, 100), (-1, 8), (10, 10), (20, 5), (None, 43), (35, None)],
)
def test_invalid_or_partial_positions_fall_back_on_the_quote(start, end):
    got = resolve_selector(FOX, exact="lazy dog", start=start, end=end)
    assert (got.start, got.end) == (35, 43)


def test_positions_covering_only_whitespace_fall_back_on_the_quote():
    got = resolve_selector(FOX, exact="fox", start=3, end=4)
    assert (got.start, got.end) == (16, 19)


def test_quote_that_does_not_occur_is_refused():
    with pytest.raises(SelectorError) as caught:
        resolve_selector(FOX, exact="lazy cat", start=35, end=43)
    assert str(caught.value) == "The quoted words do not occur in this passage."


def test_quote_longer_than_the_passage_is_refused():
    with pytest.raises(SelectorError, match=r"^The quoted words do not occur in this passage\.$"):
        resolve_selector("short", exact="short and long")


def test_matching_is_case_sensitive():
    with pytest.raises(SelectorError):
        resolve_selector(FOX, exact="the QUICK")


# resolve_selector: repeated quotes


def test_repeated_quote_without_hints_takes_the_first():
    got = resolve_selector(CATS, exact="the cat")
    assert got == Selector(
        exact="the cat", prefix="", suffix=" sat. the cat ran. the cat slept", start=0, end=7
    )


@pytest.mark.parametrize(
    ("prefix", "suffix", "start"),
    [
        ("", " ran", 13),
        ("sat. ", "", 13),
        ("ran. ", "", 26),
        ("", " slept.", 26),
        ("the cat sat. ", " ran. the cat slept.", 13),
        ("nothing alike", "nor this", 0),
    ],
)
def test_repeated_quote_is_told_apart_by_prefix_and_suffix(prefix, suffix, start):
    got = resolve_selector(CATS, exact="the cat", prefix=prefix, suffix=suffix)
    assert (got.start, got.end) == (start, start + 7)


def test_highest_combined_context_score_wins():
    # First: prefix 0 + suffix " sat" 4 = 4. Third: prefix "ran. " 5 + " s" 2 = 7.
    got = resolve_selector(CATS, exact="the cat", prefix="ran. ", suffix=" sat")
    assert got.start == 26


def test_prefix_is_compared_from_its_end_and_suffix_from_its_start():
    # "sat. " ends with "at. " (4 characters in common), "ran. " only with ". " (2).
    got = resolve_selector(CATS, exact="the cat", prefix="zzzzat. ")
    assert got.start == 13


def test_context_beats_nearness_to_the_stale_start():
    got = resolve_selector(CATS, exact="the cat", suffix=" ran", start=26)
    assert got.start == 13


def test_ties_go_to_the_occurrence_nearest_the_stale_start():
    assert resolve_selector(CATS, exact="the cat", start=30, end=37).start == 26
    assert resolve_selector(CATS, exact="the cat", start=11).start == 13
    assert resolve_selector(CATS, exact="the cat", start=5).start == 0
    # Equally near on both sides: the earlier one.
    assert resolve_selector("ab  ab", exact="ab", start=2).start == 0


def test_ties_between_equal_context_use_the_stale_start():
    got = resolve_selector(CATS, exact="the cat", prefix=". ", start=40)
    assert got.start == 26


def test_overlapping_occurrences_are_all_candidates():
    assert resolve_selector("aaaa", exact="aa", start=1).start == 1
    assert resolve_selector("aaaa", exact="aa", start=9).start == 2


# resolve_selector: code points


def test_astral_characters_count_as_one_index():
    text = "I 📚 read"
    assert len(text) == 8
    got = resolve_selector(text, exact="read")
    assert got == Selector(exact="read", prefix="I 📚 ", suffix="", start=4, end=8)
    got = resolve_selector(text, exact="📚", start=2, end=3)
    assert got == Selector(exact="📚", prefix="I ", suffix=" read", start=2, end=3)


def test_combining_marks_are_separate_code_points():
    text = "cafe\u0301 au lait"  # decomposed é: five code points for "café"
    got = resolve_selector(text, exact="cafe\u0301", start=0, end=5)
    assert (got.start, got.end, got.suffix) == (0, 5, " au lait")
    assert resolve_selector(text, exact="au").start == 6


def test_quotes_are_not_unicode_normalised():
    with pytest.raises(SelectorError):
        resolve_selector("cafe\u0301 au lait", exact="caf\u00e9")


def test_emoji_sequences_are_several_code_points():
    text = "Go 👩\u200d🔬 go"
    got = resolve_selector(text, exact="👩\u200d🔬")
    assert (got.start, got.end) == (3, 6)


# resolve_selector: context length


def test_prefix_and_suffix_are_cut_at_context_length():
    assert CONTEXT == 32
    text = "0123456789" * 5 + "HERE" + "abcdefghij" * 5
    got = resolve_selector(text, exact="HERE", prefix="9" * 100, suffix="a" * 100)
    assert got == Selector(
        exact="HERE",
        prefix="89" + "0123456789" * 3,
        suffix="abcdefghij" * 3 + "ab",
        start=50,
        end=54,
    )


def test_context_is_shorter_near_the_edges():
    got = resolve_selector("abc HERE de", exact="HERE")
    assert (got.prefix, got.suffix) == ("abc ", " de")


def test_selector_is_frozen():
    got = resolve_selector(FOX, exact="fox")
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.start = 0


# mark_html

PLAIN = "Mostly at kitchen tables."  # "kitchen" is 10..17, "tables" 18..24
EM = "Mostly at <em>kitchen</em> tables."
SPEC = 'Mostly at <em>kitchen</em> tables &amp; <a href="https://x.org" rel="nofollow noopener">halls</a>.'  # noqa: E501


def test_no_ranges_returns_html_unchanged():
    odd = "It&#x27;s <em>fine</em> &#39;here&#39; &amp; there"
    assert mark_html(odd, []) == odd


def test_single_range():
    assert mark_html(PLAIN, [(10, 17, "a1")]) == f"Mostly at {mark('a1', 'kitchen')} tables."


def test_range_inside_an_element():
    assert mark_html(EM, [(10, 17, "a1")]) == f"Mostly at <em>{mark('a1', 'kitchen')}</em> tables."


def test_range_inside_part_of_an_element():
    assert mark_html(EM, [(11, 14, "a1")]) == f"Mostly at <em>k{mark('a1', 'itc')}hen</em> tables."


def test_range_across_an_element_boundary_becomes_two_marks():
    assert mark_html(EM, [(7, 14, "a1")]) == (
        f"Mostly {mark('a1', 'at ')}<em>{mark('a1', 'kitc')}hen</em> tables."
    )
    assert mark_html(EM, [(14, 24, "a1")]) == (
        f"Mostly at <em>kitc{mark('a1', 'hen')}</em>{mark('a1', ' tables')}."
    )


def test_range_across_a_whole_element_becomes_three_marks():
    assert mark_html(EM, [(7, 24, "a1")]) == (
        f"Mostly {mark('a1', 'at ')}<em>{mark('a1', 'kitchen')}</em>{mark('a1', ' tables')}."
    )


def test_range_across_nested_and_adjacent_tags_makes_no_empty_marks():
    src = "a <strong><em>deep</em></strong> b"
    assert mark_html(src, [(0, 8, "x")]) == (
        f"{mark('x', 'a ')}<strong><em>{mark('x', 'deep')}</em></strong>{mark('x', ' b')}"
    )


def test_tags_and_attributes_are_kept_byte_for_byte():
    # Text is "Mostly at kitchen tables & halls."; "tables & halls" is 18..32.
    assert mark_html(SPEC, [(18, 32, "n")]) == (
        f"Mostly at <em>kitchen</em> {mark('n', 'tables &amp; ')}"
        f'<a href="https://x.org" rel="nofollow noopener">{mark("n", "halls")}</a>.'
    )


def test_overlapping_ranges_make_three_segments():
    text = "one two three four"
    assert mark_html(text, [(0, 7, "a"), (4, 13, "b")]) == (
        f"{mark('a', 'one ')}{mark('a b', 'two', 2)}{mark('b', ' three')} four"
    )


def test_ids_follow_the_order_ranges_were_given():
    text = "one two three four"
    assert mark_html(text, [(4, 13, "b"), (0, 7, "a")]) == (
        f"{mark('a', 'one ')}{mark('b a', 'two', 2)}{mark('b', ' three')} four"
    )


def test_nested_ranges():
    text = "one two three four"
    assert mark_html(text, [(0, 18, "outer"), (4, 7, "inner")]) == (
        mark("outer", "one ") + mark("outer inner", "two", 2) + mark("outer", " three four")
    )


def test_three_ranges_over_one_word():
    text = "one two three"
    assert mark_html(text, [(0, 7, "a"), (4, 13, "b"), (4, 7, "c")]) == (
        f"{mark('a', 'one ')}{mark('a b c', 'two', 3)}{mark('b', ' three')}"
    )


def test_identical_ranges_share_one_mark():
    assert mark_html(PLAIN, [(10, 17, "a"), (10, 17, "b")]) == (
        f"Mostly at {mark('a b', 'kitchen', 2)} tables."
    )


def test_repeated_id_is_listed_and_counted_once():
    assert mark_html(PLAIN, [(10, 17, "a"), (12, 24, "a")]) == (
        f"Mostly at {mark('a', 'kitchen tables')}."
    )


def test_touching_ranges_with_different_ids_are_separate_marks():
    assert mark_html(PLAIN, [(10, 17, "a"), (17, 24, "b")]) == (
        f"Mostly at {mark('a', 'kitchen')}{mark('b', ' tables')}."
    )


def test_overlap_across_an_element_boundary():
    assert mark_html(EM, [(7, 17, "a"), (14, 24, "b")]) == (
        f"Mostly {mark('a', 'at ')}<em>{mark('a', 'kitc')}{mark('a b', 'hen', 2)}</em>"
        f"{mark('b', ' tables')}."
    )


def test_entities_count_as_one_character():
    src = "Salt &amp; pepper &lt;3 <em>isn&#39;t</em> bad"  # "Salt & pepper <3 isn't bad"
    assert mark_html(src, [(7, 13, "p")]) == (
        f"Salt &amp; {mark('p', 'pepper')} &lt;3 <em>isn&#39;t</em> bad"
    )
    assert mark_html(src, [(5, 6, "amp")]) == (
        f"Salt {mark('amp', '&amp;')} pepper &lt;3 <em>isn&#39;t</em> bad"
    )
    assert mark_html(src, [(14, 16, "lt")]) == (
        f"Salt &amp; pepper {mark('lt', '&lt;3')} <em>isn&#39;t</em> bad"
    )


def test_touched_chunks_are_re_escaped_and_untouched_ones_are_not():
    src = "Salt &amp; pepper &lt;3 <em>isn&#39;t</em> bad"
    assert mark_html(src, [(17, 22, "i")]) == (
        "Salt &amp; pepper &lt;3 <em>" + mark("i", "isn't") + "</em> bad"
    )
    assert mark_html(src, [(20, 21, "q")]) == (
        "Salt &amp; pepper &lt;3 <em>isn" + mark("q", "'") + "t</em> bad"
    )


def test_numeric_and_astral_characters_count_as_one_character():
    src = "I &#128218; <em>read</em>"  # "I 📚 read"
    assert mark_html(src, [(2, 3, "b")]) == f"I {mark('b', '📚')} <em>read</em>"
    assert mark_html(src, [(4, 8, "r")]) == f"I &#128218; <em>{mark('r', 'read')}</em>"


def test_range_at_the_very_start_and_end():
    assert mark_html(EM, [(0, 1, "s"), (24, 25, "e")]) == (
        f"{mark('s', 'M')}ostly at <em>kitchen</em> tables{mark('e', '.')}"
    )
    assert mark_html(PLAIN, [(0, 25, "all")]) == mark("all", PLAIN)


def test_out_of_bounds_ranges_are_clipped():
    assert mark_html(PLAIN, [(-5, 6, "a"), (18, 999, "b")]) == (
        f"{mark('a', 'Mostly')} at kitchen {mark('b', 'tables.')}"
    )


@pytest.mark.parametrize(
    "ranges",
    [[(5, 5, "a")], [(9, 3, "a")], [(25, 30, "a")], [(40, 50, "a")], [(-9, 0, "a")]],
)
def test_empty_and_out_of_text_ranges_are_ignored(ranges):
    assert mark_html(EM, ranges) == EM


def test_ignored_ranges_do_not_disturb_real_ones():
    assert mark_html(EM, [(3, 3, "x"), (10, 17, "a1"), (99, 120, "y")]) == (
        f"Mostly at <em>{mark('a1', 'kitchen')}</em> tables."
    )


def test_ids_are_escaped_for_the_attribute():
    assert mark_html(PLAIN, [(10, 17, 'a"b<&')]) == (
        f"Mostly at {mark('a&quot;b&lt;&amp;', 'kitchen')} tables."
    )


# mark_html: properties over random ranges

_TOKEN = re.compile(r"(<[^>]*>)")
_MARK = re.compile(r'<mark class="anno" data-annotations="([^"]*)"(?: data-overlap="(\d+)")?>')

SAMPLES = [
    PLAIN,
    EM,
    SPEC,
    "Salt &amp; pepper &lt;3 <em>isn&#39;t</em> bad",
    "I &#128218; <strong>re<em>ad</em></strong> <code>a &gt; b</code> cafe\u0301 😀",
    "<em>Starts</em> and <a href='#'>ends</a>",
]


def text_of(fragment: str) -> str:
    return html.unescape(_TOKEN.sub("", fragment))


def ids_per_character(marked: str) -> list[tuple[str, ...]]:
    """What a reader sees: the ids highlighted on each character."""
    seen, current = [], ()
    for token in _TOKEN.split(marked):
        if token.startswith("<mark"):
            ids, overlap = _MARK.fullmatch(token).groups()
            current = tuple(ids.split(" "))
            assert overlap == (str(len(current)) if len(current) > 1 else None)
        elif token == "</mark>":
            current = ()
        elif not token.startswith("<"):
            seen.extend([current] * len(html.unescape(token)))
    return seen


@pytest.mark.parametrize("src", SAMPLES)
def test_marking_random_ranges_keeps_text_and_covers_exactly_the_ranges(src):
    text = text_of(src)
    rng = random.Random(1729)
    for _ in range(200):
        ranges = [
            (rng.randint(-3, len(text) + 3), rng.randint(-3, len(text) + 3), rng.choice("abcde"))
            for _ in range(rng.randint(0, 6))
        ]
        marked = mark_html(src, ranges)
        assert text_of(marked) == text
        expected = [
            tuple(dict.fromkeys(i for s, e, i in ranges if s <= n < e)) for n in range(len(text))
        ]
        assert ids_per_character(marked) == expected
        # Marks hold only text, are never empty, and are maximal within a text chunk.
        assert re.search(r"<mark[^>]*>(</mark>|[^<]*<(?!/mark>))", marked) is None
        for before, after in re.findall(r"<mark([^>]*)>[^<]*</mark>(?=<mark([^>]*)>)", marked):
            assert before != after
        if not expected or not any(expected):
            assert marked == src


def test_only_the_kept_context_of_a_long_sent_one_counts():
    """A crafted prefix of any length is cut to what a selector keeps, so ranking
    the repeats costs that much each, and the words nearest the quote decide."""
    text = "ab " * 20_000 + "xyz ab"
    near = "xyz "
    found = resolve_selector(text, exact="ab", prefix="q" * 100_000 + near)
    assert found.start == len(text) - 2
