"""Share texts at the networks' limits, checked by the service (the authority)
and shown beside the box by the editor."""

import pytest

from advocacy.models import utcnow
from advocacy.services import contents
from curation_helpers import curator, editor_form, needs, store  # noqa: F401

URL = "https://example.org/a/very/long/path/that/is/much/longer/than/twenty-three/characters"


def problems_for(app, network: str, text: str) -> list[contents.Problem]:
    from advocacy.db import get_session

    draft = contents.ContentDraft(title="T", target_url="https://example.org/", publish_at=utcnow(),
                                  texts={network: ["", text]})
    with app.app_context():
        return [p for p in contents.check(get_session(), draft, utcnow()) if p.field == "texts"]


@pytest.mark.parametrize("network,text,ok", [
    # X: weighted. Latin letters weigh 1, CJK 2, each emoji 2, each link 23.
    ("x", "a" * 279, True),
    ("x", "a" * 280, True),
    ("x", "a" * 281, False),
    ("x", "漢" * 140, True),
    ("x", "漢" * 139 + "abc", False),  # 278 + 3 = 281
    ("x", "😀" * 140, True),
    ("x", "👩‍👩‍👧‍👦" * 140, True),  # one ZWJ family counts 2, not 7 code points
    ("x", "😀" * 140 + "a", False),
    ("x", f"{URL} {URL} " + "a" * 232, True),  # 23 + 1 + 23 + 1 + 232 = 280
    ("x", f"{URL} {URL} " + "a" * 233, False),
    # Bluesky: 300 grapheme clusters; "e" + combining acute is one.
    ("bluesky", "e\u0301" * 300, True),
    ("bluesky", "e\u0301" * 301, False),
    ("bluesky", "🇫🇷" * 300, True),
    ("bluesky", "a" * 301, False),
    # Mastodon: 500, any link 23.
    ("mastodon", f"{URL} " + "a" * 476, True),
    ("mastodon", f"{URL} " + "a" * 477, False),
    # LinkedIn: 3,000 characters.
    ("linkedin", "a" * 3000, True),
    ("linkedin", "a" * 3001, False),
])
def test_text_limits_at_their_boundaries(app, network, text, ok):
    found = problems_for(app, network, text)
    assert (found == []) is ok, found
    if not ok:
        assert found[0].network == network and found[0].index == 1  # the box that was typed in


def test_too_long_bluesky_text_is_refused_by_the_server_with_its_count(client, curator):
    response = client.post("/curation/contents/new", data=editor_form(**{"texts_bluesky-0": "e\u0301" * 301}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Too long for Bluesky: 301 / 300." in html
    assert 'id="texts_bluesky-0-error"' in html


def test_text_at_the_limit_is_accepted_over_http(client, curator):
    response = client.post("/curation/contents/new", data=editor_form(**{"texts_x-0": "漢" * 140}))
    assert response.status_code == 302


def test_blank_boxes_are_ignored_and_variants_keep_their_order(app):
    draft = contents.ContentDraft(texts={"x": ["", "  first ", "", "second"], "email": ["   "]})
    assert draft.clean_texts()["x"] == ["first", "second"]
    assert draft.clean_texts()["email"] == []
