"""The project's shape (README: "Floors"): no module over 700 lines, and the spreadsheet library
free of the database. The floors themselves and the absence of import cycles are import-linter's
contracts (pyproject.toml, `lint-imports`, run by `make test`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["sheets", "villages", "portal", "enrollment", "campaigns", "opensid", "tools"]
MAX_LINES = 700


def project_modules() -> list[Path]:
    files = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    files += (ROOT / "scripts").rglob("*.py")
    return sorted(path for path in files if "migrations" not in path.parts)


def test_the_modules_are_all_found():
    names = {path.relative_to(ROOT).as_posix() for path in project_modules()}
    assert {"sheets/reading.py", "enrollment/models/registrations.py", "tools/demo.py"} <= names
    assert not any("/migrations/" in name for name in names)


@pytest.mark.parametrize("path", project_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_is_over_700_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{path.relative_to(ROOT)} has {lines} lines: split it by what it holds"
    )


def test_the_spreadsheet_library_reads_no_database():
    for path in (ROOT / "sheets").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert not name.startswith(("django.db", "django.contrib")), (path, name)


ROLE_NAMES = {"admin", "branch_staff", "village_operator"}


def _role_names_written(tree: ast.AST):
    """Tuples, lists and sets of role names, and role names passed to role_required()."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts:
            values = [getattr(element, "value", None) for element in node.elts]
            if all(isinstance(value, str) for value in values) and set(values) <= ROLE_NAMES:
                yield node.lineno, values
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "role_required":
            values = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            if values:
                yield node.lineno, values


def test_role_sets_are_named_only_in_portal_roles():
    """README "Where the rules live": views open to a set named in portal.roles."""
    written = [
        (path.relative_to(ROOT).as_posix(), line, values)
        for path in project_modules()
        if path != ROOT / "portal" / "roles.py"
        for line, values in _role_names_written(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert written == []
    assert list(_role_names_written(ast.parse('role_required("admin")')))  # it sees them


def test_views_fetch_scoped_objects_through_scoped_or_404():
    """README "Where the rules live": one object the user may see is fetched by
    portal.access.scoped_or_404 (or a ScopedQuerysetMixin view), not by hand."""
    by_hand = []
    for path in project_modules():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "get_object_or_404"
                and "for_user(" in (ast.get_source_segment(source, node) or "")
            ):
                by_hand.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert [place.split(":")[0] for place in by_hand] == ["portal/access.py"], by_hand
