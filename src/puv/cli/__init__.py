"""Command-line interface: one module per command; each parses flags, calls an operation, prints."""
