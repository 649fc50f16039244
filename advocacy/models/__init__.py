"""Typed ORM models, one module per area. Importing this registers them all."""

from .ambassador import AmbassadorProfile, Department, Dismissal, ambassador_needs, ambassador_topics
from .base import Base, UTCDateTime, utcnow
from .consent import ConsentChannel, ConsentRecord, ConsentText, Purpose
from .content import CategoryTopic, Content, ContentRevision, Need, ShareText, Topic
from .feeds import Feed, FeedItem, ItemStatus
from .sharing import ClickCount, ShareEvent, TrackedLink
from .system import SchedulerLease
from .user import Invitation, Role, User

__all__ = [
    "AmbassadorProfile", "Base", "CategoryTopic", "ConsentChannel", "ConsentRecord", "ConsentText", "Content",
    "ContentRevision", "Department", "Dismissal", "ambassador_needs", "ambassador_topics", "Feed", "FeedItem", "Invitation", "ItemStatus", "Need", "Purpose", "Role",
    "SchedulerLease", "ShareText", "Topic", "User", "UTCDateTime", "utcnow", "ClickCount", "ShareEvent",
    "TrackedLink",
]
