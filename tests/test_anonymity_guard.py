"""Guard: only services/anonymity.py compares a figure with the threshold k.

Every figure about people goes through ``advocacy.services.anonymity``; a
service, blueprint or template that compares a count with k itself has
made its own rule, the way six modules once did with three treatments of
zero. This test reads the source (Python with ``ast``, templates with
Jinja's parser; nothing is imported or run) and fails on any ordering
comparison (<, <=, >, >=), or membership test in a container (``n in
range(1, k)``), one of whose sides mentions k: a name or attribute ``k``,
``min_group_size`` or ``MIN_GROUP_SIZE``, or ``config["MIN_GROUP_SIZE"]``.
Equality is left alone: ``key != "after"`` is not a threshold. config.py
may compare, to refuse a k under the floor of 3.

What it cannot see: a threshold under another name or written as a
number. Services take k as an argument named ``k`` so that it can.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "advocacy"
TEMPLATES = PACKAGE / "templates"
THRESHOLD_NAMES = {"k", "min_group_size", "MIN_GROUP_SIZE"}
ALLOWED = {PACKAGE / "services" / "anonymity.py", PACKAGE / "config.py"}

ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
MEMBERSHIP = (ast.In, ast.NotIn)


# --- Python --------------------------------------------------------------------

def _mentions_threshold(expression: ast.AST) -> bool:
    for node in ast.walk(expression):
        if isinstance(node, ast.Name) and node.id in THRESHOLD_NAMES:
            return True
        if isinstance(node, ast.Attribute) and node.attr in THRESHOLD_NAMES:
            return True
        if isinstance(node, ast.Constant) and node.value in THRESHOLD_NAMES:
            return True  # config["MIN_GROUP_SIZE"], config.get("MIN_GROUP_SIZE")
    return False


def python_threshold_comparisons(source: str) -> list[int]:
    """Line numbers of comparisons with k in a Python source."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if ((isinstance(op, ORDERING) and (_mentions_threshold(left) or _mentions_threshold(right)))
                    or (isinstance(op, MEMBERSHIP) and _mentions_threshold(right))):
                lines.append(node.lineno)
                break
    return lines


# --- Jinja templates -----------------------------------------------------------

JINJA_ORDERING = {"lt", "lteq", "gt", "gteq"}
JINJA_MEMBERSHIP = {"in", "notin"}


def _jinja_mentions_threshold(expression: nodes.Node) -> bool:
    for node in [expression, *expression.find_all(nodes.Node)]:
        if isinstance(node, nodes.Name) and node.name in THRESHOLD_NAMES:
            return True
        if isinstance(node, nodes.Getattr) and node.attr in THRESHOLD_NAMES:
            return True
        if isinstance(node, nodes.Const) and node.value in THRESHOLD_NAMES:
            return True
    return False


def template_threshold_comparisons(source: str) -> list[int]:
    """Line numbers of comparisons with k in a Jinja template."""
    lines = []
    for compare in Environment().parse(source).find_all(nodes.Compare):
        left = compare.expr
        for operand in compare.ops:
            if ((operand.op in JINJA_ORDERING and (_jinja_mentions_threshold(left)
                                                  or _jinja_mentions_threshold(operand.expr)))
                    or (operand.op in JINJA_MEMBERSHIP and _jinja_mentions_threshold(operand.expr))):
                lines.append(compare.lineno)
                break
            left = operand.expr
    return lines


# --- the scanner itself is tested, so that the guard cannot pass by seeing nothing ---

@pytest.mark.parametrize("source", [
    "if sharers < k:\n    pass",
    "shown = count if count == 0 or count >= k else None",
    "ok = len(answers) >= current_app.config['MIN_GROUP_SIZE']",
    "ok = n > int(app.config.get('MIN_GROUP_SIZE', 5))",
    "ok = settings.min_group_size <= total",
    "ok = 0 < n < self.k",
    "ok = n in range(1, k)",
    "def f(people, min_group_size):\n    return [p for p in people if p.count >= min_group_size]",
])
def test_the_scanner_catches_a_planted_python_comparison(source):
    assert python_threshold_comparisons(source) != []


@pytest.mark.parametrize("source", [
    "args = {k: v for k, v in request.args.items() if k != 'after' and v}",
    "shown = anonymity.count(sharers, k)",
    "if not anonymity.enough(len(answers), k):\n    pass",
    "ok = key in keys",
])
def test_the_scanner_leaves_what_is_not_a_threshold(source):
    assert python_threshold_comparisons(source) == []


@pytest.mark.parametrize("source", [
    "{% if row.ambassadors < k %}x{% endif %}",
    "{% if results.responses >= config.MIN_GROUP_SIZE %}x{% endif %}",
    "{% if n < config['MIN_GROUP_SIZE'] %}x{% endif %}",
    "{{ 'few' if figures.sharers < figures.k else figures.sharers }}",
])
def test_the_scanner_catches_a_planted_template_comparison(source):
    assert template_threshold_comparisons(source) != []


def test_the_scanner_leaves_template_lines_that_are_not_thresholds():
    source = ('{% set k = figures.k %}{{ _("fewer than %(k)s", k=k) }}'
              '{% for k, v in kwargs.items() %}{{ k }}{% endfor %}{% if value is hidden %}x{% endif %}')
    assert template_threshold_comparisons(source) == []


def test_the_scanner_finds_the_comparisons_of_the_one_module_allowed_to_make_them():
    source = (PACKAGE / "services" / "anonymity.py").read_text(encoding="utf-8")
    assert python_threshold_comparisons(source) != []


# --- the guard ---------------------------------------------------------------------

def python_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path not in ALLOWED)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


def test_the_guard_reads_the_services_blueprints_and_templates():
    scanned = {path.relative_to(ROOT).as_posix() for path in python_files() + template_files()}
    for expected in ("advocacy/services/insights.py", "advocacy/services/coverage.py",
                     "advocacy/services/surveys.py", "advocacy/blueprints/insights.py",
                     "advocacy/templates/insights/index.html", "advocacy/templates/program_admin/coverage.html"):
        assert expected in scanned


def test_no_service_blueprint_or_template_compares_a_figure_with_k_itself():
    found = [f"{path.relative_to(ROOT)}:{line}" for path in python_files()
             for line in python_threshold_comparisons(path.read_text(encoding="utf-8"))]
    found += [f"{path.relative_to(ROOT)}:{line}" for path in template_files()
              for line in template_threshold_comparisons(path.read_text(encoding="utf-8"))]
    assert not found, ("compare with k through advocacy.services.anonymity (count, enough, "
                       f"merge_small_groups, suppress_breakdown), not by hand: {found}")
