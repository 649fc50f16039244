"""Typed ORM models, one module per area. Importing this registers them all."""

from .base import Base, UTCDateTime, utcnow
from .content import CategoryTopic, Content, ContentRevision, Need, ShareText, Topic
from .feeds import Feed, FeedItem, ItemStatus
from .system import SchedulerLease
from .user import Invitation, Role, User

__all__ = ["Base", "CategoryTopic", "Content", "ContentRevision", "Need", "ShareText", "Topic", "Feed", "FeedItem", "ItemStatus", "Invitation", "Role", "SchedulerLease", "User", "UTCDateTime", "utcnow"]
