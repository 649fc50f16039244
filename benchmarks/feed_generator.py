"""Realistic feeds nobody here has seen, generated deterministically from a seed.

The shared corpus (../shared/feeds/) is what ingestion was tuned on; these
feeds have the shapes it has too little of: RSS 2.0, Atom and RDF from 10 to
20,000 entries, long HTML bodies with images, iframes, scripts and inline
styles, media:content, enclosures, categories, ISO-8859-1, windows-1252 and
UTF-16 (with BOM) documents, missing dates and GUIDs, entries repeated in
one feed, and relative links. The same seed always gives the same bytes.

    python benchmarks/feed_generator.py DIR [--seed 7] [--feeds 40]   # writes DIR/*.xml
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = tuple(" ".join((
    "coopérative bénévoles réseau énergie quartier atelier formation emploi solidarité",
    "membres assemblée projet rapport budget mobilité logement culture école jardin",
    "volunteers network energy neighbourhood workshop training jobs community report",
    "members meeting project budget transport housing culture school garden river",
    "naïve façade œuvre €uro “quoted” — dash café Zürich São Paulo déjà-vu",
)).split(" "))
FORMATS = ("rss", "atom", "rdf")
ENCODINGS = ("utf-8", "utf-8", "utf-8", "iso-8859-1", "windows-1252", "utf-16")
_EPOCH = datetime(2026, 11, 1, tzinfo=UTC)


class _Writer:
    """One feed's entries, drawn from ``rng``."""

    def __init__(self, rng: random.Random, site: str, body_chars: int):
        self.rng, self.site, self.body_chars = rng, site, body_chars
        self.with_body = 0.9 if body_chars else 0.0
        self.summary_words = (8, 30) if body_chars else (4, 16)  # summary-only feeds: an archive's teasers

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def body(self, number: int) -> str:
        """An article's HTML: paragraphs, links (some relative), images, and what a sanitiser must drop."""
        rng, parts, size = self.rng, [], 0
        target = max(80, int(rng.gauss(self.body_chars, self.body_chars / 3)))
        while size < target:
            roll = rng.random()
            if roll < 0.55:
                part = f"<p>{escape(self.words(10, 60))} <a href=\"/{number}/more-{size}\">{self.words(1, 3)}</a>.</p>"
            elif roll < 0.65:
                src = f"/img/{number}-{size}.jpg" if rng.random() < 0.5 else f"https://cdn.{self.site}/i/{number}.png"
                part = (f'<figure><img src="{src}" alt="{self.words(2, 5)}" width="640" height="360" '
                        f'onerror="track({number})" style="border:0">'
                        f"<figcaption>{self.words(3, 9)}</figcaption></figure>")
            elif roll < 0.70:
                part = f'<iframe src="https://video.example.net/embed/{number}" width="560" height="315"></iframe>'
            elif roll < 0.75:
                part = f"<script>window.analytics && analytics.track('{number}', {{size: {size}}});</script>"
            elif roll < 0.80:
                part = (f"<style>.post-{number} p {{ margin: 0 }}</style>"
                        f'<div class="post-{number}">{self.words(5, 20)}</div>')
            elif roll < 0.88:
                items = "".join(f"<li>{self.words(2, 8)}</li>" for _ in range(rng.randint(2, 6)))
                part = f"<ul>{items}</ul>"
            elif roll < 0.94:
                cells = "".join(f"<td>{rng.randint(1, 999)}</td>" for _ in range(4))
                part = f"<table><tr>{cells}</tr><tr>{cells}</tr></table>"
            else:
                part = f"<blockquote><p>{self.words(10, 30)}</p></blockquote><!-- ad slot {number} -->"
            parts.append(part)
            size += len(part)
        return "".join(parts)

    def entry(self, number: int, fmt: str) -> dict:
        rng = self.rng
        when = _EPOCH - timedelta(minutes=7 * number + rng.randint(0, 6))
        relative = rng.random() < 0.25
        link = f"/{when:%Y/%m}/post-{number}" if relative else f"https://{self.site}/{when:%Y/%m}/post-{number}?utm_source=rss"
        return {
            "title": self.words(3, 12).capitalize() + (" &amp; co" if rng.random() < 0.1 else ""),
            "link": link,
            "guid": None if rng.random() < 0.15 else f"tag:{self.site},2026:{number}",
            "date": None if rng.random() < 0.1 else when,
            "summary": escape(self.words(*self.summary_words)),
            "body": self.body(number) if rng.random() < self.with_body else "",
            "categories": [self.words(1, 2) for _ in range(rng.randint(0, 3))],
            "author": self.words(2, 2).title() if rng.random() < 0.7 else None,
            "media": f"https://cdn.{self.site}/m/{number}.jpg" if rng.random() < 0.4 else None,
            "enclosure": f"https://cdn.{self.site}/a/{number}.mp3" if fmt == "rss" and rng.random() < 0.2 else None,
        }


def _rss_item(e: dict) -> str:
    out = [f"<item><title>{e['title']}</title><link>{escape(e['link'])}</link>"]
    if e["guid"]:
        out.append(f'<guid isPermaLink="false">{e["guid"]}</guid>')
    if e["date"]:
        out.append(f"<pubDate>{e['date']:%a, %d %b %Y %H:%M:%S} +0000</pubDate>")
    out.append(f"<description>{e['summary']}</description>")
    if e["body"]:
        out.append(f"<content:encoded><![CDATA[{e['body']}]]></content:encoded>")
    out += [f"<category>{escape(c)}</category>" for c in e["categories"]]
    if e["author"]:
        out.append(f"<dc:creator>{escape(e['author'])}</dc:creator>")
    if e["media"]:
        out.append(f'<media:content url="{e["media"]}" medium="image" width="1200"/>')
    if e["enclosure"]:
        out.append(f'<enclosure url="{e["enclosure"]}" length="123456" type="audio/mpeg"/>')
    return "".join(out) + "</item>\n"


def _atom_entry(e: dict) -> str:
    out = [f"<entry><title type=\"html\">{e['title']}</title><link rel=\"alternate\" href=\"{escape(e['link'])}\"/>"]
    out.append(f"<id>{e['guid'] or 'urn:x-missing'}</id>" if e["guid"] else "")
    if e["date"]:
        out.append(f"<updated>{e['date']:%Y-%m-%dT%H:%M:%SZ}</updated>")
    out.append(f"<summary type=\"html\">{e['summary']}</summary>")
    if e["body"]:
        out.append(f"<content type=\"html\">{escape(e['body'])}</content>")
    out += [f'<category term="{escape(c)}"/>' for c in e["categories"]]
    if e["author"]:
        out.append(f"<author><name>{escape(e['author'])}</name></author>")
    if e["media"]:
        out.append(f'<media:content url="{e["media"]}" type="image/jpeg"/>')
    return "".join(out) + "</entry>\n"


def _rdf_item(e: dict, site: str) -> str:
    about = e["link"] if e["link"].startswith("http") else f"https://{site}{e['link']}"
    out = [f'<item rdf:about="{escape(about)}"><title>{e["title"]}</title><link>{escape(e["link"])}</link>']
    if e["date"]:
        out.append(f"<dc:date>{e['date']:%Y-%m-%dT%H:%M:%S+00:00}</dc:date>")
    out.append(f"<description>{e['summary']}</description>")
    if e["body"]:
        out.append(f"<content:encoded><![CDATA[{e['body']}]]></content:encoded>")
    out += [f"<dc:subject>{escape(c)}</dc:subject>" for c in e["categories"]]
    if e["author"]:
        out.append(f"<dc:creator>{escape(e['author'])}</dc:creator>")
    return "".join(out) + "</item>\n"


def feed_document(seed: int, entries: int, fmt: str, encoding: str = "utf-8", body_chars: int = 3000,
                  duplicates: float = 0.03) -> bytes:
    """One feed: ``entries`` items (some repeated), in ``fmt`` (rss, atom, rdf), encoded in ``encoding``."""
    rng = random.Random(f"{seed}:{entries}:{fmt}:{encoding}:{body_chars}")
    site = f"site{rng.randint(1, 10**6)}.example.org"
    writer = _Writer(rng, site, body_chars)
    made = [writer.entry(number, fmt) for number in range(entries)]
    for _ in range(int(entries * duplicates)):  # a CMS that lists one post twice
        made.insert(rng.randrange(len(made) + 1), dict(rng.choice(made)))
    title = escape(f"{writer.words(2, 4).title()} — news")
    declared = "utf-16" if encoding == "utf-16" else encoding
    head = f'<?xml version="1.0" encoding="{declared}"?>\n'
    if fmt == "rss":
        text = (head + '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">'
                f"<channel><title>{title}</title><link>https://{site}/</link><description>d</description>"
                "<language>fr-FR</language>" + "".join(_rss_item(e) for e in made) + "</channel></rss>\n")
    elif fmt == "atom":
        text = (head + '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" '
                f'xml:base="https://{site}/"><title>{title}</title><id>tag:{site},2026:feed</id>'
                f'<link rel="alternate" href="https://{site}/"/><updated>{_EPOCH:%Y-%m-%dT%H:%M:%SZ}</updated>'
                + "".join(_atom_entry(e) for e in made) + "</feed>\n")
    else:
        text = (head + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                f'<channel rdf:about="https://{site}/"><title>{title}</title><link>https://{site}/</link>'
                "<description>d</description></channel>" + "".join(_rdf_item(e, site) for e in made) + "</rdf:RDF>\n")
    if encoding == "utf-16":
        return text.encode("utf-16")  # Python writes the BOM
    return text.encode(encoding, errors="xmlcharrefreplace")


def corpus(seed: int, feeds: int) -> dict[str, bytes]:
    """``feeds`` documents of every format and encoding, sizes log-spread from 10 to 2,000 entries.

    Long bodies go with the smaller feeds and short ones with the larger, as
    publishers do, and every document stays under the default FEED_MAX_BYTES.
    """
    rng = random.Random(seed)
    documents = {}
    for number in range(feeds):
        entries = int(10 * 200 ** (number / max(1, feeds - 1)))  # 10 … 2,000
        body_chars = rng.choice((400, 1000, 2500, 6000)) if entries < 300 else rng.choice((0, 300, 700, 1200))
        fmt, encoding = FORMATS[number % 3], rng.choice(ENCODINGS)
        documents[f"gen-{number:02d}-{fmt}-{encoding}-{entries}.xml"] = feed_document(
            seed + number, entries, fmt, encoding, body_chars)
    return documents


def big_feed(seed: int, entries: int = 20_000) -> bytes:
    """One archive feed of ``entries`` items, summaries only (about 9 MiB, under FEED_MAX_BYTES)."""
    return feed_document(seed, entries, "rss", "utf-8", body_chars=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--big", type=int, default=0, help="write one feed of this many entries instead")
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    documents = {f"big-{args.big}.xml": big_feed(args.seed, args.big)} if args.big else corpus(args.seed, args.feeds)
    for name, body in documents.items():
        (args.directory / name).write_bytes(body)
    print(f"{len(documents)} feeds, {sum(map(len, documents.values())) / 2**20:.1f} MiB in {args.directory}")


if __name__ == "__main__":
    main()
