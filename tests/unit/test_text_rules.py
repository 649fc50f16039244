"""Share-text length rules (advocacy.services.text_rules).

The cases in text_rules_cases.json are also run against the browser counter
(tests/js/text_counter.test.mjs), which proves the two agree.
"""

import json
from pathlib import Path

import pytest

from advocacy.services.networks import NETWORKS
from advocacy.services.text_rules import TextMeasure, limit_for, measure
from advocacy.services.text_urls import find_urls

CASES = json.loads((Path(__file__).with_name("text_rules_cases.json")).read_text("utf-8"))["cases"]


def expand(text):
    return text if isinstance(text, str) else "".join(piece * count for piece, count in text)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['network']}: {c['note']}" for c in CASES])
def test_shared_case(case):
    assert measure(case["network"], expand(case["text"])).length == case["length"]


@pytest.mark.parametrize(
    ("network", "limit"),
    [("x", 280), ("bluesky", 300), ("mastodon", 500), ("linkedin", 3000), ("whatsapp", 4096), ("email", None)],
)
def test_limits(network, limit):
    assert limit_for(network) == limit
    assert measure(network, "hi").limit == limit


def test_every_network_has_a_limit_entry():
    assert NETWORKS == ("x", "bluesky", "mastodon", "linkedin", "whatsapp", "email")
    for network in NETWORKS:
        limit_for(network)


@pytest.mark.parametrize(("count", "ok", "remaining"), [(279, True, 1), (280, True, 0), (281, False, -1)])
def test_x_boundaries(count, ok, remaining):
    result = measure("x", "a" * count)
    assert (result.length, result.ok, result.remaining) == (count, ok, remaining)


def test_x_weighted_boundary_with_cjk():
    assert measure("x", "の" * 140).ok
    over = measure("x", "の" * 140 + "a")
    assert (over.length, over.ok) == (281, False)


@pytest.mark.parametrize(
    "emoji",
    ["😀", "👨‍👩‍👧‍👦", "👍🏿", "🇯🇵", "🏳️‍🌈", "🧑🏽‍🤝‍🧑🏿", "#️⃣"],
    ids=["single", "zwj-family", "skin-tone", "flag", "zwj-presentation", "zwj-skin-tones", "keycap"],
)
def test_x_emoji_weigh_two(emoji):
    assert measure("x", emoji).length == 2
    assert measure("x", f"a{emoji}b").length == 4


def test_x_cjk_weighs_two():
    assert measure("x", "日本語").length == 6
    assert measure("x", "한국어").length == 6


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "https://example.com",
        "HTTPS://WWW.EXAMPLE.COM/Index.html",
        "https://example.com/" + "long/" * 40 + "?q=1&r=2#frag",
        "example.com",
        "www.example.org/path",
        "http://x.co",
    ],
)
def test_x_every_url_counts_23(url):
    assert measure("x", url).length == 23
    assert measure("x", f"see {url} now").length == 4 + 23 + 4


def test_x_several_urls():
    text = "one https://a.example.com/x two http://b.example.org three example.net"
    assert measure("x", text).length == len("one ") + 23 + len(" two ") + 23 + len(" three ") + 23


def test_x_trailing_punctuation_is_not_part_of_the_link():
    assert find_urls("Go to https://example.com/page. Then") == [(6, 30)]
    assert measure("x", "Go to https://example.com/page.").length == 6 + 23 + 1


def test_x_not_links():
    for text in ("ftp://example.com/", "example.notatld", "1.5 litres", "version 2.0.1", "@example.com"):
        assert measure("x", text).length == len(text), text


@pytest.mark.parametrize(("count", "ok"), [(300, True), (301, False)])
def test_bluesky_combining_characters(count, ok):
    text = "e\u0301" * count
    result = measure("bluesky", text)
    assert len(text) == 2 * count
    assert (result.length, result.ok) == (count, ok)


def test_bluesky_emoji_are_one_grapheme_each():
    assert measure("bluesky", "🇫🇷👨‍👩‍👧‍👦👍🏽").length == 3


@pytest.mark.parametrize(("count", "ok"), [(500, True), (501, False)])
def test_mastodon_boundary(count, ok):
    result = measure("mastodon", "a" * count)
    assert (result.length, result.ok) == (count, ok)


def test_mastodon_urls_and_mentions():
    url = "https://example.com/" + "x" * 100
    assert measure("mastodon", f"{url} {url}").length == 23 + 1 + 23
    assert measure("mastodon", "bare example.com").length == len("bare example.com")
    assert measure("mastodon", "@alice@example.social hi").length == len("@alice hi")
    text = "a" * 477 + " " + url  # 477 + 1 + 23 = 501
    assert (measure("mastodon", text).length, measure("mastodon", text).ok) == (501, False)


@pytest.mark.parametrize(("count", "ok"), [(3000, True), (3001, False)])
def test_linkedin_boundary(count, ok):
    assert measure("linkedin", "a" * count).ok is ok


def test_email_has_no_limit():
    result = measure("email", "a" * 100_000)
    assert (result.limit, result.ok, result.remaining) == (None, True, None)


def test_whatsapp_limit():
    assert measure("whatsapp", "a" * 4096).ok
    assert not measure("whatsapp", "a" * 4097).ok


@pytest.mark.parametrize("network", ["twitter", "X", "", "facebook"])
def test_unknown_network_raises(network):
    with pytest.raises(ValueError):
        measure(network, "hi")
    with pytest.raises(ValueError):
        limit_for(network)


def test_text_measure_is_frozen_value():
    result = measure("x", "hello")
    assert result == TextMeasure(network="x", length=5, limit=280)
    with pytest.raises(AttributeError):
        result.length = 3  # type: ignore[misc]


def test_none_text_counts_as_empty():
    assert measure("x", None).length == 0  # type: ignore[arg-type]


# Inputs that once cost the link finder seconds: its expression tried up to
# 125 labels from every position ("x." * 5000 took two). It now reads each
# character a bounded number of times; these run on 50 KB (times are in
# benchmarks/text_rules.py, not here). The links expected are those the old
# expression found.
@pytest.mark.parametrize(("text", "links"), [
    ("x." * 25_000, []),
    ("a.b." * 12_500, []),
    ("." * 50_000, []),
    ("日本." * 16_666, []),
    ("xn--a." * 8_333, [(0, 761)]),  # 127 labels again
    ("a." * 25_000 + "com", []),  # the host would start after a dot: not a link
    ("http://" * 7_142, []),
    ("com." * 12_500, [(0, 507)]),  # 127 labels, then the next host starts after a dot
    ("a.com " * 8_333, [(6 * n, 6 * n + 5) for n in range(8_333)]),
    ("https://t.co/abc " * 3_000, [(17 * n, 17 * n + 16) for n in range(3_000)]),
    ("http://a." * 5_000 + "com", [(44_991, 45_003)]),
    ("see http://a.com/" + "(" * 25_000 + ")" * 25_000, [(4, 17)]),
])
def test_the_link_finder_reads_50_kb_of_hostile_input(text, links):
    assert find_urls(text) == links
    assert measure("x", text).length >= 0 and measure("mastodon", text).length >= 0
