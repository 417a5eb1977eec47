"""Revisions of the repository tables."""
