"""``--help`` and the usage errors of the command line in the CLI's language.

The English texts stay where they are written (command docstrings, typer ``help=``) and are the msgids of
``service/locale/<lang>/LC_MESSAGES/clihelp.po``, with typer's own fixed strings (:data:`FRAMEWORK_TEXTS`)
and the usage errors of typer and the click it carries (:data:`ERROR_TEMPLATES`). :func:`install` hooks
typer once: when help is shown the command tree is translated in place (from its English originals) into
:func:`service.messages.cli_language`, and typer's fixed strings are swapped for the time of the print; a
usage error's message is translated by the template it was made from. In English nothing changes.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from typer import _click as click_api  # typer 0.29 carries its own copy of click

#: typer's fixed strings in its rich help and error panels (module constants of ``typer.rich_utils``).
RICH_CONSTANTS = {
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
USAGE_PREFIX = "Usage: "
HELP_OPTION_HELP = "Show this message and exit."
#: The words of the usage line (``Usage: werkbrug [OPTIONS] COMMAND [ARGS]...``), per command attribute.
USAGE_METAVARS = {"options_metavar": "[OPTIONS]", "subcommand_metavar": "COMMAND [ARGS]..."}
#: The strings ``typer.core`` passes through gettext that this app can print (its usage errors).
TYPER_GETTEXT = ("Missing command.", "No such command {name!r}.")
FRAMEWORK_TEXTS = (*RICH_CONSTANTS.values(), USAGE_PREFIX, *USAGE_METAVARS.values(), HELP_OPTION_HELP, *TYPER_GETTEXT)

#: The usage errors typer and its click can give for this app's parameters (text, path, int ranges, an enum,
#: flags), as they build them: ``{name}`` is any text, a ``{message}`` is itself a message and translated in
#: turn. The more specific first.
ERROR_TEMPLATES = (
    "No such option: {option} (Possible options: {options})",
    "No such option: {option}",
    "{message}. Did you mean {suggestions}?",
    "Invalid value for {param}: {message}",
    "Missing option {param}.",
    "Missing argument {param}.",
    "Option {option} requires an argument.",
    "Option {option} does not take a value.",
    "Got unexpected extra argument(s) ({arguments})",
    "path {path} is not readable.",
    "Input should be a valid integer, unable to parse string as an integer",
    "Input should be greater than or equal to {limit}",
    "Input should be less than or equal to {limit}",
    "Value error, {value} is not one of {choices}.",
)
_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rs])?\}")


def help_msgid(text: str) -> str:
    """The catalogue key of a help text: dedented, the part before a ``\\f``, each paragraph on one line."""
    paragraphs = inspect.cleandoc(text).partition("\f")[0].strip().split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _text_of(lang: str) -> Callable[[str], str]:
    """The catalogue lookup of ``lang``; in English each text is its own msgid."""
    if lang == "en":
        return str
    from service.i18n import translations

    return translations(lang).gettext


def walk(command: Any) -> Iterator[Any]:
    """``command`` and every group and command under it."""
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from walk(sub)


def help_texts(command: Any) -> Iterator[tuple[Any, str, str]]:
    """Every ``(object, attribute, English text)`` of the help of the tree under ``command``."""
    for cmd in walk(command):
        for attr in ("help", "short_help", "epilog"):
            if text := _english(cmd, attr):
                yield cmd, attr, text
        for param in cmd.params:
            if text := _english(param, "help"):
                yield param, "help", text


def _english(obj: Any, attr: str) -> str | None:
    """The text ``obj.attr`` had before any translation (kept on ``obj`` the first time it is asked)."""
    key = f"_werkbrug_english_{attr}"
    if key not in vars(obj):
        setattr(obj, key, getattr(obj, attr, None))
    return getattr(obj, key)


def localise(command: Any, lang: str) -> Any:
    """Put the help of the tree under ``command`` in ``lang`` (English: the original texts); returns it."""
    text_of = _text_of(lang)
    for obj, attr, text in help_texts(command):
        msgid = help_msgid(text)
        translated = text_of(msgid)
        setattr(obj, attr, translated if translated != msgid else text)
    for cmd in walk(command):
        for attr, msgid in USAGE_METAVARS.items():
            if _english(cmd, attr) == msgid:
                setattr(cmd, attr, text_of(msgid))
    return command


def translate_message(text: str, lang: str) -> str:
    """A usage error's message in ``lang``, by the first :data:`ERROR_TEMPLATES` entry it matches."""
    if lang == "en":
        return text
    text_of = _text_of(lang)
    for msgid, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values = {k: translate_message(v, lang) if k == "message" else v for k, v in found.groupdict().items()}
        return _fill(text_of(msgid), values)
    return text


def _fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{name}`` (or ``{name!r}``) replaced by the text found for it."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    def compiled(msgid: str) -> re.Pattern[str]:
        parts, end = [], 0
        for m in _PLACEHOLDER.finditer(msgid):
            parts += [re.escape(msgid[end : m.start()]), f"(?P<{m.group(1)}>.+?)"]
            end = m.end()
        return re.compile("".join([*parts, re.escape(msgid[end:])]), re.DOTALL)

    return tuple((msgid, compiled(msgid)) for msgid in ERROR_TEMPLATES)


def _language() -> str:
    from service.messages import cli_language

    return cli_language()


@contextlib.contextmanager
def _fixed_strings(lang: str) -> Iterator[None]:
    """typer's rich panel titles, hints and markers in ``lang`` until the block ends."""
    from typer import rich_utils

    text_of = _text_of(lang)
    before = {name: getattr(rich_utils, name) for name in RICH_CONSTANTS}
    highlights = rich_utils.OptionHighlighter.highlights
    for name, msgid in RICH_CONSTANTS.items():
        setattr(rich_utils, name, text_of(msgid))
    usage = text_of(USAGE_PREFIX)
    if usage != USAGE_PREFIX:  # the usage prefix stands out as the English one does
        rich_utils.OptionHighlighter.highlights = [*highlights, f"(?P<usage>{re.escape(usage)})"]
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(rich_utils, name, value)
        rich_utils.OptionHighlighter.highlights = highlights


def _localised(ctx: Any, lang: str) -> None:
    """The command tree of ``ctx``, with the help option of its command, in ``lang``."""
    localise(ctx.find_root().command, lang)
    help_option = ctx.command.get_help_option(ctx)
    if help_option is not None:
        help_option.help = _text_of(lang)(HELP_OPTION_HELP)


def _context_of(*args: Any) -> Any:
    """The click context among ``args``, or the one of the error among them (``None`` if there is none)."""
    context = click_api.core.Context
    for arg in args:
        for candidate in (arg, getattr(arg, "ctx", None)):
            if isinstance(candidate, context):
                return candidate
    return None


def _in_language(show: Callable[..., Any]) -> Callable[..., Any]:
    """``show`` (typer's printer of help, of an error or of an abort) with the command tree of the context among
    its arguments and typer's fixed strings in the CLI's language."""

    @functools.wraps(show)
    def shown(*args: Any, **kwargs: Any) -> Any:
        lang = _language()
        ctx = _context_of(*args, *kwargs.values())
        if ctx is not None:
            _localised(ctx, lang)
        if lang == "en":
            return show(*args, **kwargs)
        with _fixed_strings(lang):
            return show(*args, **kwargs)

    return shown


def _format_message(original: Callable[[Any], str]) -> Callable[[Any], str]:
    @functools.wraps(original)
    def format_message(self: Any) -> str:
        return translate_message(original(self), _language())

    return format_message


def _write_usage(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        lang = _language()
        if prefix is None and lang != "en":
            prefix = _text_of(lang)(USAGE_PREFIX)
        original(self, prog, args, prefix)

    return write_usage


def _typer_gettext(message: str) -> str:
    return _text_of(_language())(message)


_installed = False


def install() -> None:
    """Hook typer (once per process): help, usage lines and usage errors follow the CLI's language."""
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    from typer import rich_utils

    command = click_api.core.Command
    command.get_help = _in_language(command.get_help)
    formatter = click_api.formatting.HelpFormatter
    formatter.write_usage = _write_usage(formatter.write_usage)
    base = click_api.exceptions.ClickException
    for cls in vars(click_api.exceptions).values():  # the base (its message as given) and each own format
        if isinstance(cls, type) and issubclass(cls, base) and (cls is base or "format_message" in vars(cls)):
            cls.format_message = _format_message(cls.format_message)
    typer.core._ = _typer_gettext
    rich_utils.rich_format_error = _in_language(rich_utils.rich_format_error)
    rich_utils.rich_abort_error = _in_language(rich_utils.rich_abort_error)
