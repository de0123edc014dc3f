"""The text of a set's files: YAML scalars, numbers and weight matrices as a problem file
writes them, and file names as one shell word. Pure: values in, text out."""

from __future__ import annotations

import json
import shlex
from fractions import Fraction

from bpcalc.problem.model import Network
from bpcalc.text import fraction_text


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar. JSON's string syntax is YAML's, except that
    YAML takes no surrogate pairs (an emoji as \\ud83d\\ude00), so characters beyond
    ASCII are written as themselves; the template's text has passed the character checks."""
    return json.dumps(text, ensure_ascii=False)


def shell_word(name: str) -> str:
    """A file name as one shell word on one line, for the comments and the index: quoted
    when it needs to be, and in bash's $'...' with escapes when it holds a line break or a
    control character (a name with a newline would otherwise start a line of YAML)."""
    if name.isprintable():
        return shlex.quote(name)
    escaped = "".join(
        ch if ch.isprintable() and ch not in "'\\" else
        "\\" + ch if ch in "'\\" else
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else
        f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
        for ch in name)
    return f"$'{escaped}'"


def number_text(value: Fraction) -> str:
    """0.3, -1, or "1/3" (quoted, so YAML keeps it a string the loader reads exactly)."""
    text = fraction_text(value)
    return f'"{text}"' if "/" in text else text


def feeding_ids(network: Network, layer_index: int) -> tuple[int, ...]:
    return network.layers[layer_index - 1].feeding_ids()


def matrices_yaml(network: Network, cell, column: int = 0) -> str:
    """Weights as a block list of matrices, each row commented with the node it feeds.

    `cell(key)` gives the YAML text of the weight `key` = (from id, to id); the comments
    start at `column` or, for longer rows, just after them.
    """
    blocks = []
    for layer in network.layers[1:]:
        feeding = feeding_ids(network, layer.index)
        rows = ["[" + ", ".join(cell((f, to_id)) for f in feeding) + "]"
                for to_id in layer.node_ids]
        blocks.append((rows, layer.node_ids, feeding))
    return matrices_text(blocks, network, column)


def matrices_text(blocks, network: Network, column: int = 0) -> str:
    """(rows, node ids, feeding ids) per matrix -> YAML lines with aligned comments."""
    lines = []
    for rows, node_ids, feeding in blocks:
        for index, row in enumerate(rows):
            opener = "  - [" if index == 0 else "     "
            closer = "]" if index == len(rows) - 1 else ","
            lines.append((f"{opener}{row}{closer}", node_ids[index] if node_ids else None,
                          feeding))
    width = max([len(text) for text, _n, _f in lines] + [column - 2])
    result = []
    for text, node_id, feeding in lines:
        if node_id is not None:
            sources = ", ".join(("bias " if network.node_kind(f) == "bias" else "") + str(f)
                                for f in feeding)
            text = f"{text:<{width + 2}}# into node {node_id}: from {sources}"
        result.append(text)
    return "\n" + "\n".join(result)
