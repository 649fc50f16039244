"""A content's revision history: what each save changed, by whom and when (curation's "History")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Content, ContentRevision, User
from .networks import NETWORKS


def snapshot(content: Content) -> dict:
    """The fields a revision compares, as JSON-ready values."""
    return {
        "title": content.title,
        "summary": content.summary,
        "image_url": content.image_url,
        "target_url": content.target_url,
        "publish_at": content.publish_at.isoformat() if content.publish_at else None,
        "expires_at": content.expires_at.isoformat() if content.expires_at else None,
        "highlighted": content.highlighted,
        "archived": content.archived,
        "needs": [n.key for n in content.needs],
        # Both names, so that the history shows a topic in its reader's language, even once deleted.
        "topics": [[t.name_fr, t.name_en] for t in content.topics],
        "texts": {n: content.texts_for(n) for n in NETWORKS if content.texts_for(n)},
    }


def record(session: Session, content: Content, before: dict, user: User | None, now: datetime) -> dict:
    after = snapshot(content)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if before == {}:
        changes = {key: change for key, change in changes.items() if change[1] not in (None, "", [], {}, False)}
        changes["created"] = [None, True]
    if changes:
        content.updated_at = now
        content.updated_by = user
        session.add(ContentRevision(content=content, user=user, at=now, changes=changes))
    return changes
