"""Typed ORM models, one module per area. Importing this registers them all."""

from .base import Base, UTCDateTime, utcnow
from .system import SchedulerLease
from .user import Invitation, Role, User

__all__ = ["Base", "Invitation", "Role", "SchedulerLease", "User", "UTCDateTime", "utcnow"]
