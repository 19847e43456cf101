"""The mention lookups answer as a scan over the plain list would, in the same order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from provcat.extract.lookup import MentionIndex
from provcat.models import Mention


def mention(start: int, end: int, name: str = "Ana Ruiz", kind: str = "person") -> Mention:
    return Mention(start=start, end=end, surface="x" * (end - start), name=name, type=kind, method="m",
                   confidence=0.5)


spans = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), max_size=40)


@given(spans, st.integers(0, 230), st.integers(0, 30))
def test_overlapping_is_what_a_scan_finds_in_list_order(items: list[tuple[int, int]], start: int, width: int) -> None:
    mentions = [mention(s, s + n) for s, n in items]
    index = MentionIndex(mentions)
    end = start + width
    expected = [m for m in mentions if m.start < end and start < m.end]
    assert index.overlapping(start, end) == expected
    assert index.first_overlapping(start, end) == (expected[0] if expected else None)
    longest = None
    for m in expected:
        if longest is None or m.end - m.start > longest.end - longest.start:
            longest = m
    assert index.longest_overlapping(start, end) == longest


def test_mentions_added_later_are_found() -> None:
    index = MentionIndex([mention(10, 14)])
    assert index.first_overlapping(0, 5) is None
    later = mention(2, 6)
    index.add(later)
    assert index.first_overlapping(0, 5) == later
    assert len(index) == 2


def test_people_by_surname_keep_the_latest_mention_of_each_name() -> None:
    first, second = mention(0, 8, "Ana Ruiz"), mention(20, 28, "Ana Ruiz")
    other = mention(40, 48, "Tom Ruiz")
    index = MentionIndex([first, second, other, mention(60, 64, "Ruiz Group", "organization")])
    assert index.people_named("Ruiz") == {"Ana Ruiz": second, "Tom Ruiz": other}
    assert index.people_named("ruiz") == {}
