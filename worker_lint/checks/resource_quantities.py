"""CPU and memory requests and limits: quantities Kubernetes rejects or misreads, and requests above limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, ScalarNode

from worker_lint.checks import check
from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Finding, JsonPath, Related
from worker_lint.dataos.quantity import (
    BINARY_SUFFIXES,
    DECIMAL_EXPONENT,
    REASON_FORMAT,
    REASON_SUFFIX,
    Quantity,
    QuantityError,
    decode_quantity,
)
from worker_lint.dataos.templating import is_templated, substitute
from worker_lint.document.positions import describe, entries

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.core.fix import FixSpec
    from worker_lint.dataos.resource import Resource

INVALID = "WL200"
REQUEST_ABOVE_LIMIT = "WL201"
CPU_MEMORY_UNIT = "WL202"
MEMORY_MILLI = "WL203"
NEGATIVE = "WL204"
IMPLAUSIBLE_CPU = "WL205"
ZERO_LIMIT = "WL206"

SECTIONS = ("requests", "limits")
#: resources counted in bytes, where `m` (milli) means a fraction of a byte
BYTE_RESOURCES = frozenset({"memory", "ephemeral-storage"})
#: suffixes that only make sense for bytes; on `cpu` they are a swapped unit (`cpu: 16Gi`)
CPU_MEMORY_SUFFIXES = frozenset({"k", "M", "G", "T", "P", "E", *BINARY_SUFFIXES})
#: sub-unit suffixes: a fraction of a byte for memory
FRACTION_SUFFIXES = {"m": "milli", "u": "micro", "n": "nano"}
DEFAULT_MAX_CORES = 64
_DIGITS_ONLY = lazy_re.compile(r"[0-9]+")
_NUMBER_AND_WORD = lazy_re.compile(r"([+-]?[0-9]*\.?[0-9]+\.?)(\s*)([A-Za-z]+)\Z")
_KNOWN_UNITS = "n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi and Ei"


class Entry(NamedTuple):
    """One `requests`/`limits` value that parsed and raised no finding of its own."""

    path: JsonPath
    text: str
    quantity: Quantity


@check(
    INVALID, REQUEST_ABOVE_LIMIT, CPU_MEMORY_UNIT, MEMORY_MILLI, NEGATIVE, IMPLAUSIBLE_CPU, ZERO_LIMIT, kinds={"worker"}
)
def resource_quantities(res: Resource, ctx: Context) -> Iterator[Finding]:
    body = res.body_key
    resources = res.mapping(body, "resources")
    if resources is None:
        return
    max_cores = ctx.option(IMPLAUSIBLE_CPU, "threshold", DEFAULT_MAX_CORES)
    if isinstance(max_cores, bool) or not isinstance(max_cores, int):
        max_cores = DEFAULT_MAX_CORES  # the configuration schema reports a mistyped option
    clean: dict[str, dict[str, Entry]] = {}
    written = _written(res, body)
    for section in SECTIONS:
        values = resources.get(section)
        if not isinstance(values, dict):
            continue
        clean[section] = {}
        texts = written.get(section, {})
        for name, value in values.items():
            if not isinstance(name, str):
                continue
            path = (body, "resources", section, name)
            entry, finding = _classify(path, name, value, texts.get(name), max_cores, ctx.settings.variables)
            if finding is not None:
                yield finding
            elif entry is not None:
                clean[section][name] = entry
    # Only values that are fine on their own are compared: a swapped unit or a
    # missing `m` is the one cause, not a second "request above limit".
    requests, limits = clean.get("requests", {}), clean.get("limits", {})
    for name, limit in limits.items():
        request = requests.get(name)
        if request is not None and request.quantity > limit.quantity:
            yield _above_limit(name, request, limit)
        elif limit.quantity.is_zero() and (request is None or request.quantity.is_zero()):
            yield Finding(
                ZERO_LIMIT,
                limit.path,
                f"`{describe(limit.path)}` is 0, which Kubernetes reads as no limit at all; set the"
                " largest amount the Worker may use, or remove the limit",
            )


def _written(res: Resource, body: str) -> dict[str, dict[str, str]]:
    """Each section's scalars as written (see `Resource.scalar_text`), by name.

    The `resources` mapping is found once and each section read in one pass: this
    check reads every value of every Worker, and a walk from the document's root
    for each of them was most of its cost.
    """
    node = res.node_at(body, "resources")
    if not isinstance(node, MappingNode):
        return {}
    out: dict[str, dict[str, str]] = {}
    for section, (_, section_node) in entries(node).items():
        if section in SECTIONS and isinstance(section_node, MappingNode):
            out[section] = {
                name: res.read_scalar(value)
                for name, (_, value) in entries(section_node).items()
                if isinstance(value, ScalarNode)
            }
    return out


def _classify(
    path: JsonPath, name: str, value: Any, written: str | None, max_cores: int, variables: dict[str, str] | None
) -> tuple[Entry | None, Finding | None]:
    """Parse one value (``written``: its scalar as written); return it if usable, or the one finding it deserves."""
    text = _text_to_read(value, written, variables)
    if text is None:
        return None, None
    try:
        quantity = decode_quantity(text)
    except QuantityError as exc:
        from_number = _from_yaml_number(value)
        if from_number is None:
            return None, _invalid(path, name, text, written, exc)
        quantity = from_number
    if name == "cpu" and quantity.suffix in CPU_MEMORY_SUFFIXES:
        return None, Finding(
            CPU_MEMORY_UNIT,
            path,
            f"`{describe(path)}` is `{_shown(text)}`, a memory unit on a CPU amount;"
            " CPU is counted in cores (`2`) or millicores (`500m`)",
        )
    if quantity.sign < 0:
        return None, Finding(
            NEGATIVE,
            path,
            f"`{describe(path)}` is `{_shown(text)}`, a negative amount; Kubernetes rejects quantities below zero",
        )
    if name in BYTE_RESOURCES and quantity.suffix in FRACTION_SUFFIXES and not quantity.is_zero():
        return None, _memory_fraction(path, text, written, quantity)
    if (
        name == "cpu"
        and (quantity.suffix == "" or quantity.format == DECIMAL_EXPONENT)
        and quantity.compare(Quantity.of(max_cores)) > 0
    ):
        return None, Finding(
            IMPLAUSIBLE_CPU,
            path,
            f"`{describe(path)}` is `{_shown(text)}`, that is {_plain(quantity)} CPU"
            f" cores, more than {max_cores}; {_millicores(text, quantity)}",
        )
    return Entry(path, text, quantity), None


def _text_to_read(value: Any, written: str | None, variables: dict[str, str] | None) -> str | None:
    """The text of a value this check reads, as `dataos-ctl` would send it; None for one it leaves alone."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None  # a missing or mistyped value is the schema's to report
    text = written
    if text is None:
        return None
    if variables is not None and "$" in text:
        # Apply-time variables were given: read the value dataos-ctl would send.
        text, missing = substitute(text, variables)
        if missing:
            return None  # the undefined variable is reported where it is written
    if is_templated(text):
        return None  # `${CPU}`, `${{cpu-request}}`: filled in later
    return text


def _invalid(path: JsonPath, name: str, text: str, written: str | None, exc: QuantityError) -> Finding:
    """A value that is no Kubernetes quantity, with the repair when one is certain (only of a value read as written)."""
    from worker_lint.core.fix import SAFE, replace_value, spec

    repaired = _repaired(text) if text == written else None
    fixes: tuple[FixSpec, ...] = (spec(f"Write `{repaired}`", SAFE, replace_value(path, repaired)),) if repaired else ()
    return Finding(
        INVALID,
        path,
        f"`{describe(path)}` is `{_shown(text)}`, which is not a Kubernetes quantity:"
        f" {_why_invalid(text, exc)}; write a number with an optional unit, such as"
        f" {_examples(name)}",
        fixes=fixes,
    )


def _memory_fraction(path: JsonPath, text: str, written: str | None, quantity: Quantity) -> Finding:
    """A byte amount with a fraction suffix (`512m`: half a byte per thousand, not megabytes)."""
    unit = FRACTION_SUFFIXES[quantity.suffix]
    number = _shown(text.strip()[:-1])
    from worker_lint.core.fix import UNSAFE, replace_value, spec

    # which of the two was meant is the author's call, and either changes the amount: unsafe
    fixes = (
        (
            spec(f"Write `{number}Mi` (mebibytes)", UNSAFE, replace_value(path, f"{number}Mi")),
            spec(f"Write `{number}M` (megabytes)", UNSAFE, replace_value(path, f"{number}M")),
        )
        if quantity.suffix == "m" and text == written
        else ()
    )
    return Finding(
        MEMORY_MILLI,
        path,
        f"`{describe(path)}` is `{_shown(text)}`, which is {_plain(quantity)} bytes: `"
        f"{quantity.suffix}` means {unit}, not mega; write `{number}Mi` (mebibytes) or"
        f" `{number}M` (megabytes)",
        fixes=fixes,
    )


def _why_invalid(text: str, exc: QuantityError) -> str:
    """The reason in the terms a manifest author uses: a space, an unknown unit, or the parser's own reason."""
    match = _NUMBER_AND_WORD.match(text.strip())
    if match is not None and match.group(2):
        return "Kubernetes allows no space between the number and its unit"
    if match is not None and exc.reason in (REASON_FORMAT, REASON_SUFFIX):
        return f"`{match.group(3)}` is not a unit Kubernetes knows (it knows {_KNOWN_UNITS})"
    return exc.explanation


_UNITS = ("n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def _repaired(text: str) -> str | None:
    """`16 Gi` -> `16Gi`, `2gi` -> `2Gi`: the quantity meant, when a space or the unit's case is the only slip.

    A unit with two valid spellings in other cases (`m` and `M`) is a choice of
    amount, not a slip, and gets no repair.
    """
    match = _NUMBER_AND_WORD.match(text.strip())
    if match is None:
        return None
    number, _, unit = match.groups()
    spellings = [u for u in _UNITS if u.lower() == unit.lower()]
    if len(spellings) != 1:
        return None
    fixed = number + spellings[0]
    try:
        decode_quantity(fixed)
    except QuantityError:
        return None
    return fixed if fixed != text else None


def _from_yaml_number(value: Any) -> Quantity | None:
    """A YAML integer written in another base (`0x10`, `0o20`) reaches Kubernetes as its decimal value."""
    if isinstance(value, int) and not isinstance(value, bool):
        # the exact value, as decode_quantity(str(value)) reads it, without str() (which refuses 4,300 digits)
        return Quantity.of(value)
    return None


def _above_limit(name: str, request: Entry, limit: Entry) -> Finding:
    from worker_lint.core.fix import DISPLAY_ONLY, replace_value, spec

    same_unit = request.quantity.suffix == limit.quantity.suffix
    detail = "" if same_unit else f" ({request.quantity.canonical()} > {limit.quantity.canonical()})"
    return Finding(
        REQUEST_ABOVE_LIMIT,
        request.path,
        f"`{describe(request.path)}` is `{request.text}`, above its limit `{limit.text}`{detail}; Kubernetes"
        f" rejects a {name} request larger than the limit",
        related=(Related(limit.path, f"the {name} limit is `{limit.text}`"),),
        # which of the two is wrong is a decision about the Worker's sizing: shown, never applied
        fixes=(
            spec(
                f"Lower the request to the limit `{limit.text}`", DISPLAY_ONLY, replace_value(request.path, limit.text)
            ),
            spec(
                f"Raise the limit to the request `{request.text}`",
                DISPLAY_ONLY,
                replace_value(limit.path, request.text),
            ),
        ),
    )


#: past this many digits a number in a message is shown in Kubernetes' own notation instead of written out
_PLAIN_DIGITS = 30


def _plain(quantity: Quantity) -> str:
    """A quantity as a plain decimal number (`0.5`, `200`, `1.024`) for messages."""
    width = quantity.magnitude_digits()
    if width > _PLAIN_DIGITS:
        return f"a {width:,}-digit number of"  # str() of a huge int fails past 4,300 digits, and nobody reads it
    try:
        value = quantity.as_fraction()
    except OverflowError:
        return _shown(quantity.canonical())
    whole, rest = divmod(abs(value.numerator), value.denominator)
    sign = "-" if value < 0 else ""
    if rest == 0:
        return f"{sign}{whole}"
    digits = ""
    while rest and len(digits) < 12:
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{sign}{whole}.{digits}"


def _millicores(text: str, quantity: Quantity) -> str:
    """The hint to write millicores, naming the value meant when it can be written out."""
    stripped = text.strip()
    if quantity.suffix == "" and _DIGITS_ONLY.fullmatch(stripped):
        return f"if millicores were meant, write `{_shown(stripped + 'm')}`"
    if quantity.magnitude_digits() > _PLAIN_DIGITS:
        return "if millicores were meant, write the number followed by `m`"
    return f"if millicores were meant, write `{_plain(quantity)}m`"


#: how much of a long value a message quotes
_SHOWN = 40


def _shown(text: str) -> str:
    """A long number as a message shows it: its ends and its length, not 5,000 digits."""
    if len(text) <= _SHOWN:
        return text
    return f"{text[: _SHOWN // 2]}...{text[-8:]} ({len(text):,} characters)"


def _examples(name: str) -> str:
    if name == "cpu":
        return "`500m` or `2`"
    if name in BYTE_RESOURCES:
        return "`512Mi` or `2Gi`"
    return "`1` or `500m`"
