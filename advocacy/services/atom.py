"""Writing Atom 1.0 (RFC 4287) documents: the feeds people follow in their own reader.

Valid by construction rather than by care at each call: every element the
RFC requires is a required field here (feed id, title, updated, author and
its self link; each entry's id, title, updated and link), times are written
as RFC 3339 in UTC, text goes through ElementTree (escaped once for XML; an
entry's HTML is a string, so a reader gets it back exactly as written and
never as markup of the feed), and characters XML 1.0 cannot carry are
dropped, so a strict parser never refuses the document.

Ids are ``tag:`` URIs (RFC 4151) built from what does not change: the site's
host, the day the thing was created and its key, so an entry keeps its id
across requests, edits and reorderings, and two Relais sites never share one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from xml.etree import ElementTree

NAMESPACE = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
# XML 1.0's Char production: no C0 controls but tab, LF and CR, no surrogates, no U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The day in the ids of things that have no creation day of their own (a site-wide feed),
# and the ``updated`` of a feed with no entry yet: fixed, so that they never change.
FIRST_DAY = date(2026, 1, 1)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# RFC 4151's taggingEntity: a DNS name, then a date; anything else in a host is left out.
_NOT_DNS = re.compile(r"[^a-z0-9.-]")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str  # rel="alternate": where the entry is read (for Relais, the share panel)
    html: str = ""  # the entry's content, an HTML fragment (escaped in the XML)
    published: datetime | None = None


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: datetime
    self_link: str  # the feed's own address, as readers subscribe to it
    author: str
    language: str
    alternate_link: str | None = None  # the page the feed mirrors
    subtitle: str = ""
    entries: list[Entry] = field(default_factory=list)


def tag_uri(host: str, day: date, specific: str) -> str:
    """``tag:host,YYYY-MM-DD:specific``: the host named by ``day``, then a key of our own."""
    authority = _NOT_DNS.sub("", (host or "").lower().split(":")[0]) or "relais.invalid"
    return f"tag:{authority},{day.isoformat()}:{specific}"


def rfc3339(moment: datetime) -> str:
    """A UTC time as RFC 3339 (``2026-12-05T17:00:00Z``), to the second."""
    if moment.tzinfo is None:
        raise ValueError("an Atom time must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _child(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        element.text = xml_text(text)
    return element


def render(feed: Feed) -> bytes:
    """The feed as a UTF-8 Atom document."""
    root = ElementTree.Element(f"{{{NAMESPACE}}}feed", {XML_LANG: feed.language})
    _child(root, "id", feed.id)
    _child(root, "title", feed.title, type="text")
    if feed.subtitle:
        _child(root, "subtitle", feed.subtitle, type="text")
    _child(root, "updated", rfc3339(feed.updated))
    author = _child(root, "author")
    _child(author, "name", feed.author)
    _child(root, "link", rel="self", type=MEDIA_TYPE, href=xml_text(feed.self_link))
    if feed.alternate_link:
        _child(root, "link", rel="alternate", type="text/html", href=xml_text(feed.alternate_link))
    _child(root, "generator", "Relais")
    for entry in feed.entries:
        element = _child(root, "entry")
        _child(element, "id", entry.id)
        _child(element, "title", entry.title, type="text")
        _child(element, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            _child(element, "published", rfc3339(entry.published))
        _child(element, "link", rel="alternate", type="text/html", href=xml_text(entry.link))
        if entry.html:
            _child(element, "content", entry.html, type="html")
    ElementTree.register_namespace("", NAMESPACE)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def newest(moments: list[datetime], otherwise: datetime) -> datetime:
    """A feed's ``updated``: its newest entry's, so that nothing but a change moves it."""
    return max(moments, default=otherwise)
