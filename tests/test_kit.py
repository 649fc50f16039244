"""The ambassador kit over HTTP: Markdown made safe, languages, revisions, who may edit."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from advocacy.db import get_session
from advocacy.models import KitPage, KitRevision, Role
from advocacy.services import markdown
from program_helpers import switch_to

PAGE = {"title": "Our mission", "slug": "mission", "language": "fr", "section": "mission",
        "position": "1", "body": "Nous **partageons** ce qui compte.\n\n- un\n- deux"}


def create_page(client, **changes):
    return client.post("/kit/new", data={**PAGE, **changes})


XSS = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript&#58;alert(1))",
    "![x](x\" onerror=\"alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str):
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


@pytest.mark.parametrize("source", XSS)
def test_markdown_xss_never_survives(source):
    for tag, attrs in tags_of(markdown.render(source)):
        assert tag in markdown.ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert urlsplit(attrs[name].strip()).scheme in ("http", "https", "mailto", ""), attrs


def test_markdown_keeps_what_curators_need():
    own = "/img/" + "ab" * 32 + ".webp"
    html = markdown.render(f"## Title\n\n**bold** [site](https://example.org) ![logo]({own})\n\n"
                           "| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Title</h2>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in html
    assert f'<img src="{own}" alt="logo">' in html and "<table>" in html


def test_markdown_images_come_from_relais_only():
    """An image on another host would have every reader's browser call it: its source is dropped."""
    html = markdown.render("![our logo](https://tracker.example/a.png) ![b](//tracker.example/b.png)")
    assert "tracker.example" not in html and "<img" not in html and "our logo" in html


def test_dangerous_tags_are_escaped_not_executed_on_the_page(client, auth):
    auth.login_as(Role.CURATOR)
    create_page(client, body="<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))")
    html = client.get("/kit/mission").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_curator_writes_and_ambassador_reads(client, auth):
    auth.login_as(Role.CURATOR)
    assert create_page(client).status_code == 302
    create_page(client, title="FAQ", slug="faq", section="faq", body="Q?")
    ambassador = auth.create_user(Role.AMBASSADOR, language="fr")
    switch_to(auth, ambassador)
    index = client.get("/kit/").get_data(as_text=True)
    assert index.index("Our mission") < index.index("FAQ")
    page = client.get("/kit/mission").get_data(as_text=True)
    assert "<strong>partageons</strong>" in page and "<li>deux</li>" in page


def test_pages_are_ordered_by_section_then_position(client, auth, app):
    auth.login_as(Role.CURATOR)
    create_page(client, title="Second", slug="second", position="2")
    create_page(client, title="First", slug="first", position="1")
    create_page(client, title="Contacts", slug="contacts", section="contacts", position="0")
    html = client.get("/kit/").get_data(as_text=True)
    assert html.index(">First</a>") < html.index(">Second</a>") < html.index(">Contacts</a>")


def test_readers_get_their_language_or_the_other(client, auth):
    auth.login_as(Role.CURATOR)
    create_page(client)  # French only
    english_reader = auth.create_user(Role.AMBASSADOR, email="en@example.org", language="en")
    switch_to(auth, english_reader)
    html = client.get("/kit/mission").get_data(as_text=True)
    assert "partageons" in html and "not translated yet" in html
    curator = auth.create_user(Role.CURATOR, email="c2@example.org")
    switch_to(auth, curator)
    create_page(client, language="en", title="Our mission (en)", body="We **share** what matters.")
    switch_to(auth, english_reader)
    html = client.get("/kit/mission").get_data(as_text=True)
    assert "We <strong>share</strong>" in html and "not translated yet" not in html
    assert client.get("/kit/").get_data(as_text=True).count("/kit/mission") == 1


def test_every_save_keeps_a_revision_with_who_and_the_previous_text(client, auth, app):
    curator = auth.login_as(Role.CURATOR, name="Camille Curator")
    create_page(client)
    with app.app_context():
        page_id = get_session().query(KitPage).one().id
    response = client.post(f"/kit/pages/{page_id}/edit", data={**PAGE, "body": "Nouveau texte"})
    assert response.status_code == 302
    # Saving without a change adds no revision.
    client.post(f"/kit/pages/{page_id}/edit", data={**PAGE, "body": "Nouveau texte"})
    with app.app_context():
        revisions = get_session().query(KitRevision).order_by(KitRevision.id).all()
        assert [r.body for r in revisions] == [PAGE["body"], "Nouveau texte"]
        assert {r.editor_id for r in revisions} == {curator.id}
    history = client.get(f"/kit/pages/{page_id}/history").get_data(as_text=True)
    assert "Camille Curator" in history and "Nous **partageons**" in history and "Nouveau texte" in history


def test_invalid_page_keeps_what_was_typed(client, auth):
    auth.login_as(Role.CURATOR)
    response = create_page(client, slug="Not a slug!", body="My long text")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "My long text" in html and "Not a slug!" in html and 'class="error"' in html
    create_page(client)
    duplicate = create_page(client, body="Other text")
    assert duplicate.status_code == 400 and "Other text" in duplicate.get_data(as_text=True)


@pytest.mark.parametrize("method,path", [
    ("get", "/kit/new"), ("post", "/kit/new"), ("get", "/kit/manage"),
    ("get", "/kit/pages/1/edit"), ("post", "/kit/pages/1/edit"),
    ("get", "/kit/pages/1/history"), ("post", "/kit/pages/1/delete"),
])
def test_ambassadors_cannot_edit_the_kit(client, auth, method, path):
    auth.login_as(Role.CURATOR)
    create_page(client)
    switch_to(auth, auth.create_user(Role.AMBASSADOR))
    assert getattr(client, method)(path, data=PAGE).status_code == 403


def test_kit_needs_sign_in(client):
    assert client.get("/kit/").status_code == 302


def test_reserved_slugs_are_refused(client, auth):
    auth.login_as(Role.CURATOR)
    assert create_page(client, slug="manage").status_code == 400
