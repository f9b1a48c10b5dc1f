"""Everything about a question kind lives in its class in surveys/kinds.py, its partial and its figure.

Code elsewhere asks the kind (`kind.has_pictures`, `kind.export_columns(...)`)
instead of deciding by its name, so adding a kind touches the registry, one
template partial and, for a new kind of chart, the results' figures.
"""
import ast
import pathlib

from jinja2 import Environment

from surveys.kinds import KINDS

ROOT = pathlib.Path(__file__).resolve().parents[2]
KIND_CLASSES = {type(kind).__name__ for kind in KINDS.values()}
PARTIALS = ROOT / "templates/surveys/kinds"


def describes_data(path: pathlib.Path) -> bool:
    """Demo data names kinds because it describes surveys, as tests do."""
    relative = path.relative_to(ROOT).as_posix()
    return relative.startswith("engagement/demo/") or relative in (
        "engagement/seed.py", "engagement/competitions/demo.py")


def index_columns(tree: ast.AST) -> set[int]:
    """The string nodes that name columns of an index: "number" is an answers column as well as a kind."""
    return {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "Index" for arg in node.args}


def kind_names_in(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = index_columns(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in KINDS and id(node) not in allowed:
            found.append(f"line {node.lineno}: {node.value!r}")
        name = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None)
        if name in KIND_CLASSES:
            found.append(f"line {getattr(node, 'lineno', '?')}: {name}")
    return found


def test_kinds_live_in_the_registry():
    """No Python code outside surveys/kinds.py names a kind by its key or its class."""
    offenders = {}
    for package in ("surveys", "engagement"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "surveys/kinds.py" or describes_data(path):
                continue
            if found := kind_names_in(path):
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "ask the kind (an attribute or method in surveys/kinds.py) instead"


def test_templates_name_no_kind_except_in_the_kinds_partials():
    """Only templates/surveys/kinds/ may say "image_choice"; a page asks the kind (`kind.has_pictures`)."""
    lexer = Environment(extensions=["jinja2.ext.i18n"])
    offenders = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if PARTIALS in path.parents:
            continue
        strings = [(line, value) for line, token, value in lexer.lex(path.read_text(encoding="utf-8"))
                   if token == "string" and value.strip("\"'") in KINDS]
        if strings:
            offenders[str(path.relative_to(ROOT))] = strings
    assert offenders == {}


def test_every_kind_has_its_partial_and_a_figure_for_its_results():
    from engagement.common.charts import FIGURES

    for key, kind in KINDS.items():
        assert (ROOT / "templates" / kind.partial).is_file(), key
        assert kind.chart == "text" or kind.chart in FIGURES, key
