"""Password hashing with argon2id.

The cost is a process-wide setting (``PASSWORD_HASH_PROFILE``, applied by
``create_app`` through ``configure``): production keeps argon2-cffi's
recommended profile, the test suite uses its cheapest one so that thousands
of sign-ins do not spend most of the suite's CPU time hashing. A hash made
under another profile still verifies and is upgraded at the next sign-in
(``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10

# Profiles an operator may name; CHEAPEST only where TESTING is set.
PROFILES = {
    "RFC_9106_LOW_MEMORY": profiles.RFC_9106_LOW_MEMORY,  # argon2-cffi's default
    "RFC_9106_HIGH_MEMORY": profiles.RFC_9106_HIGH_MEMORY,
    "CHEAPEST": profiles.CHEAPEST,
}
DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"


class _Hashing:
    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.hasher = PasswordHasher.from_parameters(PROFILES[profile])
        self._dummy: str | None = None

    @property
    def dummy_hash(self) -> str:
        # Verified when the e-mail is unknown, so that a wrong e-mail and a
        # wrong password take the same time and nobody can probe which
        # accounts exist. Computed on first use, not at import.
        if self._dummy is None:
            self._dummy = self.hasher.hash("not a real password")
        return self._dummy


_current = _Hashing(DEFAULT_PROFILE)


def configure(profile: str, *, testing: bool = False) -> None:
    """Use this profile from now on (an unknown name fails at start)."""
    global _current
    if profile not in PROFILES:
        raise ValueError(f"PASSWORD_HASH_PROFILE must be one of {', '.join(PROFILES)} (got {profile!r})")
    if profile == "CHEAPEST" and not testing:
        raise ValueError("PASSWORD_HASH_PROFILE = CHEAPEST is for the test suite only")
    if profile != _current.profile:
        _current = _Hashing(profile)


def hash_password(password: str) -> str:
    return _current.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _current.hasher.verify(password_hash or _current.dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _current.hasher.check_needs_rehash(password_hash)
