"""Shared pieces of the accessibility tests: which pages, axe-core in the browser, the Nu HTML Checker.

The pages come from ``app.url_map`` (every GET route, its URL parameters
filled from real rows by the staff walk's ``parameter_value``), so a page
added later is checked without anyone listing it here. Only HTML answers
are kept: exports, feeds and files have no markup to check.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from browser import AXE_SCRIPT, DESKTOP, PHONE, VNU_JAR
from test_staff_walk import NOT_WALKED, parameter_value

VIEWPORTS = {"1280×900": DESKTOP, "390×844": PHONE}


@dataclass
class Page:
    """One page as the server sent it: what axe visits and what the Nu checker reads."""

    name: str  # what a failure names: the URL, or the state it shows
    url: str
    html: str
    # A state reached by a POST (a form sent back with its errors, a flash
    # message): the browser is handed that very answer at its URL rather
    # than asking again, which would show the page in its first state.
    replay: bool = False


def html_pages(app, client, program) -> list[Page]:
    """Every GET route this client may open and that answers with an HTML page."""
    from flask import url_for

    with app.test_request_context():
        urls = sorted({url_for(rule.endpoint, **{name: parameter_value(app, program, rule.endpoint, name)
                                                  for name in rule.arguments})
                       for rule in app.url_map.iter_rules()
                       if "GET" in rule.methods and rule.endpoint not in NOT_WALKED})
    pages = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(Page(url, url, response.get_data(as_text=True)))
    return pages


def new_context(chromium, viewport: dict):
    """A browser context of this size; no service worker, so every visit reaches the server.

    The app's strict CSP refuses inline scripts, which is how axe is put
    into the page: only for axe, the context bypasses the CSP.
    """
    phone = viewport == PHONE
    return chromium.new_context(viewport=viewport, has_touch=phone, is_mobile=phone,
                                service_workers="block", bypass_csp=True)


def axe_violations(page) -> list[str]:
    """axe-core's default rules (WCAG 2.x A/AA and best practices) on the page as it is now."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    # resultTypes: details for the violations only, which halves axe's time on a page.
    results = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                            ".violations.map(v => "
                            "({id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))")
    return [f"{violation['id']} ({violation['help']}): {', '.join(violation['targets'][:6])}"
            for violation in results]


def answer_with(html: str):
    def answer(route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
    return answer


def audit_in_browser(chromium, base: str, session_cookie: str | None, pages: list[Page]) -> list[str]:
    """Visit each page at both sizes and list axe's violations as 'url at size: rule: targets'."""
    found = []
    for size, viewport in VIEWPORTS.items():
        context = new_context(chromium, viewport)
        if session_cookie:
            context.add_cookies([{"name": "session", "value": session_cookie, "url": base}])
        tab = context.new_page()
        for page in pages:
            if page.replay:
                tab.route(base + page.url, answer_with(page.html))
            tab.goto(base + page.url)
            if page.replay:
                tab.unroute(base + page.url)
            landed = tab.evaluate("location.pathname")
            if landed != page.url:  # the browser must check the page itself, not where it was sent
                found.append(f"{page.name} at {size}: the browser was sent to {landed}")
                continue
            found += [f"{page.name} at {size}: {violation}" for violation in axe_violations(tab)]
        context.close()
    return found


def vnu_errors(pages: list[Page]) -> list[str]:
    """The Nu HTML Checker's errors (not its warnings) on the HTML the server sent, in one Java run."""
    if not pages:
        return []
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for index, page in enumerate(pages):
            path = Path(folder) / f"page-{index}.html"
            path.write_text(page.html, encoding="utf-8")
            names[str(path)] = page.name
        run = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *sorted(names)],
                             capture_output=True, text=True, check=False)
    messages = json.loads(run.stdout)["messages"]
    # Files it could not read are "non-document-error"s: they fail too, not pass unread.
    return [f"{names.get(message.get('url', '').removeprefix('file:'), message.get('url'))} "
            f"line {message.get('lastLine')}: "
            f"{message['message']} «{message.get('extract', '').strip()}»"
            for message in messages if message["type"] in ("error", "non-document-error")]
