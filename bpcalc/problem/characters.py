"""Which characters a file's text may hold, so that what goes out is only what came in.

A title is printed on a terminal, drawn in an SVG, written into Markdown, LaTeX and HTML;
names are echoed in tables and messages. None of them may carry a character that acts
instead of showing: a control character (ESC starts the terminal sequences that set the
clipboard or the window title, a line break starts a new Markdown heading or YAML key), a
bidi override or isolate that reorders the text around it, an invisible formatting
character that hides a difference, or a code point that is not a character (XML has no
place for a lone surrogate or U+FFFE). Pure: a file's text and its YAML node graph in, a
`ProblemError` naming the key and line out.

Refused everywhere: every Cc (C0 controls, DEL, C1 controls U+0080-U+009F), every Cf
(bidi controls U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069; zero-width space,
word joiner, soft hyphen, BOM, tag characters, ...), U+2028 and U+2029, surrogates and
U+FFFE, U+FFFF. Exceptions: TAB, LF and CR are whitespace around a value (a block scalar
ends with one), but never in free text or a key, which are one line; the zero-width
joiner and non-joiner (U+200D, U+200C) are part of writing Persian, the Indic scripts and
emoji, so free text may hold them, while a key or a value, names and numbers, may not
(there they would only hide a difference: `w4\u200d7` is not `w47`).
"""

from __future__ import annotations

import unicodedata

import yaml

from bpcalc.errors import ProblemError, short

BREAKS = "\t\n\r"
JOINERS = "\u200c\u200d"
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_CHARACTERS = "\ufffe\uffff"
_NAMES = {"\x00": "NUL", "\x07": "BELL", "\x08": "BACKSPACE", "\t": "TAB", "\n": "LINE FEED",
          "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE",
          "\x9b": "CONTROL SEQUENCE INTRODUCER", "\x9d": "OPERATING SYSTEM COMMAND"}


def hidden_character(text: str, *, breaks: bool = False, joiners: bool = False) -> str | None:
    """Why `text` cannot be shown as it is (its first refused character), or None.

    `breaks` lets TAB, LF and CR through (whitespace around a value); `joiners` lets the
    zero-width joiner and non-joiner through (free text)."""
    if text.isprintable():
        return None
    for ch in text:
        if ch.isprintable() or (breaks and ch in BREAKS) or (joiners and ch in JOINERS):
            continue
        category = unicodedata.category(ch)
        # Spaces (NBSP, thin space), private use and unassigned code points show as
        # themselves or as a box; none of them acts on the text around it.
        if category in ("Zs", "Co") or (category == "Cn" and ch not in _NOT_CHARACTERS):
            continue
        return f"character {describe(ch)} is not allowed: {_reason(ch, category)}"
    return None


def describe(ch: str) -> str:
    """U+001B (ESCAPE), U+202E (RIGHT-TO-LEFT OVERRIDE)."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def _reason(ch: str, category: str) -> str:
    if ch in BREAKS or category in ("Zl", "Zp"):
        return "this text is one line, with no tabs or line breaks"
    if category == "Cc":
        return "a control character acts on the terminal or the file instead of showing"
    if ch in _BIDI:
        return "a bidi control reorders the text around it, so it would not read as written"
    if category == "Cf":
        return "an invisible formatting character would hide in the text"
    return "it is not a character (a lone surrogate or a noncharacter), so no file can hold it"


def comment_character(text: str) -> tuple[int, str] | None:
    """(line, reason) for the first refused character anywhere in a file's raw text, its
    comments included (a template's comments are copied into the variants it writes)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.replace("\t", " ").rstrip("\r").isprintable():
            continue
        reason = hidden_character(line.rstrip("\r"), breaks=True, joiners=True)
        if reason is not None:
            return number, reason
    return None


def check_document(root: yaml.Node, text: str | None, free_text: tuple[str, ...] = ()
                   ) -> None:
    """Refuse the first key or value of the document (or, failing that, the first place in
    its raw text, a comment) holding a refused character, naming its key and line.

    Keys are names, one line; values may have whitespace around them; the values of the
    top-level `free_text` keys (the title) are one line but may hold the joiners. The raw
    text is scanned first (a few ms for 5 MB): when it holds no refused character, no
    escape (a backslash) and no joiner, no scalar can hold one either, and only keys and
    free text need looking at (for a tab or a line break). With `text` None (a graph built
    from Python data, with no raw text to scan) every scalar is looked at.
    """
    if text is None:
        _check_nodes(root, free_text, scalars=True)
        return
    raw = comment_character(text)
    clean = raw is None and "\\" not in text and not any(j in text for j in JOINERS)
    _check_nodes(root, free_text, scalars=not clean)
    if raw is not None:
        raise ProblemError(raw[1], line=raw[0])


def _check_nodes(root: yaml.Node, free_text: tuple[str, ...], scalars: bool) -> None:
    """Depth first, in document order, without recursion. Paths are built only for the
    nodes looked at; with `scalars` False, lists of plain values are passed over."""
    stack: list[tuple[str, yaml.Node, str]] = [("", root, "value")]
    while stack:
        path, node, role = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            reason = hidden_character(str(node.value), breaks=role == "value",
                                      joiners=role == "free")
            if reason is not None:
                prefix = "this key: " if role == "key" else ""
                mark = node.start_mark  # None in a graph built from Python data
                raise ProblemError(prefix + reason, key=short(path),
                                   line=mark.line + 1 if mark is not None else None)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((f"{path}[{i}]", item, "value")
                         for i, item in reversed(list(enumerate(node.value)))
                         if scalars or not isinstance(item, yaml.ScalarNode))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                child = f"{path}.{name}" if path else name
                role = "free" if node is root and name in free_text else "value"
                if scalars or role == "free" or not isinstance(value_node, yaml.ScalarNode):
                    stack.append((child, value_node, role))
                stack.append((child, key_node, "key"))
