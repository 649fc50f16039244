"""Typed ORM models, one module per area. Importing this registers them all."""

from .ambassador import AmbassadorProfile, Department
from .base import Base, UTCDateTime, utcnow
from .consent import ConsentChannel, ConsentRecord, ConsentText, Purpose
from .feeds import Feed, FeedItem, ItemStatus
from .system import SchedulerLease
from .user import Invitation, Role, User

__all__ = ["AmbassadorProfile", "ConsentChannel", "ConsentRecord", "ConsentText", "Department", "Purpose", "Base", "Feed", "FeedItem", "ItemStatus", "Invitation", "Role", "SchedulerLease", "User", "UTCDateTime", "utcnow"]
