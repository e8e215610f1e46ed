"""The lock inputs of a PEP 723 script: its `dependencies` as the root requirements and as
`[manifest] requirements`, its `requires-python` (else the interpreter's), no members."""

from __future__ import annotations

from packaging.requirements import Requirement as PepRequirement

from puv.core.errors import PuvError
from puv.lock.model import Manifest
from puv.operations.lock_inputs import LockInputs, lock_options, lock_requirement, requirement_text
from puv.project.dependency import InvalidDependency, parse_dependency
from puv.project.script import ScriptMetadata
from puv.project.settings import Settings
from puv.project.sources import LoweredRequirement

__all__ = ["script_lock_inputs"]


def script_lock_inputs(
    script: ScriptMetadata, settings: Settings, *, default_python: tuple[int, int]
) -> LockInputs:
    """What `puv lock --script` resolves and records for `script`."""
    requirements = [_requirement(script, text) for text in script.requirements]
    requires_python = script.requires_python
    if requires_python is None:
        requires_python = f">={default_python[0]}.{default_python[1]}"
    return LockInputs(
        root=script.path.parent,
        requires_python=requires_python,
        members={},
        root_requirements=tuple(PepRequirement(requirement_text(r)) for r in requirements),
        constraints=(),
        overrides=(),
        excludes=frozenset(),
        environments=tuple(settings.environments or ()),
        required_environments=tuple(settings.required_environments or ()),
        manifest=Manifest(
            requirements=tuple(lock_requirement(r.metadata_entry()) for r in requirements)
        ),
        options=lock_options(settings),
    )


def _requirement(script: ScriptMetadata, text: str) -> LoweredRequirement:
    try:
        dependency = parse_dependency(text)
    except InvalidDependency as error:
        raise PuvError(f"Failed to parse: `{script.path.name}`", causes=[str(error)]) from None
    if dependency.url is not None:
        raise PuvError(
            f"`{dependency.name} @ {dependency.url}`: direct URL dependencies of scripts are "
            "not supported by `puv lock --script` yet"
        )
    return LoweredRequirement(
        dependency.name, dependency.specifier, dependency.extras, dependency.marker
    )
