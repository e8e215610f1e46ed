"""The puv benchmark harness: runs puv side by side with uv, pip-tools and pdm.

Stdlib only, so `python3 bench/run.py` works without the dev venv. The pure parts
(`stats`, `report`, `fixtures`, `cli.parse_args`) are unit-tested; `runner` and `tools`
run processes.
"""
