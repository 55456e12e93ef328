"""Package data: the app icon (icons/*.png, 16–512 px) and the desktop entry.

Read with `importlib.resources.files("desktop_tracker.resources")`, which finds them in a
checkout, an installed wheel and a PyInstaller bundle alike. The icons are rendered from the
SVGs in the repository's resources/icons/ by resources/icons/render_icons.py.
"""
