"""The resolver's provider over a served index: sdists without reliable static metadata built
with the PEP 517 frontend (and cached by hash), speculative prefetches that never build and skip
versions the target Python cannot use, and releases whose files are converted lazily."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from packaging.version import Version

from puv.cache.layout import CacheLayout
from puv.core.printer import Printer
from puv.index.client import ClientOptions, HttpClient
from puv.index.indexes import Index, IndexList, PackageFinder
from puv.operations.context import Context
from puv.operations.resolver_provider import (
    BuildRequired,
    IndexProvider,
    ProviderOptions,
    sdist_metadata_builder,
)
from puv.python.probe import probe_interpreter
from puv.resolver.provider import PackageMetadata, PackageVersion
from tests.indexserver import IndexServer
from tests.wheelmaker import write_sdist

FAST = ClientOptions(retry_delay=(0.0, 0.0))


def _pkg_info(name: str, version: str, *headers: str) -> str:
    return "\n".join([f"Name: {name}", f"Version: {version}", *headers]) + "\n\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    root = tmp_path_factory.mktemp("provider-index")
    with IndexServer(root) as server:
        server.add_wheel("beta", "1.0")
        server.add_wheel("beta", "2.0")
        # PKG-INFO 2.1: not reliable, the build says `beta>=2`
        write_sdist(root, {}, name="old-meta", version="1.0", dependencies=["beta>=2"])
        # PKG-INFO 2.2 whose dependencies are dynamic (and wrong in PKG-INFO)
        dynamic = _pkg_info(
            "dyn-deps", "1.0", "Dynamic: Requires-Dist", "Requires-Dist: not-what-the-build-says"
        )
        write_sdist(
            root,
            {"PKG-INFO": "Metadata-Version: 2.2\n" + dynamic},
            name="dyn-deps",
            version="1.0",
            dependencies=["beta<2"],
        )
        # PKG-INFO 2.2, static: read as is, never built
        static = _pkg_info("static-meta", "1.0", "Requires-Dist: beta")
        write_sdist(
            root,
            {"PKG-INFO": "Metadata-Version: 2.2\n" + static},
            name="static-meta",
            version="1.0",
            dependencies=["not-read"],
        )
        server.add_wheel("later", "1.0")
        server.add_wheel("later", "2.0", requires_python=">=3.99")
        yield server


class Counting:
    """A `build_metadata` wrapper that records which sdists were built."""

    def __init__(self, build: Callable[[Path], bytes]) -> None:
        self.build = build
        self.built: list[str] = []

    def __call__(self, sdist: Path) -> bytes:
        self.built.append(sdist.name)
        return self.build(sdist)


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return Context(Printer(), CacheLayout(tmp_path / "cache"), tmp_path)


@pytest.fixture
def builder(ctx: Context) -> Counting:
    interpreter = probe_interpreter(Path(sys.executable), ctx.cache)
    return Counting(sdist_metadata_builder(ctx, interpreter))


def _provider(
    client: HttpClient,
    index: IndexServer,
    ctx: Context,
    build: Callable[[Path], bytes] | None = None,
    environment: dict[str, str] | None = None,
) -> IndexProvider:
    finder = PackageFinder(client, IndexList((Index(index.simple_url),)))
    options = ProviderOptions(build_metadata=build, environment=environment)
    return IndexProvider(
        client, finder, ctx.cache.bucket("metadata"), ctx.cache.bucket("sdists"), options
    )


@pytest.mark.parametrize(
    ("name", "requires"), [("old-meta", ["beta>=2"]), ("dyn-deps", ["beta<2"])]
)
def test_unreliable_sdist_metadata_is_built_once_then_cached(
    index: IndexServer, ctx: Context, builder: Counting, name: str, requires: list[str]
) -> None:
    filename = f"{name.replace('-', '_')}-1.0.tar.gz"
    with HttpClient(FAST) as client:
        provider = _provider(client, index, ctx, builder)
        provider.prefetch([name])
        assert [r.version for r in provider.versions(name)] == [Version("1.0")]  # type: ignore[union-attr]
        metadata = provider.metadata(name, Version("1.0"))
    assert isinstance(metadata, PackageMetadata)
    assert [str(r) for r in metadata.requires_dist] == requires
    assert builder.built == [filename]
    downloads = len(index.requests_to(f"/files/{filename}"))
    with HttpClient(FAST) as client:  # a new run: the metadata bucket answers
        provider = _provider(client, index, ctx, builder)
        provider.versions(name)
        again = provider.metadata(name, Version("1.0"))
    assert again == metadata
    assert builder.built == [filename]
    assert len(index.requests_to(f"/files/{filename}")) == downloads


def test_static_sdist_metadata_is_read_without_a_build(
    index: IndexServer, ctx: Context, builder: Counting
) -> None:
    with HttpClient(FAST) as client:
        provider = _provider(client, index, ctx, builder)
        provider.versions("static-meta")
        metadata = provider.metadata("static-meta", Version("1.0"))
    assert isinstance(metadata, PackageMetadata)
    assert [str(r) for r in metadata.requires_dist] == ["beta"]
    assert builder.built == []


def test_a_speculative_read_never_builds(index: IndexServer, ctx: Context) -> None:
    """What a prefetch runs: the sdist's PKG-INFO is read, and a build is left to the resolver's
    own request."""
    built: list[Path] = []

    def build(sdist: Path) -> bytes:
        built.append(sdist)
        return b"Metadata-Version: 2.1\nName: old-meta\nVersion: 1.0\nRequires-Dist: beta\n\n"

    with HttpClient(FAST) as client:
        provider = _provider(client, index, ctx, build)
        provider.versions("old-meta")
        speculative = provider._read_metadata("old-meta", Version("1.0"), False)
        assert not isinstance(speculative, PackageMetadata) and built == []
        assert index.requests_to("/files/old_meta-1.0.tar.gz")  # it did read the PKG-INFO
        metadata = provider.metadata("old-meta", Version("1.0"))
    assert isinstance(metadata, PackageMetadata) and len(built) == 1


def test_without_a_builder_an_unreliable_sdist_is_an_error(
    index: IndexServer, ctx: Context
) -> None:
    with HttpClient(FAST) as client, pytest.raises(BuildRequired) as failure:
        provider = _provider(client, index, ctx)
        provider.versions("old-meta")
        provider.metadata("old-meta", Version("1.0"))
    assert failure.value.message == (
        "Failed to read metadata of `old-meta==1.0` from `old_meta-1.0.tar.gz`"
    )


def test_prefetch_skips_versions_the_target_python_cannot_use(
    index: IndexServer, ctx: Context
) -> None:
    environment = {"python_full_version": "3.11.4", "python_version": "3.11"}
    with HttpClient(FAST) as client:  # for every environment, the newest
        assert _provider(client, index, ctx).likely_version("later") == Version("2.0")
    index.reset()
    with HttpClient(FAST) as client:
        provider = _provider(client, index, ctx, environment=environment)
        assert provider.likely_version("later") == Version("1.0")
        provider.prefetch(["later"])
        provider.metadata("later", Version("1.0"))
    fetched = [r.path for r in index.requests if r.path.startswith("/files/later")]
    assert fetched and all("later-1.0-" in path for path in fetched)


def test_releases_convert_their_files_on_first_use(index: IndexServer, ctx: Context) -> None:
    with HttpClient(FAST) as client:
        releases = _provider(client, index, ctx).versions("beta")
    assert not isinstance(releases, PackageVersion) and not hasattr(releases, "kind")
    first, second = releases  # type: ignore[misc]
    assert isinstance(first, PackageVersion) and first.version == Version("1.0")
    assert [f.filename for f in second.files] == ["beta-2.0-py3-none-any.whl"]
    assert second.files is second.files  # built once
    assert hash(second) == hash(PackageVersion(second.version, second.files))
