"""Find the links that X and Mastodon shorten to a fixed 23 characters.

Both networks decide what "is a link" with the twitter-text extraction rules,
so we reimplement those rules (not a general-purpose URL parser): a link is
counted only where X would turn it into a t.co link, and a string X leaves
alone must be counted character by character.

The rules, as published in twitter-text v3 and checked against its
conformance suite (``conformance/validate.yml``):

* a link starts at the beginning of the text or after a character that is not
  an ASCII letter or digit, nor ``@ ＠ $ # ＃``;
* an optional ``http://`` or ``https://``, then a host whose last label is a
  known top-level domain (see ``text_tlds.py``) or an ``xn--`` label, then an
  optional ``:port``, path and query; trailing punctuation is left out of the
  path and query, and parentheses only count when they are balanced;
* every host label must be 1-63 characters once punycode-encoded, and the
  whole link at most 4096 characters, otherwise it is plain text;
* without a protocol, only the ASCII part of the host counts as a link
  (``ünïcode.example.com`` links only ``example.com``...) and a link right
  after ``- _ . /`` is ignored; Mastodon does not link protocol-less hosts at
  all (``require_protocol``);
* ``t.co`` links stop after their slug and are ignored if the slug is longer
  than 40 characters.

Hosts are not matched by one expression (it backtracked over every label
count from every position: seconds for ``"x." * 5000``) but read from tables
built once per text (``_LabelChains``), so the time grows with the length of
the text only; ``benchmarks/text_rules.py`` times both and checks that they
find the same links.

The browser counter (``advocacy/static/js/text-counter.js``) builds the same
expressions and tables from the same pieces; keep the two files in step.
"""

from __future__ import annotations

from itertools import accumulate

import regex

from advocacy.services.text_tlds import TLDS

__all__ = ["find_urls"]

MAX_URL_LENGTH = 4096
MAX_LABEL_LENGTH = 63
MAX_TCO_SLUG_LENGTH = 40

# Character sets, written as they appear inside [...]. Only escapes that
# JavaScript's "u" mode also accepts are used, so the JS copy is identical.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$"
_SPACES = r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = r"\ufffe\ufeff\uffff"
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_LATIN_ACCENTS = (
    r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = r"\u0400-\u04ff"

# Any character that may appear in a host label (letters of any script,
# digits, emoji...): everything except punctuation, spaces and controls.
_D = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"


def _trie(words: list[str]) -> str:
    """An alternation of ``words`` written as a prefix tree.

    Matching a plain 1,500-way alternation costs 1,500 attempts at every
    position; the tree costs one per character. Optional branches are
    greedy, so longer names are tried first ("community" before "com"),
    as in twitter-text's longest-first list.
    """
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        branches = [char + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = "|".join(branches)
        if "" in node:
            return f"(?:{body})?"
        return body if len(branches) == 1 else f"(?:{body})"

    return emit(tree)


def _tld_alternation() -> str:
    # The look-ahead stops "example.comx" from linking "example.com".
    return f"(?:{_trie(sorted(TLDS))}(?=[^0-9a-zA-Z@+-]|$)|xn--[\\-0-9a-z]+)"


_TLD = _tld_alternation()

_FLAGS = regex.IGNORECASE | regex.VERSION0

# The host is found by _LabelChains below, not by an expression: written as
# one, "labels then a TLD" (at most 125 subdomains of at most 63 characters)
# is tried from every position and backtracks over every label count, so
# "x." * 5000 took two seconds. The expression it replaces, for the record:
#   SUBDOMAIN = {_D}(?:[_-]*{_D}){0,62}\.     (a middle label)
#   DOMAIN_NAME = {_D}(?:-*{_D}){0,62}\.      (the label before the TLD)
#   DOMAIN = SUBDOMAIN{0,125} DOMAIN_NAME TLD (longest first)
MAX_SUBDOMAINS = 125
_MAX_LABEL_CHARS = 63

_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&{_LATIN_ACCENTS}]"
_PATH_END = f"[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]"
# One level of nested, balanced parentheses: wiki/Foo_(bar) is fine.
_PARENS = f"\\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*)\\)"
_PATH = f"(?:(?:{_PATH_CHAR}|{_PARENS})*(?:{_PATH_END}|{_PARENS}))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_QUERY = f"{_QUERY_CHAR}*{_QUERY_END}"

# A link is: a preceding character (consumed, tried before the start of the
# text, exactly like twitter-text: in "ünïcode.com" the "ü" is taken as the
# preceding character and only "nïcode.com" is a link), an optional
# protocol, the host, then the tail (group 1: the path).
_BEFORE_RE = regex.compile(f"[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]", _FLAGS)
_PROTOCOL_RE = regex.compile(r"https?://", _FLAGS)
_TAIL_RE = regex.compile(f"(?::[0-9]+)?(/{_PATH}?)?(?:\\?{_QUERY})?", _FLAGS)
_DOT_TLD_RE = regex.compile(f"\\.({_TLD})", _FLAGS)  # a TLD never holds a dot: no overlaps
_HOST_CHARS_RE = regex.compile(f"{_D}+", _FLAGS)
_HOST_LABEL_CHARS_RE = regex.compile(f"(?:{_D}|[_-])+", _FLAGS)
_ASCII_LABEL_CHARS_RE = regex.compile(f"[\\-a-z0-9{_LATIN_ACCENTS}]+", _FLAGS)
_ASCII_HOST_RE = regex.compile(f"[.\\-a-z0-9{_LATIN_ACCENTS}]+", _FLAGS)
_TCO_RE = regex.compile(f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY})?", _FLAGS)


def tlds_after_dots(text: str) -> dict[int, int]:
    """Where a TLD ends, by the position of the dot before it."""
    return {m.start(): m.end() for m in _DOT_TLD_RE.finditer(text)}


class _LabelChains:
    """Where a host ending in a TLD starts and ends, in time linear in the text.

    A host is ``label. label. ... label. TLD``: ``c`` middle labels
    (``c <= max_middle``), one last label, then a TLD right after its dot.
    The expressions this replaces took the most middle labels they could,
    then gave them back one by one until a last label and a TLD followed;
    ``end_of_host`` gives that same answer (the longest host) from tables
    computed once per text, indexed by dot: label ``j`` is the one after
    the ``j``-th dot.

    ``chars`` finds the runs of characters labels are made of; ``middle``
    and ``last`` say whether the non-empty label ``text[start:end]``, which
    is followed by a dot, may be a middle label or the last one.
    """

    def __init__(self, text: str, chars: regex.Pattern, middle, last, max_middle: int | None,
                 tlds: dict[int, int] | None = None) -> None:
        self.text, self.middle, self.last, self.max_middle = text, middle, last, max_middle
        size = len(text)
        self.run_end = [0] * (size + 1)  # end of the run of label characters at each position
        self.runs_before_dots: list[tuple[int, int]] = []  # runs followed by a dot
        for run in chars.finditer(text):
            start, end = run.span()
            self.run_end[start:end] = [end] * (end - start)
            if end < size and text[end] == ".":
                self.runs_before_dots.append((start, end))
        self.dots = [i for i, char in enumerate(text) if char == "."]
        self.dot_index = {position: j for j, position in enumerate(self.dots)}
        count = len(self.dots)
        if tlds is None:
            tlds = tlds_after_dots(text)
        self.tld_end = [tlds.get(dot) for dot in self.dots]  # the TLD after dot j
        ends = [self._label_end(dot + 1) for dot in self.dots]
        # Label j is followed by a dot exactly when it ends where dot j + 1 is.
        followed = [j + 1 < count and self.dots[j] + 1 < ends[j] == self.dots[j + 1] for j in range(count)]
        self.middle_run = [0] * (count + 1)  # middle labels in a row from label j
        for j in range(count - 1, -1, -1):
            if followed[j] and middle(self.dots[j] + 1, ends[j]):
                self.middle_run[j] = self.middle_run[j + 1] + 1
        # The latest label up to j that may be last before a TLD (at tld_end[j + 1]).
        self.last_good = [-1] * count
        for j in range(count):
            good = followed[j] and self.tld_end[j + 1] is not None and last(self.dots[j] + 1, ends[j])
            self.last_good[j] = j if good else (self.last_good[j - 1] if j else -1)

    def _label_end(self, start: int) -> int:
        return self.run_end[start] if start < len(self.text) and self.run_end[start] > start else start

    def _best(self, first: int, middle_before: bool) -> int | None:
        """The host's end when the labels from ``first`` follow a first label
        that is (``middle_before``) or is not a possible middle label."""
        middles = 1 + self.middle_run[first] if middle_before else 0
        if self.max_middle is not None:
            middles = min(middles, self.max_middle)
        if middles:
            last = self.last_good[first + middles - 1]
            if last >= first:
                return self.tld_end[last + 1]
        return None

    def end_of_host(self, start: int) -> int | None:
        """The end of the longest host starting at ``start``, or None."""
        end = self._label_end(start)
        if end == start or end >= len(self.text) or self.text[end] != ".":
            return None
        first = self.dot_index[end]  # label `first` follows the first label
        found = self._best(first, self.middle(start, end))
        if found is None and self.last(start, end):
            found = self.tld_end[first]
        return found

    def possible_starts(self) -> list[tuple[int, int]]:
        """Ranges of positions where a host may start (a superset, to skip the rest)."""
        ranges = []
        for start, end in self.runs_before_dots:
            first = self.dot_index[end]
            if self.tld_end[first] is not None or self._best(first, True) is not None:
                ranges.append((start, end))
        return ranges


class _Hosts(_LabelChains):
    """Hosts as twitter-text reads them: labels of 1-63 host characters,
    joined inside by ``-`` or ``_`` (only ``-`` in the last label)."""

    def __init__(self, text: str, tlds: dict[int, int]) -> None:
        size = len(text)
        is_host_char = [False] * (size + 1)
        for run in _HOST_CHARS_RE.finditer(text):
            is_host_char[run.start():run.end()] = [True] * (run.end() - run.start())
        self.is_host_char = is_host_char
        self.host_chars = list(accumulate(is_host_char[:size], initial=0))  # host characters before i
        self.underscores = list(accumulate(map("_".__eq__, text), initial=0))
        super().__init__(text, _HOST_LABEL_CHARS_RE, self._middle, self._last, MAX_SUBDOMAINS, tlds)

    def _middle(self, start: int, end: int) -> bool:
        return (self.is_host_char[start] and self.is_host_char[end - 1]
                and 1 <= self.host_chars[end] - self.host_chars[start] <= _MAX_LABEL_CHARS)

    def _last(self, start: int, end: int) -> bool:
        return self.underscores[end] == self.underscores[start] and self._middle(start, end)


def _ascii_domains(host: str) -> list[tuple[int, int]]:
    """Spans of ``(?:[-a-z0-9 accents]+\\.)+TLD`` in ``host``, as finditer gives them."""
    if "." not in host:
        return []
    if _ASCII_HOST_RE.fullmatch(host):
        # The usual case: its labels are all ASCII ones, and the host ends
        # with the TLD found in the text, so the whole host is the one span.
        return [(0, len(host))]
    chains = _LabelChains(host, _ASCII_LABEL_CHARS_RE, lambda s, e: True, lambda s, e: True, None)
    spans = []
    position = 0
    while position < len(host):
        end = chains.end_of_host(position)
        if end is None:
            position += 1
        else:
            spans.append((position, end))
            position = end
    return spans


def _punycode_length(label: str) -> int:
    """Length of the label as it would be sent to DNS (RFC 3492)."""
    if label.isascii():
        return len(label)
    return len("xn--") + len(label.encode("punycode"))


def _is_valid(url: str, protocol: str | None, host: str) -> bool:
    encoded = 0
    for label in host.split("."):
        # Encoding never shortens a label: a long one is refused unencoded.
        size = len(label) if len(label) > MAX_LABEL_LENGTH else _punycode_length(label)
        if not 1 <= size <= MAX_LABEL_LENGTH:
            return False
        encoded += size + 1
    encoded -= 1
    if len(protocol or "https://") + len(url) - len(host) + encoded > MAX_URL_LENGTH:
        return False
    # An encoded host cannot also contain raw Unicode.
    return not (host[:4].lower() == "xn--" and not _ascii_domains(host))


def _link_at(text: str, position: int, hosts: _Hosts):
    """The link the expression ``(before|^)(protocol? host tail)`` finds when
    tried at ``position``: (before, start, protocol, host start, host end, end, path)."""
    tries = []
    before = _BEFORE_RE.match(text, position)
    if before:
        tries.append((before.group(), before.end()))
    if position == 0:
        tries.append(("", 0))
    for preceding, start in tries:
        protocol = _PROTOCOL_RE.match(text, start)
        host_start = protocol.end() if protocol else start
        host_end = hosts.end_of_host(host_start)
        if host_end is None and protocol:
            protocol, host_start = None, start
            host_end = hosts.end_of_host(start)
        if host_end is not None:
            tail = _TAIL_RE.match(text, host_end)
            return (preceding, start, protocol.group() if protocol else None, host_start, host_end,
                    tail.end(), tail.group(1))
    return None


def _next_tries(text: str, hosts: _Hosts) -> list[int]:
    """For each position, the first position from there where a link may
    start: in a run of labels that can lead to a TLD, or at a protocol."""
    size = len(text)
    may_start = [False] * (size + 2)
    may_start[0] = True  # the start of the text is tried with and without a preceding character
    for start, end in hosts.possible_starts():
        may_start[start:end] = [True] * (end - start)
    for protocol in _PROTOCOL_RE.finditer(text):
        may_start[protocol.start()] = True
    next_try = [size + 1] * (size + 2)
    for i in range(size, -1, -1):
        next_try[i] = i if may_start[i] else next_try[i + 1]
    return next_try


def find_urls(text: str, *, require_protocol: bool = False) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the links in ``text``, in order."""
    tlds = tlds_after_dots(text) if "." in text else {}
    if not tlds:
        return []  # every link has a dot then a TLD in its host
    hosts = _Hosts(text, tlds)
    next_try = _next_tries(text, hosts)
    spans: list[tuple[int, int]] = []
    position = 0
    while position <= len(text):
        # Tried at `position`, the expression looks for a host from the
        # next position (after a preceding character): skip to one before
        # the next place where a host may start.
        position = max(position, next_try[position + 1] - 1) if position else 0
        if position > len(text):
            break
        link = _link_at(text, position, hosts)
        if link is None:
            position += 1
            continue
        before, start, protocol, host_start, host_end, end, path = link
        position = end
        url, host = text[start:end], text[host_start:host_end]
        if not _is_valid(url, protocol, host):
            continue
        if protocol:
            tco = _TCO_RE.match(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()
            spans.append((start, end))
            continue
        if require_protocol or (before and before in "-_./"):
            continue
        # Without a protocol only the ASCII run(s) of the host are links;
        # the path, if any, belongs to the last of them.
        found = [(start + s, start + e) for s, e in _ascii_domains(host)]
        if found and path:
            found[-1] = (found[-1][0], end)
        spans.extend(found)
    return spans
