"""Environments: venv creation, wheel unpacking into the cache, linking into site-packages, uninstall."""
