"""Large feeds cut into smaller documents, so feedparser never holds them whole.

feedparser builds every entry of a document before handing any back: a
20,000-entry feed costs some 100 MiB of dictionaries at once. A large feed
that is well-formed XML is instead cut into slices that feedparser parses
one after the other: each slice is the document's head (everything before
the first entry: declaration, root and channel with their namespaces,
xml:base and language), a run of consecutive entries, and the document's
tail (from the entries' parent's end tag). Every entry lands in exactly one
slice, with the same ancestors, so it is read the same way.

Only ASCII-compatible documents are cut (UTF-16 and UTF-32 are not), and
only where expat, in one pass without building anything, finds the
document well-formed with all its entries under one parent; anything else
is parsed whole, as before.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterator

SLICE_BYTES = 1 << 20  # about 1 MiB of entries per slice
MIN_BYTES = 2 << 20  # smaller documents are parsed whole
_ENTRY_NAMES = frozenset({"item", "entry"})


def _entry_bounds(body: bytes) -> tuple[list[int], int] | None:
    """Byte offsets of the entries' start tags and of their parent's end tag, or None if not sliceable."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    path: list[str] = []
    starts: list[int] = []
    parent: list[str] | None = None  # the path of the first entry's parent
    parent_end: int | None = None
    entry_depth = 0  # inside an entry, its depth: entries nested in it are its content, not entries

    def start(name: str, _attributes: dict) -> None:
        nonlocal parent, entry_depth
        if not entry_depth and name.rsplit(" ", 1)[-1] in _ENTRY_NAMES:
            if parent is None:
                parent = list(path)
            elif path != parent:
                raise ValueError("entries under different parents")
            starts.append(parser.CurrentByteIndex)
            entry_depth = len(path) + 1
        path.append(name)

    def end(_name: str) -> None:
        nonlocal entry_depth, parent_end
        if len(path) == entry_depth:
            entry_depth = 0
        path.pop()
        if parent is not None and parent_end is None and len(path) == len(parent) - 1:
            parent_end = parser.CurrentByteIndex  # the parent's own end tag

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(body, True)
    except (xml.parsers.expat.ExpatError, ValueError):
        return None
    if not starts or parent_end is None or parent_end <= starts[-1]:
        return None
    return starts, parent_end


def _ascii_compatible(body: bytes) -> bool:
    return not body.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in body[:1024]


def slices(body: bytes, slice_bytes: int | None = None, min_bytes: int | None = None,
           ) -> tuple[int, Iterator[bytes]] | None:
    """How many entries the document has and the smaller documents holding them, or None to parse it whole."""
    if len(body) < (MIN_BYTES if min_bytes is None else min_bytes) or not _ascii_compatible(body):
        return None
    bounds = _entry_bounds(body)
    if bounds is None or len(bounds[0]) < 2:
        return None
    starts, parent_end = bounds
    return len(starts), _cut(body, starts, parent_end, SLICE_BYTES if slice_bytes is None else slice_bytes)


def _cut(body: bytes, starts: list[int], parent_end: int, slice_bytes: int) -> Iterator[bytes]:
    head, tail = body[:starts[0]], body[parent_end:]
    bounds = [*starts, parent_end]
    first = 0
    while first < len(starts):
        last = first + 1
        while last < len(starts) and bounds[last + 1] - bounds[first] <= slice_bytes:
            last += 1
        yield head + body[bounds[first]:bounds[last]] + tail
        first = last
