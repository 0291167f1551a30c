"""The SDKs never import server code: they must install and run without rosterd."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
SDK_MODULES = [
    "rosterd_sdk_transport",
    "kandji",
    "kandji.rest",
    "kandji.models.users_get_user200_response",
    "kandji.models.audit_log_list_audit_events200_response",
    "thousandeyes_sdk.core",
    "thousandeyes_sdk.core.exceptions",
    "thousandeyes_sdk.administrative",
    "thousandeyes_sdk.administrative.rest",
    "thousandeyes_sdk.administrative.models.user_request",
]


def is_server_module(name: str) -> bool:
    return name == "rosterd" or name.startswith("rosterd.")


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return names


def test_no_client_source_file_imports_rosterd() -> None:
    sources = sorted(CLIENTS.rglob("*.py"))
    assert len(sources) > 30  # the scan found the SDKs
    offenders = {
        str(path.relative_to(CLIENTS)): sorted(filter(is_server_module, names))
        for path in sources
        if any(map(is_server_module, names := imported_names(ast.parse(path.read_text()))))
    }
    assert offenders == {}


def test_importing_every_sdk_loads_no_server_module() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {SDK_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout)
    assert "kandji.api.users_api" in loaded
    assert "thousandeyes_sdk.administrative.api.users_api" in loaded
    assert [name for name in loaded if is_server_module(name)] == []
