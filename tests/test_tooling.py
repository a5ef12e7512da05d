"""The test suite's own rules, checked so that they stay true."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


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
