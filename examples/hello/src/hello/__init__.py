"""The example package of puv's quick start."""


def greet() -> str:
    """Say hello, naming the interpreter that runs this."""
    import sys

    return f"Hello from {sys.implementation.name} {sys.version.split()[0]} in {sys.prefix}"
