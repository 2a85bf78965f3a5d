"""The text Redis runs for a script of this folder: its includes put in, feed.keys' constants declared.

A script file names the helpers it uses with lines `-- include: lib/<name>.lua` (before
its own code; a helper may include helpers). Each such line is replaced by that file's
text, once per script: a helper included twice (directly and through another helper) is
put in at its first include only, so every `local function` is defined once, before use.
The constants of `feed.keys` a script's text names (the sentinel, key prefixes) are then
declared at its top as Lua locals, so their values have one home, keys.py.
"""

import re
from pathlib import Path

from feed import keys

FOLDER = Path(__file__).resolve().parent

# Lua name -> value, declared only in the scripts that use the name.
CONSTANTS: dict[str, str] = {
    "SENTINEL": keys.SENTINEL,
    "TWEET_KEY_PREFIX": keys.TWEET_KEY_PREFIX,
    "TWEET_KEY_SUFFIX": keys.TWEET_KEY_SUFFIX,
    "SOURCE_KEY_PREFIX": keys.SOURCE_KEY_PREFIX,
    "SOURCE_KEY_SUFFIX": keys.SOURCE_KEY_SUFFIX,
    "SOURCE_REPOSTS_KEY_SUFFIX": keys.SOURCE_REPOSTS_KEY_SUFFIX,
}

_INCLUDE = re.compile(r"^-- include: (\S+)[ \t]*$", re.MULTILINE)


def load(name: str) -> str:
    """The runnable text of `<name>.lua`; raises FileNotFoundError for a missing file or include."""
    text = _expand(f"{name}.lua", set())
    used = [constant for constant in CONSTANTS if re.search(rf"\b{constant}\b", text)]
    return "".join(f"local {constant} = {lua_string(CONSTANTS[constant])}\n" for constant in used) + text


def _expand(path: str, seen: set[str]) -> str:
    seen.add(path)
    text = (FOLDER / path).read_text(encoding="utf-8")

    def include(match: re.Match[str]) -> str:
        target = match.group(1)
        return "" if target in seen else _expand(target, seen)

    return _INCLUDE.sub(include, text)


def lua_string(value: str) -> str:
    """A single-quoted Lua string literal of `value` (printable text: key prefixes, ids)."""
    if not value.isprintable():
        raise ValueError(f"not a printable constant for a Lua script: {value!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
