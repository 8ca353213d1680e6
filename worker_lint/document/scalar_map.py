"""Where each character of a scalar's value is written in the file.

A rule that reads a string (a shell script, a Python file, a placeholder) knows
an offset into the value, not into the file: between the two stand the quotes,
escapes, line folding and indentation of the scalar's style.  This module walks
the scalar's source once, style by style, and pairs every character of the value
with the source range it comes from:

- plain and single-quoted scalars: `''` is one quote; a line break between two
  lines is a space, or one newline per empty line between them; the whitespace
  around a break is not content;
- double-quoted scalars: escapes (`\\t`, `\\x41`, `\\u00e9`, ...) are one character
  from the backslash to the escape's end, and an escaped line break joins lines;
- literal (`|`) and folded (`>`) block scalars: the content indentation (detected,
  or given by an indentation indicator) is not content; folded lines join with a
  space unless more indented or separated by empty lines; chomping drops or keeps
  the trailing breaks.

The walk is checked against the value the parser read: a scalar it does not
reproduce (a form this module does not know) has no map, and a finding falls
back to the whole scalar rather than point at a wrong character.
"""

from __future__ import annotations

from ruamel.yaml.nodes import ScalarNode

from worker_lint.core.diagnostic import Span

#: one value character's source range: [start, end) offsets into the text
Piece = tuple[str, int, int]

_BLANK = " \t"

#: double-quoted escapes of one letter, as YAML defines them
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def content_map(node: ScalarNode, text: str) -> list[tuple[int, int]] | None:
    """The source range of each character of ``node.value``, or None when the walk does not reproduce it."""
    style = node.style
    start, end = node.start_mark.index, node.end_mark.index
    if not isinstance(node.value, str) or end > len(text) or start > end:
        return None
    start = _after_properties(text, start, end)
    if style in ("|", ">"):
        pieces = _block(text, start, end, folded=style == ">", value=node.value)
    elif style == "'":
        pieces = _flow(text, start + 1, end - 1, quote="'")
    elif style == '"':
        pieces = _flow(text, start + 1, end - 1, quote='"')
    else:
        pieces = _flow(text, start, end, quote="")
    if pieces is None or "".join(p[0] for p in pieces) != node.value:
        return None
    return [(p[1], p[2]) for p in pieces]


def _after_properties(text: str, start: int, end: int) -> int:
    """Where the scalar itself starts: after its anchor and tag (`&a !!str value`), which the node's start includes."""
    while start < end and text[start] in "&!":
        while start < end and text[start] not in " \t\n":
            start += 1
        while start < end and text[start] in " \t\n":
            start += 1
    return start


def value_span(node: ScalarNode, text: str, first: int, stop: int) -> Span | None:
    """The file span of the value's characters [first, stop), or None when they cannot be placed exactly."""
    mapped = content_map(node, text)
    if mapped is None or not 0 <= first < len(mapped):
        return None
    begin = mapped[first][0]
    finish = mapped[min(max(stop, first + 1), len(mapped)) - 1][1]
    line, column = _point(node, text, begin)
    end_line, end_column = _point(node, text, finish)
    return Span(line, column, end_line, end_column)


def _point(node: ScalarNode, text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a text offset inside (or just after) the node."""
    line = node.start_mark.line + text.count("\n", node.start_mark.index, offset)
    return line + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------- flow scalars


def _flow(text: str, start: int, end: int, quote: str) -> list[Piece] | None:
    """Plain, single- and double-quoted scalars: escapes, then folding at each unescaped line break."""
    lines: list[tuple[int, int]] = []  # each source line's [start, end) inside the scalar
    position = start
    while True:
        brk = text.find("\n", position, end)
        if brk == -1:
            lines.append((position, end))
            break
        lines.append((position, brk))
        position = brk + 1
    pieces: list[Piece] = []
    empty_lines: list[int] = []  # the breaks of the empty lines since the last line with content
    joined = False  # the previous line ended in an escaped line break: no fold
    previous_break = start
    for number, (first, stop) in enumerate(lines):
        if number > 0:
            while first < stop and text[first] in _BLANK:
                first += 1  # a continuation line's indentation is not content
        line, escaped_break = _line(text, first, stop, quote)
        if line is None:
            return None
        last_line = number == len(lines) - 1
        if not last_line and not escaped_break:
            while line and line[-1][0] in _BLANK and line[-1][2] - line[-1][1] == 1:
                line.pop()  # the blanks before a break are not content (escaped ones are)
        if number > 0 and not last_line and not line and not escaped_break:
            empty_lines.append(stop)
            continue
        if number > 0 and not joined:
            if empty_lines:
                pieces.extend(("\n", b, b + 1) for b in empty_lines)
            else:
                pieces.append((" ", previous_break, previous_break + 1))
        empty_lines = []
        pieces.extend(line)
        joined = escaped_break
        previous_break = line[-1][2] if line else stop  # a fold is shown just after the line's content
    return pieces


def _line(text: str, first: int, stop: int, quote: str) -> tuple[list[Piece] | None, bool]:
    """One line's characters, and whether it ends in an escaped line break (double quotes only)."""
    pieces: list[Piece] = []
    index = first
    while index < stop:
        char = text[index]
        if quote == "'" and char == "'":
            if text[index + 1 : index + 2] != "'":
                return None, False
            pieces.append(("'", index, index + 2))
            index += 2
        elif quote == '"' and char == "\\":
            if index + 1 == stop:
                return pieces, True  # `\` just before the line break: the lines join without a space
            escape = text[index + 1]
            if escape in _HEX_ESCAPES:
                width = _HEX_ESCAPES[escape]
                digits = text[index + 2 : index + 2 + width]
                if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    return None, False
                pieces.append((chr(int(digits, 16)), index, index + 2 + width))
                index += 2 + width
            elif escape in _ESCAPES:
                pieces.append((_ESCAPES[escape], index, index + 2))
                index += 2
            else:
                return None, False
        else:
            pieces.append((char, index, index + 1))
            index += 1
    return pieces, False


# ---------------------------------------------------------------- block scalars


def _block(text: str, start: int, end: int, folded: bool, value: str) -> list[Piece] | None:
    header_end = text.find("\n", start, end)
    if header_end == -1:
        return [] if value == "" else None
    header = text[start + 1 : header_end].split("#", 1)[0].strip()
    chomp = "strip" if "-" in header else "keep" if "+" in header else "clip"
    lines: list[tuple[int, int]] = []
    position = header_end + 1
    while position < end:
        brk = text.find("\n", position, end)
        stop = end if brk == -1 else brk
        lines.append((position, stop))
        position = stop + 1
    indent = _indent(text, lines, value)
    if indent is None:
        return None
    body: list[list[Piece]] = []  # each line's content characters, indentation removed
    breaks: list[int] = []  # each line's break offset
    for first, stop in lines:
        empty = stop - first <= indent and text[first:stop].strip(" ") == ""
        body.append([] if empty else [(text[i], i, i + 1) for i in range(first + indent, stop)])
        breaks.append(stop)
    last = max((n for n, line in enumerate(body) if line), default=-1)
    pieces = _folded(body, breaks, last) if folded else _literal(body, breaks, last)
    if chomp == "strip":
        return pieces
    written = [n for n in range(max(last, 0), len(body)) if breaks[n] < len(text)]  # the breaks that exist
    if chomp == "clip":
        return pieces + [("\n", breaks[n], breaks[n] + 1) for n in written[:1]] if last >= 0 else pieces
    return pieces + [("\n", breaks[n], breaks[n] + 1) for n in written]


def _indent(text: str, lines: list[tuple[int, int]], value: str) -> int | None:
    """The content indentation: the first line with content's, less the spaces the value keeps of it."""
    leading = 0
    for first, stop in lines:
        written = text[first:stop]
        if written.strip(" ") == "":
            leading += 1
            continue
        spaces = len(written) - len(written.lstrip(" "))
        kept_line = value.split("\n")[leading] if value.count("\n") >= leading else ""
        kept = len(kept_line) - len(kept_line.lstrip(" "))
        return spaces - kept if spaces >= kept else None
    return max((stop - first for first, stop in lines), default=0)  # no content: every line is empty


def _literal(body: list[list[Piece]], breaks: list[int], last: int) -> list[Piece]:
    pieces: list[Piece] = []
    for number in range(last + 1):
        if number > 0:
            pieces.append(("\n", breaks[number - 1], breaks[number - 1] + 1))
        pieces.extend(body[number])
    return pieces


def _folded(body: list[list[Piece]], breaks: list[int], last: int) -> list[Piece]:
    """Lines joined by a space, except around more-indented lines and where empty lines stand between."""
    pieces: list[Piece] = []
    previous = -1  # the last line with content
    for number in range(last + 1):
        line = body[number]
        if not line:
            continue
        if previous == -1:
            pieces.extend(("\n", breaks[n], breaks[n] + 1) for n in range(number))
        else:
            empty = range(previous + 1, number)
            normal = body[previous][0][0] not in _BLANK and line[0][0] not in _BLANK
            if normal and not empty:
                pieces.append((" ", breaks[previous], breaks[previous] + 1))
            else:
                if not normal:
                    pieces.append(("\n", breaks[previous], breaks[previous] + 1))
                pieces.extend(("\n", breaks[n], breaks[n] + 1) for n in empty)
        pieces.extend(line)
        previous = number
    return pieces
