"""A page's text as a person reads it: blocks on lines, hidden things left out, selectors."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from desktop_tracker.kinds.content.text import (
    NOTHING_MATCHED,
    InvalidSelector,
    SelectorError,
    SelectorMatchedNothing,
    page_text,
    validate_selector,
)

CORPUS = Path(__file__).parents[2].parent / "shared/corpus/real-pages"
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # shown as nothing


def body(markup: str) -> str:
    return page_text(f"<!DOCTYPE html><html><head><title>T</title></head><body>{markup}</body>")


# -- blocks and lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("<div>one</div>two<div>three</div>", "one\ntwo\nthree"),
        ("<h1>Title</h1><h2>Sub</h2><h6>Small</h6>", "Title\nSub\nSmall"),
        ("<ul><li>a<li>b</ul><ol><li>c</li></ol>", "a\nb\nc"),
        ("first<br>second<br/>third", "first\nsecond\nthird"),
        (
            "<section>s</section><article>a</article><header>h</header><footer>f</footer>",
            "s\na\nh\nf",
        ),
        ("<blockquote>quoted</blockquote>after", "quoted\nafter"),
        ("<dl><dt>term<dd>meaning</dl>", "term\nmeaning"),
        ("above<hr>below", "above\nbelow"),
    ],
)
def test_block_elements_are_lines_of_their_own(markup: str, text: str) -> None:
    assert body(markup) == text


def test_inline_elements_stay_in_their_line() -> None:
    markup = '<p>Hello <b>bold</b>, <a href="/x">linked</a> and <em>em</em>phasis<span>!</span></p>'
    assert body(markup) == "Hello bold, linked and emphasis!"


def test_table_rows_are_lines_and_cells_are_tab_separated() -> None:
    markup = """<table>
        <caption>Prices</caption>
        <tr><th>Item</th><th>Price</th></tr>
        <tr><td> Tea </td><td></td><td>3 €</td></tr>
        <tr><td>Cake</td><td>4 €</td></tr>
    </table>"""
    # An empty cell adds nothing: a reader sees the words, not the grid.
    assert body(markup) == "Prices\nItem\tPrice\nTea\t3 €\nCake\t4 €"


def test_whitespace_is_one_space_inside_a_line_and_blank_lines_go() -> None:
    markup = (
        "<p>  many\n\n   spaces\tand\r\ntabs&nbsp;&nbsp;here </p><p> </p><div>\n</div><p>end</p>"
    )
    assert body(markup) == "many spaces and tabs here\nend"


def test_pre_keeps_its_lines_and_spacing() -> None:
    markup = "<p>before</p><pre>def f():\n    return  1\n\n<b>bold</b> in pre</pre><p>after</p>"
    assert body(markup) == "before\ndef f():\n    return  1\nbold in pre\nafter"


def test_textarea_keeps_its_lines() -> None:
    assert body("<textarea>line 1\n  line 2</textarea>") == "line 1\n  line 2"


def test_entities_are_decoded() -> None:
    assert body("<p>Fish &amp; chips &lt;3 &eacute;t&eacute; &#x263A; &copy;</p>") == (
        "Fish & chips <3 été ☺ ©"
    )


def test_invisible_characters_are_removed() -> None:
    assert body("<p>soft&shy;hyphen zero\u200bwidth</p>") == "softhyphen zerowidth"


# -- what a person does not read -----------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<script>var secret = 1;</script>",
        "<script type='application/ld+json'>{\"secret\": 1}</script>",
        "<style>.secret { color: red }</style>",
        "<template><p>secret</p></template>",
        "<noscript><p>secret</p></noscript>",
        "<iframe>secret</iframe>",
        "<video>secret fallback</video><audio>secret</audio><canvas>secret</canvas>",
        "<object>secret</object>",
        "<div hidden><p>secret</p></div>",
        "<p hidden=until-found>secret</p>",
        '<div style="display:none">secret</div>',
        '<div style="color: red; DISPLAY: NONE">secret</div>',
        '<div style="visibility: hidden">secret</div>',
        "<dialog><p>secret</p></dialog>",
        "<!-- secret comment -->",
        "<svg><title>secret tooltip</title><desc>secret</desc></svg>",
        "<datalist><option>secret</option></datalist>",
    ],
)
def test_what_is_not_shown_is_left_out(markup: str) -> None:
    assert body(f"<p>visible</p>{markup}<p>also visible</p>") == "visible\nalso visible"


def test_head_and_its_title_are_left_out() -> None:
    html = "<html><head><title>Tab label</title><meta name=x content=y></head><body>Body</body>"
    assert page_text(html) == "Body"


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ('<span aria-hidden="true">Shown to the eye</span>', "Shown to the eye"),
        ("<dialog open>An open dialog</dialog>", "An open dialog"),
        ("<select><option>One</option><option selected>Two</option></select>", "One\nTwo"),
        ("<details><summary>More</summary>Folded text</details>", "More\nFolded text"),
        ('<img src="x.png" alt="a picture">', ""),
    ],
)
def test_what_is_seen_is_kept_and_alt_text_is_not(markup: str, text: str) -> None:
    assert body(markup) == text


def test_hidden_elements_contents_go_with_them() -> None:
    markup = "<div hidden><div><div><p>deep</p></div></div></div><p>kept</p>"
    assert body(markup) == "kept"


def test_a_selector_does_not_pick_what_is_hidden() -> None:
    markup = (
        '<p class="price">3 €</p><div hidden><p class="price">template €</p></div>'
        '<p class="price" style="display: none">old €</p><p class="price">4 €</p>'
    )
    assert page_text(markup, ".price") == "3 €\n\n4 €"
    assert page_text("<div hidden><p class=x>no</p></div>", ".x") == ""


# -- selectors -----------------------------------------------------------------------------------

PAGE = """<html><head><title>Shop</title></head><body>
<nav>Home | About</nav>
<div class="item"><h2>Tea</h2><p class="price">3 €</p></div>
<div class="item"><h2>Cake</h2><p class="price">4 €</p>
  <div class="item">Nested item</div></div>
<script>document.title = "x"</script>
<script type="application/ld+json" id="data">{"price": 3}</script>
</body></html>"""


def test_a_selector_gives_each_match_in_document_order_with_a_blank_line_between() -> None:
    assert page_text(PAGE, ".price") == "3 €\n\n4 €"
    assert page_text(PAGE, "h2, .price") == "Tea\n\n3 €\n\nCake\n\n4 €"


def test_a_match_inside_another_match_is_not_repeated() -> None:
    assert page_text(PAGE, ".item") == "Tea\n3 €\n\nCake\n4 €\nNested item"
    assert page_text(PAGE, ".item, .price, h2") == "Tea\n3 €\n\nCake\n4 €\nNested item"


def test_a_selected_element_is_read_even_if_it_is_normally_left_out() -> None:
    assert page_text(PAGE, "title") == "Shop"
    assert page_text(PAGE, "#data") == '{"price": 3}'


def test_matches_with_no_text_add_no_blank_lines() -> None:
    html = "<p class=a>one</p><p class=a></p><p class=a> </p><p class=a>two</p>"
    assert page_text(html, ".a") == "one\n\ntwo"
    assert page_text("<p class=a></p>", ".a") == ""


def test_a_selector_that_matches_nothing_says_so() -> None:
    with pytest.raises(SelectorMatchedNothing) as raised:
        page_text(PAGE, ".missing")
    assert str(raised.value).startswith(
        "the selector matched nothing: the page changed or the selector is wrong"
    )
    assert str(raised.value).startswith(NOTHING_MATCHED)
    assert isinstance(raised.value, SelectorError) and isinstance(raised.value, ValueError)


@pytest.mark.parametrize("selector", ["div[", "p >", "a,,b", "#", ":has(", "p::before", "p:nope"])
def test_an_invalid_selector_is_refused_with_the_reason(selector: str) -> None:
    with pytest.raises(InvalidSelector) as raised:
        page_text(PAGE, selector)
    assert str(raised.value).startswith(f"the selector '{selector}' is not valid CSS: ")
    assert isinstance(raised.value, SelectorError)


def test_empty_and_overlong_selectors_are_invalid() -> None:
    for selector in ("", "   ", "\n"):
        with pytest.raises(
            InvalidSelector, match=r"^the selector '' is not valid CSS: it is empty$"
        ):
            validate_selector(selector)
    with pytest.raises(InvalidSelector, match="1,000 characters"):
        validate_selector("div " * 300)
    assert validate_selector("div " * 250).strip() == ("div " * 250).strip()


def test_validate_selector_gives_the_selector_stripped() -> None:
    assert validate_selector("  main  article.post > p:first-child \n") == (
        "main  article.post > p:first-child"
    )
    assert page_text(PAGE, "  .price  ") == "3 €\n\n4 €"


# -- hostile input -------------------------------------------------------------------------------


def test_100000_nested_divs_give_their_text() -> None:
    html = "<div>" * 100_000 + "deep down" + "</div>" * 100_000
    assert page_text(html) == "deep down"
    assert page_text(html, "div") == "deep down"


def test_100000_unclosed_nested_elements_give_their_text() -> None:
    assert page_text("<p>" + "<b>x" * 100_000).count("x") == 100_000
    assert page_text("<table><tr><td>x" * 20_000).count("x") == 20_000


def test_a_10_mb_page_gives_every_paragraph() -> None:
    paragraph = "<p>" + "word " * 200 + "</p>\n"
    html = "<html><body>" + paragraph * (10 * 1024**2 // len(paragraph)) + "</body></html>"
    lines = page_text(html).split("\n")
    assert len(lines) == 10 * 1024**2 // len(paragraph)
    assert set(lines) == {"word " * 199 + "word"}


def test_text_that_is_not_html_is_its_text() -> None:
    assert page_text("just words, no tags") == "just words, no tags"
    assert page_text("") == ""
    assert page_text("\ufffd\x00 broken \udc80 bytes") != ""


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="<&\r\x00"), max_size=200))
def test_a_paragraphs_text_is_its_words_joined_by_single_spaces(text: str) -> None:
    readable = re.sub("[\ud800-\udfff]", "\ufffd", text)  # lone surrogates: replaced
    expected = " ".join(readable.translate(INVISIBLE).split())
    assert body(f"<p>{text}</p>") == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_input_gives_lines_without_blanks_or_trailing_spaces(html: str) -> None:
    text = page_text(html)
    for line in text.split("\n") if text else []:
        assert line.strip() and line == line.rstrip()  # a <pre> line may keep its indent


# -- real pages ----------------------------------------------------------------------------------


def corpus_pages() -> list[tuple[str, str]]:
    if not CORPUS.is_dir():
        pytest.skip(f"no real-page corpus at {CORPUS} (../shared beside the repository)")
    pages = [
        (path.name, gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        for path in sorted(CORPUS.glob("*.html.gz"))
    ]
    if not pages:
        pytest.skip(f"no *.html.gz pages in {CORPUS}")
    return pages


BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "br"}
BLOCK_TAGS |= {"table", "ul", "ol", "pre", "section", "article", "blockquote", "hr"}
UNREAD = {"head", "script", "style", "template", "noscript", "iframe", "object", "video"}
UNREAD |= {"audio", "canvas", "select", "textarea", "svg", "title", "desc", "embed"}


def hides(node: LexborNode) -> bool:
    attributes = node.attributes
    style = (attributes.get("style") or "").lower().replace(" ", "")
    return (
        node.tag in UNREAD
        or "hidden" in attributes
        or "display:none" in style
        or "visibility:hidden" in style
        or (node.tag == "dialog" and "open" not in attributes)
    )


def shown_alone(node: LexborNode) -> bool:
    """An independent reading of the rules: the element is visible, holds no block element
    (so its text is one line) and nothing hidden, and is not inside a hidden, preformatted or
    table-cell element."""
    for child in node.traverse():
        if child.mem_id != node.mem_id and (child.tag in BLOCK_TAGS or hides(child)):
            return False
    parent: LexborNode | None = node
    while parent is not None and parent.tag != "-document":
        if hides(parent) or parent.tag in {"pre", "td", "th"}:
            return False
        parent = parent.parent
    return True


def test_real_pages_put_every_paragraph_and_heading_on_a_line_of_its_own() -> None:
    checked = missing = 0
    examples = []
    for name, html in corpus_pages():
        lines = set(page_text(html).split("\n"))
        tree = LexborHTMLParser(html, scripting=True)
        for node in tree.css("p, h1, h2, h3, li"):
            words = " ".join(node.text().translate(INVISIBLE).split())
            if not words or not shown_alone(node):
                continue
            checked += 1
            if words not in lines:
                missing += 1
                examples.append((name, words[:80]))
    assert checked > 15_000
    assert missing <= checked // 1000, examples[:10]


def test_real_pages_leave_out_their_scripts_and_styles() -> None:
    for name, html in corpus_pages():
        text = page_text(html)
        tree = LexborHTMLParser(html, scripting=True)
        for node in tree.css("script, style"):
            code = " ".join(node.text().split())
            if len(code) >= 60 and "{" in code:
                assert code[:60] not in text, (name, code[:60])


def test_real_pages_give_text_with_a_selector_too() -> None:
    checked = missing = 0
    for name, html in corpus_pages():
        whole = page_text(html)
        assert whole, name
        assert page_text(html, "body") == whole, name
        assert page_text(html, "html") == whole, name
        try:
            paragraphs = page_text(html, "p")
        except SelectorMatchedNothing:
            continue
        # What a selector picks is what the page shows, in the same lines.
        lines = set(whole.split("\n"))
        for line in paragraphs.split("\n"):
            if line:
                checked += 1
                missing += line not in lines
    assert checked > 3000
    assert missing <= checked // 200
