"""desktop_tracker: watches web pages on cron schedules and tells you when they change."""

__version__ = "0.1.0"
