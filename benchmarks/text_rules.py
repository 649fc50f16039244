"""Share-text measuring on hostile input: the link finder before and after.

    .venv/bin/python benchmarks/text_rules.py [--repeat 3] [--legacy-limit 5000]

For each family of adversarial input (long runs of "x.", "a.b.", dots,
labels, CJK, parentheses, protocols, mentions...), prints the time of
``find_urls`` as the app has it now and as it was before it was made linear
(``benchmarks/legacy_text_urls.py``, run only up to --legacy-limit
characters: it is quadratic), at the size a text box may hold
(``MAX_TEXT_CHARS``) and at 50 KB; the same for the browser counter's
``findUrls`` under Node (when node is on PATH); then ``measure`` on X,
Mastodon and Bluesky at the box size against a plain ``len()``. Every input the old
finder runs on must give the same links with both (the script stops if
not). Each figure is the best of --repeat runs (a shared machine only ever
adds time).

Last, the editor's worst request: a curator posting every text box the caps
allow, each filled to the cap with the slowest family, timed through the
test client on an in-memory SQLite database (the answer must be the form
with its errors, status 400).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the project, not benchmarks/: this checkout's `advocacy`

import importlib.util  # noqa: E402

from advocacy.services.contents import MAX_TEXT_CHARS, MAX_TEXTS_PER_NETWORK  # noqa: E402
from advocacy.services.text_rules import measure  # noqa: E402
from advocacy.services.text_urls import find_urls  # noqa: E402

_spec = importlib.util.spec_from_file_location("legacy_text_urls", ROOT / "benchmarks" / "legacy_text_urls.py")
assert _spec and _spec.loader
_legacy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_legacy)
legacy_find_urls = _legacy.find_urls

FIFTY_KB = 50_000


def fill(piece: str, size: int, tail: str = "", head: str = "") -> str:
    body = piece * ((size - len(head) - len(tail)) // len(piece) + 1)
    return head + body[: size - len(head) - len(tail)] + tail


# name -> function of the size giving a text of (about) that many characters
FAMILIES = {
    '"x." * N': lambda n: fill("x.", n),
    '"a.b." * N': lambda n: fill("a.b.", n),
    '"a." * N + "com"': lambda n: fill("a.", n, tail="com"),
    '"com." * N (every label a TLD)': lambda n: fill("com.", n),
    '"." * N': lambda n: fill(".", n),
    '"a-." * N': lambda n: fill("a-.", n),
    '63-character labels + ".com"': lambda n: fill("a" * 63 + ".", n, tail="com"),
    '"日本." * N (CJK labels)': lambda n: fill("日本.", n),
    '"é.ü." * N (accented labels)': lambda n: fill("é.ü.", n),
    '"👍." * N (emoji labels)': lambda n: fill("👍.", n),
    '"xn--a." * N': lambda n: fill("xn--a.", n),
    '"http://" * N': lambda n: fill("http://", n),
    '"http://a." * N': lambda n: fill("http://a.", n),
    '"a.com " * N (real links)': lambda n: fill("a.com ", n),
    'nested parentheses in a path': lambda n: fill("(", n // 2, head="http://a.com/") + ")" * (n // 2),
    '"(a" * N in a path': lambda n: fill("(a", n, head="http://a.com/"),
    '"a," * N in a query': lambda n: fill("a,", n, head="https://a.com/?", tail="!"),
    '"@a." * N (mentions)': lambda n: fill("@a.", n),
    '"t.co/" * N': lambda n: fill("https://t.co/", n),
    'prose, no link': lambda n: fill("Une phrase ordinaire, sans lien. ", n),
}


def best(function, text: str, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(text)
        times.append(time.perf_counter() - started)
    return min(times), result


def finder_table(repeat: int, legacy_limit: int) -> None:
    print(f"find_urls, seconds (best of {repeat}); box size = MAX_TEXT_CHARS = {MAX_TEXT_CHARS}")
    print(f"{'family':36} {'before, box':>12} {'after, box':>11} {'after, 50 KB':>13}")
    worst = (0.0, "")
    for name, make in FAMILIES.items():
        box, big = make(MAX_TEXT_CHARS), make(FIFTY_KB)
        after_box, spans = best(find_urls, box, repeat)
        after_big, _ = best(find_urls, big, repeat)
        before = "-"
        if len(box) <= legacy_limit:
            before_box, legacy_spans = best(legacy_find_urls, box, 1)
            before = f"{before_box:.3f}"
            if legacy_spans != spans:
                sys.exit(f"{name}: the links differ from the old finder's")
        worst = max(worst, (after_big, name))
        print(f"{name:36} {before:>12} {after_box:11.4f} {after_big:13.4f}", flush=True)
    print(f"worst at 50 KB: {worst[0]:.3f} s ({worst[1]})\n")


NODE_SCRIPT = """
const R = require(process.argv[1]);
const inputs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
for (const [name, text, repeat] of inputs) {
  let best = Infinity;
  for (let i = 0; i < repeat; i += 1) {
    const started = process.hrtime.bigint();
    R.findUrls(text, false);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  console.log(JSON.stringify([name, text.length, best]));
}
"""


def browser_table(repeat: int) -> None:
    """The browser twin (advocacy/static/js/text-counter.js) under Node, when there is one."""
    node = shutil.which("node")
    if node is None:
        print("(node is not on PATH: no figures for the browser counter)\n")
        return
    inputs = [[name, make(size), repeat] for name, make in FAMILIES.items() for size in (MAX_TEXT_CHARS, FIFTY_KB)]
    result = subprocess.run([node, "-e", NODE_SCRIPT, str(ROOT / "advocacy" / "static" / "js" / "text-counter.js")],
                            input=json.dumps(inputs), capture_output=True, text=True, check=True)
    rows: dict[str, list[float]] = {}
    for line in result.stdout.splitlines():
        name, _size, seconds = json.loads(line)
        rows.setdefault(name, []).append(seconds)
    print(f"findUrls in the browser counter (node), seconds (best of {repeat})")
    print(f"{'family':36} {'box':>8} {'50 KB':>8}")
    for name, (box, big) in rows.items():
        print(f"{name:36} {box:8.4f} {big:8.4f}")
    worst = max(rows.items(), key=lambda row: row[1][1])
    print(f"worst at 50 KB: {worst[1][1]:.3f} s ({worst[0]})\n")


def measure_table(repeat: int) -> str:
    print(f"measure() at the box size ({MAX_TEXT_CHARS} characters), seconds; len() for scale")
    print(f"{'family':36} {'x':>8} {'mastodon':>9} {'bluesky':>8} {'len()':>9}")
    slowest = (0.0, "")
    for name, make in FAMILIES.items():
        text = make(MAX_TEXT_CHARS)
        row = [best(lambda t, n=network: measure(n, t), text, repeat)[0] for network in ("x", "mastodon", "bluesky")]
        plain = best(len, text, repeat)[0]
        slowest = max(slowest, (row[0] + row[1], name))
        print(f"{name:36} {row[0]:8.4f} {row[1]:9.4f} {row[2]:8.4f} {plain:9.6f}", flush=True)
    print(f"slowest for X + Mastodon: {slowest[1]}\n")
    return slowest[1]


def editor_request(family: str, repeat: int) -> None:
    """The worst POST the caps allow, through the app."""
    from advocacy.services.networks import NETWORKS

    text = FAMILIES[family](MAX_TEXT_CHARS)
    with tempfile.TemporaryDirectory() as folder:
        from advocacy import create_app, migrate
        from advocacy.db import get_session
        from advocacy.models import Role
        from advocacy.services import accounts

        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "CHEAPEST",
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}, instance_path=folder)
        migrate.upgrade(app)
        with app.app_context():
            accounts.create_user(get_session(), email="c@bench.invalid", name="Bench",
                                 password="bench-password-1", role=Role.CURATOR)
            get_session().commit()
        client = app.test_client()
        client.post("/login", data={"email": "c@bench.invalid", "password": "bench-password-1"})
        form = {"title": "Worst case", "target_url": "https://example.org/", "publication": "draft"}
        for network in NETWORKS:
            for index in range(MAX_TEXTS_PER_NETWORK):
                form[f"texts_{network}-{index}"] = text
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.post("/curation/contents/new", data=form)
            times.append(time.perf_counter() - started)
            assert response.status_code == 400, response.status_code
    boxes = MAX_TEXTS_PER_NETWORK * len(NETWORKS)
    print(f"editor POST, {boxes} boxes of {MAX_TEXT_CHARS} characters of {family}: "
          f"{min(times):.3f} s (best of {repeat}), answered 400 with the form")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--legacy-limit", type=int, default=MAX_TEXT_CHARS,
                        help="longest input given to the old, quadratic finder")
    args = parser.parse_args()
    finder_table(args.repeat, args.legacy_limit)
    browser_table(args.repeat)
    family = measure_table(args.repeat)
    editor_request(family, args.repeat)


if __name__ == "__main__":
    main()
