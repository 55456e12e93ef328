"""Fetching pages and their resources, extracting and fingerprinting them, diffing revisions."""
