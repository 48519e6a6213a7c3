"""Incremental parsing of a streamed JSON object: each top-level member is reported as soon as its
value is complete, whatever the chunk boundaries (inside a key, a string escape, a number).

    parser = MemberStream()
    for chunk in chunks:
        for name, value in parser.feed(chunk):
            ...  # "description", "Our team …" once the closing quote has arrived

Text before the first "{" (a Markdown fence, a preamble) is skipped. A member whose value is not
valid JSON is dropped; the final, validated output is the authority anyway.
"""

from __future__ import annotations

import json
from typing import Any

_OPENERS = {"{": "}", "[": "]"}
_SCALAR_ENDS = frozenset(",}] \t\r\n")


class MemberStream:
    """Reads one JSON object in pieces and yields its completed top-level (name, value) pairs."""

    def __init__(self) -> None:
        self._buffer: list[str] = []  # the text of the member being read (key or value)
        self._state = "before_object"  # before_object, key, colon, value, after_value, done
        self._in_string = False
        self._escaped = False
        self._closers: list[str] = []  # expected closing brackets inside the current value
        self._key: str | None = None
        self._value_kind = ""  # "string", "container" or "scalar"

    @property
    def done(self) -> bool:
        return self._state == "done"

    def feed(self, text: str) -> list[tuple[str, Any]]:
        members: list[tuple[str, Any]] = []
        for char in text:
            member = self._step(char)
            if member is not None:
                members.append(member)
        return members

    def _step(self, char: str) -> tuple[str, Any] | None:
        state = self._state
        if state == "before_object":
            if char == "{":
                self._state = "key"
            return None
        if state == "done":
            return None
        if state == "key":
            self._step_key(char)
            return None
        if state == "colon":
            if char == ":":
                self._state = "value"
            return None
        if state == "value":
            return self._step_value(char)
        # after_value: a comma starts the next member, a brace ends the object.
        if char == ",":
            self._state = "key"
        elif char == "}":
            self._state = "done"
        return None

    def _step_key(self, char: str) -> None:
        if not self._in_string:
            if char == '"':
                self._in_string = True
                self._buffer = [char]
            elif char == "}":
                self._state = "done"
            return
        self._buffer.append(char)
        if self._string_closed(char):
            self._key = json.loads("".join(self._buffer))
            self._buffer = []
            self._state = "colon"

    def _string_closed(self, char: str) -> bool:
        """Tracks escapes inside a string; True when `char` is its closing quote."""
        if self._escaped:
            self._escaped = False
        elif char == "\\":
            self._escaped = True
        elif char == '"':
            self._in_string = False
            return True
        return False

    def _step_value(self, char: str) -> tuple[str, Any] | None:
        if not self._buffer:  # the value has not started yet
            if char.isspace():
                return None
            self._buffer = [char]
            if char == '"':
                self._value_kind, self._in_string = "string", True
            elif char in _OPENERS:
                self._value_kind, self._closers = "container", [_OPENERS[char]]
            else:
                self._value_kind = "scalar"
            return None
        if self._value_kind == "scalar":
            if char in _SCALAR_ENDS:
                member = self._finish_member()
                # The delimiter also belongs to the object's structure.
                self._step(char)
                return member
            self._buffer.append(char)
            return None
        self._buffer.append(char)
        if self._in_string:
            if self._string_closed(char) and self._value_kind == "string":
                return self._finish_member()
            return None
        if char == '"':
            self._in_string = True
        elif char in _OPENERS:
            self._closers.append(_OPENERS[char])
        elif self._closers and char == self._closers[-1]:
            self._closers.pop()
            if not self._closers:
                return self._finish_member()
        return None

    def _finish_member(self) -> tuple[str, Any] | None:
        raw, key = "".join(self._buffer), self._key
        self._buffer, self._key, self._closers, self._value_kind = [], None, [], ""
        self._state = "after_value"
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return (key, value) if key is not None else None
