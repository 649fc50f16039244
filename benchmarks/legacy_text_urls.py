"""The link finder as it was before it was made linear (kept for benchmarks/text_rules.py only).

Its host expression tries up to 125 subdomains from every position and
backtracks over each count: about two seconds for "x." * 5000. The app uses
advocacy/services/text_urls.py, which must find exactly the same links.
"""

from __future__ import annotations

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

# Labels are written so that each string has one way to match, and bounded
# by DNS itself (63 characters a label, 127 labels a host): a longer label is
# never a valid link anyway, and without the bounds a long run of CJK text or
# of "a.a.a." costs time quadratic in its length (seconds for a few thousand
# characters) because every character is a possible start.
_SUBDOMAIN = f"(?:{_D}(?:[_-]*{_D}){{0,62}}\\.)"
_DOMAIN_NAME = f"(?:{_D}(?:-*{_D}){{0,62}}\\.)"
_DOMAIN = f"(?:{_SUBDOMAIN}{{0,125}}{_DOMAIN_NAME}{_TLD})"

_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&{_LATIN_ACCENTS}]"
_PATH_END = f"[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]"
# One level of nested, balanced parentheses: wiki/Foo_(bar) is fine.
_PARENS = f"\\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*)\\)"
_PATH = f"(?:(?:{_PATH_CHAR}|{_PARENS})*(?:{_PATH_END}|{_PARENS}))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_QUERY = f"{_QUERY_CHAR}*{_QUERY_END}"

# Groups: 1 preceding character, 2 link, 3 protocol, 4 host, 5 path.
# The preceding character is consumed (not a look-behind) and tried before
# the start of the text, exactly like twitter-text: in "ünïcode.com" the "ü"
# is taken as the preceding character and only "nïcode.com" is a link.
_URL_SOURCE = (
    f"([^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|^)"
    f"((https?://)?({_DOMAIN})(?::[0-9]+)?(/{_PATH}?)?(?:\\?{_QUERY})?)"
)
_ASCII_DOMAIN_SOURCE = f"(?:[\\-a-z0-9{_LATIN_ACCENTS}]+\\.)+{_TLD}"
_TCO_SOURCE = f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY})?"

URL_RE = regex.compile(_URL_SOURCE, regex.IGNORECASE | regex.VERSION0)
_ASCII_DOMAIN_RE = regex.compile(_ASCII_DOMAIN_SOURCE, regex.IGNORECASE | regex.VERSION0)
_TCO_RE = regex.compile(_TCO_SOURCE, regex.IGNORECASE | regex.VERSION0)


def _punycode_length(label: str) -> int:
    """Length of the label as it would be sent to DNS (RFC 3492)."""
    if label.isascii():
        return len(label)
    return len("xn--") + len(label.encode("punycode"))


def _is_valid(url: str, protocol: str, host: str) -> bool:
    if host[:4].lower() == "xn--" and not _ASCII_DOMAIN_RE.search(host):
        return False  # an encoded host cannot also contain raw Unicode
    encoded = 0
    for label in host.split("."):
        size = _punycode_length(label)
        if not 1 <= size <= MAX_LABEL_LENGTH:
            return False
        encoded += size + 1
    encoded -= 1
    return len(protocol or "https://") + len(url) - len(host) + encoded <= MAX_URL_LENGTH


def find_urls(text: str, *, require_protocol: bool = False) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the links in ``text``, in order."""
    if "." not in text:
        return []  # every link has a dot in its host: skip the big expression
    spans: list[tuple[int, int]] = []
    for match in URL_RE.finditer(text):
        before, url, protocol, host, path = match.group(1, 2, 3, 4, 5)
        start, end = match.start(2), match.end(2)
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
        found = [
            (start + m.start(), start + m.end()) for m in _ASCII_DOMAIN_RE.finditer(host)
        ]
        if found and path:
            found[-1] = (found[-1][0], end)
        spans.extend(found)
    return spans
