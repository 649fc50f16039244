"""The k rule on its own (advocacy.services.anonymity): boundaries, zero, merges, differencing.

The property checks run over every list of up to four group counts from 0
to 2k+1, for k = 3 (the floor) and k = 5 (the default): exhaustive on small
groups, where the rule has its edge cases, rather than sampled.
"""

from __future__ import annotations

import itertools
from dataclasses import FrozenInstanceError

import pytest

from advocacy.services.anonymity import (
    Band,
    Hidden,
    Rate,
    band,
    count,
    enough,
    merge_small_groups,
    rate,
    suppress_breakdown,
)

KS = (3, 5)


def every_list_of_counts(k: int, longest: int = 4):
    for length in range(1, longest + 1):
        yield from itertools.product(range(2 * k + 2), repeat=length)


def small(value, k: int) -> bool:
    """A figure that would describe 1 to k-1 people."""
    return not isinstance(value, Hidden) and 0 < value < k


# --- a count of people -----------------------------------------------------------

@pytest.mark.parametrize("k", KS)
def test_count_hides_one_to_k_minus_one_and_shows_zero_and_k(k):
    assert count(0, k) == 0
    assert count(1, k) == Hidden(k)
    assert count(k - 1, k) == Hidden(k)
    assert count(k, k) == k
    assert count(k + 1, k) == k + 1


def test_hidden_renders_as_under_k_and_cannot_change():
    assert str(Hidden(5)) == "<5"
    assert Hidden(5) == Hidden(5) and Hidden(5) != Hidden(3) and Hidden(5) != 0
    with pytest.raises(FrozenInstanceError):
        Hidden(5).k = 1  # type: ignore[misc]


@pytest.mark.parametrize("k", KS)
def test_enough_needs_k_people_and_zero_is_not_enough(k):
    assert not enough(0, k)
    assert not enough(k - 1, k)
    assert enough(k, k)
    assert enough(k + 1, k)


# --- across releases: bands of k, rates from the bands ---------------------------

@pytest.mark.parametrize("k", KS)
def test_band_shows_zero_hides_one_to_k_minus_one_and_gives_the_band_from_a_multiple_of_k(k):
    assert band(0, k) == 0
    assert band(1, k) == Hidden(k) and band(k - 1, k) == Hidden(k)
    assert band(k, k) == Band(k, 2 * k - 1) == band(2 * k - 1, k)
    assert band(2 * k, k) == Band(2 * k, 3 * k - 1)
    assert str(Band(10, 14)) == "10\u201314"


def published_low(value) -> int | None:
    return None if isinstance(value, Hidden) else value.low if isinstance(value, Band) else value


@pytest.mark.parametrize("k", KS)
def test_two_published_counts_differ_by_zero_or_at_least_k_and_hold_the_count(k):
    for people in range(6 * k):
        shown = band(people, k)
        if isinstance(shown, Band):
            assert shown.low % k == 0 and shown.low <= people <= shown.high == shown.low + k - 1
    lows = [low for people in range(6 * k) if (low := published_low(band(people, k))) is not None]
    for a, b in itertools.combinations(lows, 2):
        assert a == b or abs(a - b) >= k


@pytest.mark.parametrize("k", KS)
def test_a_rate_holds_every_ratio_its_bands_allow_and_nothing_more_precise(k):
    for whole in range(1, 5 * k):
        for part in range(whole + 1):
            shown = rate(band(part, k), band(whole, k))
            if isinstance(band(part, k), Hidden) or isinstance(band(whole, k), Hidden):
                assert shown == Hidden(k)
            else:
                assert isinstance(shown, Rate) and shown.low <= 100 * part / whole <= shown.high, (part, whole)
    assert rate(0, 0) is None
    assert rate(0, Band(5, 9)) == Rate(0, 0) and str(Rate(0, 0)) == "0"
    assert rate(Band(5, 9), Band(10, 14)) == Rate(35, 90) and str(Rate(35, 90)) == "35\u201390"


def test_a_rate_refuses_exact_counts():
    with pytest.raises(TypeError):
        rate(7, Band(10, 14))
    with pytest.raises(TypeError):
        rate(Band(5, 9), 12)


# --- small groups merged into "other" -------------------------------------------

def sizes(groups):
    return [size for _, size in groups]


def merge(named_sizes, k=5):
    """merge_small_groups over (name, size) pairs, answered with names."""
    split = merge_small_groups(list(named_sizes.items()), lambda group: group[1], k)
    if split is None:
        return None
    own, merged = split
    return [name for name, _ in own], [name for name, _ in merged]


def test_groups_of_k_or_more_stay_on_their_own_lines_in_order():
    assert merge({"B": 9, "A": 5, "C": 7}) == (["B", "A", "C"], [])


def test_small_groups_merge_and_other_takes_the_smallest_group_while_under_k():
    # 2 + 1 = 3 < 5: the group of the smallest band (6: 5–9) joins "other"; one
    # is always enough, since it holds k people by itself.
    assert merge({"A": 2, "B": 12, "C": 6, "D": 1, "E": 10}) == (["B", "E"], ["A", "D", "C"])
    # "other" already at k: nothing more joins it.
    assert merge({"A": 2, "B": 3, "C": 6}) == (["C"], ["A", "B"])


def test_among_equal_bands_the_first_given_joins_other():
    """Not the smaller of a 9 and a 6: that choice would tell more than their bands (5–9 both)."""
    assert merge({"A": 1, "B": 6, "C": 6}) == (["C"], ["A", "B"])
    assert merge({"A": 1, "C": 6, "B": 6}) == (["B"], ["A", "C"])
    assert merge({"A": 1, "B": 9, "C": 6}) == (["C"], ["A", "B"])


def test_nothing_may_be_shown_when_all_together_are_under_k():
    assert merge({"A": 2, "B": 2}) is None
    assert merge({"A": 4}) is None


def test_zero_sized_groups_stay_shown_and_never_fill_other():
    assert merge({"A": 0, "B": 3, "C": 6}) == (["A"], ["B", "C"])
    assert merge({"A": 0, "B": 0}) == (["A", "B"], [])
    assert merge({}) == ([], [])


@pytest.mark.parametrize("k", KS)
def test_merge_never_shows_a_small_group_nor_lets_one_be_subtracted(k):
    for counts in every_list_of_counts(k):
        groups = list(enumerate(counts))
        split = merge_small_groups(groups, lambda group: group[1], k)
        total = sum(counts)
        if split is None:
            assert 0 < total < k, counts
            continue
        own, merged = split
        assert sorted(own + merged) == groups, counts  # each group once, on a line or in "other"
        assert not any(small(size, k) for size in sizes(own)), counts
        # "other" is the total minus the lines shown: 0 (no "other") or at least k.
        assert not small(sum(sizes(merged)), k), counts
        assert own == [group for group in groups if group in own], counts  # order kept


# --- counts per group, with complementary suppression --------------------------

H = Hidden(5)


def test_counts_under_k_are_hidden_and_the_rest_shown():
    assert suppress_breakdown([5, 9, 12], 5) == [5, 9, 12]
    assert suppress_breakdown([5, 9, 3, 4], 5) == [5, 9, H, H]  # the hidden ones add up to 7: enough


def test_hidden_ones_under_k_together_hide_the_next_smallest_shown_count():
    # total 16 shown elsewhere: 16 - 12 - 6 would give the 1.
    assert suppress_breakdown([12, 6, 1], 5) == [12, H, H]
    # Equal bands: the first given is hidden (not the smaller, whose choice would tell which it is).
    assert suppress_breakdown([6, 6, 2], 5) == [H, 6, H]
    assert suppress_breakdown([9, 6, 1], 5) == [H, 6, H]


def test_zero_is_shown_and_never_hidden_to_cover_another():
    assert suppress_breakdown([0, 0, 7], 5) == [0, 0, 7]
    # Hiding the 0 would leave 10 - 7 = 3 for the hidden 3: the 7 goes instead.
    assert suppress_breakdown([0, 3, 7], 5) == [0, H, H]


def test_a_total_under_k_is_hidden_whole():
    assert suppress_breakdown([1, 2], 5) == [H, H]
    assert suppress_breakdown([0, 4], 5) == [0, H]


@pytest.mark.parametrize("k", KS)
def test_no_shown_count_and_no_total_minus_shown_describes_one_to_k_minus_one(k):
    for counts in every_list_of_counts(k):
        shown = suppress_breakdown(list(counts), k)
        total = sum(counts)
        assert len(shown) == len(counts)
        assert not any(small(value, k) for value in shown), counts
        visible = [value for value in shown if not isinstance(value, Hidden)]
        assert all(
            value == people for value, people in zip(shown, counts, strict=True) if not isinstance(value, Hidden)
        )
        difference = total - sum(visible)
        # The difference is the hidden ones together: 0, k or more, or the
        # whole total when that is itself under k (then ``count`` hides it).
        assert not small(difference, k) or (difference == total and isinstance(count(total, k), Hidden)), counts
        assert all(value == 0 for value, people in zip(shown, counts, strict=True) if people == 0), counts


@pytest.mark.parametrize("k", KS)
def test_a_count_of_k_or_more_is_hidden_only_when_subtraction_needs_it(k):
    for counts in every_list_of_counts(k):
        shown = suppress_breakdown(list(counts), k)
        small_ones = sum(people for people in counts if 0 < people < k)
        extra = [
            people for value, people in zip(shown, counts, strict=True) if isinstance(value, Hidden) and people >= k
        ]
        if small_ones == 0 or small_ones >= k:
            assert extra == [], counts
        else:
            assert len(extra) <= 1, counts
