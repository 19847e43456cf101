"""Finding a document's mentions by position or by surname without reading them all.

The attribution rules ask, for every subject of every sentence, which entity mention lies under it
and which person a bare surname stands for. Scanning every mention for each question makes a long
document cost the square of its length; these lookups answer each question in logarithmic time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable

from ..models import Mention


class MentionIndex:
    """Mentions kept in order of start offset (and of arrival, for equal starts), with the people
    among them by surname. Answers are given in the order the mentions were added, so a rule that
    takes "the first mention that overlaps" decides as it would over the plain list."""

    def __init__(self, mentions: Iterable[Mention] = ()) -> None:
        self._starts: list[tuple[int, int]] = []  # (start, arrival), sorted
        self._mentions: list[Mention] = []  # by arrival
        self._longest = 0
        self._people: dict[str, dict[str, Mention]] = {}  # surname -> name -> latest mention
        for mention in mentions:
            self.add(mention)

    def add(self, mention: Mention) -> None:
        arrival = len(self._mentions)
        self._mentions.append(mention)
        insort(self._starts, (mention.start, arrival))
        self._longest = max(self._longest, mention.end - mention.start)
        if mention.type == "person" and mention.name.split():
            self._people.setdefault(mention.name.split()[-1], {})[mention.name] = mention

    def __len__(self) -> int:
        return len(self._mentions)

    def overlapping(self, start: int, end: int) -> list[Mention]:
        """Every mention sharing a character with ``[start, end)``, in the order they were added."""
        lo = bisect_right(self._starts, (start - self._longest, len(self._mentions)))
        hi = bisect_left(self._starts, (end, -1))
        arrivals = sorted(arrival for _, arrival in self._starts[lo:hi])
        return [m for m in (self._mentions[i] for i in arrivals) if m.start < end and start < m.end]

    def first_overlapping(self, start: int, end: int) -> Mention | None:
        found = self.overlapping(start, end)
        return found[0] if found else None

    def longest_overlapping(self, start: int, end: int) -> Mention | None:
        """The longest mention sharing a character with ``[start, end)`` (the earliest added of equals)."""
        best = None
        for m in self.overlapping(start, end):
            if best is None or (m.end - m.start) > (best.end - best.start):
                best = m
        return best

    def people_named(self, surname: str) -> dict[str, Mention]:
        """The people whose name ends in ``surname`` (exactly as written), by name."""
        return self._people.get(surname, {})
