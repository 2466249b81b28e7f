"""Text safe to show on a terminal or in a log line, whatever a file name or article holds."""

from __future__ import annotations

# A file name or text may hold a newline (which would start a fake line of output, such as a
# forged run summary), an escape sequence (which retitles or reprograms the terminal), a bidi
# override (which shows text in another order than it is) or a lone surrogate (a name that is
# not valid UTF-8, which print() cannot encode). Each is shown as its Python escape instead.
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_CONTROLS = [
    *range(0x00, 0x20),  # C0
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1, among them CSI (0x9B), which some terminals obey like ESC [
    0x2028,  # line and paragraph separators: line breaks to many log viewers
    0x2029,
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    *range(0xD800, 0xE000),  # lone surrogates (undecodable bytes of a file name)
]


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in _CONTROLS}


def printable(value: object) -> str:
    """str(value) with every control character, bidi control and lone surrogate escaped."""
    return str(value).translate(_TABLE)
