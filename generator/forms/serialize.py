"""Catalogue files written with a YAML serializer, in the style of the files providers write.

Form text is never placed into YAML syntax by hand: PyYAML's emitter quotes and
escapes every value, and the caller reads the result back with the catalogue's
loader to make sure it is the same record.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

ENTRY_MODELINE = "# yaml-language-server: $schema=../../schema/micro-qualification.schema.json\n"
PROVIDER_MODELINE = "# yaml-language-server: $schema=../../schema/provider.schema.json\n"


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1's implicit types but dates: a text that any YAML reader could take for a
    number or a truth value (`no`, `0613`) is quoted; dates stay plain, as in the catalogue's
    files (the catalogue's loader reads them as text)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter, _Resolver):
    """PyYAML's safe serializer in the catalogue's own style.

    Identifiers, codes and dates stay plain, every other text is double-quoted, and
    list items are indented under their key, as in the files providers write.
    """

    def __init__(self, stream: Any, **settings: Any) -> None:
        yaml.emitter.Emitter.__init__(
            self, stream, width=settings.get("width"), allow_unicode=settings.get("allow_unicode")
        )
        yaml.serializer.Serializer.__init__(self)
        yaml.representer.SafeRepresenter.__init__(self, sort_keys=False)
        _Resolver.__init__(self)

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_PLAIN_TEXT = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*|[A-Z]{2,3}|[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _represent_text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    plain = (
        _PLAIN_TEXT.fullmatch(value) is not None
        and not value.isdigit()  # `0988` is text to YAML 1.1, a number to YAML 1.2
        and dumper.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"  # type: ignore[no-untyped-call]
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_Dumper.add_representer(str, _represent_text)


def dump(data: dict[str, Any], modeline: str) -> str:
    return modeline + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, width=10_000, default_flow_style=False)
