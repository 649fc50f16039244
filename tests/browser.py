"""Headless Chromium driven over the DevTools protocol on a pipe, and a live app server.

No extra package: Chromium's --remote-debugging-pipe speaks NUL-separated
JSON on file descriptors 3 (commands in) and 4 (answers out). Tests using
it are skipped where Chromium is not installed.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager

from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, profile_dir: str) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Park both ends on high numbers, then put them on 3 and 4 in the child.
        os.dup2(to_browser_r, 200)
        os.dup2(from_browser_w, 201)
        self._process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile_dir}", "about:blank"],
            preexec_fn=lambda: (os.dup2(200, 3), os.dup2(201, 4)), close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_browser_r, from_browser_w, 200, 201):
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session=True)

    def send(self, method: str, session: bool = False, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        answer = self._wait(lambda m: m.get("id") == self._next_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def _wait(self, matches, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if matches(message):
                    return message
            if select.select([self._from_browser], [], [], 0.2)[0]:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
        raise TimeoutError("Chromium did not answer")

    def viewport(self, width: int, height: int = 800) -> None:
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def set_cookie(self, url: str, name: str, value: str) -> None:
        self.send("Network.setCookie", session=True, url=url, name=name, value=value)

    def open(self, url: str) -> None:
        self.send("Page.navigate", session=True, url=url)
        self._wait(lambda m: m.get("method") == "Page.loadEventFired")

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)["result"]["value"]

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)


@contextmanager
def live_server(app):
    """The app on an ephemeral loopback port, for as long as the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
