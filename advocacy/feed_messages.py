"""Feed errors in the reader's language, from the code and parameters stored on a feed."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "fetch_error": _l("Relais could not download the feed."),
    "invalid_url": _l("Relais can only fetch web addresses starting with http:// or https://."),
    "blocked_address": _l("This address points to a private network, which Relais may not fetch."),
    "dns": _l("The server name %(host)s could not be found. Check the address for typos."),
    "connect": _l("Relais could not connect to the server %(host)s. It may be down or refusing connections."),
    "tls": _l("The secure connection to %(host)s failed: its certificate could not be verified."),
    "protocol": _l("The server %(host)s sent a broken or incomplete answer."),
    "timeout": _l("The server took longer than %(seconds)s seconds to answer."),
    "too_large": _l("The feed is larger than %(limit)s."),
    "redirects": _l("The address redirects more than %(max_redirects)s times; Relais gave up following it."),
    "redirect_loop": _l("The address redirects in a loop and never reaches a feed."),
    "http_status": _l("The server answered with an error (HTTP %(status)s)."),
    "not_found": _l("The server says there is no feed at this address (HTTP %(status)s)."),
    "gone": _l("The server says this feed is gone (HTTP %(status)s)."),
    "access_denied": _l("The server refuses to give Relais this feed (HTTP %(status)s)."),
    "rate_limited": _l("The server asks Relais to slow down (HTTP %(status)s); it will try again later."),
    "server_error": _l("The server had an internal problem (HTTP %(status)s); Relais will try again later."),
    "invalid_xml": _l("The feed is not valid XML: %(detail)s."),
    "no_usable_entries": _l("The feed has entries, but none of them has a title, a text or a link that Relais "
                            "can use."),
    "not_a_feed": _l("This address returns a web page, not a feed."),
    "unknown_format": _l("This address does not return an RSS or Atom feed that Relais understands."),
    "invalid_opml": _l("The OPML file could not be read: %(detail)s."),
}

# Parse errors come with an English detail (partly the XML parser's own
# words); when the library also says why or where, say it in the reader's
# language instead.
PARSE_REASONS = {
    ("invalid_xml", "empty"): _l("The server sent an empty document instead of a feed."),
    ("invalid_xml", "line"): _l("The feed is not valid XML: the error is on line %(line)s."),
    ("invalid_opml", "dtd"): _l("The OPML file could not be read: it contains a DTD, which Relais refuses "
                                "for safety."),
    ("invalid_opml", "entities"): _l("The OPML file could not be read: it uses XML entities, which Relais "
                                     "refuses for safety."),
    ("invalid_opml", "not_xml"): _l("The OPML file could not be read: it is not valid XML (the error is on "
                                    "line %(line)s)."),
    ("invalid_opml", "not_opml"): _l("The OPML file could not be read: it is not an OPML document."),
    ("invalid_opml", "no_body"): _l("The OPML file could not be read: it has no <body> element."),
    ("invalid_opml", "too_large"): _l("The OPML file is larger than %(limit)s."),
}

DISABLED_REASONS = {
    "curator": _l("Switched off by a curator."),
    "errors": _l("Switched off after too many failed checks in a row."),
    "gone": _l("Switched off because the server says the feed is gone."),
}


def feed_error_message(code: str | None, params: dict | None) -> str:
    if not code:
        return ""
    params = {key: _format(value) for key, value in (params or {}).items()}
    reason = params.get("reason") or ("line" if "line" in params else None)
    template = PARSE_REASONS.get((code, reason)) or MESSAGES.get(code, MESSAGES["fetch_error"])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES["fetch_error"])


def _format(value):
    if isinstance(value, float):
        return f"{value:g}"
    return value


def disabled_reason(reason: str | None) -> str:
    return str(DISABLED_REASONS.get(reason or "", _("Switched off.")))
