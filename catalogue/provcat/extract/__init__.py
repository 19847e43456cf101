"""Extraction of cited entities and attributed speakers."""


class TooManyAssertions(Exception):
    """A document would give more machine assertions than one document may have (see
    ``pipeline.MAX_ASSERTIONS``): its extraction stops before they use up the memory."""

    def __init__(self, most: int) -> None:
        super().__init__(f"more than the {most:,} machine assertions one document may have")
        self.most = most


def check_count(count: int, most: int | None) -> None:
    """Stop with :class:`TooManyAssertions` when ``count`` is above ``most`` (None: no limit)."""
    if most is not None and count > most:
        raise TooManyAssertions(most)
