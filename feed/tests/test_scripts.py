"""feed.scripts: every Lua file in use, includes put in once, feed.keys' constants declared,
every script accepted by the real Redis. (What the scripts do: the rest of the feed suite.)"""

import re

import pytest
from django_redis import get_redis_connection

from feed import keys, scripts
from feed.scripts.loader import FOLDER, load, lua_string

ALL = [value for value in vars(scripts).values() if isinstance(value, scripts.LuaScript)]


def test_every_lua_file_is_a_script_or_an_included_helper():
    names = {path.stem for path in FOLDER.glob("*.lua")}
    assert names == {script.name for script in ALL}
    included = {match for script in ALL for match in re.findall(r"^-- include: (\S+)", _raw(script.name), re.M)}
    helpers = {path.relative_to(FOLDER).as_posix() for path in (FOLDER / "lib").glob("*.lua")}
    nested = {m for helper in helpers for m in re.findall(r"^-- include: (\S+)", (FOLDER / helper).read_text(), re.M)}
    assert helpers == included | nested


def _raw(name: str) -> str:
    return (FOLDER / f"{name}.lua").read_text()


def test_a_helper_included_twice_is_put_in_once_before_its_use():
    # feed_page.lua includes lib/viewer.lua and lib/source.lua, which both include lib/entries.lua.
    source = scripts.FEED_PAGE.source
    assert "-- include:" not in source
    assert source.count("local function append_entries(") == 1
    assert source.index("local function append_entries(") < source.index("local function viewer_header(")
    assert source.index("local function append_entries(") < source.index("local function source_page(")


def test_the_constants_come_from_feed_keys_and_only_where_used():
    page = scripts.FEED_PAGE.source
    assert page.startswith(f"local SENTINEL = '{keys.SENTINEL}'\n")
    assert f"local SOURCE_KEY_PREFIX = '{keys.SOURCE_KEY_PREFIX}'\n" in page
    assert f"local TWEET_KEY_PREFIX = '{keys.TWEET_KEY_PREFIX}'\n" in page
    assert scripts.FAN_OUT.source == _raw("fan_out")  # names none of them
    assert lua_string("a'b\\c") == "'a\\'b\\\\c'"
    with pytest.raises(ValueError):
        lua_string("a\nb")


def test_a_missing_file_fails_at_load():
    with pytest.raises(FileNotFoundError):
        load("no_such_script")


def test_redis_accepts_every_script():
    client = get_redis_connection("default")
    for script in ALL:
        assert client.script_load(script.source), script.name
