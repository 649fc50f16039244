"""Markdown written by curators, turned into HTML that is safe to show.

Two layers, because either alone has failed somewhere before: markdown-it
renders with raw HTML switched off (so ``<script>`` arrives as text) and
refuses javascript:/data: links; nh3 then keeps only the tags, attributes
and URL schemes listed here, whatever the renderer produced.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
# Images only from Relais' own copies (services/images.py): an image from
# anywhere else would make every reader's browser call that host.
OWN_IMAGES = "/img/"


def _image_or_its_text(renderer, tokens, idx, options, env) -> str:
    """An image from elsewhere is written as its description instead."""
    token = tokens[idx]
    if not str(token.attrGet("src") or "").startswith(OWN_IMAGES):
        return escapeHtml(token.content)
    return renderer.image(tokens, idx, options, env)


def _own_images_only(element: str, attribute: str, value: str) -> str | None:
    # Second layer, whatever the renderer produced.
    if element == "img" and attribute == "src" and not value.startswith(OWN_IMAGES):
        return None
    return value


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])
    parser.add_render_rule("image", _image_or_its_text)
    return parser


def render(source: str) -> str:
    """HTML for a Markdown text, sanitised on an explicit allow-list."""
    html = _parser().render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        # Links leave the site without telling it where they came from.
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_own_images_only,
    )
