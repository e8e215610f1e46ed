"""Python interpreters: discovery, facts (markers, tags, paths), `.python-version`, managed installs."""
