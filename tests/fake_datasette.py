"""A stand-in for Datasette where the site only builds URLs: ``urls`` as Datasette 0.65 makes them for
a database served under its name."""

from __future__ import annotations


class FakeUrls:
    def database(self, database: str) -> str:
        return f"/{database}"

    def table(self, database: str, table: str) -> str:
        return f"/{database}/{table}"

    def query(self, database: str, query: str) -> str:
        return f"/{database}/{query}"

    def row(self, database: str, table: str, row_path: str) -> str:
        return f"/{database}/{table}/{row_path}"

    def row_blob(self, database: str, table: str, row_path: str, column: str) -> str:
        return f"/{database}/{table}/{row_path}.blob?_blob_column={column}"


class FakeDatasette:
    urls = FakeUrls()
