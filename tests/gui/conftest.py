"""Qt tests run offscreen: no display is needed, here or in CI."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")  # qasync picks the first binding it finds otherwise
