"""The project's own tooling and the test suite's rules, checked so that they stay true."""

import ast
import re
import tomllib
from pathlib import Path

import yaml

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def test_no_test_module_imports_another():
    """Shared helpers live in tests/helpers.py (or browser.py, factories.py): a test module that
    imports another also collects its tests and ties the two together."""
    offenders = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Code a child process runs, e.g. `python -c "from tests.x import y"`.
                names = re.findall(r"(?:from|import)\s+([\w.]+)", node.value)
            else:
                continue
            if any(re.fullmatch(r"(tests\.|\.+)?test_\w+", name) for name in names):
                offenders.append(f"{path.name}:{node.lineno}")

    assert offenders == []


def test_make_lint_and_make_format_run_the_commit_hooks_tools_at_the_same_versions():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pinned = dict(
        dependency.split("==")
        for dependency in pyproject["project"]["optional-dependencies"]["test"]
        if "==" in dependency
    )
    makefile = (ROOT / "Makefile").read_text()
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]

    ids = {hook["id"] for hook in hooks}
    assert ids == {"django-upgrade", "ruff-check", "ruff-format", "djade"}
    for hook in hooks:
        for dependency in hook["additional_dependencies"]:
            name, version = dependency.split("==")
            assert pinned[name] == version, hook["id"]
        # `make format` runs the hook's own command line; `make lint` adds --check.
        assert f"$(BIN)/{hook['entry']} " in makefile, hook["id"]


def test_no_static_file_of_ours_hides_one_of_the_admins():
    """A file of ours at the same path as one of Django's admin replaces it on every admin page
    (static/admin/js/calendar.js once did, and every date picker broke)."""
    from pathlib import Path

    import django

    ours = Path(__file__).resolve().parent.parent / "static"
    theirs = Path(django.__file__).parent / "contrib" / "admin" / "static"
    shadowed = [
        str(path.relative_to(ours))
        for path in ours.rglob("*")
        if path.is_file() and (theirs / path.relative_to(ours)).exists()
    ]
    assert shadowed == []
