"""The apps' import rules, read from the source (imports inside functions included):
goals imports none of the other apps, budget and settlement import goals but not each
other, and no app's modules import each other in a circle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("goals", "budget", "settlement", "imdi_reporting")
# Which apps each app may import from (besides itself).
ALLOWED = {
    "goals": set(),
    "budget": {"goals"},
    "settlement": {"goals"},
    "imdi_reporting": {"goals", "budget", "settlement"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def imported(tree: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The project modules a module's source imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if candidate in modules:
                    found.add(candidate)
                elif node.module in modules:
                    found.add(node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph = {}
    for name, path in modules.items():
        graph[name] = imported(ast.parse(path.read_text(), str(path)), modules) - {name}
    return graph


def cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path start -> ... -> start within start's app, if there is one."""
    app = start.split(".")[0]
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for target in graph[name]:
            if target.split(".")[0] != app:
                continue
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_it_finds_the_apps_modules():
    graph = import_graph()
    assert "goals.models" in graph and "imdi_reporting.selectors" in graph
    assert "goals.models" in graph["goals.services"]


def test_it_keeps_each_app_to_the_apps_it_may_import():
    wrong = [
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]] | {name.split(".")[0]}
    ]
    assert wrong == []


def test_it_has_no_import_cycle_inside_an_app():
    graph = import_graph()
    cycles = [" -> ".join(cycle) for name in graph if (cycle := cycle_from(name, graph))]
    assert cycles == []


def test_it_sees_a_cycle_where_there_is_one():
    graph = {"goals.a": {"goals.b"}, "goals.b": {"goals.a", "budget.c"}, "budget.c": set()}
    assert cycle_from("goals.a", graph) == ["goals.a", "goals.b", "goals.a"]
    assert cycle_from("budget.c", graph) is None
