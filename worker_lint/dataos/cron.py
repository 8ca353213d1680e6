"""Five-field cron expressions as Bundle schedules take them: parse, and say precisely what is wrong."""

from __future__ import annotations

from typing import NamedTuple

#: The `@` shorthands the Go cron parser (robfig/cron, which DataOS schedules use) accepts.
MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class Field(NamedTuple):
    name: str
    low: int
    high: int
    #: name -> number, for the fields that accept names
    names: dict[str, int]
    #: how the range is described in messages
    shown: str


FIELDS = (
    Field("minute", 0, 59, {}, "0-59"),
    Field("hour", 0, 23, {}, "0-23"),
    Field("day-of-month", 1, 31, {}, "1-31"),
    Field("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}, "1-12 or JAN-DEC"),
    # 7 is Sunday too in most cron dialects; accepting it avoids a false alarm.
    Field("day-of-week", 0, 7, {d: i for i, d in enumerate(_DAYS)}, "0-7 or SUN-SAT"),
)


#: the widest number any field holds is two digits; leading zeros aside, a longer run is out of range
#: before it is ever converted (int() refuses more than 4,300 digits, and costs time on fewer)
_MAX_DIGITS = 4
#: Go's strconv.Atoi reads a step into an int64: nineteen digits at most
_MAX_STEP_DIGITS = 18


def _is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes `²` and `٣`, which the Go parser (and int()) do not."""
    return text != "" and all("0" <= c <= "9" for c in text)


#: how much of a long field or expression a message quotes
_SHOWN = 40


def quoted(text: str) -> str:
    """``text`` in backticks as a message quotes it; a long run (a 5,000-digit field) by its ends and length."""
    if len(text) <= _SHOWN:
        return f"`{text}`"
    return f"`{text[: _SHOWN // 2]}...{text[-8:]}` ({len(text):,} characters)"


class CronError(NamedTuple):
    """What is wrong, and where: ``start``/``end`` are offsets into the expression (end exclusive).

    Both are None when the problem is the expression as a whole (wrong field count, unknown macro).
    """

    message: str
    start: int | None = None
    end: int | None = None


def validate(expression: str) -> CronError | None:
    """None when ``expression`` is a valid five-field cron (or an `@daily`-style macro), else the first problem."""
    text = expression.strip()
    if not text:
        return CronError("it is empty; write five fields: minute hour day-of-month month day-of-week")
    if text.startswith("@"):
        if text.lower() in MACROS:
            return None
        if text.lower().startswith("@every"):
            return CronError("`@every` intervals are not cron schedules; write five fields such as `0 * * * *`")
        return CronError(
            f"{quoted(text.split()[0])} is not a cron macro; use one of {', '.join(sorted(MACROS))} or five fields"
        )
    tokens = _split(expression)
    if len(tokens) != 5:
        hint = "; DataOS schedules have no seconds (or year) field" if len(tokens) == 6 else ""
        return CronError(
            f"it has {len(tokens)} field{'s' if len(tokens) != 1 else ''}; a cron has 5: minute hour"
            f" day-of-month month day-of-week{hint}"
        )
    for spec, (start, token) in zip(FIELDS, tokens):
        problem = _field(token, spec)
        if problem is not None:
            message, offset, length = problem
            return CronError(message, start + offset, start + offset + length)
    return None


def _split(expression: str) -> list[tuple[int, str]]:
    """Whitespace-separated tokens with their offsets."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(expression):
        if expression[i].isspace():
            i += 1
            continue
        j = i
        while j < len(expression) and not expression[j].isspace():
            j += 1
        out.append((i, expression[i:j]))
        i = j
    return out


def _field(token: str, spec: Field) -> tuple[str, int, int] | None:
    """The first problem in one field as (message, offset, length), or None."""
    offset = 0
    for part in token.split(","):
        problem = _part(part, spec)
        if problem is not None:
            message, inner, length = problem
            return message, offset + inner, length
        offset += len(part) + 1
    return None


def _part(part: str, spec: Field) -> tuple[str, int, int] | None:
    if part == "":
        return f"empty item in the {spec.name} field (a stray comma)", 0, 1
    base, slash, step = part.partition("/")
    if slash:
        if not _is_number(step):
            return (
                f"step {quoted(step)} in {quoted(part)} ({spec.name} field) must be a whole number",
                len(base) + 1,
                max(len(step), 1),
            )
        if len(step.lstrip("0")) > _MAX_STEP_DIGITS:
            return (
                f"step {quoted(step)} in {quoted(part)} ({spec.name} field) is too large; write a step"
                f" within the field's range ({spec.shown})",
                len(base) + 1,
                len(step),
            )
        if int(step) == 0:
            return f"step `/0` in {quoted(part)} ({spec.name} field) must be at least 1", len(base), len(step) + 1
    if base in ("*", "?"):
        if base == "?" and spec.name not in ("day-of-month", "day-of-week"):
            return f"`?` is only allowed in the day-of-month and day-of-week fields, not {spec.name}", 0, 1
        return None
    low_text, dash, high_text = base.partition("-")
    low = _value(low_text, spec)
    if isinstance(low, str):
        return low, 0, max(len(low_text), 1)
    if not dash:
        return None
    high = _value(high_text, spec)
    if isinstance(high, str):
        return high, len(low_text) + 1, max(len(high_text), 1)
    if high < low:
        return (
            f"range {quoted(base)} in the {spec.name} field runs backwards; write the smaller value first",
            0,
            len(base),
        )
    return None


def _value(text: str, spec: Field) -> int | str:
    """The number a field item names, or a message saying why it is not one."""
    if text == "":
        return f"missing value in the {spec.name} field"
    if _is_number(text):
        significant = text.lstrip("0")
        number = int(significant or "0") if len(significant) <= _MAX_DIGITS else spec.high + 1
        if not spec.low <= number <= spec.high:
            return f"{quoted(text)} is out of range for the {spec.name} field ({spec.shown})"
        return number
    if spec.names:
        upper = text.upper()
        if upper in spec.names:
            return spec.names[upper]
        kind = "month" if spec.name == "month" else "day"
        return f"{quoted(text)} is not a {kind} name or number in the {spec.name} field ({spec.shown})"
    return f"{quoted(text)} is not a number in the {spec.name} field ({spec.shown})"
