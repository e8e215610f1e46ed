"""The pure parts of `pip sync|install`: wanted packages, the plan, wheel choice, report lines,
and the by-hash wheel cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest
from puv.core.printer import counted
from puv.core.wheel_filename import WheelFilename
from puv.index.indexes import Index, PackageFiles, VersionFiles
from puv.index.simple import DistFile
from puv.install.archive import unpack_wheel
from puv.install.installed import InstalledDist
from puv.operations.pip_env import TargetEnvironment
from puv.operations.pip_install import check_externally_managed
from puv.operations.pip_plan import plan_environment, satisfies
from puv.operations.pip_report import Dist, change_lines
from puv.operations.pip_requirements import (
    BuildNotSupported,
    Requested,
    RequirementSources,
    check_hashes_required,
    read_sources,
    requested_packages,
    uninstall_targets,
)
from puv.operations.wheel_cache import WheelCache
from puv.operations.wheel_select import (
    Builds,
    NoSolution,
    parse_exclude_newer,
    select_wheel,
    tag_policy,
)
from puv.project.requirements_txt import RequirementLine
from puv.python.interpreter import Interpreter
from tests.wheelmaker import write_wheel

LINUX_312 = Interpreter(
    path=Path("/venv/bin/python"),
    sys_executable=Path("/venv/bin/python"),
    base_executable=Path("/usr/bin/python3.12"),
    implementation="cpython",
    version="3.12.1",
    version_info=(3, 12, 1, "final", 0),
    prefix=Path("/venv"),
    base_prefix=Path("/usr"),
    base_exec_prefix=Path("/usr"),
    pointer_size=64,
    gil_disabled=False,
    markers={
        "python_full_version": "3.12.1",
        "python_version": "3.12",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "implementation_name": "cpython",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "platform_python_implementation": "CPython",
        "implementation_version": "3.12.1",
        "platform_release": "",
        "platform_version": "",
    },
    platform_tag="linux-x86_64",
    os="linux",
    arch="x86_64",
    libc="gnu",
    libc_version=(2, 17),
    manylinux_compatible=True,
    ext_suffix=".cpython-312-x86_64-linux-gnu.so",
)
POLICY = tag_policy(LINUX_312)


def dist(
    name: str, version: str, *, complete: bool = True, url: str | None = None
) -> InstalledDist:
    direct_url = {"url": url, "archive_info": {}} if url else None
    return InstalledDist(
        name, version, Path(f"/sp/{name}-{version}.dist-info"), "dist-info", complete, True,
        "puv", direct_url,
    )  # fmt: skip


def wanted(*lines: str, cwd: Path = Path("/work")) -> list[Requested]:
    sources = RequirementSources(lines=tuple(RequirementLine(line) for line in lines))
    return requested_packages(sources, LINUX_312.markers, cwd)


# ---------------------------------------------------------------- requirements


def test_markers_are_evaluated_and_duplicates_merged() -> None:
    result = wanted(
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "six>=1.10 ; python_version >= '3.8'",
        "Six<2",
        "Django[argon2] == 5.1",
    )
    assert [(r.name, r.specifier, r.display) for r in result] == [
        ("six", ">=1.10,<2", "six>=1.10,<2"),
        ("django", "==5.1", "django==5.1"),
    ]
    assert result[1].pinned == "5.1"
    assert result[0].pinned is None


def test_hashes_and_pins() -> None:
    sources = RequirementSources(
        lines=(
            RequirementLine("six==1.16.0", hashes=("sha256:" + "a" * 64,)),
            RequirementLine("idna==3.*"),
        )
    )
    six, idna = requested_packages(sources, LINUX_312.markers, Path("/"))
    assert six.hashes == (HashDigest("sha256", "a" * 64),)
    assert idna.pinned is None


def test_constraints_narrow_requirements_of_the_same_name() -> None:
    sources = RequirementSources(
        lines=(RequirementLine("six"),),
        constraints=(RequirementLine("six<1.17"), RequirementLine("idna==3.6")),
    )
    (six,) = requested_packages(sources, LINUX_312.markers, Path("/"))
    assert (six.specifier, six.display) == ("<1.17", "six")


def test_wheel_paths_and_urls_are_direct_references(tmp_path: Path) -> None:
    local, remote, named = wanted(
        "./dist/Demo_Pkg-1.0-py3-none-any.whl",
        "https://example.org/files/other-2.0-py3-none-any.whl",
        "third @ ./x/third-3.0-py3-none-any.whl",
        cwd=tmp_path,
    )
    assert local.name == "demo-pkg"
    assert local.url == (tmp_path / "dist" / "Demo_Pkg-1.0-py3-none-any.whl").as_uri()
    assert local.display == f"demo-pkg @ {local.url}"
    assert remote.url == "https://example.org/files/other-2.0-py3-none-any.whl"
    assert named.url == (tmp_path / "x" / "third-3.0-py3-none-any.whl").as_uri()


def test_vcs_references_are_refused_by_name_where_nothing_checks_them_out() -> None:
    for line, shown in (
        ("git+https://example.org/repo.git", "git+https://example.org/repo.git"),
        ("pkg @ git+https://example.org/repo.git", "pkg"),
        ("-e hg+https://example.org/repo", "-e hg+https://example.org/repo"),
    ):
        editable = line.startswith("-e ")
        text = line.removeprefix("-e ")
        sources = RequirementSources(lines=(RequirementLine(text, editable=editable),))
        with pytest.raises(BuildNotSupported) as caught:
            requested_packages(sources, LINUX_312.markers, Path("/"))
        assert caught.value.message == f"Building `{shown}` from source is not supported yet"
        assert caught.value.exit_code == 1


def test_an_editable_git_reference_is_refused_as_uv_refuses_it() -> None:
    line = RequirementLine("git+https://example.org/repo.git", editable=True)
    with pytest.raises(PuvError) as caught:
        requested_packages(RequirementSources(lines=(line,)), LINUX_312.markers, Path("/"))
    assert caught.value.message == (
        "Unsupported editable requirement: `git+https://example.org/repo.git`"
    )
    assert list(caught.value.causes) == ["Git sources cannot be editable"]


def test_sdists_and_source_trees_are_direct_references(tmp_path: Path) -> None:
    tree = tmp_path / "src" / "project"
    tree.mkdir(parents=True)
    (tree / "pyproject.toml").write_text('[project]\nname = "My_Project"\nversion = "1"\n')
    lines = (
        RequirementLine("./src/project"),
        RequirementLine("pkg @ https://example.org/pkg-1.0.tar.gz"),
        RequirementLine("./src/project[extra] ; python_version > '3'", editable=True),
    )
    tree_url = tree.as_uri()
    plain, sdist = requested_packages(
        RequirementSources(lines=lines[:2]), LINUX_312.markers, tmp_path
    )
    assert (plain.name, plain.url, plain.tree, plain.editable) == (
        "my-project",
        tree_url,
        True,
        False,
    )
    assert (sdist.name, sdist.tree, sdist.needs_build) == ("pkg", False, True)
    (editable,) = requested_packages(
        RequirementSources(lines=lines[2:]), LINUX_312.markers, tmp_path
    )
    assert (editable.url, editable.tree, editable.editable) == (tree_url, True, True)
    assert editable.display == f"my-project @ {tree_url}"
    with pytest.raises(PuvError, match="Cannot tell the name of the source tree"):
        wanted(str(tmp_path))
    with pytest.raises(PuvError, match="Editable installs require a source tree"):
        requested_packages(
            RequirementSources(lines=(RequirementLine("./x-1.0.tar.gz", editable=True),)),
            LINUX_312.markers,
            tmp_path,
        )


def test_a_named_url_must_match_its_wheel() -> None:
    with pytest.raises(PuvError, match="does not match `other`"):
        wanted("pkg @ https://example.org/other-1.0-py3-none-any.whl")


def test_require_hashes_messages() -> None:
    with pytest.raises(PuvError) as unpinned:
        check_hashes_required(wanted("six"))
    assert unpinned.value.message == (
        "In `--require-hashes` mode, all requirements must have their versions pinned with "
        "`==`, but found: six"
    )
    with pytest.raises(PuvError) as unhashed:
        check_hashes_required(wanted("six==1.16.0"))
    assert unhashed.value.message == (
        "In `--require-hashes` mode, all requirements must have a hash, but none were provided "
        "for: six==1.16.0"
    )


def test_read_sources_warns_about_an_empty_file_and_collects_index_options(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty.txt").write_text("# nothing\n")
    (tmp_path / "reqs.txt").write_text(
        "--index-url http://a/simple\n--extra-index-url http://b/simple\n-f ./wheels\n"
        "--require-hashes\nsix==1.16.0 --hash=sha256:" + "b" * 64 + "\n"
    )
    warnings: list[str] = []
    sources = read_sources(
        [str(tmp_path / "empty.txt"), str(tmp_path / "reqs.txt")],
        ["idna"],
        environ={},
        warn=warnings.append,
    )
    assert warnings == [
        f"Requirements file `{tmp_path / 'empty.txt'}` does not contain any dependencies"
    ]
    assert [line.text for line in sources.lines] == ["idna", "six==1.16.0"]
    assert sources.indexes.index_url == "http://a/simple"
    assert sources.indexes.extra_index_urls == ("http://b/simple",)
    assert sources.indexes.find_links == ("./wheels",)
    assert sources.require_hashes
    assert uninstall_targets(sources, tmp_path) == (["idna", "six"], [])


def test_pylock_sources_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(PuvError, match="not supported yet"):
        read_sources([str(tmp_path / "pylock.toml")], environ={})


# ---------------------------------------------------------------- plan


def test_sync_keeps_what_satisfies_and_removes_the_rest() -> None:
    installed = [dist("six", "1.16.0"), dist("idna", "3.6"), dist("pip", "24.0")]
    plan = plan_environment(
        installed, wanted("six>=1.10", "idna==3.7", "certifi==2024.2.2"), exact=True
    )
    assert [d.name for d in plan.satisfied] == ["six"]
    assert [(c.requested.name, [d.version for d in c.replaces]) for c in plan.changes] == [
        ("idna", ["3.6"]),
        ("certifi", []),
    ]
    assert [d.name for d in plan.extraneous] == ["pip"]
    assert not plan.is_noop


def test_install_is_not_exact() -> None:
    plan = plan_environment([dist("pip", "24.0")], wanted("pip"), exact=False)
    assert plan.is_noop
    plan = plan_environment([dist("pip", "24.0")], wanted("six"), exact=False)
    assert plan.extraneous == ()


def test_reinstall_changes_even_satisfied_packages() -> None:
    installed = [dist("six", "1.16.0"), dist("idna", "3.6")]
    everything = plan_environment(installed, wanted("six", "idna"), exact=True, reinstall=True)
    assert [c.requested.name for c in everything.changes] == ["six", "idna"]
    one = plan_environment(installed, wanted("six", "idna"), exact=True, reinstall_packages={"six"})
    assert [c.requested.name for c in one.changes] == ["six"]
    assert [d.name for d in one.satisfied] == ["idna"]


def test_interrupted_and_duplicated_installs_never_satisfy() -> None:
    interrupted = plan_environment(
        [dist("six", "1.16.0", complete=False)], wanted("six"), exact=True
    )
    assert [c.requested.name for c in interrupted.changes] == ["six"]
    twice = [dist("six", "1.16.0"), dist("six", "1.15.0")]
    plan = plan_environment(twice, wanted("six"), exact=True)
    assert len(plan.changes[0].replaces) == 2


def test_satisfaction_rules() -> None:
    (registry,) = wanted("six==1.16")
    url = "file:///w/six-1.16.0-py3-none-any.whl"
    (direct,) = wanted(f"six @ {url}")
    assert satisfies(dist("six", "1.16.0"), registry)
    assert satisfies(dist("six", "1.16.0", url=url), registry)  # a version match is enough
    assert not satisfies(dist("six", "1.16.0"), direct)
    assert satisfies(dist("six", "1.16.0", url=url), direct)
    (prerelease_ok,) = wanted("six>=1.0")
    assert satisfies(dist("six", "2.0b1"), prerelease_ok)
    editable = InstalledDist(
        "six", "1.16.0", Path("/sp/six.dist-info"), "dist-info", True, True, None,
        {"url": "file:///src", "dir_info": {"editable": True}},
    )  # fmt: skip
    assert not satisfies(editable, registry)


# ---------------------------------------------------------------- report


def test_change_lines_sort_by_name_removals_first_and_mark_reinstalls() -> None:
    removed = [Dist("six", "1.16.0"), Dist("alpha", "1.0"), Dist("beta", "1.0")]
    added = [Dist("six", "1.16.0"), Dist("alpha", "2.0"), Dist("gamma", "0.5", "file:///g.whl")]
    assert change_lines(removed, added) == [
        ("-", "alpha", "==1.0"),
        ("+", "alpha", "==2.0"),
        ("-", "beta", "==1.0"),
        ("+", "gamma", "==0.5 (from file:///g.whl)"),
        ("~", "six", "==1.16.0"),
    ]
    dry = change_lines(
        [Dist("six", "1.16.0")], [Dist("six", "1.16.0"), Dist("g", None, "u")], dry_run=True
    )
    assert dry == [("+", "g", " @ u"), ("-", "six", "==1.16.0"), ("+", "six", "==1.16.0")]


def test_counted() -> None:
    assert counted("Resolved", 1, "2ms") == "Resolved 1 package in 2ms"
    assert counted("Checked", 3, "0.05ms") == "Checked 3 packages in 0.05ms"
    assert counted("Resolved", 0, "1ms") == "Resolved in 1ms"


# ---------------------------------------------------------------- wheel choice


def files(*entries: tuple[str, dict[str, object]]) -> PackageFiles:
    """A package's index listing from (filename, DistFile fields) pairs."""
    by_version: dict[Version, list[DistFile]] = {}
    for filename, fields in entries:
        version = Version(filename.split("-")[1].removesuffix(".tar.gz"))
        by_version.setdefault(version, []).append(
            DistFile(filename, f"https://files/{filename}", **fields)
        )
    index = Index("https://pypi.org/simple")
    versions = tuple(
        VersionFiles(version, index, 0, tuple(dist_files))
        for version, dist_files in sorted(by_version.items(), reverse=True)
    )
    name = entries[0][0].split("-")[0].lower() if entries else "pkg"
    return PackageFiles(name, versions)


def choose(requirement: str, package: PackageFiles, **options: object) -> str:
    (requested,) = wanted(requirement)
    return select_wheel(requested, package, POLICY, **options).file.filename


def test_newest_version_and_best_tag() -> None:
    package = files(
        ("pkg-1.0-py3-none-any.whl", {}),
        ("pkg-2.0-py3-none-any.whl", {}),
        ("pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", {}),
        ("pkg-2.0-cp312-cp312-win_amd64.whl", {}),
        ("pkg-2.0.tar.gz", {}),
    )
    assert choose("pkg", package) == "pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    assert choose("pkg<2", package) == "pkg-1.0-py3-none-any.whl"


def test_exact_pins_match_local_versions_too() -> None:
    package = files(("pkg-1.0+cpu-py3-none-any.whl", {}), ("pkg-1.1-py3-none-any.whl", {}))
    assert choose("pkg==1.0", package) == "pkg-1.0+cpu-py3-none-any.whl"
    assert choose("pkg==1.0+cpu", package) == "pkg-1.0+cpu-py3-none-any.whl"
    assert choose("pkg==1.1.0", package) == "pkg-1.1-py3-none-any.whl"
    with pytest.raises(NoSolution):
        choose("pkg==1.0+gpu", package)


def test_a_wheel_matching_the_required_hashes_is_preferred() -> None:
    package = files(
        ("pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", {"hashes": (("sha256", "a" * 64),)}),
        ("pkg-2.0-py3-none-any.whl", {"hashes": (("sha256", "b" * 64),)}),
    )
    sources = RequirementSources(
        lines=(RequirementLine("pkg==2.0", hashes=("sha256:" + "b" * 64,)),)
    )
    (requested,) = requested_packages(sources, LINUX_312.markers, Path("/"))
    assert select_wheel(requested, package, POLICY).file.filename == "pkg-2.0-py3-none-any.whl"


def test_prereleases_only_when_asked_or_necessary() -> None:
    package = files(("pkg-1.0-py3-none-any.whl", {}), ("pkg-2.0b1-py3-none-any.whl", {}))
    assert choose("pkg", package) == "pkg-1.0-py3-none-any.whl"
    assert choose("pkg>=2.0b1", package) == "pkg-2.0b1-py3-none-any.whl"
    only = files(("pkg-2.0b1-py3-none-any.whl", {}))
    assert choose("pkg", only) == "pkg-2.0b1-py3-none-any.whl"


def test_yanked_files_only_for_exact_pins() -> None:
    package = files(
        ("pkg-1.0-py3-none-any.whl", {}), ("pkg-2.0-py3-none-any.whl", {"yanked": True})
    )
    assert choose("pkg", package) == "pkg-1.0-py3-none-any.whl"
    assert choose("pkg==2.0", package) == "pkg-2.0-py3-none-any.whl"


def test_exclude_newer_and_requires_python() -> None:
    package = files(
        ("pkg-1.0-py3-none-any.whl", {"upload_time": "2024-01-01T00:00:00Z"}),
        ("pkg-2.0-py3-none-any.whl", {"upload_time": "2025-06-01T00:00:00.000Z"}),
        ("pkg-3.0-py3-none-any.whl", {"requires_python": ">=3.13"}),
    )
    assert choose("pkg", package) == "pkg-2.0-py3-none-any.whl"
    cutoff = parse_exclude_newer("2025-01-01T00:00:00Z")
    assert choose("pkg", package, exclude_newer=cutoff) == "pkg-1.0-py3-none-any.whl"


def test_exclude_newer_values() -> None:
    assert parse_exclude_newer("2026-11-15T00:00:00Z") == 1794700800.0
    assert parse_exclude_newer("2026-11-15") > 0
    with pytest.raises(PuvError, match="could not be parsed"):
        parse_exclude_newer("next tuesday")


def explanation(requirement: str, package: PackageFiles, **options: object) -> NoSolution:
    with pytest.raises(NoSolution) as caught:
        choose(requirement, package, **options)
    assert caught.value.message == "No solution found when resolving dependencies"
    assert caught.value.exit_code == 1
    return caught.value


def test_unsatisfiable_explanations_read_as_uv() -> None:
    tail = "we can conclude that your requirements are unsatisfiable."
    missing = explanation("nosuch", PackageFiles("nosuch", ()))
    assert missing.causes == (
        f"Because nosuch was not found in the package registry and you require nosuch, {tail}",
    )
    local = explanation("nosuch", PackageFiles("nosuch", ()), registry=False)
    assert "not found in the provided package locations" in local.causes[0]
    two = files(("alpha-1.0-py3-none-any.whl", {}), ("alpha-2.0-py3-none-any.whl", {}))
    assert explanation("alpha==1.5", two).causes == (
        f"Because there is no version of alpha==1.5 and you require alpha==1.5, {tail}",
    )
    assert explanation("alpha>3", two).causes == (
        f"Because only alpha<=2.0 is available and you require alpha>3, {tail}",
    )
    assert explanation("alpha<1", two).causes == (
        f"Because only alpha>=1.0 is available and you require alpha<1, {tail}",
    )
    one = files(("beta-1.0-py3-none-any.whl", {}))
    assert explanation("beta>3", one).causes == (
        f"Because only beta==1.0 is available and you require beta>3, {tail}",
    )


def test_no_matching_wheel_explanations_name_the_failing_tag() -> None:
    windows = files(("winonly-1.0-cp312-cp312-win_amd64.whl", {}))
    error = explanation("winonly", windows)
    assert error.causes == (
        "Because winonly==1.0 has no wheels with a matching platform tag (e.g., "
        f"`{POLICY.example_platform}`) and only winonly==1.0 is available, we can conclude that "
        "all versions of winonly cannot be used.\nAnd because you require winonly, we can "
        "conclude that your requirements are unsatisfiable.",
    )
    assert error.hint == (
        "Wheels are available for `winonly` (v1.0) on the following platform: `win_amd64`"
    )
    pinned = explanation("winonly==1.0", windows)
    assert pinned.causes[0].startswith("Because winonly==1.0 has no wheels with a matching plat")
    assert pinned.causes[0].endswith("and you require winonly==1.0, " + tail_text())
    python2 = explanation("old", files(("old-1.0-py2-none-any.whl", {})))
    assert python2.hint == (
        "You require CPython 3.12 (`cp312`), but we only found wheels for `old` (v1.0) with the "
        "following Python implementation tag: `py2`"
    )
    abi = explanation("abi", files(("abi-1.0-cp312-cp312m-manylinux_2_17_x86_64.whl", {})))
    assert "matching Python ABI tag (e.g., `cp312`)" in abi.causes[0]


def tail_text() -> str:
    return "we can conclude that your requirements are unsatisfiable."


def test_only_an_sdist_means_a_build_unless_building_is_off() -> None:
    package = files(("sdonly-1.0.tar.gz", {}))
    (requested,) = wanted("sdonly")
    selected = select_wheel(requested, package, POLICY)
    assert (selected.wheel, selected.file.filename) == (None, "sdonly-1.0.tar.gz")
    with pytest.raises(NoSolution) as refused:
        select_wheel(requested, package, POLICY, builds=Builds(build=False, disabled_by="package"))
    assert refused.value.hint == (
        "Wheels are required for `sdonly` because building from source is disabled for "
        "`sdonly` (i.e., with `--no-build-package sdonly`)"
    )


def test_no_binary_prefers_the_sdist() -> None:
    package = files(("pkg-1.0-py3-none-any.whl", {}), ("pkg-1.0.tar.gz", {}))
    (requested,) = wanted("pkg")
    assert select_wheel(requested, package, POLICY, builds=Builds(binary=False)).wheel is None
    with pytest.raises(NoSolution) as refused:
        select_wheel(requested, files(("pkg-1.0-py3-none-any.whl", {})), POLICY,
                     builds=Builds(binary=False))  # fmt: skip
    assert "pkg==1.0 has no source distribution" in refused.value.causes[0]


# ---------------------------------------------------------------- by-hash cache


def test_wheel_cache_finds_unpacked_wheels_by_hash(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    wheel = write_wheel(tmp_path, {"six.py": "X = 1\n"}, name="six", version="1.16.0")
    filename = WheelFilename.parse(wheel.name)
    unpacked = unpack_wheel(wheel, filename, layout)
    cache = WheelCache(layout)
    recorded = cache.record("six", unpacked)
    digest = HashDigest("sha256", recorded.sha256)
    other = HashDigest("sha256", "0" * 64)
    assert cache.find("six", [other, digest]) == [recorded]
    assert cache.find("six", [other]) == []
    assert cache.find("six", [HashDigest("sha512", "a" * 128)]) == []
    assert cache.find("idna", [digest]) == []
    assert cache.entries("six") == [recorded]
    assert cache.referenced_archives() == {unpacked.path.name}
    # An archive removed behind the pointer's back is a miss, never a broken install.
    import shutil

    shutil.rmtree(unpacked.path)
    assert cache.find("six", [digest]) == []


# ---------------------------------------------------------------- indexes


def test_index_order_is_uvs(tmp_path: Path) -> None:
    """Command line, then configuration, then requirement files; the first default wins."""
    from puv.core.printer import Printer
    from puv.operations.context import Context
    from puv.operations.install_session import IndexArguments, index_list
    from puv.operations.pip_requirements import FileIndexes
    from puv.project.settings import IndexConfig, PipSettings, Settings

    pip = PipSettings(
        index=(IndexConfig("https://config/simple", name="corp"),),
        extra_index_url=("https://config-extra/simple",),
        index_url="https://config-default/simple",
        find_links=("./config-links",),
        index_strategy="unsafe-best-match",
    )
    ctx = Context(Printer(), CacheLayout(tmp_path), tmp_path, settings=Settings(pip=pip))
    given = IndexArguments(
        default_index="https://cli-default/simple",
        index=("corp", "named=https://cli/simple"),
        extra_index_url=("https://cli-extra/simple",),
        find_links=("./cli-links",),
    )
    sources = RequirementSources(
        indexes=FileIndexes("https://file-default/simple", ("https://file-extra/simple",), ("./l",))
    )
    indexes = index_list(ctx, given, sources)
    assert [index.url for index in indexes.search_order()] == [
        "https://config/simple",
        "https://cli/simple",
        "https://cli-extra/simple",
        "https://config-extra/simple",
        "https://file-extra/simple",
        "https://cli-default/simple",
    ]
    assert indexes.find_links == ("./cli-links", "./config-links", "./l")
    assert indexes.strategy == "unsafe-best-match"
    assert not indexes.no_index


# ---------------------------------------------------------------- PEP 668


def test_externally_managed_interpreters_are_refused(tmp_path: Path) -> None:
    stdlib = tmp_path / "lib" / "python3.12"
    stdlib.mkdir(parents=True)
    (stdlib / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=Use apt to install packages.\n"
    )
    system = TargetEnvironment(
        LINUX_312._replace(prefix=tmp_path, base_prefix=tmp_path, stdlib=str(stdlib))
    )
    with pytest.raises(PuvError) as caught:
        check_externally_managed(system, allowed=False)
    assert caught.value.message == (
        f"The interpreter at {tmp_path} is externally managed, and indicates the following:\n\n"
        "  Use apt to install packages.\n\nConsider creating a virtual environment with "
        "`puv venv`."
    )
    check_externally_managed(system, allowed=True)
    venv = TargetEnvironment(LINUX_312._replace(stdlib=str(stdlib)))
    check_externally_managed(venv, allowed=False)
