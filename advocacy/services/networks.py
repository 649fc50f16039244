"""The networks ambassadors share to: the one list, in display order.

Everything kept per network derives from this tuple and is keyed by its
names: the length rules (``text_rules``), the editor's texts and the
tracked links (``contents``, ``sharing``), the profile's choices
(``ambassadors``), the insights breakdown, and the labels the web layer
shows (``forms.common.NETWORK_LABELS``, checked against it by a test).
Adding a network starts here.
"""

from __future__ import annotations

NETWORKS = ("x", "bluesky", "mastodon", "linkedin", "whatsapp", "email")
