from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from discussions import bodies
from discussions.bodies import excerpt, render_body

REL = 'rel="nofollow noopener ugc"'
ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote"}
ALLOWED_TAGS |= {"ul", "ol", "li", "a", "s", "del", "hr"}
ACTIVE_WORDS = ("<script", "javascript:", "onerror", "onload", "onmouseover")
ACTIVE_WORDS += ("<img", "<svg", "<iframe", "data:", "vbscript")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.found


def assert_inert(out: str) -> None:
    """What a browser would act on: elements, attribute names and link schemes.

    Text, titles and URL paths are left out on purpose: markdown-it keeps refused links and raw
    HTML as visible text, so words like "javascript:" or "onerror" may be shown to readers,
    escaped, without ever being executed.
    """
    for danger in ("<script", "<img", "<svg", "<iframe", "<style", "<math"):
        assert danger not in out.lower()
    for tag, attrs in elements(out):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ({"href", "title", "rel"} if tag == "a" else set())
        scheme = urlsplit(attrs.get("href") or "").scheme.lower()
        if "href" in attrs:
            assert scheme in {"http", "https", "mailto"}
        acted_on = f"<{tag} {' '.join(attrs)} {scheme}:".lower()
        for word in ACTIVE_WORDS:
            assert word not in acted_on


# --- Plain Markdown ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("*soft* and **loud**", "<p><em>soft</em> and <strong>loud</strong></p>"),
        ("_soft_ and __loud__", "<p><em>soft</em> and <strong>loud</strong></p>"),
        ("~~struck~~ out", "<p><s>struck</s> out</p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("Use `print()` here", "<p>Use <code>print()</code> here</p>"),
        ("    indented code\n", "<pre><code>indented code\n</code></pre>"),
        ("```python\nx = 1 < 2\n```", "<pre><code>x = 1 &lt; 2\n</code></pre>"),
        ("> quoted\n> line", "<blockquote>\n<p>quoted\nline</p>\n</blockquote>"),
        ("line one  \nline two", "<p>line one<br>\nline two</p>"),
        ("above\n\n---\n\nbelow", "<p>above</p>\n<hr>\n<p>below</p>"),
        ("Tom & Jerry said \"hi\" 'there'", "<p>Tom &amp; Jerry said \"hi\" 'there'</p>"),
    ],
)
def test_markdown_renders_to_the_expected_html(source, expected):
    assert render_body(source) == expected


def test_headings_and_other_unlisted_tags_keep_only_their_text():
    assert render_body("# Chapter one\n\nBody") == "Chapter one\n<p>Body</p>"


def test_paragraphs_come_out_without_surrounding_whitespace():
    assert render_body("\n\n  first\n\nsecond\n\n\n") == "<p>first</p>\n<p>second</p>"


@pytest.mark.parametrize("source", ["", " ", "\n\n", "\t \n  ", "\u00a0\u2003"])
def test_empty_or_blank_source_renders_nothing(source):
    assert render_body(source) == ""


def test_raw_html_is_shown_as_text():
    assert render_body("I <b>love</b> this") == "<p>I &lt;b&gt;love&lt;/b&gt; this</p>"


def test_images_are_dropped():
    assert render_body("![cover](https://example.com/cover.png)") == "<p></p>"


# --- Links ------------------------------------------------------------------------------------


def test_links_get_nofollow_noopener_ugc():
    assert render_body("[the essay](https://example.com/essay)") == (
        f'<p><a href="https://example.com/essay" {REL}>the essay</a></p>'
    )


def test_link_titles_and_query_strings_are_kept_and_escaped():
    assert render_body('[x](https://example.com/?a=1&b=2 "A & B")') == (
        f'<p><a href="https://example.com/?a=1&amp;b=2" title="A &amp; B" {REL}>x</a></p>'
    )


def test_autolinks_and_mailto_links_work():
    assert render_body("<https://example.com> or <ann@example.org>") == (
        f'<p><a href="https://example.com" {REL}>https://example.com</a> or '
        f'<a href="mailto:ann@example.org" {REL}>ann@example.org</a></p>'
    )


def test_formatting_inside_link_text_survives():
    assert render_body("[**bold** link](https://example.com)") == (
        f'<p><a href="https://example.com" {REL}><strong>bold</strong> link</a></p>'
    )


@pytest.mark.parametrize(
    "target", ["/g/night-readers/", "#notes", "notes.html", "../up", "//evil.example/path", "?q=1"]
)
def test_relative_links_lose_their_href_but_keep_their_text(target):
    assert render_body(f"[see here]({target})") == f"<p><a {REL}>see here</a></p>"


# --- Hostile bodies ---------------------------------------------------------------------------

HOSTILE = [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("<svg onload=alert(1)>", "<p>&lt;svg onload=alert(1)&gt;</p>"),
    ("<iframe src=//evil>", "<p>&lt;iframe src=//evil&gt;</p>"),
    ("<style>p{color:red}</style>", "<p>&lt;style&gt;p{color:red}&lt;/style&gt;</p>"),
    (
        '<a href="javascript:alert(1)">x</a>',
        '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
    ),
    (
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        '<p>&lt;a href="https://ok.example" onclick="alert(1)"&gt;x&lt;/a&gt;</p>',
    ),
    (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<p>&lt;math&gt;&lt;mtext&gt;&lt;table&gt;&lt;mglyph&gt;&lt;style&gt;"
        "&lt;img src=x onerror=alert(1)&gt;</p>",
    ),
    (
        "<!-- <script>alert(1)</script> -->",
        "<p>&lt;!-- &lt;script&gt;alert(1)&lt;/script&gt; --&gt;</p>",
    ),
    (
        "> <script>alert(1)</script>",
        "<blockquote>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n</blockquote>",
    ),
    (
        "```html\n<script>alert(1)</script>\n```",
        "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>",
    ),
    # markdown-it refuses these link targets outright and prints the source as text.
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>"),
    ("[x](&#106;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("[x](&#x6A;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("[x](javascript&colon;alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("[x](  javascript:alert(1))", "<p>[x](  javascript:alert(1))</p>"),
    ("[x](java\nscript:alert(1))", "<p>[x](java\nscript:alert(1))</p>"),
    ("[x](vbscript:msgbox(1))", "<p>[x](vbscript:msgbox(1))</p>"),
    (
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<p>[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>",
    ),
    ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
    ("<vbscript:msgbox(1)>", "<p>&lt;vbscript:msgbox(1)&gt;</p>"),
    ("![x](javascript:alert(1))", "<p>![x](javascript:alert(1))</p>"),
    (
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        "<p>![x](data:image/svg+xml;base64,PHN2Zz4=)</p>",
    ),
    (
        "[x][evil]\n\n[evil]: javascript:alert(1)",
        "<p>[x][evil]</p>\n<p>[evil]: javascript:alert(1)</p>",
    ),
    # markdown-it lets these through as links; nh3 strips the href.
    ("[x](data:image/png;base64,iVBORw0KGgo=)", f"<p><a {REL}>x</a></p>"),
    ("[x](jav&#x09;ascript:alert(1))", f"<p><a {REL}>x</a></p>"),
    ("[x](<java script:alert(1)>)", f"<p><a {REL}>x</a></p>"),
    ("[x](%6Aavascript:alert(1))", f"<p><a {REL}>x</a></p>"),
    ("[x](https:javascript:alert(1))", f"<p><a {REL}>x</a></p>"),
    ("![x](data:image/png;base64,iVBORw0KGgo=)", "<p></p>"),
    # Quotes in titles and URLs cannot break out of the attribute.
    (
        '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
        '<p><a href="https://example.com" title="a&quot; onmouseover=&quot;alert(1)" '
        f"{REL}>x</a></p>",
    ),
    (
        '[x](https://example.com "<img src=x onerror=alert(1)>")',
        '<p><a href="https://example.com" title="&lt;img src=x onerror=alert(1)&gt;" '
        f"{REL}>x</a></p>",
    ),
    (
        '[x](https://example.com/"onmouseover=alert(1))',
        f'<p><a href="https://example.com/%22onmouseover=alert(1)" {REL}>x</a></p>',
    ),
]


@pytest.mark.parametrize(("source", "expected"), HOSTILE)
def test_hostile_bodies_render_inert(source, expected):
    out = render_body(source)
    assert out == expected
    assert_inert(out)


def test_a_mailto_address_that_looks_like_script_stays_a_mailto_link():
    # Browsers hand mailto: to the mail client, so the rest of the address is never run.
    out = render_body("[x](mailto:javascript:alert(1))")
    assert out == f'<p><a href="mailto:javascript:alert(1)" {REL}>x</a></p>'
    assert [attrs.get("href") for _, attrs in elements(out)] == [None, "mailto:javascript:alert(1)"]


def test_the_inertness_check_itself_catches_live_markup():
    for live in (
        "<img src=x>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://e.example" onmouseover="x">x</a>',
        '<p style="x">x</p>',
    ):
        with pytest.raises(AssertionError):
            assert_inert(live)


# --- Mentions ---------------------------------------------------------------------------------

MEMBERS = {
    "Maya": "/g/night-readers/r/a-reading/?member=7",
    "Maya Member": "/m/maya-member/",
    "Ann": "/m/ann/",
    "Ann Lee": "/m/ann-lee/",
    "Siobhán O'Neill": "/m/siobhan/",
    "Zoë": "/m/zoe/",
    "Łukasz": "/m/lukasz/",
}


def mention(name: str, href: str) -> str:
    return f'<a class="mention" href="{href}">@{name}</a>'


def test_a_single_word_mention_becomes_a_link_with_an_escaped_url():
    assert render_body("Thanks @Maya!", mentions=MEMBERS) == (
        "<p>Thanks " + mention("Maya", "/g/night-readers/r/a-reading/?member=7") + "!</p>"
    )


def test_a_multi_word_mention_is_linked_whole():
    assert render_body("cc @Maya Member, please", mentions=MEMBERS) == (
        "<p>cc " + mention("Maya Member", "/m/maya-member/") + ", please</p>"
    )


def test_mentions_ignore_how_the_name_was_typed_and_show_the_real_spelling():
    assert render_body("@maya member and @ANN lee", mentions=MEMBERS) == (
        "<p>"
        + mention("Maya Member", "/m/maya-member/")
        + " and "
        + mention("Ann Lee", "/m/ann-lee/")
        + "</p>"
    )


def test_the_longest_matching_name_wins():
    assert render_body("@Ann Lee agrees with @Ann", mentions=MEMBERS) == (
        "<p>"
        + mention("Ann Lee", "/m/ann-lee/")
        + " agrees with "
        + mention("Ann", "/m/ann/")
        + "</p>"
    )


def test_a_longer_name_running_into_a_word_falls_back_to_the_shorter_one():
    assert render_body("@Ann Leeway", mentions=MEMBERS) == (
        "<p>" + mention("Ann", "/m/ann/") + " Leeway</p>"
    )


def test_a_name_must_end_at_a_word_boundary():
    assert render_body("@Annabel and @Mayan", mentions=MEMBERS) == "<p>@Annabel and @Mayan</p>"


def test_a_possessive_after_a_name_still_mentions():
    assert render_body("@Maya's point", mentions={"Maya": "/m/"}) == (
        "<p>" + mention("Maya", "/m/") + "'s point</p>"
    )


def test_names_with_apostrophes_and_non_ascii_letters():
    out = render_body("@siobhán o'neill, @ZOË and @łukasz", mentions=MEMBERS)
    assert out == (
        "<p>"
        + mention("Siobhán O'Neill", "/m/siobhan/")
        + ", "
        + mention("Zoë", "/m/zoe/")
        + " and "
        + mention("Łukasz", "/m/lukasz/")
        + "</p>"
    )


def test_non_ascii_letters_count_as_part_of_a_word():
    assert render_body("@Zoëy and é@Zoë", mentions=MEMBERS) == "<p>@Zoëy and é@Zoë</p>"


def test_email_addresses_are_not_mentions():
    assert render_body("write to ann@maya.org", mentions=MEMBERS) == (
        "<p>write to ann@maya.org</p>"
    )


def test_unknown_names_stay_plain_text():
    assert render_body("@Nobody and @ alone", mentions=MEMBERS) == "<p>@Nobody and @ alone</p>"


def test_no_mentions_inside_code():
    assert render_body("`@Maya` and\n\n    @Maya\n", mentions=MEMBERS) == (
        "<p><code>@Maya</code> and</p>\n<pre><code>@Maya\n</code></pre>"
    )


def test_no_mentions_inside_an_existing_link():
    assert render_body("[@Maya **@Ann**](https://example.com) @Ann", mentions=MEMBERS) == (
        f'<p><a href="https://example.com" {REL}>@Maya <strong>@Ann</strong></a> '
        + mention("Ann", "/m/ann/")
        + "</p>"
    )


def test_no_mentions_inside_link_titles():
    source = '[x](https://example.com "a>b @Maya") @Maya'
    assert render_body(source, mentions={"Maya": "/m/"}) == (
        f'<p><a href="https://example.com" title="a&gt;b @Maya" {REL}>x</a> '
        + mention("Maya", "/m/")
        + "</p>"
    )


def test_mentions_work_inside_emphasis_lists_and_quotes():
    out = render_body("> **@Maya** said\n\n- @Ann", mentions=MEMBERS)
    assert out == (
        "<blockquote>\n<p><strong>"
        + mention("Maya", "/g/night-readers/r/a-reading/?member=7")
        + "</strong> said</p>\n</blockquote>\n<ul>\n<li>"
        + mention("Ann", "/m/ann/")
        + "</li>\n</ul>"
    )


def test_html_special_characters_in_urls_and_names_are_escaped():
    out = render_body("hi @tom & jerry <3", mentions={"Tom & Jerry": '/m/?a=1&b="2"<x>'})
    assert out == (
        '<p>hi <a class="mention" href="/m/?a=1&amp;b=&quot;2&quot;&lt;x&gt;">@Tom &amp; Jerry</a>'
        " &lt;3</p>"
    )


def test_a_mention_next_to_escaped_text_keeps_that_text_escaped():
    assert render_body("<b>@Maya</b>", mentions={"Maya": "/m/"}) == (
        "<p>&lt;b&gt;" + mention("Maya", "/m/") + "&lt;/b&gt;</p>"
    )


def test_text_without_mentions_is_left_byte_for_byte():
    source = "a\u00a0b & c\n\n@Maya"
    assert render_body(source, mentions={"Maya": "/m/"}) == (
        "<p>a&nbsp;b &amp; c</p>\n<p>" + mention("Maya", "/m/") + "</p>"
    )
    assert render_body("a\u00a0b & c", mentions={"Maya": "/m/"}) == render_body("a\u00a0b & c")


@pytest.mark.parametrize("mentions", [None, {}, {"": "/nobody/"}])
def test_no_usable_names_means_no_mention_links(mentions):
    assert render_body("@Maya @ hi", mentions=mentions) == "<p>@Maya @ hi</p>"


HOSTILE_NAME = '"><script>alert(1)</script>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "<img src=x onerror=@Maya>",
            '<p>&lt;img src=x onerror=<a class="mention" href="/m/">@Maya</a>&gt;</p>',
        ),
        (
            '<a href="@Maya">x</a>',
            '<p>&lt;a href="<a class="mention" href="/m/">@Maya</a>"&gt;x&lt;/a&gt;</p>',
        ),
        (
            "[x](javascript:@Maya)",
            '<p>[x](javascript:<a class="mention" href="/m/">@Maya</a>)</p>',
        ),
        ("`<script>@Maya`", "<p><code>&lt;script&gt;@Maya</code></p>"),
        (
            f"@{HOSTILE_NAME}",
            '<p><a class="mention" href="/x/?a=&quot;&lt;b&gt;">'
            '@"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a></p>',
        ),
    ],
)
def test_mentions_inside_hostile_text_stay_inert(source, expected):
    out = render_body(source, mentions={"Maya": "/m/", HOSTILE_NAME: '/x/?a="<b>'})
    assert out == expected
    assert "<script" not in out and "<img" not in out
    assert {tag for tag, _ in elements(out)} <= {"p", "a", "code"}
    assert {name for _, attrs in elements(out) for name in attrs} <= {"class", "href"}


def test_mention_links_get_no_rel_attribute():
    out = render_body("@Maya", mentions={"Maya": "/m/"})
    assert elements(out) == [("p", {}), ("a", {"class": "mention", "href": "/m/"})]


def test_renderer_and_sanitizer_are_built_once_at_import(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("built per call")

    monkeypatch.setattr(bodies, "MarkdownIt", refuse)
    monkeypatch.setattr(bodies.nh3, "Cleaner", refuse)
    assert render_body("*hi* @Maya", mentions={"Maya": "/m/"}) == (
        "<p><em>hi</em> " + mention("Maya", "/m/") + "</p>"
    )


# --- Excerpts ---------------------------------------------------------------------------------


def test_excerpt_strips_tags_and_collapses_whitespace():
    html = "<p>Hello <strong>brave</strong>\n  new\tworld</p>\n<ul>\n<li>one</li>\n</ul>"
    assert excerpt(html) == "Hello brave new world one"


def test_excerpt_keeps_inline_tags_inside_words_and_splits_blocks():
    assert excerpt("<p>un<em>believ</em>able</p><p>next</p>") == "unbelievable next"
    assert excerpt("<p>line<br>break</p>") == "line break"


def test_excerpt_unescapes_entities():
    html = "<p>Tom &amp; Jerry &lt;3 &quot;cheese&quot;&nbsp;&#39;n&#x27; crackers</p>"
    assert excerpt(html) == "Tom & Jerry <3 \"cheese\" 'n' crackers"


def test_short_text_is_unchanged():
    assert excerpt("<p>Short and sweet.</p>") == "Short and sweet."
    assert excerpt("<p>one two three four</p>", length=18) == "one two three four"
    assert excerpt("") == ""


def test_long_text_is_cut_at_a_word_boundary_with_an_ellipsis():
    assert excerpt("<p>one two three four</p>", length=12) == "one two…"
    assert excerpt("<p>one two three four</p>", length=14) == "one two three…"
    assert excerpt("<p>one two three four</p>", length=17) == "one two three…"


def test_a_single_long_word_is_cut_hard():
    assert excerpt("<p>abcdefghijklmnop</p>", length=5) == "abcd…"


def test_default_excerpt_length_is_140_including_the_ellipsis():
    words = " ".join(f"word{i}" for i in range(60))
    cut = excerpt(f"<p>{words}</p>")
    assert len(cut) <= 140
    assert cut.endswith("…")
    assert words.startswith(cut[:-1] + " ")


def test_excerpt_of_a_rendered_body():
    body = render_body("**Bold** claim &amp; more\n\n> quoted @Maya", mentions={"Maya": "/m/"})
    assert excerpt(body) == "Bold claim & more quoted @Maya"
