"""puv: the uv workflow in pure Python.

The public, typed Python API grows here as operations land; the CLI uses the same functions.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
