"""Extraction of cited entities and attributed speakers."""
