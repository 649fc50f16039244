"""Run the browser counter's Node tests from pytest, and check that the
browser and the server use the same list of top-level domains."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from advocacy.services.text_tlds import TLDS

ROOT = Path(__file__).resolve().parents[2]
JS_FILE = ROOT / "advocacy" / "static" / "js" / "text-counter.js"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_node_suite_passes():
    result = subprocess.run(
        ["node", "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_js_embeds_the_same_tlds():
    source = JS_FILE.read_text("utf-8")
    block = source.split("/* TLDS-BEGIN", 1)[1].split("/* TLDS-END */", 1)[0]
    # The block holds JSON-compatible string literals (\\u escapes only).
    words = " ".join(json.loads(lit) for lit in re.findall(r'"(?:[^"\\]|\\.)*"', block)).split()
    assert len(words) == len(set(words))
    assert set(words) == TLDS
