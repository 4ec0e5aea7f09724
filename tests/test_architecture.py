"""One owner for each decision: the language list, and the allowed values that Python must know.

The schema is the only definition of field names and allowed values, and the
interface tables (generator/i18n/<language>.yaml) the only definition of the
languages. Where Python needs a table keyed by allowed values (a mapping to an
external vocabulary, an order for facets), these tests hold it to the schema, so
that a value added to the schema cannot be forgotten in an output.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from generator import i18n, intakes, model, opendata, schemas
from generator.credentials import keys
from generator.interop import elm


def _micro_qualification(*path: str) -> Any:
    node: Any = schemas.schema(schemas.MICRO_QUALIFICATION)
    for part in path:
        node = node[part]
    return node


def test_the_languages_are_the_interface_tables_with_the_default_first() -> None:
    tables = {path.stem for path in Path(i18n.__file__).parent.glob("*.yaml")}
    assert set(i18n.LANGUAGES) == tables
    assert i18n.LANGUAGES[0] == i18n.DEFAULT_LANGUAGE
    assert len(i18n.LANGUAGES) == len(tables)


def test_a_label_table_is_read_once_per_process() -> None:
    # Every label of every page goes through i18n.table: parsing the YAML on each call made
    # the sample build take 24 s instead of 2.5 s (a decorator that slipped onto another function).
    for language in i18n.LANGUAGES:
        assert i18n.table(language) is i18n.table(language)


def test_the_catalogues_texts_are_written_in_the_site_languages() -> None:
    text = schemas.schema("common.schema.json")["$defs"]["text"]
    assert set(text["properties"]) == set(i18n.LANGUAGES)
    assert text["required"] == [i18n.DEFAULT_LANGUAGE]


def test_python_tables_of_allowed_values_cover_exactly_the_schemas_values() -> None:
    assert set(opendata.COURSE_MODES) == set(model.PARTICIPATION_FORMS)
    assert set(opendata.OFFER_CATEGORIES) == set(
        _micro_qualification("properties", "cost", "properties", "type", "enum")
    )
    assert set(elm.DURATION_UNITS) == set(_micro_qualification("properties", "duration", "properties", "unit", "enum"))
    statuses = set(_micro_qualification("properties", "status", "enum"))
    assert model.PROPOSED in statuses
    assert set(intakes.LISTED_STATES) == statuses - {model.PROPOSED}


def test_signing_key_algorithms_are_the_schemas_key_types_and_curves() -> None:
    jwk = schemas.schema(schemas.PROVIDER)["properties"]["signing_keys"]["items"]["properties"]["jwk"]["properties"]
    assert {kty for kty, _ in keys.ALGORITHMS.values()} == set(jwk["kty"]["enum"])
    assert {crv for _, crv in keys.ALGORITHMS.values()} == set(jwk["crv"]["enum"])


# --- The site's layout has one owner -------------------------------------------------------------

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
# A string that starts like one of the site's or the API's paths.
LAYOUT_PATH = re.compile(r"^(api/|levels/|providers/|entries/|elm/|ob3/|registry/|finder/|statistics/|verify/)\S*$")
LAYOUT_EXCEPTIONS = {"context.py"}


def _path_literals(path: Path) -> list[str]:
    """String constants (and the first part of f-strings) that look like site paths; docstrings excepted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            node = node.values[0]
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if literal and LAYOUT_PATH.match(node.value):
            found.append(f"{path.relative_to(GENERATOR)}:{node.lineno}: {node.value!r}")
    return found


def test_only_the_layout_module_writes_the_sites_paths() -> None:
    found = [
        literal
        for path in sorted(GENERATOR.rglob("*.py"))
        if path.relative_to(GENERATOR).as_posix() not in LAYOUT_EXCEPTIONS
        for literal in _path_literals(path)
    ]
    assert found == [], "paths of the site or the API outside generator/context.py:\n" + "\n".join(found)


THEME = GENERATOR / "site" / "theme"
# A link from the page's root: `{{ href.root() }}/` (or a variable set to href.root()) and what follows, to the quote.
ROOT_LINK = re.compile(r'{{ (?:href\.root\(\)|root) }}/(?P<rest>[^"]*)"')
# What may follow: nothing (the root itself) or one finished value from generator/context.py.
FINISHED_LINK = re.compile(r"(?:{{ [\w.\[\]]+(?: \| e)? }})?")


def _unfinished_links(template: str) -> list[str]:
    """Links that a template builds from pieces: a folder name, a second value, an appended anchor or slash."""
    template = re.sub(r"{#.*?#}", "", template, flags=re.DOTALL)  # comments may show the pattern
    found = [match[0] for match in ROOT_LINK.finditer(template) if not FINISHED_LINK.fullmatch(match["rest"])]
    found += [match[0] for match in re.finditer(r"set root = (.*?) %}", template) if match[1] != "href.root()"]
    return found


def test_templates_put_only_the_pages_root_before_a_finished_link() -> None:
    found = [
        f"{path.relative_to(THEME)}: {link}"
        for path in sorted(THEME.rglob("*.html"))
        for link in _unfinished_links(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "links built in templates, not in generator/context.py:\n" + "\n".join(found)


SCRIPTS = GENERATOR / "site" / "assets"
# A string in a script that names a file or folder of the site: a file name with its
# extension, or a folder ending in a slash ("index/", "api/v1/"); the page hands scripts their paths.
SCRIPT_PATH = re.compile(r"""(["'])(?:[\w./{}-]*\.(?:json|html|ics|xml|csv)|[\w./{}-]*[\w}]/)\1""")


def _script_paths(script: str) -> list[str]:
    script = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)  # comments name the files they read
    return [match[0] for match in SCRIPT_PATH.finditer(script)]


def test_scripts_read_the_paths_the_page_gives_them() -> None:
    found = [
        f"{path.name}: {literal}"
        for path in sorted(SCRIPTS.glob("*.js"))
        if path.name != "lunr.js"  # third-party, vendored as published
        for literal in _script_paths(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "site paths spelled in scripts, not given by generator/context.py:\n" + "\n".join(found)


def test_the_script_check_finds_a_path() -> None:
    assert _script_paths('fetch("index/" + key + ".json")') == ['"index/"', '".json"']
    assert _script_paths("fetch('entries.json')") == ["'entries.json'"]
    assert _script_paths('fetch(form.dataset.bucket.replace("{bucket}", key))') == []
    assert _script_paths('link.href = base + path + "/";') == []
    assert _script_paths('new Blob([html], {type: "text/html"})') == []


def test_the_link_check_finds_a_link_built_from_pieces() -> None:
    assert _unfinished_links('<a href="{{ href.root() }}/about/#{{ anchor }}">') != []
    assert _unfinished_links('<a href="{{ href.root() }}/{{ mq.site_root }}{{ mq.paths.feed }}">') != []
    assert _unfinished_links('{%- set root = href.root() ~ "/" ~ config.extra.mq.site_root %}') != []
    assert _unfinished_links('<a href="{{ href.root() }}/{{ v.links.feed | e }}">') == []


def test_a_failing_subschema_is_named_by_its_definition_not_by_its_message() -> None:
    common = schemas.schema("common.schema.json")["$defs"]
    assert schemas.definition_of(common["https_url"]) == schemas.HTTPS_URL
    assert schemas.definition_of(dict(common["plain_text"])) == schemas.PLAIN_TEXT  # equal, not only identical
    assert schemas.definition_of({"type": "string", "pattern": "^x$"}) is None
    errors = list(schemas.validator(schemas.PROVIDER).iter_errors({"website": "http://example.org", "id": "x"}))
    [website] = [e for e in errors if e.validator == "pattern" and list(e.absolute_path) == ["website"]]
    assert schemas.definition_of(website.schema) == schemas.HTTPS_URL


# --- Imports go down the pipeline ----------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(GENERATOR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every generator module and the generator modules it imports, at the top or inside a function."""
    modules = {_module_name(path): path for path in GENERATOR.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                module = known(target) if target.startswith("generator") else None
                # `from . import x` names the package itself too; a package's own name is no dependency.
                if module and module != name and module != "generator":
                    found.add(module)
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules along it, or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                return path[path.index(imported) :] + [imported]
            if imported not in state and (found := visit(imported)):
                return found
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_module_imports_itself_back_through_others() -> None:
    cycle = _cycle(_imports())
    assert cycle == [], "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_site_and_the_commands_come_last() -> None:
    # The site (which renders every output) and the command line sit at the end of the pipeline:
    # nothing else imports them.
    late = ("generator.site", "generator.commands", "generator.cli")
    wrong = [
        f"{module} imports {imported}"
        for module, imports in _imports().items()
        if not module.startswith(late) and module != "generator.__main__"
        for imported in imports
        if imported.startswith(late)
    ]
    assert wrong == []
