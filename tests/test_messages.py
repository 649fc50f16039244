"""Every refusal a service can raise has a message, in both languages.

The scan reads the source (nothing is run): each ``SomeError("code", ...)``
written under advocacy/, each fixed code in a ServiceError subclass's own
``__init__``, and each content ``Problem(field, "code")`` must have an entry
in advocacy/messages.py, so a new code cannot reach a page as a bare code.
"""

from __future__ import annotations

import ast
import importlib
import logging
import pkgutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import advocacy.services
from advocacy.messages import MESSAGES, MissingMessage, feed_error_message, message_for
from advocacy.services.contents import Problem
from advocacy.services.errors import ServiceError

ADVOCACY = Path(advocacy.services.__file__).resolve().parent.parent


def service_errors() -> dict[str, type[ServiceError]]:
    """Every ServiceError subclass, by name, once every service module is imported."""
    for module in pkgutil.iter_modules(advocacy.services.__path__):
        importlib.import_module(f"advocacy.services.{module.name}")
    found: dict[str, type[ServiceError]] = {}
    pending = list(ServiceError.__subclasses__())
    while pending:
        cls = pending.pop()
        assert cls.__name__ not in found, f"two service errors named {cls.__name__}: the scan matches by name"
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


@dataclass(frozen=True)
class Found:
    area: str
    code: str | None  # None: the code is not written as a literal, so it cannot be checked
    where: str


def _literal_codes(node: ast.expr) -> list[str] | None:
    """'code' → ['code']; 'a' if x else 'b' → ['a', 'b']; anything else → None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literal_codes(node.body), _literal_codes(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")


def _code_argument(call: ast.Call, position: int) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "code"), None)


def codes_in(source: str, filename: str, errors: dict[str, type[ServiceError]]) -> list[Found]:
    found: list[Found] = []

    def record(area: str, argument: ast.expr | None, call: ast.Call) -> None:
        where = f"{filename}:{call.lineno}"
        codes = None if argument is None else _literal_codes(argument)
        found.extend([Found(area, code, where) for code in codes] if codes else [Found(area, None, where)])

    def visit(node: ast.AST, enclosing_class: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                name = _called_name(child)
                # A class with its own __init__ fixes its code there (found
                # below); its callers pass other things (problems, answers).
                if name in errors and "__init__" not in vars(errors[name]):
                    record(errors[name].area, _code_argument(child, 0), child)
                elif name == "Problem":
                    record(Problem.area, _code_argument(child, 1), child)
                elif _is_super_init(child) and enclosing_class in errors:
                    record(errors[enclosing_class].area, _code_argument(child, 0), child)
            visit(child, enclosing_class)

    visit(ast.parse(source, filename), None)
    return found


def codes_in_advocacy(errors: dict[str, type[ServiceError]]) -> list[Found]:
    found: list[Found] = []
    for path in sorted(ADVOCACY.rglob("*.py")):
        found.extend(codes_in(path.read_text(encoding="utf-8"), str(path.relative_to(ADVOCACY.parent)), errors))
    return found


def problems(found: list[Found]) -> list[str]:
    unreadable = [f"{f.where}: the code is not a literal string" for f in found if f.code is None]
    missing = [f"{f.where}: no message for {f.area!r} code {f.code!r}" for f in found
               if f.code is not None and f.code not in MESSAGES.get(f.area, {})]
    return unreadable + missing


def test_every_code_raised_under_advocacy_has_a_message():
    found = codes_in_advocacy(service_errors())
    assert len(found) > 50  # the scan does see the services' raises
    missing = problems(found)
    assert not missing, "\n".join(missing)


def test_the_scan_catches_a_code_without_a_message_and_a_code_it_cannot_read():
    planted = (
        "def refuse(code):\n"
        "    raise KitError('duplicate')\n"
        "    raise kit.KitError('no_such_code')\n"
        "    raise ConsentError('outdated_text' if code else 'never_worded')\n"
        "    raise KitError(code)\n"
        "    problems.append(Problem('title', 'not_worded_either'))\n"
        "class AlreadyApproved(ServiceError):\n"
        "    def __init__(self):\n"
        "        super().__init__('fixed_but_unworded')\n"
    )
    found = problems(codes_in(planted, "planted.py", service_errors()))
    assert found == [
        "planted.py:5: the code is not a literal string",
        "planted.py:3: no message for 'kit' code 'no_such_code'",
        "planted.py:4: no message for 'consent' code 'never_worded'",
        "planted.py:6: no message for 'contents' code 'not_worded_either'",
        "planted.py:9: no message for 'contents' code 'fixed_but_unworded'",
    ]


def test_no_message_waits_for_a_code_nobody_raises():
    raised = {(f.area, f.code) for f in codes_in_advocacy(service_errors())}
    catalog = {(area, code) for area, codes in MESSAGES.items() if area != "content_feeds" for code in codes}
    assert not catalog - raised, f"messages for codes no service raises any more: {sorted(catalog - raised)}"


def test_each_service_error_has_an_area_with_messages():
    for name, cls in service_errors().items():
        assert cls.area in MESSAGES, f"{name}.area = {cls.area!r} has no messages"


# --- wording, in the reader's language ------------------------------------------

@pytest.mark.parametrize("language, expected", [
    ("fr", "Il existe déjà un thème «\u202fClimat\u202f»."),
    ("en", "There is already a topic called “Climat”."),
])
def test_message_in_the_readers_language_with_its_parameters(app, language, expected):
    from advocacy.services.taxonomy import TaxonomyError

    with app.test_request_context(headers={"Accept-Language": language}):
        assert message_for(TaxonomyError("topic_exists", name="Climat")) == expected


@pytest.mark.parametrize("language, expected", [
    ("fr", "Trop long pour Bluesky\u00a0: 310 / 300."),
    ("en", "Too long for Bluesky: 310 / 300."),
])
def test_the_web_layer_adds_what_only_it_can_word(app, language, expected):
    problem = Problem("texts", "text_too_long", {"length": 310, "limit": 300}, network="bluesky", index=0)
    with app.test_request_context(headers={"Accept-Language": language}):
        assert message_for(problem, network="Bluesky") == expected


@pytest.mark.parametrize("language, expected", [
    ("fr", "Le serveur a mis plus de 2.5 secondes à répondre."),
    ("en", "The server took longer than 2.5 seconds to answer."),
])
def test_feed_errors_go_through_the_same_function(app, language, expected):
    from content_feeds import FetchTimeoutError

    with app.test_request_context(headers={"Accept-Language": language}):
        assert message_for(FetchTimeoutError(seconds=2.5)) == expected
        # The same words for the code and parameters stored on a feed.
        assert feed_error_message("timeout", {"seconds": 2.5}) == expected


def test_an_unknown_code_fails_loudly_under_tests(app):
    from advocacy.services.kit import KitError

    with app.test_request_context(), pytest.raises(MissingMessage, match="no_such_code"):
        message_for(KitError("no_such_code"))


def test_an_unknown_code_in_production_is_logged_and_never_shown_raw(app, caplog):
    from advocacy.services.kit import KitError

    app.config.update(TESTING=False, DEBUG=False)
    with app.test_request_context(headers={"Accept-Language": "en"}), caplog.at_level(logging.ERROR):
        shown = message_for(KitError("no_such_code"))
    assert shown == "This could not be done. Please try again, or tell the team if it keeps happening."
    assert "no_such_code" not in shown
    assert any("no_such_code" in record.getMessage() for record in caplog.records)
