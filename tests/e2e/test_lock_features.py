"""`puv lock` against the real `uv lock` for the features beyond plain workspaces: declared
conflicts, relative `exclude-newer` values, required environments and local versions, and
static dependency metadata. The same project gives the same `uv.lock`, byte for byte, and each
tool's `--locked` accepts the other's lock.

The local index gives some files a recent upload time (a day ago, so that a one-week span
excludes them) and some packages wheels for one platform only.

- Conflicts: extras of one package, dependency groups with `include-group` (uv's transitive
  sets), extras and groups of several workspace members (a set declared twice), conflicts
  beside platform forks, forks whose environments overlap (uv then writes the conflict markers
  in `resolution-markers`), and uv's `extra == 'extra-3-pkg-one' and ...` residue in a
  dependency marker.
- `exclude-newer`: a span (`1 week`, written as `P1W` beside uv's placeholder timestamp), spans
  and `false` per package, a span on the command line; then uv's freshness rules: a changed
  timestamp or a package turned on or off keeps the lock, a changed span, an addition or a
  removal resolves again with uv's message.
- Required environments: forks around the environments a version does not cover, uv's error
  when no version covers one; a local version (`2.0+cpu`) forks where its public version
  covers more platforms.
- `[[tool.uv.dependency-metadata]]`: metadata replaced, `[[manifest.dependency-metadata]]`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.envtools import base_python
from tests.indexserver import IndexServer

pytestmark = pytest.mark.usefixtures("run_uv")

Scenario = Callable[[Path, str], None]


class _UploadTimes(IndexServer):
    """An index whose files named in `recent` were uploaded a day ago (the others long ago)."""

    def __init__(self, root: Path, recent: set[str]) -> None:
        super().__init__(root)
        self.recent = recent
        moment = datetime.now(UTC) - timedelta(days=1)
        self.recent_time = moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")

    def _file_entry(self, path: Path) -> dict[str, Any]:
        entry = super()._file_entry(path)
        if path.name in self.recent:
            entry["upload-time"] = self.recent_time
        return entry


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = _UploadTimes(
        tmp_path_factory.mktemp("index"),
        {
            "fresh-2.0-py3-none-any.whl",
            "beta-3.0-py3-none-any.whl",
            "sortedcontainers-3.0-py3-none-any.whl",
        },
    )
    for version in ("1.0", "2.0", "3.0"):
        server.add_wheel("sortedcontainers", version)
    server.add_wheel("alpha", "1.0", requires_dist=["beta>=1"])
    server.add_wheel("alpha", "2.0", requires_dist=["beta>=2"])
    for version in ("1.0", "2.0", "3.0"):
        server.add_wheel("beta", version)
    server.add_wheel("gamma", "1.0", requires_dist=["sortedcontainers"])
    server.add_wheel("delta", "1.0")
    server.add_wheel("delta", "2.0", requires_dist=["gamma; sys_platform == 'linux'"])
    server.add_wheel("fresh", "1.0")
    server.add_wheel("fresh", "2.0")
    platform_wheels = {
        ("plat", "0.8"): ["any"],
        ("plat", "0.9"): ["manylinux_2_17_x86_64", "macosx_11_0_arm64"],
        ("plat", "1.0"): ["manylinux_2_17_x86_64"],
        ("linuxonly", "1.0"): ["manylinux_2_17_x86_64"],
        ("torchy", "1.0"): ["any"],
        ("torchy", "2.0"): ["macosx_11_0_arm64", "manylinux_2_17_x86_64", "manylinux_2_17_aarch64"],
        ("torchy", "2.0+cpu"): ["manylinux_2_17_x86_64", "win_amd64"],
    }
    for (name, version), tags in platform_wheels.items():
        requires = ["beta"] if version.endswith("+cpu") else []
        for tag in tags:
            server.add_wheel(name, version, tag=f"py3-none-{tag}", requires_dist=requires)
    with server:
        yield server


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _project(
    name: str, dependencies: str, tail: str = "", *, requires_python: str = ">=3.10"
) -> str:
    return (
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = "{requires_python}"\n'
        f"dependencies = [{dependencies}]\n{tail}"
    )


def _index_table(url: str) -> str:
    return f'[[tool.uv.index]]\nurl = "{url}"\ndefault = true\n'


# conflicts -----------------------------------------------------------------------------------


def conflicting_extras(root: Path, url: str) -> None:
    """Extras pinning different versions; a dependency reached in two of the three forks keeps
    uv's residue `(... and extra != 'extra-3-pkg-one') or (extra == ... and extra == ...)`."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"delta", "alpha"',
            '[project.optional-dependencies]\none = ["delta==1.0", "sortedcontainers==1.0"]\n'
            'two = ["sortedcontainers==2.0"]\n'
            '[tool.uv]\nconflicts = [[{ extra = "one" }, { extra = "two" }]]\n' + _index_table(url),
        ),
    )


def conflicting_groups(root: Path, url: str) -> None:
    """Groups pinning different versions, and groups including them (uv adds their sets);
    `default-groups = ["dev"]`, uv's default, is not recorded."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"delta"',
            '[dependency-groups]\nold = ["alpha==1.0"]\nnew = ["alpha==2.0", "gamma"]\n'
            'dev = [{ include-group = "old" }, "gamma"]\ntest = [{ include-group = "dev" }]\n'
            '[tool.uv]\nconflicts = [[{ group = "old" }, { group = "new" }]]\n'
            'default-groups = ["dev"]\n' + _index_table(url),
        ),
    )


def conflicting_members(root: Path, url: str) -> None:
    """Extras and groups of two workspace members (the root declares a set a member declares
    too); a shared dependency resolves differently in each fork."""
    _write(
        root / "pyproject.toml",
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv]\n'
        'conflicts = [[{ package = "a", extra = "x" }, { package = "b", extra = "y" }], '
        '[{ package = "a", group = "g1" }, { package = "b", group = "g2" }]]\n' + _index_table(url),
    )
    _write(
        root / "packages" / "a" / "pyproject.toml",
        _project(
            "a",
            "",
            '[project.optional-dependencies]\nx = ["sortedcontainers==1.0"]\n'
            '[dependency-groups]\ng1 = ["beta==1.0"]\n',
        ),
    )
    _write(
        root / "packages" / "b" / "pyproject.toml",
        _project(
            "b",
            '"gamma", "a"',
            '[project.optional-dependencies]\ny = ["sortedcontainers==2.0"]\n'
            '[dependency-groups]\ng2 = ["beta==2.0", "alpha"]\n'
            '[tool.uv]\nconflicts = [[{ group = "g2" }, { package = "a", group = "g1" }]]\n'
            "[tool.uv.sources]\na = { workspace = true }\n",
            requires_python=">=3.11",
        ),
    )


def conflicts_and_platforms(root: Path, url: str) -> None:
    """Conflicting extras beside platform forks: `resolution-markers` name the platforms."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            "\"delta==1.0; sys_platform == 'win32'\", \"delta==2.0; sys_platform != 'win32'\"",
            '[project.optional-dependencies]\none = ["alpha==1.0"]\ntwo = ["alpha==2.0"]\n'
            '[tool.uv]\nconflicts = [[{ extra = "one" }, { extra = "two" }]]\n' + _index_table(url),
        ),
    )


def conflicts_overlapping_forks(root: Path, url: str) -> None:
    """A platform fork inside one conflict fork: the forks' environments overlap, so uv writes
    `resolution-markers` with their conflict markers."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            "",
            "[project.optional-dependencies]\n"
            'one = ["alpha==1.0", "delta==1.0; sys_platform == \'win32\'", '
            "\"delta==2.0; sys_platform != 'win32'\"]\n"
            'two = ["alpha==2.0"]\n'
            '[tool.uv]\nconflicts = [[{ extra = "one" }, { extra = "two" }]]\n' + _index_table(url),
        ),
    )


# exclude-newer, required environments, dependency metadata -----------------------------------


def exclude_newer_spans(root: Path, url: str) -> None:
    """A global span excluding yesterday's uploads, per-package exceptions (`false`, an older
    timestamp, another span)."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"fresh", "beta", "gamma"',
            '[tool.uv]\nexclude-newer = "1 week"\n'
            'exclude-newer-package = { fresh = false, Gamma = "2025-06-01", beta = "P3D" }\n'
            + _index_table(url),
        ),
    )


def required_environments(root: Path, url: str) -> None:
    """A version with Linux wheels only, and a required macOS environment: uv forks around it
    (the older version with macOS wheels there); a local version forks on its own."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"plat", "torchy", "alpha"',
            "[tool.uv]\nrequired-environments = "
            "[\"sys_platform == 'darwin' and platform_machine == 'x86_64'\"]\n" + _index_table(url),
        ),
    )


def dependency_metadata(root: Path, url: str) -> None:
    """Static metadata for one version of a package and for every version of another."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"alpha", "gamma[fast]"',
            '[tool.uv]\nconstraint-dependencies = ["beta<3"]\n'
            '[[tool.uv.dependency-metadata]]\nname = "Gamma"\n'
            'requires-dist = ["beta; extra == \'fast\'", "sortedcontainers<3"]\n'
            'provides-extras = ["fast"]\nrequires-python = ">=3.8"\n'
            '[[tool.uv.dependency-metadata]]\nname = "alpha"\nversion = "2.0"\n'
            'requires-dist = ["delta"]\n' + _index_table(url),
        ),
    )


def declared_orders(root: Path, url: str) -> None:
    """Specifiers written out of uv's order (and unnormalized), extras and groups declared
    unsorted: uv sorts specifiers by version then operator, and keeps extras as declared."""
    _write(
        root / "pyproject.toml",
        _project(
            "pkg",
            '"beta<=3,<3,!=1.5,>=1,>0.9,~=1.0", "alpha>=1.0.0-RC1", "gamma[zed,fast]"',
            '[project.optional-dependencies]\nzed = ["delta"]\nfast = ["fresh<2.0.0.POST1"]\n'
            '[dependency-groups]\nzz = ["delta"]\naa = ["beta<3,>=1"]\n' + _index_table(url),
        ),
    )


SCENARIOS: dict[str, Scenario] = {
    "declared-orders": declared_orders,
    "conflicting-extras": conflicting_extras,
    "conflicting-groups": conflicting_groups,
    "conflicting-members": conflicting_members,
    "conflicts-and-platforms": conflicts_and_platforms,
    "conflicts-overlapping-forks": conflicts_overlapping_forks,
    "exclude-newer-spans": exclude_newer_spans,
    "required-environments": required_environments,
    "dependency-metadata": dependency_metadata,
}


def _lock(*extra: str) -> list[str]:
    return ["lock", "--python", str(base_python()), *extra]


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("uv.lock"))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_lock_is_byte_identical_to_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv, scenario: str
) -> None:
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    SCENARIOS[scenario](with_uv, index.simple_url)
    _copy(with_uv, with_puv)
    uv = run_uv(*_lock(), cwd=with_uv)
    assert uv.returncode == 0, uv.stderr
    puv = run_puv(*_lock(), cwd=with_puv)
    assert puv.returncode == 0, puv.stderr
    assert (with_puv / "uv.lock").read_text() == (with_uv / "uv.lock").read_text()
    assert run_uv("lock", "--locked", cwd=with_puv).returncode == 0
    again = run_puv("lock", "--locked", cwd=with_uv)
    assert again.returncode == 0, again.stderr


def test_relative_exclude_newer_on_the_command_line(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """`--exclude-newer "3 days"` is recorded as its span and excludes yesterday's upload."""
    locks = {}
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        _write(root / "pyproject.toml", _project("pkg", '"fresh"', _index_table(index.simple_url)))
        result = run(*_lock("--exclude-newer", "3 days"), cwd=root)
        assert result.returncode == 0, result.stderr
        locks[tool] = (root / "uv.lock").read_text()
    assert locks["puv"] == locks["uv"]
    assert 'exclude-newer-span = "P3D"' in locks["uv"]
    assert 'name = "fresh"\nversion = "1.0"' in locks["uv"]


# (the `[tool.uv]` lines of the project, whether uv keeps the lock)
EXCLUDE_NEWER_STEPS = [
    'exclude-newer = "1 week"',
    'exclude-newer = "1 week"',
    'exclude-newer = "2 weeks"',
    'exclude-newer = "2025-06-01"',
    'exclude-newer = "2025-06-03"',
    'exclude-newer = "3 days"',
    "",
    'exclude-newer = "2025-06-01"',
    "exclude-newer = false",
    'exclude-newer-package = { alpha = "2025-06-01" }',
    'exclude-newer-package = { alpha = "2025-06-05" }',
    'exclude-newer-package = { alpha = "1 week" }',
    'exclude-newer-package = { alpha = "2 weeks" }',
    "exclude-newer-package = { alpha = false }",
    'exclude-newer-package = { alpha = "2025-06-05" }',
    'exclude-newer-package = { beta = "2025-06-05" }',
    "",
]


def test_exclude_newer_freshness_as_uv(tmp_path: Path, index: IndexServer, run_puv, run_uv) -> None:
    """Edit the project step by step; each tool relocks after each edit: the status lines (and
    the final lock) agree, and they show uv 0.13.9's rules."""
    transcripts: dict[str, list[str]] = {}
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        lines = transcripts.setdefault(tool, [])
        for step in EXCLUDE_NEWER_STEPS:
            tail = f"[tool.uv]\n{step}\n" + _index_table(index.simple_url)
            _write(root / "pyproject.toml", _project("pkg", '"alpha", "gamma"', tail))
            result = run(*_lock(), cwd=root)
            assert result.returncode == 0, result.stderr
            lines += [_timeless(line) for line in result.stderr.splitlines()[1:]]
    assert transcripts["puv"] == transcripts["uv"]
    assert (tmp_path / "puv" / "uv.lock").read_text() == (tmp_path / "uv" / "uv.lock").read_text()
    shown = [line for line in transcripts["uv"] if line.startswith("Resolving despite")]
    assert shown[:2] == [
        "Resolving despite existing lockfile due to change of exclude newer span from `P1W` "
        "to `P2W`",
        "Resolving despite existing lockfile due to removal of exclude newer span",
    ]


def _timeless(line: str) -> str:
    return re.sub(r" in [\d.]+m?s$", "", line)


def test_required_environment_no_version_covers(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """uv's error when no version has a wheel for a required environment."""
    outputs = []
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        tail = (
            "[tool.uv]\nrequired-environments = [\"sys_platform == 'darwin'\", "
            "\"sys_platform == 'linux'\"]\n" + _index_table(index.simple_url)
        )
        _write(root / "pyproject.toml", _project("pkg", '"linuxonly"', tail))
        result = run(*_lock(), cwd=root)
        assert result.returncode == 1
        outputs.append(result.stderr[result.stderr.index("error:") :])
    assert outputs[1] == outputs[0]
    assert "has no macOS-compatible wheels" in outputs[0]


@pytest.mark.parametrize(
    "conflicts",
    [
        '[[{ extra = "one" }]]',
        '[[{ extra = "one", group = "g" }, { extra = "two" }]]',
        '[[{ extra = "one", unknown = 1 }, { extra = "two" }]]',
        "[[]]",
        '[[{ }, { extra = "two" }]]',
        '[[{ extra = "one" }, { extra = "missing" }]]',
    ],
)
def test_bad_conflicts_fail_as_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv, conflicts: str
) -> None:
    """Malformed sets fail with uv's parse error and span; a set naming an extra that does not
    exist forks as uv does (here into a failing fork, named as uv names it)."""
    outputs = []
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        tail = (
            '[project.optional-dependencies]\none = ["sortedcontainers==1.0"]\n'
            'two = ["sortedcontainers==2.0"]\n'
            f"[tool.uv]\nconflicts = {conflicts}\n" + _index_table(index.simple_url)
        )
        _write(root / "pyproject.toml", _project("pkg", "", tail))
        result = run(*_lock(), cwd=root)
        assert result.returncode != 0
        outputs.append((result.returncode, result.stderr[result.stderr.index("error:") :]))
    assert outputs[1] == outputs[0]


def test_changed_conflicts_make_the_lock_stale(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """Dropping a declared set: both tools' `--locked` fail, and their new locks agree."""
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        conflicting_groups(root, index.simple_url)
        assert run(*_lock(), cwd=root).returncode == 0
        pyproject = root / "pyproject.toml"
        text = pyproject.read_text()
        pyproject.write_text(text.replace('[{ group = "old" }, { group = "new" }]', ""))
        assert run("lock", "--locked", cwd=root).returncode == 1
        text = pyproject.read_text()
        pyproject.write_text(text.replace('new = ["alpha==2.0", "gamma"]', 'new = ["gamma"]'))
        assert run(*_lock(), cwd=root).returncode == 0
    assert (tmp_path / "puv" / "uv.lock").read_text() == (tmp_path / "uv" / "uv.lock").read_text()


@pytest.mark.parametrize(
    "setting",
    [
        "environments = [\"sys_platform == 'linux'\", \"python_version >= '3.11'\"]",
        "required-environments = [\"sys_platform == 'darwin'\", \"sys_platform != 'linux'\"]",
        "environments = [\"python_version < '3.9'\"]",
    ],
)
def test_bad_environments_fail_as_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv, setting: str
) -> None:
    """Overlapping (required) environments and an environment outside `requires-python`."""
    outputs = []
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        root = tmp_path / tool
        tail = f"[tool.uv]\n{setting}\n" + _index_table(index.simple_url)
        _write(root / "pyproject.toml", _project("pkg", '"alpha"', tail))
        result = run(*_lock(), cwd=root)
        outputs.append((result.returncode, result.stderr[result.stderr.index("error:") :]))
    assert outputs[1] == outputs[0]
    assert outputs[0][0] == 2


# local indexes -------------------------------------------------------------------------------


def _static_index(directory: Path) -> None:
    """A PEP 503 tree on disk: `simple/beta/index.html` linking to `files/beta-*.whl`."""
    import hashlib

    from tests.wheelmaker import write_wheel

    links = []
    for version in ("1.0", "2.0"):
        wheel = write_wheel(directory / "files", {"beta/__init__.py": ""}, name="beta",
                            version=version)  # fmt: skip
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        links.append(f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>')
    _write(directory / "simple" / "beta" / "index.html", "<html><body>" + "".join(links))


@pytest.mark.parametrize("given", ["relative", "absolute"])
def test_a_local_index_is_locked_as_a_path_as_uv(
    tmp_path: Path, run_puv, run_uv, given: str
) -> None:
    """uv.lock names a `file:` index by its path (relative to the workspace when written
    relative) and its files relative to it (absolute when the index was); sync installs them."""
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    _static_index(with_uv / "local")
    url = "./local/simple" if given == "relative" else (with_uv / "local" / "simple").as_uri()
    _write(with_uv / "pyproject.toml", _project("app", '"beta"') + _index_table(url))
    _copy(with_uv, with_puv)
    if given == "absolute":  # the same lock: the same absolute index
        shutil.rmtree(with_puv / "local")
    uv = run_uv(*_lock(), cwd=with_uv)
    assert uv.returncode == 0, uv.stderr
    puv = run_puv(*_lock(), cwd=with_puv)
    assert puv.returncode == 0, puv.stderr
    locked = (with_puv / "uv.lock").read_text()
    assert locked == (with_uv / "uv.lock").read_text()
    shown = "local/simple" if given == "relative" else str(with_uv / "local" / "simple")
    assert f'source = {{ registry = "{shown}" }}' in locked
    assert run_puv("lock", "--locked", cwd=with_puv).returncode == 0
    synced = run_puv("sync", "--frozen", "--python", str(base_python()), cwd=with_puv)
    assert synced.returncode == 0 and " + beta==2.0\n" in synced.stderr, synced.stderr
    # exported with absolute `file:` URLs, as uv exports a local index
    export = ("export", "--frozen", "--no-header", "--format", "pylock.toml")
    assert run_puv(*export, cwd=with_uv).stdout == run_uv(*export, cwd=with_uv).stdout
    outdated = ("tree", "--frozen", "--outdated")
    assert run_puv(*outdated, cwd=with_uv).stdout == run_uv(*outdated, cwd=with_uv).stdout
