"""Orchestration: each operation composes the layers below; no argument parsing, no printing of its own
beyond the injected printer."""
