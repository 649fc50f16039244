"""What a refusal says to the person who met it, in their language.

Services raise a ServiceError (``advocacy/services/errors.py``) with an
``area``, a ``code`` and ``params``; ``content_feeds`` raises FeedError, whose
codes are also stored on a feed. This module is the one catalog of their
messages, keyed by area then code, and ``message_for(error)`` is the one way
blueprints word them. tests/test_messages.py reads the source to check
that every code a service raises has a message; a code that still slips
through fails loudly under tests, and in production shows a general
sentence, never the raw code.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from content_feeds import FeedError

from .models import Role
from .services.contents import Problem
from .services.errors import ServiceError
from .services.ingest import ALLOWED_NETWORKS_SETTING

MESSAGES: dict[str, dict[str, LazyString]] = {
    "api": {
        "bad_request": _l("The request could not be understood."),
        "bad_limit": _l("limit must be a whole number from 1 to %(max)s."),
        "bad_cursor": _l("This cursor was not made by this list: start again without one, then use next_cursor."),
        "bad_date": _l("start and end must be dates written YYYY-MM-DD, start before end, at most three years "
                       "apart."),
        "missing_token": _l("Send a token in the header Authorization: Bearer <token>."),
        "invalid_token": _l("This token is unknown, revoked or expired, or its owner may no longer use it."),
        "insufficient_scope": _l("This token does not give access to this: it lacks the scope %(scope)s."),
        "forbidden": _l("This token does not give access to this."),
        "not_an_active_member": _l("No suggestions for now: your mandate has ended or the charter awaits your "
                                   "acceptance. Renew it or accept it in Relais; your own data stays readable."),
        "not_found": _l("There is nothing at this address."),
        "method_not_allowed": _l("This API only reads: use GET."),
        "rate_limited": _l("Too many requests with this token. Wait a little, then try again."),
        "server_error": _l("An unexpected error occurred. It has been logged; please try again later."),
    },
    "api_tokens": {
        "name_required": _l("Give the token a name, so that you know later what it is for."),
        "name_too_long": _l("A name of at most %(max)s characters, please."),
        "scope_required": _l("Choose at least one scope."),
        "unknown_scope": _l("Choose scopes from the list."),
        "too_many": _l("You hold %(max)s tokens already: revoke one you no longer use first."),
        "not_admin": _l("Only administrators create staff tokens."),
        "not_ambassador": _l("Only ambassadors create a token for their own suggestions and data."),
    },
    "chat_webhooks": {
        "unknown_platform": _l("Choose the chat platform from the list."),
        "name_required": _l("Give the webhook a name, such as the channel it posts in."),
        "name_too_long": _l("A name of at most %(max)s characters, please."),
        "url_required": _l("Paste the webhook's address, as the chat platform gave it."),
        "url_too_long": _l("This address is longer than %(max)s characters: check what was pasted."),
        "not_a_url": _l("This is not a web address: paste the whole address the chat platform gave, starting "
                        "with https://."),
        "https_only": _l("Only addresses starting with https:// are accepted: the address is a secret and "
                         "must not travel in clear."),
        "host_not_found": _l("The server name %(host)s could not be found. Check the address for typos."),
        "private_address": _l("This address points to a private network, which Relais may not reach. Whoever "
                              "runs the server can allow a network in the FEED_ALLOWED_NETWORKS setting."),
        "too_many": _l("The program has %(max)s webhooks already: delete one first."),
    },
    "accounts": {
        "email_taken": _l("An account already exists for this e-mail address."),
        "already_registered": _l("An account already exists for this e-mail address. Sign in instead."),
        "last_admin": _l("The program needs at least one active administrator."),
        "cannot_deactivate_self": _l("You cannot deactivate your own account."),
        "invitation_unknown": _l("This invitation link is not valid. Check that you copied all of it, or ask for "
                                 "a new invitation."),
        "invitation_used": _l("This invitation has already been used. Sign in with the password you chose, or ask "
                              "for a new invitation."),
        "invitation_expired": _l("This invitation has expired. Ask the person who invited you for a new one."),
        "invitation_gone": _l("This invitation no longer exists."),
    },
    "demo_data": {
        "not_empty": _l("This database already holds ambassadors (%(ambassadors)s) or contents (%(contents)s): "
                        "generated data is only loaded into a program with neither (generated rows mixed "
                        "with real ones could never be told apart). Use a new database."),
        "bad_size": _l("Give at least one ambassador, one content and one day, and no negative number of shares."),
        "no_consent_text": _l("The consent text for %(purpose)s is missing: upgrade the database first."),
    },
    "sign_in_links": {
        "unknown": _l("This sign-in link is not valid. Check that you copied all of it, or ask for a new one."),
        "used": _l("This sign-in link has already been used: each link works once. Ask for a new one."),
        "expired": _l("This sign-in link has expired. Ask for a new one."),
    },
    "sso": {
        "no_attempt": _l("This sign-in attempt is not known here (it was already used, or started in another "
                         "browser). Start again from the sign-in page."),
        "bad_state": _l("This sign-in answer does not match the attempt started in this browser, so it was "
                        "refused. Start again from the sign-in page."),
        "expired": _l("This sign-in attempt took too long and has expired. Start again from the sign-in page."),
        "denied": _l("The sign-in was cancelled at your organisation's sign-in service. You are not signed in."),
        "provider_error": _l("Your organisation's sign-in service refused the request. Try again, or sign in "
                             "with your password."),
        "unreachable": _l("Your organisation's sign-in service cannot be reached just now. Try again later, or "
                          "sign in with your password."),
        "token_refused": _l("Your organisation's sign-in service did not confirm the sign-in. Start again from "
                            "the sign-in page."),
        "bad_token": _l("The answer of your organisation's sign-in service could not be verified, so it was "
                        "refused. Start again from the sign-in page."),
        "email_unverified": _l("Your organisation's sign-in service does not confirm that your e-mail address is "
                               "verified, so it cannot sign you in here. Sign in with your password."),
        "unknown_account": _l("No account here has the e-mail address of your organisation's account. Signing in "
                              "does not create an account: ambassadors join by invitation from the program team."),
        "inactive": _l("This account is deactivated. Ask the program team if you think this is a mistake."),
    },
    "ambassadors": {
        "invalid_instance": _l("Enter the name of your Mastodon server, e.g. mastodon.social."),
        "instance_required": _l("Say which Mastodon server you use."),
        "unknown_department": _l("Choose a department from the list."),
        "pause_in_past": _l("Choose a date from today on."),
        "renewal_not_open": _l("Renewal opens 30 days before your mandate ends."),
        "no_profile": _l("Accept the charter first: your ambassador profile starts with it."),
    },
    "calendar": {
        "ends_before_start": _l("The end comes before the start."),
    },
    "consent": {
        "outdated_charter": _l("The charter changed while you were reading it. Please read this version."),
        "outdated_text": _l("This text changed while you were reading it. Please read the new version."),
    },
    "contents": {
        # ContentInvalid, then the problems it carries, each shown beside its field.
        "invalid": _l("The content cannot be saved yet: see the notes beside the fields."),
        "already_approved": _l("This item was already approved."),
        "required": _l("This field is required."),
        "too_long": _l("At most %(maximum)s characters."),
        "not_a_web_url": _l("Enter a web address starting with http:// or https://."),
        "image_not_copied": _l("Relais could not copy this image: check that the address opens a JPEG, PNG, GIF "
                               "or WebP image of at most %(limit)s."),
        "expires_before_publish": _l("The expiry must come after the publication time."),
        "text_too_long": _l("Too long for %(network)s: %(length)s / %(limit)s."),
        "text_over_cap": _l("A text holds at most %(maximum)s characters; this one has %(length)s."),
        "too_many_texts": _l("At most %(maximum)s variants per network."),
        "too_many_highlights": _l("There are already %(maximum)s highlights at that time: %(titles)s. "
                                  "Remove one of those highlights or change the dates."),
    },
    "coverage": {
        "exists": _l("This department already exists."),
    },
    "digest": {
        "out_of_range": _l("Choose a day of the week and an hour from 0 to 23."),
    },
    "feedback": {
        "empty": _l("Write your message first."),
        "reply_required": _l("Write the answer or the reason for this decision: it is shown with it."),
    },
    "feeds": {
        "invalid_url": _l("Enter a web address starting with http:// or https://."),
        "duplicate": _l("This feed is already in the list."),
        "interval_too_short": _l("Feeds are checked at most every %(minimum)s minutes."),
    },
    "insights": {
        "invalid_date": _l("Enter dates as YYYY-MM-DD. Showing the last 12 weeks instead."),
        "start_after_end": _l("The start date is after the end date. Showing the last 12 weeks instead."),
        "too_long": _l("Choose a range of at most three years. Showing the last 12 weeks instead."),
    },
    "kit": {
        "invalid_slug": _l("Use lowercase letters, digits and dashes, such as “faq” or “key-contacts”."),
        "duplicate": _l("A page with this short name already exists in this language."),
    },
    "personal_data": {
        "wrong_password": _l("Wrong password."),
        "last_admin": _l("The program needs at least one active administrator."),
    },
    "sharing": {
        "unknown_network": _l("Relais cannot share to this network."),
        "no_instance": _l("Say which Mastodon server you use."),
        "not_shareable": _l("This post can no longer be shared."),
    },
    "surveys": {
        "invalid": _l("Some answers need another look: see the notes beside the questions."),
        "closed": _l("This survey is closed."),
        "already_answered": _l("You have already answered this survey."),
        "has_answers": _l("People have already answered: the questions can no longer change."),
        "needs_options": _l("Give at least two choices, one per line."),
        "closes_before_opens": _l("The survey must close after it opens."),
        "over": _l("The survey is over: its dates can no longer change, so it cannot be reopened."),
    },
    "survey_answers": {
        "required": _l("Please answer this question."),
        "invalid": _l("This answer is not one of the choices."),
        "too_long": _l("Please keep this answer under %(max)s characters."),
    },
    "taxonomy": {
        "topic_name_required": _l("Give the topic a name."),
        "topic_name_too_long": _l("At most %(maximum)s characters."),
        "topic_exists": _l("There is already a topic called “%(name)s”."),
    },
    "thanks": {
        "no_consent": _l("This person has not agreed to be thanked by name."),
    },
    # content_feeds' FeedError codes, live or stored on a feed (see feed_error_message).
    "content_feeds": {
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
        "image_error": _l("Relais could not use this image."),
        "not_an_image": _l("This address does not return an image Relais can read (JPEG, PNG, GIF or WebP)."),
        "too_many_pixels": _l("The image has more than %(max_pixels)s pixels."),
    },
}

# Parse errors come with an English detail (partly the XML parser's own
# words); when the library also says why or where, say it in the reader's
# language instead.
FEED_PARSE_REASONS = {
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

# What an administrator may change about a feed error: the setting that
# would allow it, named (an admin can pass it on to whoever runs the server).
FEED_ERROR_SETTINGS = {
    "blocked_address": _l("To fetch feeds from an intranet, whoever runs the server lists its network in the "
                          "%(setting)s setting (for instance 10.20.0.0/16)."),
}

# What a chat delivery or a test message met, beside the "chat_webhooks" codes an address
# may also meet when posting (host_not_found, private_address): stored on the delivery, never raised.
CHAT_DELIVERY_ERRORS = {
    "unreadable": _l("Its address can no longer be read: the server's secret key (SECRET_KEY) changed since "
                  "it was added. Delete it and add it again."),
    "no_base_url": _l("The link could not be made: whoever runs the server must set BASE_URL."),
    "http_status": _l("The chat platform refused the message (HTTP %(detail)s)."),
    "timeout": _l("The chat platform did not answer within %(detail)s seconds."),
    "unreachable": _l("Relais could not reach %(detail)s."),
}

FEED_DISABLED_REASONS = {
    "curator": _l("Switched off by a curator."),
    "errors": _l("Switched off after too many failed checks in a row."),
    "gone": _l("Switched off because the server says the feed is gone."),
}


class MissingMessage(LookupError):
    """A code with no message: a programming error, caught by the tests."""


def message_for(error: ServiceError | Problem | FeedError, **params: Any) -> str:
    """The sentence the reader sees for this refusal, parameters filled in.

    ``params`` adds what only the web layer can word, such as a network's
    label in the reader's language.
    """
    if isinstance(error, FeedError):
        return feed_error_message(error.code, error.params)
    try:
        template = MESSAGES[error.area][error.code]
    except KeyError:
        return _missing(error.area, error.code)
    return _fill(template, {**error.params, **params})


def _fill(template: LazyString, params: dict[str, Any]) -> str:
    # The same rule as gettext(string, **params): "%" is applied only when
    # there are parameters, so a message without any may contain a "%".
    text = str(template)
    return text % params if params else text


def _missing(area: str, code: str) -> str:
    if current_app.testing or current_app.debug:
        raise MissingMessage(f"no message for {area!r} code {code!r}: add one to advocacy/messages.py")
    current_app.logger.error("No message for %r code %r in advocacy/messages.py", area, code)
    return _("This could not be done. Please try again, or tell the team if it keeps happening.")


def feed_error_message(code: str | None, params: dict | None) -> str:
    """A feed error from its code and parameters, as stored on the feed.

    Stored codes may come from an older version of content_feeds, so an
    unknown one reads as the general "could not download" rather than failing.
    """
    if not code:
        return ""
    feed_messages = MESSAGES["content_feeds"]
    params = {key: _format(value) for key, value in (params or {}).items()}
    reason = params.get("reason") or ("line" if "line" in params else None)
    template = FEED_PARSE_REASONS.get((code, str(reason))) or feed_messages.get(code, feed_messages["fetch_error"])
    try:
        text = str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(feed_messages["fetch_error"])
    if code in FEED_ERROR_SETTINGS and _reader_is_admin():
        text += " " + str(FEED_ERROR_SETTINGS[code]) % {"setting": ALLOWED_NETWORKS_SETTING}
    return text


def chat_error_message(code: str | None, detail: str | None) -> str:
    """What a chat delivery or test message met, from the code and detail stored on it."""
    if not code:
        return ""
    template = CHAT_DELIVERY_ERRORS.get(code) or MESSAGES["chat_webhooks"].get(code)
    if template is None:
        return _("The message could not be posted.")
    return _fill(template, {"detail": detail or "", "host": detail or ""} if "%(" in str(template) else {})


def _reader_is_admin() -> bool:
    return has_request_context() and current_user.is_authenticated and current_user.role == Role.ADMIN


def _format(value):
    if isinstance(value, float):
        return f"{value:g}"
    return value


def feed_disabled_message(reason: str | None) -> str:
    """Why a feed is switched off, from the reason stored on it."""
    return str(FEED_DISABLED_REASONS.get(reason or "", _("Switched off.")))
