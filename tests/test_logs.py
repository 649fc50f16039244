"""No log the app writes names a visitor's address unless LOG_CLIENT_ADDRESSES turns it on."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading

import pytest

from advocacy import create_app, logs
from advocacy.models import Role
from test_links import link_code
from test_personal_feed import publish

VISITOR = "203.0.113.9"  # what the test client says the visitor's address is (TEST-NET-3)


@pytest.fixture(params=[False, True], ids=["default", "turned-on"])
def app_config(request):
    return {"LOG_CLIENT_ADDRESSES": request.param, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "1 per minute"}


def serve_once(app, paths: list[str]) -> list[int]:
    """Run what `advocacy serve` runs, on a free port, and ask it for each path."""
    server = logs.make_dev_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    statuses = []
    try:
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            connection.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    return statuses


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logs.REQUEST_LOGGER]


def test_the_dev_server_logs_a_tracked_link_click_without_the_address(app, caplog, capfd):
    code = link_code(app, publish(app, "Post"))
    caplog.set_level(logging.INFO)
    assert serve_once(app, [f"/s/{code}"]) == [302]
    written = caplog.text + capfd.readouterr().err
    # One line for the request, naming the route, not the link's code...
    [line] = request_lines(caplog)
    assert (line.method, line.route, line.status) == ("GET", "/s/<path:code>", 302)
    assert code not in written
    # ...and the address of who clicked only when an operator asked for it.
    assert ("127.0.0.1" in written) == app.config["LOG_CLIENT_ADDRESSES"]


def test_the_dev_server_reports_a_malformed_request_without_the_address(app, caplog, capfd):
    caplog.set_level(logging.INFO)
    server = logs.make_dev_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=30) as connection:
            connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            assert b" 400 " in connection.recv(1024)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    written = caplog.text + capfd.readouterr().err
    assert "Bad request" in written
    assert ("127.0.0.1" in written) == app.config["LOG_CLIENT_ADDRESSES"]


def test_each_request_is_one_line_with_its_route_template_status_and_duration(app, client, auth, caplog):
    auth.login_as(Role.AMBASSADOR)
    content_id = publish(app, "Post")
    caplog.set_level(logging.INFO)
    # The line is written once the server has sent the body, or closes it (here).
    client.get(f"/content/{content_id}/share", environ_base={"REMOTE_ADDR": VISITOR}).close()
    client.get("/no/such/page/for/anyone@example.org").close()
    share, missing = request_lines(caplog)
    assert (share.method, share.route, share.status) == ("GET", "/content/<int:content_id>/share", 200)
    assert share.duration_ms >= 0
    assert "GET /content/<int:content_id>/share 200 " in share.getMessage()
    # A path no route matched is not repeated as typed: it may hold anything.
    assert (missing.route, missing.status) == ("-", 404)
    assert "example.org" not in caplog.text
    assert (VISITOR in share.getMessage()) == app.config["LOG_CLIENT_ADDRESSES"]


def test_the_line_is_written_once_whether_the_server_reads_the_body_to_its_end_or_closes_it(caplog):
    caplog.set_level(logging.INFO, logger=logs.REQUEST_LOGGER)

    def inner(environ, start_response):
        route = environ[logs.ROUTE_KEY] = "/page/<int:page_id>"
        start_response("200 OK", [])
        return [b"one ", b"two", route.encode()]

    middleware = logs.RequestLog(inner, {})
    read_to_the_end = middleware({"REQUEST_METHOD": "GET"}, lambda *args: None)
    assert b"".join(read_to_the_end).startswith(b"one two")
    assert len(request_lines(caplog)) == 1  # a server that never calls close still gets its line
    read_to_the_end.close()
    closed_early = middleware({"REQUEST_METHOD": "POST"}, lambda *args: None)
    closed_early.close()
    assert [(line.method, line.route, line.status) for line in request_lines(caplog)] == [
        ("GET", "/page/<int:page_id>", 200), ("POST", "/page/<int:page_id>", 200)]


def test_json_lines_parse_and_carry_the_request_fields():
    formatter = logs.JsonFormatter()
    record = logging.LogRecord(logs.REQUEST_LOGGER, logging.INFO, __file__, 1, "%s %s", ("GET", "/x"), None)
    record.__dict__.update(method="GET", route="/x", status=200, duration_ms=1.5)
    line = json.loads(formatter.format(record))
    assert line["level"] == "INFO" and line["logger"] == logs.REQUEST_LOGGER and line["message"] == "GET /x"
    assert (line["method"], line["route"], line["status"], line["duration_ms"]) == ("GET", "/x", 200, 1.5)
    assert line["time"].endswith("Z")


def test_a_rate_limit_breach_is_logged_without_the_address(app, client, caplog):
    caplog.set_level(logging.INFO, logger=logs.LIMITER_LOGGER)
    for _ in range(2):
        response = client.post("/login", data={"email": "a@example.org", "password": "x"},
                               environ_base={"REMOTE_ADDR": VISITOR})
    assert response.status_code == 429
    assert "ratelimit 1 per 1 minute" in caplog.text
    assert (VISITOR in caplog.text) == app.config["LOG_CLIENT_ADDRESSES"]


def test_a_wrong_log_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app({"SECRET_KEY": "x", "LOG_FORMAT": "xml"}, instance_path=str(tmp_path))
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        create_app({"SECRET_KEY": "x", "LOG_LEVEL": "LOUD"}, instance_path=str(tmp_path))


def test_the_configured_level_and_format_apply_to_every_logger_once(capsys):
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        logs.configure({"LOG_FORMAT": "text", "LOG_LEVEL": "INFO"})
        logs.configure({"LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"})  # replaces, never doubles
        logging.getLogger("advocacy.jobs").info("below the level")
        logging.getLogger("advocacy.jobs").warning("feed %s failed", 7)
        written = capsys.readouterr().err
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert [json.loads(line) for line in written.splitlines()] == [
        {"time": json.loads(written.splitlines()[0])["time"], "level": "WARNING", "logger": "advocacy.jobs",
         "message": "feed 7 failed"}]
