"""Which app may import which: read from the source (``ast``), every import counted,
including those inside functions and under ``TYPE_CHECKING``.

The apps form layers, lowest first::

    notifications  <  accounts  <  municipalities  <  organisations  <  partnerships
        <  dashboards  <  demo

An app imports only apps below it, so there is no import cycle between apps. ``accounts``
holds the facts about users and imports no domain app at all; ``notifications`` (the
outbox every app sends its e-mails through) imports none. ``dashboards`` (the statistics,
the stats API, the dashboard pages, the research figures, the front page's numbers) and
``demo`` (the demo data set, ``seed_demo``) read the domain apps, and no domain app imports
them. ``registry`` is the project package: it composes the apps (URLs, the front page, my
page, navigation) and holds the API plumbing they share; it is outside the layers.

There is no exception: a page that shows what several apps know (a municipality's page with
its organisations and partnerships, an organisation's page with its partnerships, the
navigation's counts of waiting work) is composed in ``registry``, or in the highest app it
needs. The apps may use ``registry``'s helper modules (the generic list view, the API
plumbing), and those import no app, so no circle runs through ``registry`` either.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    "notifications",
    "accounts",
    "municipalities",
    "organisations",
    "partnerships",
    "dashboards",
    "demo",
)
DOMAIN_APPS = ("municipalities", "organisations", "partnerships")
#: The apps above the domain: they read it, and nothing below them imports them.
TOP_APPS = ("dashboards", "demo")


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def _called_name(call: ast.Call) -> str:
    return getattr(call.func, "attr", None) or getattr(call.func, "id", "")


def _imported_modules(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                package = module.split(".")[: -node.level]
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and _called_name(node) in ("import_module", "get_model")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            # import_module("partnerships.x") and apps.get_model("partnerships", ...) count too.
            found.add(str(node.args[0].value))
    return found


def _app_imports(apps: tuple[str, ...] = LAYERS) -> dict[tuple[str, str], set[str]]:
    """(importing module, imported app) -> the imported names, from the modules of ``apps``
    to the layered apps."""
    edges: dict[tuple[str, str], set[str]] = {}
    for app in apps:
        for module, path in _modules(app):
            for imported in _imported_modules(path, module):
                top = imported.split(".")[0]
                if top in LAYERS and top != app:
                    edges.setdefault((module, top), set()).add(imported)
    return edges


def test_the_import_parser_sees_every_kind_of_import(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import municipalities.models\n"
        "if TYPE_CHECKING:\n"
        "    from organisations.models import Organisation\n"
        "def f():\n"
        "    from partnerships import rules\n"
        "    apps.get_model('partnerships', 'Partnership')\n"
        "from . import sibling\n"
    )
    found = {name.split(".")[0] for name in _imported_modules(source, "accounts.sample")}
    assert {"municipalities", "organisations", "partnerships", "accounts"} <= found


def test_accounts_imports_no_domain_app():
    offending = {
        (module, app): sorted(names)
        for (module, app), names in _app_imports().items()
        if module.split(".")[0] == "accounts" and app in DOMAIN_APPS
    }
    assert offending == {}


def test_apps_import_only_the_apps_below_them():
    upward = {
        (module, app)
        for (module, app) in _app_imports()
        if LAYERS.index(app) > LAYERS.index(module.split(".")[0])
    }
    assert upward == set(), "an import of a higher app: compose in registry instead"


def test_no_domain_app_imports_dashboards_or_demo():
    below = {app for app in LAYERS if app not in TOP_APPS}
    offending = {
        (module, app): sorted(names)
        for (module, app), names in _app_imports().items()
        if module.split(".")[0] in below and app in TOP_APPS
    }
    # The parser sees the edges the other way: the top apps read the domain apps.
    assert {app for module, app in _app_imports() if module.split(".")[0] in TOP_APPS} >= set(
        DOMAIN_APPS
    )
    assert offending == {}


def test_there_is_no_import_cycle_between_the_apps():
    graph = {app: set() for app in LAYERS}
    for module, app in _app_imports():
        graph[module.split(".")[0]].add(app)

    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    assert [app for app in LAYERS if reaches(app, app)] == []


def test_each_domain_app_has_its_rules_module():
    for app in DOMAIN_APPS:
        source = (ROOT / app / "permissions.py").read_text(encoding="utf-8")
        assert "def restriction(" in source and "def has_permission(" in source, app


def test_the_lowest_apps_import_no_domain_app():
    offending = {
        (module, app): sorted(names)
        for (module, app), names in _app_imports().items()
        if module.split(".")[0] in ("accounts", "notifications") and app in DOMAIN_APPS
    }
    assert offending == {}


def test_the_registry_modules_the_apps_use_import_no_app():
    """An app may import a helper of the project package (``registry.generic``,
    ``registry.api.*``) only if that helper imports no app, anywhere in it: otherwise an
    import circle between the apps would run through ``registry``."""
    registry_modules = {module for module, _ in _modules("registry")}
    helpers = {
        name
        for app in LAYERS
        for module, path in _modules(app)
        for name in _imported_modules(path, module)
        if name in registry_modules
    }
    assert {"registry.generic", "registry.api.serializers"} <= helpers  # the parser sees them
    offending = {
        (module, app): sorted(names)
        for (module, app), names in _app_imports(("registry",)).items()
        if module in helpers
    }
    assert offending == {}
