"""What the app is about — trackers, resources, revisions, diffs — as plain values and rules.

No I/O here: `tracking/` produces these values from the web, `store/` keeps them, `service.py`
puts them together.
"""
