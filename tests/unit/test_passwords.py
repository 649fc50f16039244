"""Password hashing cost comes from configuration."""

from __future__ import annotations

import pytest

from advocacy import create_app
from advocacy.services import passwords


@pytest.fixture(autouse=True)
def _restore_profile():
    yield
    passwords.configure("CHEAPEST", testing=True)


def test_the_configured_profile_sets_the_cost_of_new_hashes():
    passwords.configure("RFC_9106_LOW_MEMORY")
    strong = passwords.hash_password("a long password")
    passwords.configure("CHEAPEST", testing=True)
    cheap = passwords.hash_password("a long password")
    assert "m=65536,t=3,p=4" in strong
    assert "m=8,t=1,p=1" in cheap
    # Either verifies under the other profile, and is upgraded at next sign-in.
    assert passwords.verify_password(strong, "a long password")
    assert passwords.needs_rehash(strong)
    passwords.configure("RFC_9106_LOW_MEMORY")
    assert passwords.verify_password(cheap, "a long password")
    assert passwords.needs_rehash(cheap)
    assert not passwords.needs_rehash(strong)


def test_an_unknown_email_is_checked_against_a_dummy_hash_of_the_same_profile():
    passwords.configure("CHEAPEST", testing=True)
    assert not passwords.verify_password(None, "anything at all")


def test_the_cheapest_profile_is_refused_outside_the_test_suite(tmp_path):
    with pytest.raises(ValueError, match="test suite only"):
        create_app({"SECRET_KEY": "x", "PASSWORD_HASH_PROFILE": "CHEAPEST"}, instance_path=str(tmp_path))


def test_an_unknown_profile_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="PASSWORD_HASH_PROFILE"):
        create_app({"SECRET_KEY": "x", "PASSWORD_HASH_PROFILE": "FAST"}, instance_path=str(tmp_path))
