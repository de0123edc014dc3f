"""A small DTD validator for the tests: each element declared, its children in the order
its content model allows, its #REQUIRED attributes present and enumerated ones valid.

Enough for the QTI 1.2.1 DTD (tests/schemas/ims_qtiasiv1p2p1.dtd): content models become
regular expressions over the children's names; parameter entities are expanded; a
namespace is dropped (the XSD binding of QTI 1.2 puts the elements in one), and `xmlns`
and `xsi:` attributes, which the DTD predates, are ignored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

_ENTITY = re.compile(r'<!ENTITY\s+%\s+(\S+)\s+"([^"]*)"\s*>', re.S)
_ELEMENT = re.compile(r"<!ELEMENT\s+(\S+)\s+(.*?)>", re.S)
_ATTLIST = re.compile(r"<!ATTLIST\s+(\S+)\s+(.*?)>", re.S)
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s+(CDATA|ID|IDREF|NMTOKEN|\([^)]*\))\s+"
                        r"(#REQUIRED|#IMPLIED|#FIXED\s+'[^']*'|'[^']*'|\"[^\"]*\")", re.S)


class Dtd:
    def __init__(self, path: Path):
        text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
        entities = dict(_ENTITY.findall(text))
        text = re.sub(r"%([\w.-]+);", lambda m: entities[m.group(1)], text)
        self.models = {name: self._pattern(model.strip())
                       for name, model in _ELEMENT.findall(text)}
        self.attributes: dict[str, dict[str, tuple[str, str]]] = {}
        for name, body in _ATTLIST.findall(text):
            for attr, kind, default in _ATTRIBUTE.findall(body):
                self.attributes.setdefault(name, {})[attr] = (kind, default)

    @staticmethod
    def _pattern(model: str) -> re.Pattern | None:
        """The content model as a regex over `name,` tokens; None for ANY."""
        if model == "ANY":
            return None
        if model == "EMPTY":
            return re.compile("")
        if "#PCDATA" in model:  # mixed content: any of the names, in any order
            names = [n for n in re.findall(r"[\w.-]+", model) if n != "PCDATA"]
            return re.compile("(?:" + "|".join(f"{n}," for n in names) + ")*" if names else "")
        operators = {"(": "(?:", ",": "", ")": ")", "|": "|", "?": "?", "*": "*", "+": "+"}
        tokens = re.findall(r"[\w.-]+|[(),|?*+]", model)
        return re.compile("".join(operators.get(t, f"(?:{t},)") for t in tokens))

    def errors(self, root: ET.Element) -> list[str]:
        found = []
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            if name not in self.models:
                found.append(f"<{name}> is not declared")
                continue
            pattern = self.models[name]
            children = "".join(child.tag.rsplit("}", 1)[-1] + "," for child in element)
            if pattern is not None and not pattern.fullmatch(children):
                found.append(f"<{name}> holds {children or 'nothing'}")
            found += self._attribute_errors(name, element)
        return found

    def _attribute_errors(self, name: str, element: ET.Element) -> list[str]:
        declared = self.attributes.get(name, {})
        given = {k: v for k, v in element.attrib.items()
                 if not k.startswith("{http://www.w3.org/2001/XMLSchema-instance}")}
        found = [f"<{name}> lacks {attr}" for attr, (_kind, default) in declared.items()
                 if default == "#REQUIRED" and attr not in given]
        for attr, value in given.items():
            if attr not in declared:
                found.append(f"<{name}> has undeclared {attr}")
            elif declared[attr][0].startswith("(") and value not in re.findall(
                    r"[\w.-]+", declared[attr][0]):
                found.append(f"<{name} {attr}={value!r}> is not one of {declared[attr][0]}")
        return found
