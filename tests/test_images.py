"""Images are Relais' own: copied at ingest through the guarded fetcher, re-encoded
without metadata, served from /img/, and no page points a browser at another host.

Images are drawn by Pillow in the tests (no binary fixtures) and served by the
local HTTP server, allowed through FEED_ALLOWED_NETWORKS.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image, ImageCms
from sqlalchemy import select

import content_feeds
from advocacy import feed_settings
from advocacy.db import get_engine, get_session
from advocacy.models import Content, Feed, FeedItem, Role, StoredImage, utcnow
from advocacy.services import ingest, sample_feeds
from curation_helpers import editor_form
from test_kit import create_page
from test_personal_feed import publish, world  # noqa: F401

IMAGE_CAP = 300_000
GPS = {1: "N", 2: (45.0, 11.0, 30.0), 3: "E", 4: (5.0, 43.0, 10.0)}  # a place, in EXIF's GPS IFD


@pytest.fixture
def app_config():
    return {"FEED_ALLOWED_NETWORKS": "127.0.0.0/8", "FEED_IMAGE_MAX_BYTES": IMAGE_CAP}


def photo(width=1600, height=900, fmt="JPEG", mode="RGB", metadata=True) -> bytes:
    """A picture as a phone would send it: EXIF with a GPS position and the maker, an ICC profile."""
    image = Image.new(mode, (width, height), 128 if mode in ("L", "1") else (200, 120, 40))
    out = io.BytesIO()
    if metadata:
        exif = Image.Exif()
        exif[0x010F] = "SpyPhoneMaker"  # Make
        exif[0x8825] = GPS  # GPSInfo
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        image.save(out, fmt, exif=exif.tobytes(), icc_profile=icc)
    else:
        image.save(out, fmt)
    return out.getvalue()


def rss(*images: str) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>https://example.org/news/{n}</link><guid>img-{n}</guid>"
        f"<pubDate>Mon, 0{n + 1} Dec 2025 09:00:00 GMT</pubDate><description>Text {n}</description>"
        f'<enclosure url="{url}" length="1" type="image/jpeg"/></item>'
        for n, url in enumerate(images)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Pictures</title>'
            f"<link>https://example.org/</link>{items}</channel></rss>").encode()


def refresh(app, url: str) -> list[ingest.Report]:
    with app.app_context():
        session = get_session()
        feed = session.scalar(select(Feed).where(Feed.url == url))
        if feed is None:
            feed = Feed(url=url)
            session.add(feed)
            session.commit()
        return ingest.refresh_feeds(session, [ingest.FeedRequest.of(feed)], feed_settings.current())


def items_by_title(app) -> dict[str, FeedItem]:
    with app.app_context():
        session = get_session()
        items = {item.title: item for item in session.scalars(select(FeedItem))}
        session.expunge_all()
        return items


def test_reencoding_keeps_pixels_only_resized():
    original = photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS position is really there
    clean = content_feeds.reencode(original, content_feeds.ImageLimits(max_width=1200))
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "WEBP" and (image.width, image.height) == (1200, 675) == (clean.width, clean.height)
    assert len(image.getexif()) == 0 and not ({"exif", "icc_profile", "xmp"} & set(image.info))
    assert b"SpyPhoneMaker" not in clean.data and b"Exif" not in clean.data and b"ICC_PROFILE" not in clean.data
    assert content_feeds.reencode(clean.data, content_feeds.ImageLimits()).sha256 == \
        content_feeds.reencode(clean.data, content_feeds.ImageLimits()).sha256  # same bytes, same key


def test_the_exif_rotation_is_applied_before_exif_goes():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: shown turned a quarter clockwise
    out = io.BytesIO()
    Image.new("RGB", (400, 200), (10, 20, 30)).save(out, "JPEG", exif=exif.tobytes())
    image = Image.open(io.BytesIO(content_feeds.reencode(out.getvalue(), content_feeds.ImageLimits()).data))
    assert image.size == (200, 400) and len(image.getexif()) == 0


def test_transparent_images_stay_transparent_and_small_ones_keep_their_size():
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(out, "PNG")
    image = Image.open(io.BytesIO(content_feeds.reencode(out.getvalue(), content_feeds.ImageLimits()).data))
    assert image.mode == "RGBA" and image.size == (300, 200)


def test_a_feed_s_images_are_copied_and_bad_ones_are_left_out(app, client, feed_server):
    with app.app_context():
        pool = get_engine().pool
    seen_connections: list[int] = []

    def good(request):
        seen_connections.append(pool.checkedout())
        body = photo()
        request.send_response(200)
        request.send_header("Content-Type", "image/jpeg")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    urls = {
        "good": feed_server.route("/pics/good.jpg", good),
        "too large": feed_server.static("/pics/large.jpg", b"\xff" * (IMAGE_CAP + 1), content_type="image/jpeg"),
        # A small file that declares 21 million pixels: refused before any is decoded.
        "too many pixels": feed_server.static("/pics/bomb.png", photo(5000, 4200, "PNG", "1", metadata=False),
                                              content_type="image/png"),
        "not an image": feed_server.static("/pics/page.jpg", b"<html>hello</html>", content_type="text/html"),
        "lies about its type": feed_server.static("/pics/fake.jpg", b"GIF89a not really", content_type="image/gif"),
        "missing": feed_server.url("/pics/missing.jpg"),
    }
    feed_url = feed_server.static("/pics/feed.xml", rss(*urls.values()))
    [report] = refresh(app, feed_url)
    assert report.error is None and report.new_items == len(urls)

    items = items_by_title(app)
    by_kind = {kind: items[f"Item {n}"] for n, kind in enumerate(urls)}
    assert all(item.image_checked_at is not None for item in items.values())
    assert [kind for kind, item in by_kind.items() if item.image_sha256] == ["good"]
    assert seen_connections == [0]  # no database connection waited on the image's server
    with app.app_context():
        feed = get_session().scalar(select(Feed).where(Feed.url == feed_url))
        assert feed.consecutive_errors == 0 and feed.last_error_code is None

    response = client.get(f"/img/{by_kind['good'].image_sha256}.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"] and "Set-Cookie" not in response.headers
    served = Image.open(io.BytesIO(response.data))
    assert served.width == 1200 and len(served.getexif()) == 0 and b"SpyPhoneMaker" not in response.data
    assert client.get(f"/img/{by_kind['good'].image_sha256}.webp",
                      headers={"If-None-Match": f'"{by_kind["good"].image_sha256}"'}).status_code == 304

    # Refreshing again fetches none of them a second time: failures included.
    before = {path: len(feed_server.requests_for(path)) for path in ("/pics/good.jpg", "/pics/missing.jpg")}
    refresh(app, feed_url)
    assert {path: len(feed_server.requests_for(path)) for path in before} == before


def test_unknown_or_malformed_image_names_are_not_found(client):
    for name in ("0" * 64 + ".webp", "0" * 64 + ".png", "../etc/passwd", "A" * 64 + ".webp"):
        assert client.get(f"/img/{name}").status_code == 404


def test_copies_are_bounded_per_refresh_and_catch_up_newest_first(app, feed_server):
    urls = [feed_server.static(f"/bounded/{n}.jpg", photo(40, 30), content_type="image/jpeg") for n in range(3)]
    feed_url = feed_server.static("/bounded/feed.xml", rss(*urls))
    with app.app_context():
        settings = feed_settings.current()
        app.extensions[feed_settings.EXTENSION_KEY] = ingest.FeedSettings(
            fetch=settings.fetch, images=ingest.ImageSettings(fetch=settings.images.fetch, per_refresh=2))
        # Content made from the oldest item before its image was copied (an older Relais): it gets the copy too.
        session = get_session()
        session.add(Content(slug="older", title="Older", target_url="https://example.org/o", image_url=urls[0]))
        session.commit()
    refresh(app, feed_url)
    copied = {title for title, item in items_by_title(app).items() if item.image_sha256}
    assert copied == {"Item 2", "Item 1"}  # the newest two
    refresh(app, feed_url)
    items = items_by_title(app)
    assert all(item.image_sha256 for item in items.values())
    with app.app_context():
        older = get_session().scalar(select(Content).where(Content.slug == "older"))
        assert older.image_sha256 == items["Item 0"].image_sha256


def test_a_changed_image_address_is_copied_again(app, feed_server):
    first = feed_server.static("/changed/a.jpg", photo(40, 30), content_type="image/jpeg")
    second = feed_server.static("/changed/b.png", photo(50, 30, "PNG"), content_type="image/png")
    feed_url = feed_server.static("/changed/feed.xml", rss(first))
    refresh(app, feed_url)
    before = items_by_title(app)["Item 0"].image_sha256
    feed_server.static("/changed/feed.xml", rss(second))
    refresh(app, feed_url)
    item = items_by_title(app)["Item 0"]
    assert item.image_url == second and item.image_sha256 not in (None, before)


def test_demo_images_are_copied_offline(app):
    url = sample_feeds.sample_feeds()[0][0]
    refresh(app, url)
    items = [item for item in items_by_title(app).values() if item.image_url]
    assert items and all(item.image_url.startswith("https://demo.relais.invalid/images/") for item in items)
    assert all(item.image_sha256 for item in items)
    with app.app_context():
        assert get_session().scalar(select(StoredImage.media_type).limit(1)) == "image/webp"


# --- the editor ------------------------------------------------------------------

def test_the_editor_copies_a_typed_image_on_save(app, client, auth, feed_server):
    auth.login_as(Role.CURATOR)
    url = feed_server.static("/editor/typed.jpg", photo(800, 600), content_type="image/jpeg")
    response = client.post("/curation/contents/new", data=editor_form(image_url=url))
    assert response.status_code == 302
    with app.app_context():
        content = get_session().scalar(select(Content))
        assert content.image_url == url and content.image_sha256
        sha256 = content.image_sha256
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'src="/img/{sha256}.webp"' in page and url not in image_sources(page)
    # Saving again with the same address fetches nothing.
    client.post(response.headers["Location"], data=editor_form(image_url=url, title="Renamed"))
    assert len(feed_server.requests_for("/editor/typed.jpg")) == 1


def test_an_image_that_cannot_be_copied_is_refused_with_what_was_typed_kept(app, client, auth, feed_server):
    auth.login_as(Role.CURATOR, language="en")
    url = feed_server.url("/editor/nothing-here.jpg")
    response = client.post("/curation/contents/new", data=editor_form(image_url=url, title="Kept title"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Relais could not copy this image" in page
    assert f'value="{url}"' in page and 'value="Kept title"' in page
    both = client.post("/curation/contents/new", data={**editor_form(image_url=url), "texts_x-0": "x" * 400})
    assert "Relais could not copy this image" in both.get_data(as_text=True)
    assert "Too long for X" in both.get_data(as_text=True)  # the service's own checks too, at once
    with app.app_context():
        assert get_session().scalar(select(Content)) is None


# --- pages -------------------------------------------------------------------------

class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def image_sources(page: str) -> list[str]:
    parser = Images()
    parser.feed(page)
    return parser.sources


def test_no_page_shows_an_image_from_another_host(app, client, auth, world):
    needs, _topics = world
    with_image = publish(app, "With picture", needs=[needs["career"]])
    publish(app, "Without picture", needs=[needs["career"]])
    # A content stored before images were copied: its address only, never shown.
    old_external = publish(app, "Old external", needs=[needs["career"]])
    clean = content_feeds.reencode(photo(400, 300), content_feeds.ImageLimits())
    external = "https://publisher.example/tracked.jpg"
    with app.app_context():
        session = get_session()
        session.add(StoredImage(sha256=clean.sha256, media_type=clean.media_type, width=clean.width,
                                height=clean.height, data=clean.data))
        content = session.get(Content, with_image)
        content.image_url, content.image_sha256 = external, clean.sha256
        session.get(Content, old_external).image_url = external
        feed = Feed(url="https://publisher.example/feed.xml")
        session.add(feed)
        session.flush()
        session.add(FeedItem(feed_id=feed.id, dedupe_key="x", title="Queued", link="https://publisher.example/1",
                             published_at=utcnow(), updated_at=utcnow(), image_url=external,
                             summary_html=f'<p><img src="{external}" alt="inline"> Text</p>'))
        session.commit()
        item_id = session.scalar(select(FeedItem.id))

    auth.login_as(Role.AMBASSADOR, language="en")
    home = client.get("/")
    assert "img-src 'self';" in home.headers["Content-Security-Policy"]
    pages = {"home": home.get_data(as_text=True)}
    auth.logout()
    auth.login_as(Role.CURATOR, language="en")
    assert create_page(client, language="en", body=f"![tracker]({external})").status_code == 302
    for name, path in {"queue": "/curation/queue", "approve": f"/curation/queue/{item_id}/approve",
                       "edit": f"/curation/contents/{with_image}", "contents": "/curation/contents",
                       "kit": "/kit/mission"}.items():
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, name
        pages[name] = response.get_data(as_text=True)
    for name, page in pages.items():
        sources = image_sources(page)
        assert all(src.startswith("/") and not src.startswith("//") for src in sources), (name, sources)
        assert "publisher.example/tracked.jpg\"" not in re.sub(r'value="[^"]*"', "", page), name
    assert image_sources(pages["home"]) == [f"/img/{clean.sha256}.webp"]
    assert f"/img/{clean.sha256}.webp" in image_sources(pages["edit"])
    # Signed in, an image is still the same for everyone: cached, not no-store like the pages.
    picture = client.get(f"/img/{clean.sha256}.webp")
    assert "immutable" in picture.headers["Cache-Control"] and "no-store" not in picture.headers["Cache-Control"]


def test_a_card_without_image_has_no_image_column(app, client, auth, world):
    needs, _topics = world
    content_id = publish(app, "Plain card", needs=[needs["career"]])
    with app.app_context():
        get_session().get(Content, content_id).image_url = "https://publisher.example/gone.jpg"  # never copied
        get_session().commit()
    auth.login_as(Role.AMBASSADOR, language="en")
    page = client.get("/").get_data(as_text=True)
    card = re.search(rf'<li class="card suggestion" id="content-{content_id}">(.*?)</li>', page, re.S)
    assert card is not None and "<img" not in card.group(1) and 'class="thumb"' not in card.group(1)
