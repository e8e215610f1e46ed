"""An argparse parser that fails like clap (uv's parser) and reads `UV_*` variables in one place.

Every option is declared with `opt(...)`; an option with `env=` takes its value from that variable
(or its `PUV_` twin) when it is not given on the command line. After parsing, `resolve()` fills each
option from CLI, then environment, then its default, and records where each value came from so the
settings merge can rank CLI over environment over configuration files.
"""

from __future__ import annotations

import argparse
import importlib
import re

from puv.core.env import env_value, parse_bool, source_name
from puv.core.errors import UsageError

# No `typing` or `dataclasses` at run time: `puv --help` and usage errors need neither (ms each).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, NoReturn

PROG = "puv"
_BUILD_WIDTH = 100  # the width of formatters made while building parsers (see `_get_formatter`)


class Binding:
    """How one option gets its value: its destination, env variable, kind and default."""

    __slots__ = ("default", "dest", "env", "env_means", "kind", "setting", "split")

    def __init__(
        self,
        dest: str,
        env: tuple[str, ...],
        kind: str,  # "flag", "value", "list", "count"
        default: Any,
        # for flag pairs such as --managed-python/--no-managed-python: the value the env var means
        env_means: Any = True,
        setting: str | None = None,
        split: bool = False,  # env value is whitespace-separated for list options
    ) -> None:
        self.dest = dest
        self.env = env
        self.kind = kind
        self.default = default
        self.env_means = env_means
        self.setting = setting
        self.split = split


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are uv's and whose options know their env variables."""

    def __init__(self, *args: Any, usage_line: str | None = None, **kwargs: Any) -> None:
        self._rendering = False
        kwargs.setdefault("add_help", True)
        kwargs.setdefault("allow_abbrev", False)
        if usage_line:
            kwargs.setdefault("usage", usage_line)
        super().__init__(*args, **kwargs)
        self.bindings: list[Binding] = []
        self.usage_line = usage_line or f"{self.prog} [OPTIONS]"

    def _get_formatter(self) -> argparse.HelpFormatter:
        """As wide as the terminal for help and usage text. argparse also makes formatters while
        building a parser (to check each metavar, to name subcommands from the explicit usage
        line), where the width changes nothing: those get a fixed one, so that building a parser
        never asks for the terminal's size (which imports `shutil`, milliseconds at every start)."""
        if self._rendering:
            return super()._get_formatter()
        return argparse.HelpFormatter(prog=self.prog, width=_BUILD_WIDTH)

    def format_usage(self) -> str:
        """argparse's usage line, as wide as the terminal."""
        self._rendering = True
        try:
            return super().format_usage()
        finally:
            self._rendering = False

    def format_help(self) -> str:
        """argparse's help, as wide as the terminal, with clap's capitalised `Usage:` line."""
        self._rendering = True
        try:
            text = super().format_help()
        finally:
            self._rendering = False
        return "Usage:" + text[len("usage:") :] if text.startswith("usage:") else text

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Parse; a leftover argument is reported against the subcommand that was being parsed."""
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            leaf = getattr(ns, "_parser", self)
            leaf.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns

    def opt(
        self,
        *flags: str,
        env: str | Sequence[str] = (),
        default: Any = None,
        setting: str | None = None,
        env_means: Any = True,
        split: bool = False,
        env_kind: str | None = None,
        group: Any = None,
        **kwargs: Any,
    ) -> argparse.Action:
        """Add an option that defaults to its env variable(s), then to `default`.

        `env_kind="value"` makes a flag read its variable's raw text (`UV_PYTHON_DOWNLOADS=never`);
        `group` is an argument group of this parser to list the option under in `--help`.
        """
        action = kwargs.get("action")
        if env_kind is not None:
            kind = env_kind
        elif action in ("store_true", "store_false", "store_const"):
            kind = "flag"
        elif action == "count":
            kind = "count"
        elif action == "append":
            kind = "list"
        else:
            kind = "value"
        container = self if group is None else group
        act = container.add_argument(*flags, default=argparse.SUPPRESS, **kwargs)
        envs = (env,) if isinstance(env, str) else tuple(env)
        self.bindings.append(Binding(act.dest, envs, kind, default, env_means, setting, split))
        return act

    def add_lazy_subcommands(self, **kwargs: Any) -> LazySubcommands:
        """`add_subparsers` for commands that are declared now and built when used."""
        sub = self.add_subparsers(action=LazySubcommands, parser_class=Parser, **kwargs)
        assert isinstance(sub, LazySubcommands)
        return sub

    def error(self, message: str) -> NoReturn:
        """Translate argparse's message into clap's wording and raise a usage error."""
        raise UsageError(_clap_message(message, self))


class _ParsersByName(dict[str, "Parser | None"]):
    """Subcommand parsers by name; a declared name maps to None until it is first looked up."""

    def __init__(self, build: Callable[[str], Parser]) -> None:
        super().__init__()
        self._build = build

    def __getitem__(self, name: str) -> Parser:
        parser = super().__getitem__(name)
        return self._build(name) if parser is None else parser


class LazySubcommands(argparse._SubParsersAction):
    """Subcommands that are listed in `--help` at once but built only when one is used.

    `declare(name, module, summary)` lists a command; the first lookup of `name` (parsing it, or
    `puv help name`) imports `module` and calls its `register(sub)`, which adds the parser as usual.
    Unknown names still fail argparse's choice check, so clap's error is unchanged.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._modules: dict[str, str] = {}
        self._name_parser_map = self.choices = _ParsersByName(self._build)

    def declare(self, name: str, module: str, summary: str) -> None:
        """List `name` with its one-line `summary`; `module.register(self)` builds it when used."""
        self._modules[name] = module
        dict.__setitem__(self._name_parser_map, name, None)
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), summary))

    def add_parser(self, name: str, **kwargs: Any) -> Parser:
        """Add a parser; for a declared name this replaces the placeholder (the summary stays)."""
        if name in self._modules:
            dict.__delitem__(self._name_parser_map, name)
            kwargs.pop("help", None)
        parser: Parser = super().add_parser(name, **kwargs)
        return parser

    def _build(self, name: str) -> Parser:
        importlib.import_module(self._modules[name]).register(self)
        parser = dict.__getitem__(self._name_parser_map, name)
        assert parser is not None, f"{self._modules[name]}.register() did not add `{name}`"
        return parser


def _metavar(parser: argparse.ArgumentParser, option: str) -> str:
    for action in parser._actions:
        if option in action.option_strings:
            long = next((s for s in action.option_strings if s.startswith("--")), option)
            meta = action.metavar or action.dest.upper()
            return f"{long} <{meta}>"
    return option


def _clap_message(message: str, parser: Parser) -> str:
    usage = f"Usage: {parser.usage_line}"
    more = "For more information, try '--help'."
    if m := re.match(r"unrecognized arguments: (\S+)", message):
        arg = m.group(1)
        takes_values = any(
            not a.option_strings and not isinstance(a, argparse._SubParsersAction)
            for a in parser._actions
        )
        if arg.startswith("-") and takes_values:
            return (
                f"unexpected argument '{arg}' found\n\n"
                f"  tip: to pass '{arg}' as a value, use '-- {arg}'\n\n{usage}\n\n{more}"
            )
        return f"unexpected argument '{arg}' found\n\n{usage}\n\n{more}"
    if m := re.match(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message):
        names = [c.strip(" '") for c in m.group(3).split(",")]
        if m.group(1).startswith(("{", "<")):
            return f"unrecognized subcommand '{m.group(2)}'\n\n{usage}\n\n{more}"
        option = m.group(1).split("/")[-1]
        return (
            f"invalid value '{m.group(2)}' for '{_metavar(parser, option)}'\n"
            f"  [possible values: {', '.join(names)}]\n\n{more}"
        )
    if m := re.match(r"argument (\S+): expected one argument", message):
        option = m.group(1).split("/")[-1]
        return (
            f"a value is required for '{_metavar(parser, option)}' but none was supplied\n\n{more}"
        )
    if m := re.match(r"argument (\S+): invalid \w+ value: '(.*)'", message):
        option = m.group(1).split("/")[-1]
        return f"invalid value '{m.group(2)}' for '{_metavar(parser, option)}'\n\n{more}"
    if m := re.match(r"argument (\S+): not allowed with argument (\S+)", message):
        a, b = m.group(1).split("/")[-1], m.group(2).split("/")[-1]
        return (
            f"the argument '{_metavar(parser, a)}' cannot be used with '{_metavar(parser, b)}'"
            f"\n\n{usage}\n\n{more}"
        )
    if m := re.match(r"the following arguments are required: (.*)", message):
        return f"the following required arguments were not provided:\n  {m.group(1)}\n\n{usage}\n\n{more}"
    return f"{message}\n\n{usage}\n\n{more}"


def _env_to_value(binding: Binding, var: str, raw: str) -> Any:
    if binding.kind == "flag":
        return binding.env_means if parse_bool(raw, var) else None
    if binding.kind == "count":
        return int(raw)
    if binding.kind == "list":
        return raw.split() if binding.split else [raw]
    return raw


def resolve(
    args: argparse.Namespace,
    parsers: Sequence[Parser],
    environ: Mapping[str, str],
) -> dict[str, str]:
    """Fill every bound option from CLI, then env, then default; return dest -> "cli"|"env"|"default"."""
    origin: dict[str, str] = {}
    for parser in parsers:
        for b in parser.bindings:
            if b.dest in origin:
                continue
            if hasattr(args, b.dest):
                origin[b.dest] = "cli"
                continue
            value = None
            for var in b.env:
                raw = env_value(var, environ)
                if raw is None:
                    continue
                value = _env_to_value(b, source_name(var, environ), raw)
                if value is not None:
                    break
            if value is not None:
                setattr(args, b.dest, value)
                origin[b.dest] = "env"
            else:
                setattr(args, b.dest, b.default)
                origin[b.dest] = "default"
    return origin


def setting_layers(
    args: argparse.Namespace, parsers: Sequence[Parser], origin: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `cli` and `env` settings layers: every option bound to a configuration key, by origin."""
    cli: dict[str, Any] = {}
    env: dict[str, Any] = {}
    for parser in parsers:
        for b in parser.bindings:
            if b.setting is None or b.setting in cli or b.setting in env:
                continue
            layer = {"cli": cli, "env": env}.get(origin.get(b.dest, "default"))
            value = getattr(args, b.dest, None)
            if layer is not None and value is not None:
                layer[b.setting] = value
    return cli, env


class KeyValuePairs(argparse.Action):
    """Collect `KEY<sep>VALUE` arguments into a dict with `parse(text) -> (key, value)`."""

    def __init__(self, *args: Any, parse: Callable[[str], tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parse = parse

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        collected = dict(getattr(namespace, self.dest, None) or {})
        key, value = self.parse(str(values))
        collected.setdefault(key, value)  # the first value given wins, as in uv
        setattr(namespace, self.dest, collected)
