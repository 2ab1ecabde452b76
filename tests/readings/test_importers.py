"""The import pipeline on every shape of input it must handle. Inputs are
written here; the seed interview is read from ../shared when present."""

from pathlib import Path

import pytest

from readings.importers import ImportProblem, parse

INPUTS = Path(__file__).parent / "inputs"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "mcnally-interview.txt"

INTERVIEW = """Skip to content

Notes from the picket line

Interview with Jane Okonkwo

The Riverside Reader talks with Jane Okonkwo about the bakery strike of 1978
and what it taught a generation of organisers.

Riverside Reader: How did the strike begin?

Jane Okonkwo: With a rota nobody could live on. We met in the car park after the night shift.

Nobody planned a strike that night. We planned a letter.

Strikers outside the bakery gates, March 1978. Photo by Sam Devi.

RR: And the letter?

JO: It was signed by forty people by morning.

We want to hear what you think. Contact us at letters@example.org
If you enjoyed this, please consider donating to support our work.
"""


def kinds(parsed):
    return [b.kind for b in parsed.blocks]


def test_plain_text_interview_structure():
    parsed = parse(INTERVIEW.encode(), "strike.txt")
    assert parsed.title == "Notes from the picket line"
    assert parsed.author == "Jane Okonkwo"
    assert parsed.standfirst == [
        "Interview with Jane Okonkwo",
        "The Riverside Reader talks with Jane Okonkwo about the bakery strike of 1978 and "
        "what it taught a generation of organisers.",
    ]
    assert [(b.kind, b.speaker, b.text) for b in parsed.blocks] == [
        ("speaker_turn", "Riverside Reader", "How did the strike begin?"),
        (
            "speaker_turn",
            "Jane Okonkwo",
            "With a rota nobody could live on. We met in the car park after the night shift.",
        ),
        ("paragraph", "Jane Okonkwo", "Nobody planned a strike that night. We planned a letter."),
        ("caption", "", "Strikers outside the bakery gates, March 1978. Photo by Sam Devi."),
        ("speaker_turn", "Riverside Reader", "And the letter?"),
        ("speaker_turn", "Jane Okonkwo", "It was signed by forty people by morning."),
    ]


def test_plain_text_boilerplate_is_dropped_and_reported():
    parsed = parse(INTERVIEW.encode(), "strike.txt")
    assert "Skip to content" in parsed.dropped
    assert any("Contact us" in text for text in parsed.dropped)
    assert any("donating" in text for text in parsed.dropped)
    assert not any("Contact us" in b.text or "Skip to" in b.text for b in parsed.blocks)


def test_question_and_answer_transcript():
    text = "Q: What is a study circle?\n\nA: A few people and one text.\n\nQ: How many?\n\nA: Five."
    parsed = parse(text.encode(), "qa.txt")
    assert [(b.kind, b.speaker, b.text) for b in parsed.blocks] == [
        ("speaker_turn", "Q", "What is a study circle?"),
        ("speaker_turn", "A", "A few people and one text."),
        ("speaker_turn", "Q", "How many?"),
        ("speaker_turn", "A", "Five."),
    ]


def test_colons_in_ordinary_prose_are_not_speakers():
    text = (
        "A title\n\nNote: this essay was first given as a talk.\n\n"
        "He said: the meeting starts at eight.\n\nThe answer is simple: read slowly."
    )
    parsed = parse(text.encode(), "essay.txt")
    assert all(b.speaker == "" for b in parsed.blocks)
    assert "speaker_turn" not in kinds(parsed)
    assert parsed.blocks[0].text == "Note: this essay was first given as a talk."


def test_an_essay_keeps_its_opening_paragraph():
    text = "On slowness\n\nThe first paragraph of an essay is part of the essay.\n\nThe second."
    parsed = parse(text.encode(), "essay.txt")
    assert parsed.standfirst == []
    assert [b.text for b in parsed.blocks][
        0
    ] == "The first paragraph of an essay is part of the essay."


def test_plain_text_headings_lists_and_wrapped_lines():
    text = (
        "Title line\n\nFirst paragraph is wrapped\nacross two lines.\n\n"
        "Part two\n\n- bread\n- roses\n\nLast words."
    )
    parsed = parse(text.encode(), "notes.txt")
    assert [(b.kind, b.text) for b in parsed.blocks] == [
        ("paragraph", "First paragraph is wrapped across two lines."),
        ("heading", "Part two"),
        ("list_item", "bread"),
        ("list_item", "roses"),
        ("paragraph", "Last words."),
    ]


def test_one_paragraph_per_line_when_there_are_no_blank_lines():
    parsed = parse(b"A title\nFirst line is a paragraph.\nSecond one too.", "lines.txt")
    assert [b.text for b in parsed.blocks] == ["First line is a paragraph.", "Second one too."]


def test_markdown_structure_emphasis_and_bold_speakers():
    text = (
        "# The pamphlet\n\nBy Lee Ward\n\n**Ana Ruiz:** We printed *four* pages.\n\n"
        "**Ben Ito:** On a [borrowed](https://example.org/press) press.\n\n"
        "> A quoted line.\n\n- one item\n\n![A press](press.jpg)\n\nThe press, 1921.\n\n"
        "## Later\n\nA plain paragraph."
    )
    parsed = parse(text.encode(), "pamphlet.md")
    assert parsed.title == "The pamphlet"
    assert parsed.author == "Lee Ward"
    assert [(b.kind, b.speaker) for b in parsed.blocks] == [
        ("speaker_turn", "Ana Ruiz"),
        ("speaker_turn", "Ben Ito"),
        ("quote", "Ben Ito"),
        ("list_item", "Ben Ito"),
        ("caption", ""),
        ("heading", ""),
        ("paragraph", ""),
    ]
    first, second = parsed.blocks[:2]
    assert (first.text, first.html) == ("We printed four pages.", "We printed <em>four</em> pages.")
    assert second.html == (
        'On a <a href="https://example.org/press" rel="nofollow noopener">borrowed</a> press.'
    )


def test_markdown_raw_html_is_shown_as_text_not_run():
    parsed = parse(b"# T\n\nBefore <script>alert(1)</script> after", "t.md")
    block = parsed.blocks[0]
    assert "<script" not in block.html
    assert block.text == "Before <script>alert(1)</script> after"


def test_saved_web_article():
    parsed = parse((INPUTS / "saved-article.html").read_bytes(), "article.html")
    assert parsed.title == "Kitchen tables and picket lines"
    assert parsed.author == "Theo Marsh"
    assert parsed.standfirst == [
        "A conversation with the labour historian Rosa Lindqvist about study circles."
    ]
    assert [(b.kind, b.speaker, b.text) for b in parsed.blocks] == [
        ("speaker_turn", "The Lantern Review", "Where did the study circles meet?"),
        ("speaker_turn", "Rosa Lindqvist", "Mostly at kitchen tables. See the archive and this."),
        (
            "paragraph",
            "Rosa Lindqvist",
            "They rotated houses so that no one family carried the cost.",
        ),
        ("caption", "", "A study circle in Malmö, 1932."),
        ("speaker_turn", "The Lantern Review", "Did anyone keep minutes?"),
        ("speaker_turn", "Rosa Lindqvist", "Always, and badly."),
        ("heading", "", "What they read"),
        ("list_item", "", "Pamphlets, passed hand to hand"),
        ("list_item", "", "Newspapers read aloud"),
        ("quote", "", "Read it twice, argue once."),
    ]
    dropped = " ".join(parsed.dropped)
    for furniture in ["Skip to content", "Home Issues", "Related", "Share this", "donate", "©"]:
        assert furniture in dropped


def test_saved_web_article_html_is_sanitized():
    parsed = parse((INPUTS / "saved-article.html").read_bytes(), "article.html")
    html = "".join(b.html for b in parsed.blocks)
    assert parsed.blocks[0].html == "Where did the study circles <em>meet</em>?"
    assert '<a href="https://example.org/circles" rel="nofollow noopener">the archive</a>' in html
    for hostile in ["onclick", "javascript:", "<script", "onerror", "<img", "<style", "steal()"]:
        assert hostile not in html


@pytest.mark.parametrize(
    "body",
    [
        '<p>Hi <a href="JaVaScRiPt:alert(1)">x</a></p>',
        '<p>Hi <a href="&#106;avascript:alert(1)">x</a></p>',
        '<p>Hi <svg onload="alert(1)"><circle r="1"/></svg></p>',
        '<p>Hi <iframe src="https://evil.example"></iframe></p>',
        '<p>Hi <span style="background:url(javascript:alert(1))">x</span></p>',
        '<p>Hi <a href="data:text/html,<script>alert(1)</script>">x</a></p>',
        "<p>Hi <math><mtext><script>alert(1)</script></mtext></math></p>",
    ],
)
def test_nothing_executable_survives_html_import(body):
    parsed = parse(f"<html><body><h1>T</h1>{body}</body></html>".encode(), "x.html")
    html = parsed.blocks[0].html.lower()
    for marker in ["javascript", "<script", "onload", "<svg", "<iframe", "style=", "data:"]:
        assert marker not in html


def test_html_text_equals_the_text_of_its_html():
    parsed = parse(
        b"<h1>T</h1><p>  Spaced\n   <em> out </em>  words &amp; entities  </p>", "x.html"
    )
    block = parsed.blocks[0]
    assert block.text == "Spaced out words & entities"
    assert block.html == "Spaced <em>out </em>words &amp; entities"


def test_figcaption_outside_figure_and_caption_class():
    html = (
        b"<h1>T</h1><p>Body text.</p><figcaption>Loose caption</figcaption>"
        b'<p class="wp-caption-text">Marchers, 1968.</p>'
    )
    assert kinds(parse(html, "x.html")) == ["paragraph", "caption", "caption"]


def test_encodings_utf8_bom_crlf():
    data = "\ufeffTitle\r\n\r\nCafé déjà vu.\r\n".encode()
    parsed = parse(data, "x.txt")
    assert parsed.title == "Title"
    assert parsed.blocks[0].text == "Café déjà vu."


def test_encodings_windows_1252_and_latin_1():
    cp1252 = "Title\n\n“Quoted” – dash, €5 and naïve.".encode("cp1252")
    assert parse(cp1252, "x.txt").blocks[0].text == "“Quoted” – dash, €5 and naïve."
    latin1 = "Title\n\nÅsa och Søren läser.".encode("latin-1")
    assert parse(latin1, "x.txt").blocks[0].text == "Åsa och Søren läser."


def test_html_declared_legacy_charset():
    data = '<meta charset="iso-8859-1"><h1>T</h1><p>Ça marche.</p>'.encode("latin-1")
    assert parse(data, "x.html").blocks[0].text == "Ça marche."


def test_utf16_with_bom():
    data = "Title\n\nSchön.".encode("utf-16")
    assert parse(data, "x.txt").blocks[0].text == "Schön."


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا بكم في حلقة القراءة",
        "我们一起读书。",
        "Reading together 📚✊🏽 with friends",
        "Combining marks: e\u0301 a\u0308 n\u0303",
    ],
)
def test_any_script_survives_intact(text):
    parsed = parse(f"Title\n\n{text}".encode(), "x.txt")
    assert parsed.blocks[0].text == text


def test_speaker_labels_in_an_uncased_script():
    text = "عنوان\n\nسارة: سؤال أول\n\nعمر: جواب أول\n\nسارة: سؤال ثان"
    parsed = parse(text.encode(), "x.txt")
    assert [(b.speaker, b.text) for b in parsed.blocks] == [
        ("سارة", "سؤال أول"),
        ("عمر", "جواب أول"),
        ("سارة", "سؤال ثان"),
    ]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.txt", "The file is empty."),
        (b"   \n\n  ", "x.txt", "The file is empty."),
        (b"%PDF-1.7 binary", "x.txt", "This PDF is incomplete"),
        (b"PK\x03\x04rest", "x.md", "ZIP archive"),
        (b"abc\x00def\x00", "x.txt", "binary file"),
        (b"hello", "notes.docx", r"named \.docx but is not a Word document"),
        (b"hello", "notes.odt", "Unknown file type '.odt'"),
        (b"<html><body><nav>Home</nav></body></html>", "x.html", "No readable text"),
    ],
)
def test_bad_input_is_refused_with_a_message(data, filename, message):
    with pytest.raises(ImportProblem, match=message):
        parse(data, filename)


def test_html_nested_too_deep_is_refused_before_it_is_read():
    page = "<article><p>Intro.</p>" + "<div>" * 1000 + "<p>Deep.</p>" + "</div>" * 1000
    with pytest.raises(ImportProblem, match="nested more than 500 elements deep"):
        parse(page.encode(), "x.html")


def test_an_old_page_whose_paragraphs_are_never_closed_still_imports():
    page = "<body>" + "".join(f"<p>Paragraph {n} of an old essay." for n in range(400))
    parsed = parse(page.encode(), "x.html")
    assert len(parsed.blocks) == 400 and parsed.blocks[-1].text == "Paragraph 399 of an old essay."


def test_format_is_sniffed_without_an_extension():
    assert parse(b"<!doctype html><h1>T</h1><p>Para.</p>").title == "T"
    assert parse(b"# Heading\n\nSome **bold** text.").title == "Heading"
    assert kinds(parse(b"Plain title\n\nPlain paragraph.")) == ["paragraph"]


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_the_seed_interview():
    parsed = parse(SEED.read_bytes(), SEED.name)
    assert parsed.title == "Reflections on revolutionary socialist organization today"
    assert parsed.author == "David McNally"
    assert len(parsed.standfirst) == 2 and parsed.standfirst[1].startswith("The Tempest Collective")
    assert "Skip to content" in parsed.dropped
    assert any("donating" in text for text in parsed.dropped)
    turns = [b for b in parsed.blocks if b.kind == "speaker_turn"]
    assert {b.speaker for b in turns} == {"Tempest Collective", "David McNally"}
    assert len(turns) == 12
    assert not any(b.text.startswith(("TC:", "DM:", "Tempest Collective:")) for b in parsed.blocks)
    captions = [b for b in parsed.blocks if b.kind == "caption"]
    assert len(captions) == 3 and all("Photo" in b.text for b in captions)
    # Every paragraph after the first turn belongs to someone.
    first = parsed.blocks.index(turns[0])
    assert all(b.speaker for b in parsed.blocks[first:] if b.kind == "paragraph")


def test_a_markdown_byline_names_the_author_and_is_not_the_standfirst():
    text = (
        "# Notes from the picket line\n\n"
        "*By Jane Okonkwo*\n\n"
        "A short introduction to the interview that follows.\n\n"
        "**RR:** How did the strike begin?\n\n"
        "**JO:** With a rota nobody could live on.\n\n"
        "**RR:** And then?\n\n"
        "**JO:** A letter, signed by forty people.\n"
    )
    parsed = parse(text.encode(), "strike.md")
    assert parsed.title == "Notes from the picket line"
    assert parsed.author == "Jane Okonkwo"
    assert parsed.standfirst == ["A short introduction to the interview that follows."]
    assert all("By Jane" not in block.text for block in parsed.blocks)
