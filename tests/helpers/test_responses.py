"""What a non-OAuth body says, in one line: problem details, other JSON, HTML pages, text; never a secret."""

from __future__ import annotations

import httpx

from helpers.responses import DETAIL_LENGTH, body_detail

SECRET = "at_Zx81kQ2mN4pL7vR0tY6wE3"


def test_problem_details_give_title_and_detail():
    problem = {"type": "https://example.com/probs/rate", "title": "Too Many Requests", "detail": "retry in 30 s"}
    response = httpx.Response(429, json=problem, headers={"content-type": "application/problem+json"})
    assert body_detail(response) == "Too Many Requests: retry in 30 s"


def test_an_html_page_gives_its_title_and_text_without_scripts():
    page = (
        "<html><head><title>502 Bad Gateway</title><style>h1{color:red}</style></head>"
        "<body><h1>502 Bad Gateway</h1><script>track()</script><p>nginx</p></body></html>"
    )
    assert body_detail(httpx.Response(502, html=page)) == "502 Bad Gateway: nginx"


def test_plain_text_long_text_and_an_empty_body():
    assert body_detail(httpx.Response(500, text="upstream\n  timed out")) == "upstream timed out"
    long = body_detail(httpx.Response(500, text="x" * 1000))
    assert long is not None and len(long) == DETAIL_LENGTH and long.endswith("…")
    assert body_detail(httpx.Response(500)) is None


def test_a_secret_in_the_body_is_redacted():
    said = body_detail(httpx.Response(400, json={"message": f"bad token {SECRET}"}), (SECRET,))
    assert said is not None and SECRET not in said and said.startswith("bad token …")
