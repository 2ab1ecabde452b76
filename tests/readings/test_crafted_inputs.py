"""Inputs crafted to make the importer compare everything with everything,
backtrack, or recurse: each imports what it holds, or is refused with a message
saying why. How long they take is measured by tests/bench/importers.py."""

import hashlib

import pytest

from readings.importers import ImportProblem, format_for, parse
from readings.importers.structure import MAX_PASSAGES
from readings.services import passage_anchors


def test_hundreds_of_speakers_each_known_by_their_initials():
    # Two-letter initials, all different: "Ab Ba" speaks first, then as "AB".
    # ("PS: " and "NB: " open notes, not turns.)
    letters = [chr(65 + n) for n in range(26)]
    pairs = [(a, b) for a in letters for b in letters if a + b not in ("PS", "NB")]
    people = [(a + "b", b + "a") for a, b in pairs][:600]
    turns = [f"{first} {last}: Hello.\n\n{first[0]}{last[0]}: Goodbye." for first, last in people]
    parsed = parse("\n\n".join(["A long transcript", *turns]).encode(), "x.txt")
    speakers = [b.speaker for b in parsed.blocks]
    assert speakers == [f"{first} {last}" for first, last in people for _ in range(2)]
    assert {b.text for b in parsed.blocks} == {"Hello.", "Goodbye."}


def test_initials_shared_by_two_names_are_left_as_they_are():
    text = "Talk\n\nAnn Lee: One.\n\nAl Long: Two.\n\nAL: Three.\n\nAnn Lee: Four."
    parsed = parse(text.encode(), "x.txt")
    assert [b.speaker for b in parsed.blocks] == ["Ann Lee", "Al Long", "AL", "Ann Lee"]


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("[" * 200_000, "text"),
        ("[" * 100_000 + "](", "markdown"),
        ("see [[the site](https://example.org)", "markdown"),
        ("a [b[](c)", "markdown"),
        ("a [](c) and [b\n](c)", "text"),
    ],
)
def test_a_line_of_brackets_is_sniffed_as_text_and_a_link_as_markdown(text, fmt):
    assert format_for("", text) == fmt


def test_a_line_of_brackets_without_extension_imports_as_one_passage():
    parsed = parse(b"[" * 200_000)
    assert [len(b.text) for b in parsed.blocks] == [200_000]


@pytest.mark.parametrize("unit", ["[", "*a", "![[", "_", "`` `", "<", "- x\n", "> " * 50 + "x\n"])
def test_markdown_made_of_markup_is_refused_with_a_way_out(unit):
    data = (unit * (400_000 // len(unit))).encode()
    with pytest.raises(ImportProblem, match=r"markup characters .* Upload it as a \.txt file"):
        parse(data, "notes.md")


def test_the_way_out_for_markdown_made_of_markup_works():
    assert len(parse(b"[" * 400_000, "notes.txt").blocks[0].text) == 400_000


def test_markdown_with_many_links_still_imports():
    data = "# Links\n\n" + "\n\n".join(
        f"See [page {n}](https://example.org/{n})." for n in range(5000)
    )
    parsed = parse(data.encode(), "notes.md")
    assert len(parsed.blocks) == 5000
    assert parsed.blocks[-1].html == (
        '<a href="https://example.org/4999" rel="nofollow noopener">page 4999</a>'.join(
            ["See ", "."]
        )
    )


def test_a_paragraph_of_thousands_of_line_breaks():
    parsed = parse(("<p>" + "word<br>" * 5_000 + "</p>").encode(), "x.html")
    [block] = parsed.blocks
    assert block.text == " ".join(["word"] * 5_000)
    assert block.html == block.text


def test_a_paragraph_of_many_emphases_keeps_them():
    parsed = parse(("<p>" + "<em>a</em> " * 5_000 + "</p>").encode(), "x.html")
    [block] = parsed.blocks
    assert block.text == " ".join(["a"] * 5_000)
    assert block.html.count("<em>a</em>") == 5_000


def test_a_long_passage_keeps_its_bold_speaker_label():
    html = "<p><strong>Ann Lee:</strong> " + "word " * 50_000 + "</p><p><b>Bo Ray</b>: Yes.</p>"
    parsed = parse(html.encode(), "x.html")
    assert [b.speaker for b in parsed.blocks] == ["Ann Lee", "Bo Ray"]
    assert parsed.blocks[0].text == " ".join(["word"] * 50_000)


def test_a_page_nested_deep_but_within_the_limit_is_read():
    page = "<article>" + "<div>" * 450 + "<p>Deep.</p><ul><li>Item</li></ul>" + "</div>" * 450
    parsed = parse((page + "<p>After.</p></article>").encode(), "x.html")
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("paragraph", "Deep."),
        ("list_item", "Item"),
        ("paragraph", "After."),
    ]


def test_a_page_nesting_all_its_content_deeply_is_refused():
    # Within the depth and tag limits, but each piece of text 450 elements deep.
    nested = "<div>x" * 450 + "</div>" * 450
    with pytest.raises(ImportProblem, match="nests too much of its content too deeply"):
        parse(("<body>" + nested * 30).encode(), "x.html")


@pytest.mark.parametrize("unit", ["<i></i>", "<br>", "<p>x</p>", "<b>x", "<", "&amp;"])
def test_a_page_of_too_many_tags_is_refused(unit):
    with pytest.raises(ImportProblem, match=r"The page has [\d,]+ tags, .* at most 50,000"):
        parse(("<p>" + unit * 110_000).encode(), "x.html")


def test_a_tag_with_a_hundred_thousand_attributes_imports_its_text():
    page = "<p " + " ".join(f"data-a{n}=x" for n in range(100_000)) + ">Text.</p>"
    assert [b.text for b in parse(page.encode(), "x.html").blocks] == ["Text."]


def test_a_tag_with_a_million_attributes_is_refused():
    page = "<p" + " a=b" * 1_000_000 + ">Text.</p>"
    with pytest.raises(ImportProblem, match=r"1,000,000 attributes .* 200,000 and"):
        parse(page.encode(), "x.html")


def test_a_page_declaring_a_charset_that_is_not_one_imports():
    parsed = parse(b"<head><meta charset=punycode></head><p>Caf\xe9 \x93quoted\x94.</p>", "x.html")
    assert [b.text for b in parsed.blocks] == ["Caf\xe9 \u201cquoted\u201d."]


def test_a_page_declaring_a_legacy_charset_reads_bytes_it_lacks_as_latin_1():
    parsed = parse(
        b"<head><meta charset=windows-1251></head><p>\xcc\xe8\xf0 \x98" + b"\xff" * 9 + b".",
        "x.html",
    )
    assert [b.text for b in parsed.blocks] == ["\u041c\u0438\u0440 \x98" + "\u044f" * 9 + "."]


def test_more_passages_than_a_reading_may_have_are_refused():
    data = "\n\n".join(f"Line {n}." for n in range(MAX_PASSAGES + 1)).encode()
    with pytest.raises(ImportProblem, match=r"makes 20,001 passages; .* at most 20,000"):
        parse(data, "x.txt")


def test_a_file_of_a_million_lines_is_refused_before_it_is_read():
    with pytest.raises(ImportProblem, match=r"makes 1,000,000 passages"):
        parse(b"x\n" * 1_000_000, "x.txt")


def test_as_many_passages_as_a_reading_may_have_import():
    data = "\n\n".join(f"Line {n}." for n in range(MAX_PASSAGES)).encode()
    assert len(parse(data, "x.txt").blocks) == MAX_PASSAGES


def test_identical_passages_get_the_next_free_anchors():
    anchors = passage_anchors(["Same line."] * MAX_PASSAGES)
    assert len(set(anchors)) == MAX_PASSAGES
    first = [f"p-{hashlib.sha1(f'{n}:same line.'.encode()).hexdigest()[:6]}" for n in range(3)]
    assert anchors[:3] == first


def test_undefined_windows_1252_bytes_are_read_as_latin_1():
    parsed = parse(b"Caf\xe9 \x81\x8d\x8f\x90\x9d \x93quoted\x94 " + b"\x81" * 100_000, "x.txt")
    assert parsed.blocks[0].text.startswith("Café \x81\x8d\x8f\x90\x9d “quoted” \x81")
