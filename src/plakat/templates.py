"""Text templates of captions, quotes and attributions: ``"{name}, {age}"``, ``"„{quote}“"``.

In: a template string and the fields a place allows (:data:`PERSON_FIELDS`, :data:`QUOTE_FIELDS`).
Out: :func:`template_problem` says what is wrong with a template (for the layout's error at its
line); :func:`fill` sets a person's values into it.

A field whose value is empty (a person without an age or a role) is left out together with the
separator before it, and with the brackets around it: ``"{name}, {age}"`` gives ``"Marlon"``,
``"– {name}, {age}, {role}"`` gives ``"– Marlon, Kindergartenkind"`` and ``"{name} ({age})"``
gives ``"Marlon"``. Nothing ever prints "None".
"""

from __future__ import annotations

import difflib
from string import Formatter

PERSON_FIELDS = ("name", "age", "role")
QUOTE_FIELDS = ("quote", "name", "age", "role")

_BRACKETS = {"(": ")", "[": "]", "{": "}", "„": "“", "“": "”", "‚": "‘", "«": "»", "‹": "›", '"': '"', "'": "'"}


def template_problem(template: str, known: tuple[str, ...]) -> str | None:
    """Why ``template`` cannot be filled with the ``known`` fields, or None when it can."""
    fields = ", ".join(f"{{{name}}}" for name in known)
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        return f"{error}: write fields as {fields}, and a literal brace as {{{{ or }}}}"
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "" or name.isdigit():
            return f"a field needs a name: use {fields}"
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {{{close[0]}}}? " if close else ""
            return f"unknown field {{{name}}}: {hint}known fields: {fields}"
        if spec or conversion:
            return f"write the field as {{{name}}}, without ':' or '!'"
    return None


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with ``values`` set in, empty fields left out with their separators; the
    template must have passed :func:`template_problem`."""
    literals: list[str] = []
    fields: list[str] = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        literals.append(literal)
        if name is not None:
            fields.append(values[name])
    if len(literals) == len(fields):
        literals.append("")
    # literals[i] stands before fields[i]; the last literal follows the last field
    for index, value in enumerate(fields):
        before, after = literals[index], literals[index + 1]
        closer = _BRACKETS.get(before.rstrip()[-1:]) if before.strip() else None
        if not value and closer and after.lstrip().startswith(closer):
            literals[index + 1] = after.lstrip()[len(closer) :]
            literals[index] = before.rstrip()[:-1]
    text, started = literals[0], False
    for index, value in enumerate(fields):
        if not value:
            continue
        text += (literals[index] if started else "") + value
        started = True
    return (text + literals[-1]).strip()
