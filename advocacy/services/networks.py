"""The networks ambassadors share to: the one list, in display order.

Everything kept per network derives from these tuples and is keyed by their
names: the length rules (``text_rules``), the editor's texts (``contents``),
the profile's choices (``ambassadors``) follow ``NETWORKS``; the tracked
links (``tracked_links``), the recorded shares (``sharing``) and the
insights breakdown follow ``LINK_NETWORKS``, which adds the device's own
share sheet. The labels the web layer shows (``forms.common.NETWORK_LABELS``)
cover ``LINK_NETWORKS``, checked by a test. Adding a network starts here.
"""

from __future__ import annotations

NETWORKS = ("x", "bluesky", "mastodon", "linkedin", "whatsapp", "email")
"""The networks a person names in their profile and the editor writes wordings for."""

SHARE_SHEET = "other"
"""The system share sheet (Web Share API): any app on the phone. It has a
tracked link and its shares are counted, but nobody chooses it in a profile
and nobody writes wordings for it (it borrows the nearest network's)."""

LINK_NETWORKS = (*NETWORKS, SHARE_SHEET)
"""The networks a content has a tracked link for, and a share may be recorded on."""
