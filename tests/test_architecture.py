"""The architecture as a test: dependencies point one way (docs/architecture.md).

Every module's imports are read with ast, so nothing is imported and no
import side effect can hide a violation. Each rule names the layer it
protects; the planted-violation tests show the checker itself can fail.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("advocacy", "content_feeds")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of every module imported anywhere in ``source``
    (top level or inside functions), relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            # `from . import services` imports a module, not a name.
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


@dataclass(frozen=True)
class Rule:
    """Modules matching ``applies_to`` must not import anything matching ``forbidden``."""

    why: str
    applies_to: tuple[str, ...]
    forbidden: tuple[str, ...]

    def covers(self, module: str) -> bool:
        return any(_within(module, prefix) for prefix in self.applies_to)

    def breaks(self, imported: str) -> bool:
        return any(_within(imported, prefix) for prefix in self.forbidden)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


WEB_LAYER = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "werkzeug", "wtforms",
             "advocacy.blueprints", "advocacy.forms")

RULES = (
    Rule("services hold the logic and are callable without HTTP",
         ("advocacy.services",), WEB_LAYER),
    Rule("models know only the database layer",
         ("advocacy.models",), (*WEB_LAYER, "advocacy.services")),
    Rule("content_feeds is a Flask-free library of its own",
         ("content_feeds",), ("advocacy", "flask")),
    Rule("the database, configuration and extension modules sit under the web layer",
         ("advocacy.db", "advocacy.config", "advocacy.extensions"), ("advocacy.blueprints", "advocacy.forms")),
    Rule("jobs and the command line call services, never views",
         ("advocacy.jobs", "advocacy.jobs_by_hand", "advocacy.cli", "advocacy.cli_feeds", "advocacy.cli_jobs",
          "advocacy.mailings", "advocacy.chat_posts"), ("advocacy.blueprints",)),
)


def violations(module: str, imports: set[str]) -> list[str]:
    return [f"{module} imports {name}: {rule.why}"
            for rule in RULES if rule.covers(module)
            for name in sorted(imports) if rule.breaks(name)]


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def test_every_import_points_the_intended_way():
    found = [problem
             for module, path in project_modules().items()
             for problem in violations(module, imported_modules(path.read_text(), module,
                                                                path.name == "__init__.py"))]
    assert found == []


def test_each_layer_rule_is_checked_against_some_module():
    modules = project_modules()
    for rule in RULES:
        assert any(rule.covers(name) for name in modules), rule.why


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("advocacy.services.example", "from flask import request", "flask"),
    ("advocacy.services.example", "def f():\n    from ..blueprints import share", "advocacy.blueprints.share"),
    ("advocacy.models.example", "from advocacy.services import consent", "advocacy.services"),
    ("advocacy.models.example", "from ..services.consent import on_withdrawal", "advocacy.services.consent"),
    ("content_feeds.example", "import advocacy.db", "advocacy.db"),
    ("advocacy.db", "from .forms import common", "advocacy.forms"),
    ("advocacy.jobs", "from . import blueprints", "advocacy.blueprints"),
])
def test_the_checker_catches_a_planted_violation(module, source, expected):
    problems = violations(module, imported_modules(source, module))
    assert problems and any(expected in problem for problem in problems)


def test_the_checker_lets_allowed_imports_through():
    source = "from sqlalchemy import select\nfrom ..models import Content\nfrom . import consent\nimport content_feeds"
    assert violations("advocacy.services.example", imported_modules(source, "advocacy.services.example")) == []


# --- privacy hooks ------------------------------------------------------------
# Withdrawal effects, erasure steps and export sections register themselves
# when their module is imported. A module the app factory never loads would
# silently keep data after an erasure or a withdrawal.

HOOK_REGISTRARS = {"on_withdrawal", "erasure_step", "export_section"}


def registers_privacy_hook(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
                if name in HOOK_REGISTRARS:
                    return True
    return False


def test_hook_detection_sees_each_way_of_registering():
    assert registers_privacy_hook("@personal_data.erasure_step\ndef f(s, u): pass")
    assert registers_privacy_hook("@export_section('x')\ndef f(s, u): pass")
    assert registers_privacy_hook("@consent.on_withdrawal(Purpose.DIGEST)\ndef f(s, u): pass")
    assert not registers_privacy_hook("def erasure_step(f):\n    return f")


def test_every_module_that_registers_a_privacy_hook_is_loaded_by_the_app_factory(tmp_path):
    registering = sorted(name for name, path in project_modules().items()
                         if registers_privacy_hook(path.read_text()))
    assert "advocacy.services.sharing" in registering  # the scan finds what we know is there
    # A fresh interpreter: the test session has imported everything already.
    script = (
        "import json, sys\n"
        "from advocacy import create_app\n"
        f"create_app({{'SECRET_KEY': 'x', 'TESTING': True, 'PASSWORD_HASH_PROFILE': 'CHEAPEST'}},"
        f" instance_path={str(tmp_path)!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert [name for name in registering if name not in loaded] == []
