"""Projects: pyproject.toml and uv.toml reading, workspace discovery, sources, groups, settings merge."""
