"""The dependency-group flags of a project command, and the groups they enable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from puv.lock.install_target import DependencyGroups
    from puv.project.pyproject import PyProject

__all__ = ["GroupFlags"]


class GroupFlags(NamedTuple):
    """The flags as given: `--dev`/`--no-dev`/`--only-dev` (`dev`), `--group`, `--no-group`,
    `--only-group`, `--all-groups`, `--no-default-groups`."""

    dev: Literal["include", "exclude", "only"] | None = None
    group: tuple[str, ...] = ()
    no_group: tuple[str, ...] = ()
    only_group: tuple[str, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False

    def selection(self, pyproject: PyProject) -> DependencyGroups:
        """The enabled groups, with the `default-groups` of `pyproject` (`"all"`, a list checked
        against its groups, else `dev` whether or not it defines it)."""
        from puv.lock.install_target import DependencyGroups
        from puv.project.settings_schema import normalize_name

        setting = (pyproject.tool_uv or {}).get("default-groups")
        defaults: tuple[str, ...] | Literal["all"]
        if setting == "all":
            defaults = "all"
        elif setting is None:
            defaults = ("dev",)
        else:  # parsed (and checked) only when set: a no-op sync reads no group otherwise
            from puv.project.groups import default_groups, read_dependency_groups

            defaults = default_groups(pyproject, read_dependency_groups(pyproject))
        return DependencyGroups.from_flags(
            dev=self.dev,
            group=[normalize_name(name) for name in self.group],
            no_group=[normalize_name(name) for name in self.no_group],
            only_group=[normalize_name(name) for name in self.only_group],
            all_groups=self.all_groups,
            no_default_groups=self.no_default_groups,
            defaults=defaults,
        )
