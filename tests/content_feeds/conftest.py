"""Fixtures for content_feeds tests; the HTTP server itself is in tests/feed_server.py."""

from __future__ import annotations

import pytest
from cf_helpers import LOOPBACK

from content_feeds import FetchSettings


@pytest.fixture
def settings() -> FetchSettings:
    """Fetch settings that let tests reach the loopback test server."""
    return FetchSettings(allowed_networks=LOOPBACK, deadline=5.0)
