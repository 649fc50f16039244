"""No log the app writes names a visitor's address unless LOG_CLIENT_ADDRESSES turns it on."""

from __future__ import annotations

import http.client
import logging
import threading

import pytest

from advocacy import logs
from test_links import link_code
from test_personal_feed import publish

VISITOR = "203.0.113.9"  # what the test client says the visitor's address is (TEST-NET-3)


@pytest.fixture(params=[False, True], ids=["default", "turned-on"])
def app_config(request):
    return {"LOG_CLIENT_ADDRESSES": request.param, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "1 per minute"}


def test_the_dev_server_logs_a_tracked_link_click_without_the_address(app, caplog, capfd):
    code = link_code(app, publish(app, "Post"))
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = logs.make_dev_server(app, "127.0.0.1", 0)  # what `advocacy serve` runs, on a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", f"/s/{code}")
        assert connection.getresponse().status == 302
        connection.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    written = caplog.text + capfd.readouterr().err
    assert f"GET /s/{code} HTTP/1.1" in written  # the request is logged...
    # ...and the address of who clicked only when an operator asked for it.
    assert ("127.0.0.1" in written) == app.config["LOG_CLIENT_ADDRESSES"]


def test_a_rate_limit_breach_is_logged_without_the_address(app, client, caplog):
    caplog.set_level(logging.INFO, logger=logs.LIMITER_LOGGER)
    for _ in range(2):
        response = client.post("/login", data={"email": "a@example.org", "password": "x"},
                               environ_base={"REMOTE_ADDR": VISITOR})
    assert response.status_code == 429
    assert "ratelimit 1 per 1 minute" in caplog.text
    assert (VISITOR in caplog.text) == app.config["LOG_CLIENT_ADDRESSES"]
