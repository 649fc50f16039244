"""Read and write OPML subscription lists (the format feed readers export).

Reading uses defusedxml with DTDs, entities and external references all
forbidden: an uploaded OPML file is untrusted, and the classic XML attacks
(XXE file disclosure, "billion laughs" expansion) all need a DTD.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import defusedxml
import defusedxml.ElementTree as SafeET

from .errors import OpmlError


@dataclass(frozen=True)
class OpmlOutline:
    """One <outline>: a feed when ``xml_url`` is set, else a folder."""

    title: str
    xml_url: str | None = None
    html_url: str | None = None
    children: tuple[OpmlOutline, ...] = ()

    @property
    def is_feed(self) -> bool:
        return self.xml_url is not None


def _attr(element: ET.Element, name: str) -> str | None:
    # Exporters disagree on case (xmlUrl, xmlURL, xmlurl): match loosely.
    wanted = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == wanted:
            value = value.strip()
            return value or None
    return None


def _outline(element: ET.Element) -> OpmlOutline:
    xml_url = _attr(element, "xmlUrl")
    title = _attr(element, "title") or _attr(element, "text") or xml_url or ""
    children = tuple(_outline(child) for child in element if child.tag == "outline")
    return OpmlOutline(title=title, xml_url=xml_url, html_url=_attr(element, "htmlUrl"), children=children)


def parse_opml(data: bytes | str) -> list[OpmlOutline]:
    """The top-level outlines of an OPML document, nesting kept."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise OpmlError(detail="it contains a DTD, which Relais refuses for safety", reason="dtd") from exc
    except defusedxml.DefusedXmlException as exc:
        raise OpmlError(detail="it uses XML entities, which Relais refuses for safety", reason="entities") from exc
    except ET.ParseError as exc:
        raise OpmlError(detail=f"it is not valid XML ({exc})", reason="not_xml", line=exc.position[0]) from exc
    if root.tag != "opml":
        raise OpmlError(detail="it is not an OPML document", reason="not_opml")
    body = root.find("body")
    if body is None:
        raise OpmlError(detail="it has no <body> element", reason="no_body")
    return [_outline(child) for child in body if child.tag == "outline"]


def iter_feeds(
    outlines: Iterable[OpmlOutline], path: tuple[str, ...] = ()
) -> Iterator[tuple[OpmlOutline, tuple[str, ...]]]:
    """Every feed outline, depth first, with the titles of its folders."""
    for outline in outlines:
        if outline.is_feed:
            yield outline, path
        if outline.children:
            yield from iter_feeds(outline.children, (*path, outline.title) if not outline.is_feed else path)


def _element(outline: OpmlOutline) -> ET.Element:
    attrib = {"text": outline.title}
    if outline.is_feed:
        attrib.update({"type": "rss", "title": outline.title, "xmlUrl": outline.xml_url or ""})
    if outline.html_url:
        attrib["htmlUrl"] = outline.html_url
    element = ET.Element("outline", attrib)
    element.extend(_element(child) for child in outline.children)
    return element


def write_opml(
    outlines: Sequence[OpmlOutline],
    *,
    title: str = "Relais feeds",
    created: datetime | None = None,
) -> bytes:
    """An OPML 2.0 document (UTF-8 bytes) listing ``outlines``."""
    created = created or datetime.now(UTC)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created.astimezone(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    body.extend(_element(outline) for outline in outlines)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
