"""The anonymity threshold k: the one place that decides what a figure about people may show.

Privacy principle 3 (docs/privacy.md): nobody sees a figure about fewer than k people, counts
included, and subtracting the figures shown from a total must not give one
either. k is ``MIN_GROUP_SIZE`` (default 5; config.py refuses less than 3)
and always comes in as an argument. Services and blueprints never compare a
count with k themselves: they call this module, and
``tests/test_anonymity_guard.py`` fails when one does.

The rule, said once here; the modules that show figures about people refer
to it:

1. A count of people (``count``): 0 is shown, 1 to k-1 is ``Hidden``, k or
   more is shown. Zero is shown because it counts nobody: there is no one
   in it to single out, and features need it (coverage exists to list the
   departments without any ambassador). What a zero implies about the
   people outside it ("none of the 12 active ambassadors shared under their
   name") is of the same kind as a full count ("12 of 12 shared"), which a
   threshold on counts does not hide either; and since sharing without
   attribution names nobody, it does not say that anyone did not share.
   Before this module, coverage and renewals showed 0 while participation
   and the department breakdown hid it like a small count; they now agree.
2. A figure drawn from what people did or answered (survey results, the
   network's month, a participation rate) is released only when at least k
   people are behind it (``enough``). Zero people is not enough: there is
   then nothing drawn from anyone to show, or only shares made without
   attribution, by an unknown few.
3. A breakdown of a total over disjoint groups: groups under k merge into
   "other", with the next smallest groups while "other" is still under k
   (``merge_small_groups``); then a count per group is shown by rule 1, and
   the hidden ones taken together must be 0 or at least k, else the next
   smallest shown count is hidden too (``suppress_breakdown``), so the total
   minus the shown lines never gives a small group. "Smallest" compares
   bands of k (rule 4), the first given among equal bands: which group
   goes then says nothing finer than the bands already published.

4. Across releases: a reader may set side by side every staff page and
   export, for any date ranges, read before and after any change (someone
   acting, a department created, renamed, merged or deleted). Exact counts
   cannot survive that: two readings of the same count differ by exactly
   the people who changed in between. So every count of people that staff
   see is published as a band of k values (``band``): 0 as it is, 1 to k-1
   hidden, and n >= k as ``Band(low, low + k - 1)`` where low is n rounded
   down to a multiple of k. The published lows are multiples of k, so the
   difference of any two published counts, whatever page, range, time or
   grouping they come from, is 0 or at least k; a rate is worked out from
   the published bands alone (``rate``), so it says nothing they do not.
   What a band cannot hide: that it changed, i.e. that a count crossed a
   multiple of k (by how many, 1 to 2k-1 people, and who, it does not say).
   docs/privacy.md states the whole threat model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Group = TypeVar("Group")


@dataclass(frozen=True)
class Band:
    """A count of people published as the k values that hold it: ``low`` is a multiple of k (rule 4).

    Pages render it as "10–14", exports too (an en dash, so that a
    spreadsheet does not read "10-14" as a date)."""

    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.low}\u2013{self.high}"


@dataclass(frozen=True)
class Rate:
    """A percentage between two published counts, as the range the bands allow (whole percents)."""

    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.low}" if self.low == self.high else f"{self.low}\u2013{self.high}"


@dataclass(frozen=True)
class Hidden:
    """A figure withheld under the k rule; pages render it as "fewer than k", exports as "<k"."""

    k: int

    def __str__(self) -> str:
        return f"<{self.k}"


def count(people: int, k: int) -> int | Hidden:
    """A count of people as it may be shown: 0 and k or more as they are, 1 to k-1 hidden (rule 1)."""
    return Hidden(k) if 0 < people < k else people


def band(people: int, k: int) -> int | Hidden | Band:
    """A count of people as staff may see it across pages, ranges and time (rule 4).

    0 shown, 1 to k-1 hidden (rule 1), else the band of k values holding
    it, starting at a multiple of k: 7 with k = 5 is 5–9, 10 is 10–14.
    """
    shown = count(people, k)
    if isinstance(shown, Hidden) or shown == 0:
        return shown
    low = people - people % k
    return Band(low, low + k - 1)


def rate(part: int | Hidden | Band, whole: int | Hidden | Band) -> Rate | Hidden | None:
    """part ÷ whole in percent, from the published figures only (rule 4), so it adds nothing to them.

    None when the whole is 0 (nothing to divide by); hidden when either is
    hidden; else every percentage the two bands allow, floor to ceiling
    (a part cannot exceed its whole, so at most 100).
    """
    if whole == 0:
        return None
    if isinstance(part, Hidden):
        return part
    if isinstance(whole, Hidden):
        return whole
    if not isinstance(whole, Band) or not (part == 0 or isinstance(part, Band)):
        raise TypeError("rate() takes counts as band() publishes them")
    if not isinstance(part, Band):
        return Rate(0, 0)
    low = 100 * part.low // whole.high
    high = min(100, -(-100 * part.high // whole.low))  # ceiling
    return Rate(low, high)


def enough(people: int, k: int) -> bool:
    """Whether figures drawn from these people's data may be released: at least k of them (rule 2)."""
    return people >= k


def merge_small_groups(groups: Iterable[Group], size: Callable[[Group], int],
                       k: int) -> tuple[list[Group], list[Group]] | None:
    """Split groups into (those shown on a line of their own, those merged into "other"), rule 3.

    A group of 1 to k-1 people is merged; while the merged ones together are
    still under k, the smallest remaining group by its band of k (the first
    given, among equal bands) joins them. None when even all of them
    together are under k: then nothing may be shown. Lines of their own keep
    the order given.
    """
    groups = list(groups)
    merged = [g for g in groups if isinstance(count(size(g), k), Hidden)]
    # Sorted by band, not size: picking the smaller of a 6 and a 7 would tell which is which.
    candidates = sorted((g for g in groups if size(g) >= k), key=lambda g: size(g) // k)
    while merged and sum(size(g) for g in merged) < k and candidates:
        merged.append(candidates.pop(0))
    if merged and sum(size(g) for g in merged) < k:
        return None
    merged_ids = {id(g) for g in merged}
    return [g for g in groups if id(g) not in merged_ids], merged


def suppress_breakdown(counts: Sequence[int], k: int) -> list[int | Hidden]:
    """Counts of people in disjoint groups of a total, each as it may be shown (rule 3).

    Hidden: every count of 1 to k-1, and, while the hidden ones add up to 1
    to k-1, the smallest shown count above zero by its band of k (the first
    given, among equal bands). If that hides everything and they still add
    up to under k, the total is itself under k, and ``count`` hides it.
    """
    hidden = {i for i, people in enumerate(counts) if isinstance(count(people, k), Hidden)}
    # Hiding a zero would add nobody to the hidden ones, so zeros stay shown.
    # Sorted by band, not count, as in merge_small_groups.
    candidates = sorted((i for i, people in enumerate(counts) if people >= k), key=lambda i: counts[i] // k)
    while 0 < sum(counts[i] for i in hidden) < k and candidates:
        hidden.add(candidates.pop(0))
    return [Hidden(k) if i in hidden else people for i, people in enumerate(counts)]
