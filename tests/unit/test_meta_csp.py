"""The policies of <meta http-equiv="Content-Security-Policy"> that browsers apply."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from desktop_tracker.kinds.headers.meta_csp import MAX_POLICIES, meta_policies
from desktop_tracker.kinds.headers.response_headers import MAX_VALUE_CHARS


def meta(content: str, equiv: str = "Content-Security-Policy") -> str:
    return f'<meta http-equiv="{equiv}" content="{content}">'


def test_the_policies_of_the_head_in_document_order():
    html = (
        "<!DOCTYPE html><html><head><meta charset=utf-8>"
        + meta("default-src 'self'")
        + "<title>t</title><link rel=stylesheet href=a.css>"
        + meta("script-src 'none'")
        + "</head><body><p>hi</p></body></html>"
    )
    assert meta_policies(html) == ["default-src 'self'", "script-src 'none'"]


@pytest.mark.parametrize(
    "equiv", ["content-security-policy", "CONTENT-SECURITY-POLICY", "Content-security-Policy"]
)
def test_http_equiv_is_matched_without_case(equiv):
    assert meta_policies(meta("a", equiv)) == ["a"]


@pytest.mark.parametrize(
    "equiv",
    [
        "Content-Security-Policy-Report-Only",  # not allowed in <meta>
        " Content-Security-Policy",
        "Content-Security-Policy ",
        "Content-Securıty-Policy",  # dotless i: no ASCII case match
        "refresh",
        "",
    ],
)
def test_other_http_equivs_are_not_policies(equiv):
    assert meta_policies(meta("a", equiv)) == []


@pytest.mark.parametrize(
    "html",
    [
        "<head></head><body>" + meta("a") + "</body>",
        "<p>text</p>" + meta("a"),  # the body began with the text
        "hello " + meta("a"),
        "&amp;" + meta("a"),
        "<head><template>" + meta("a") + "</template></head>",
        "<head><noscript>" + meta("a") + "</noscript></head>",
        "<head><title>" + meta("a") + "</title></head>",
        "<head><script>document.write('" + meta("a") + "')</script></head>",
        "<head><!-- " + meta("a") + " --></head>",
        "<head><style>/* " + meta("a") + " */</style></head>",
        "<svg>" + meta("a") + "</svg>",
        "<textarea>" + meta("a") + "</textarea>",
        "<head></head></html>" + meta("a"),
        "<head></head><br>" + meta("a"),
        "<div>" + meta("a"),
        "<frameset>" + meta("a"),
    ],
)
def test_policies_outside_the_head_are_ignored(html):
    assert meta_policies(html) == []


@pytest.mark.parametrize(
    "html",
    [
        meta("a"),  # the head is implied
        "\ufeff" + meta("a"),
        "<?xml version='1.0'?><!DOCTYPE html><!-- c --><html>" + meta("a"),
        "<head></head>" + meta("a"),  # after </head> but before the body: still the head's
        "<head></head>\n  " + meta("a") + "<body>",
        "<head><title>x</title></head></foo></>" + meta("a"),  # stray end tags are ignored
        "<head><script>var s = '</head><body>';</script>" + meta("a"),
        "<head><script>if (a<b) x = '<body>'</script >" + meta("a"),
        # An escaped script: the inner </script> does not end it.
        "<head><script><!--\ndocument.write('<script src=x></script>');\n//--></script>"
        + meta("a"),
        "<head><!-- <body> -->" + meta("a"),
        "<head><!---->" + meta("a"),
        "<head><!-->" + meta("a"),
        "<head><template><p>body-ish <b>markup</b></p></template>" + meta("a"),
        "<head><template><template></template><div></template>" + meta("a"),
        "<head><noscript><p>no script</p></noscript>" + meta("a"),
        "<head><style>p > a { color: red }</style>" + meta("a"),
        "<head><title>a <b> title</title>" + meta("a"),
        "<head><link rel=icon href=\"x>y\"><base href='/>'>" + meta("a"),
        "<head><meta name=x content='a>b'>" + meta("a"),
        "<html><head><head><html>" + meta("a"),
    ],
)
def test_policies_in_the_head_are_found_past_what_comes_before(html):
    assert meta_policies(html) == ["a"]


def test_content_is_decoded_stripped_and_empty_content_ignored():
    html = (
        meta("  default-src &quot;x&quot; 'self'  ")
        + '<meta http-equiv="Content-Security-Policy">'
        + meta("")
        + meta(" \t\n ")
        + meta("b")
    )
    assert meta_policies(html) == ["default-src \"x\" 'self'", "b"]


def test_attribute_order_and_duplicates_are_as_the_parser_reads_them():
    html = (
        "<meta content=first content=second http-equiv=content-security-policy>"
        "<meta http-equiv=refresh http-equiv=content-security-policy content=x>"
    )
    assert meta_policies(html) == ["first"]


def test_many_and_huge_policies_are_capped():
    html = "".join(meta(f"p{i}") for i in range(MAX_POLICIES + 10))
    assert len(meta_policies(html)) == MAX_POLICIES
    [policy] = meta_policies(meta("a" * (MAX_VALUE_CHARS + 100)))
    assert len(policy) == MAX_VALUE_CHARS


def test_a_runaway_body_is_never_parsed():
    html = "<head>" + meta("a") + "</head><body>" + "<div><b><i>" * 100_000
    started = time.perf_counter()
    assert meta_policies(html) == ["a"]
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "html",
    [
        "<head><template>" + "<div>" * 100_000 + "</template>" + meta("a"),
        "<head>" + ("<template>" + "<div><b><i>" * 2_000 + "</template>") * 30 + meta("a"),
        "<head>" + "<!-- c -->" * 20_000 + meta("a") + "<p>" + "x" * 2_000_000,
        "<head>" + "<script>1</script>" * 20_000 + meta("a") + "<p>" + "x" * 2_000_000,
    ],
)
def test_deeply_nested_templates_and_long_heads_stay_fast(html):
    started = time.perf_counter()
    assert meta_policies(html) == ["a"]
    assert time.perf_counter() - started < 2.0


def test_an_unclosed_template_hides_the_rest_of_the_page():
    assert meta_policies("<head><template>" + "<div>" * 100_000 + meta("a")) == []


def test_bad_input_gives_no_policies():
    assert meta_policies("") == []
    assert meta_policies("<") == []
    assert meta_policies("<head><script>" + meta("a")) == []  # an unclosed script
    assert meta_policies('<head><meta content="' + meta("a")) == []
    assert meta_policies(None) == []  # type: ignore[arg-type]


# The scan that finds where the body begins must never stop before a browser would: a policy
# in the head is then missed. Pages built of tricky pieces are checked against Lexbor's reading
# of the whole page.
PIECES = [
    meta("p"),
    "<META HTTP-EQUIV=content-security-policy CONTENT=q>",
    meta("r", "Content-Security-Policy-Report-Only"),
    '<meta http-equiv=content-security-policy content="a\'b>c">',
    "<meta http-equiv='content-security-policy' content = 'z>'>",
    "<head>",
    "</head>",
    "<head/>",
    "<html>",
    "</html>",
    "<body>",
    "</body>",
    "<br>",
    "</br>",
    "</foo>",
    "</>",
    "</ x>",
    "<!DOCTYPE html>",
    "<?xml x?>",
    "<!-- <body> -->",
    "<!-->",
    "<!--->",
    "<!--",
    "-->",
    "<title>t</title>",
    "<title>",
    "</title>",
    "<script>",
    "</script>",
    "<script><!--<script></script><body>--></script>",
    "<script>var a = '</head><body>';</script>",
    "<style>a>b{}</style>",
    "<style>",
    "</style>",
    "<noscript>",
    "</noscript>",
    "<noframes></noframes>",
    "<template>",
    "</template>",
    "<textarea>",
    "<xmp>",
    "<iframe>",
    "<plaintext>",
    '<link rel=a href="x>y">',
    "<base href=x>",
    "<meta charset=utf-8>",
    "<svg>",
    "<math>",
    "<p>",
    "<div>",
    "<img>",
    "<table>",
    "<select>",
    "<frameset>",
    " ",
    "\n",
    "x",
    "&amp;",
    "<",
    "<3",
    "\ufeff",
]


def lexbor_reading(html: str) -> list[str]:
    tree = LexborHTMLParser(html.removeprefix("\ufeff"), scripting=True)  # as browsers decode
    found = []
    for node in tree.css("head > meta"):
        equiv = (node.attributes.get("http-equiv") or "").lower()
        content = (node.attributes.get("content") or "").strip(" \t\n\f\r")
        if equiv == "content-security-policy" and content:
            found.append(content)
    return found


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16))
def test_the_head_is_read_as_lexbor_reads_the_whole_page(pieces):
    html = "".join(pieces)
    assert meta_policies(html) == lexbor_reading(html)
