"""Errors of the data file, each with a message that says what to do."""


class StoreError(Exception):
    """The data file cannot be used."""


class DatabaseLocked(StoreError):
    """Another program holds the data file for longer than we wait."""


class DatabaseDamaged(StoreError):
    """The data file is not a desktop_tracker database, or is corrupt."""


class DatabaseTooNew(StoreError):
    """The data file was written by a newer desktop_tracker."""
