"""The shape of the code (STYLE §1, issue 14): small modules, imports that run one way, a pure domain."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tasktrack"
MAX_LINES = 400


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _module_level_imports(path: pathlib.Path, known: set[str]) -> set[str]:
    """The tasktrack modules ``path`` imports when it is loaded, ``if TYPE_CHECKING:`` blocks included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = list(tree.body) + [node for block in tree.body if isinstance(block, ast.If) for node in block.body]
    deps: set[str] = set()
    for node in body:
        if isinstance(node, ast.Import):
            deps |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            deps |= {node.module} & known
            deps |= {f"{node.module}.{alias.name}" for alias in node.names} & known
    return deps


def test_no_module_is_over_400_lines() -> None:
    """The app, its tests, the benchmark, the migrations and the scripts alike."""
    sources = [path for folder in ("tasktrack", "tests", "bench", "migrations", "scripts")
               for path in (ROOT / folder).rglob("*.py")] + [ROOT / "config.py", ROOT / "wsgi.py"]
    long = {str(p.relative_to(ROOT)): n for p in sources
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_import_loop_outside_the_models() -> None:
    """No two modules import each other, directly or round a longer loop (the models' typing-only loop aside)."""
    modules = _modules()
    graph = {name: _module_level_imports(path, set(modules)) - {name} for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 and not all(m.startswith("tasktrack.models.") for m in component):
                loops.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert loops == []


def test_domain_and_uploads_import_no_flask_and_nothing_above_them() -> None:
    modules = _modules()
    for package in ("domain", "uploads"):
        for path in (PACKAGE / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
            names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
            assert not any(n == "flask" or n.startswith("flask.") for n in names), path
            inside = {n for n in names if n in modules or n.startswith("tasktrack.")}
            # The upload adapters produce the domain's neutral types (text_blocks → domain.doc_blocks).
            below = ("tasktrack.domain",) if package == "uploads" else ()
            assert all(n.startswith((f"tasktrack.{package}", *below)) for n in inside), (path, inside)


def test_one_blueprint_folder_per_audience() -> None:
    """The web edge's packages are its audiences (issue 14, DESIGN §5), not its features."""
    web = PACKAGE / "web"
    folders = {p.name for p in web.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders == {"auth", "api", "everyone", "liaison", "point", "secretariat"}
