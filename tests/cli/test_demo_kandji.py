"""`rosterd serve --demo` seeds a directory the Kandji examples can run against at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.process import ROSTERD, free_port


def test_demo_seeds_a_directory_and_prints_the_kandji_url(tmp_path: Path) -> None:
    assert ROSTERD
    port = free_port()
    env = os.environ | {"ROSTERD_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"}
    process = subprocess.Popen(
        [ROSTERD, "serve", "--demo", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner: list[str] = []
        deadline = time.monotonic() + 60
        for line in process.stderr:
            banner.append(line)
            if "Uvicorn running" in line or time.monotonic() > deadline:
                break
        text = "".join(banner)
        base = f"http://127.0.0.1:{port}"
        assert f"Kandji API: {base}/api/v1" in text
        token = re.search(r"API token .*: (rst_\S+)", text)
        assert token
        with httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token.group(1)}"}
        ) as c:
            first = c.get("/users").json()
            archived = c.get("/users", params={"archived": "true"}).json()["results"]
            devices = c.get("/devices").json()
        assert len(first["results"]) == 300
        assert first["next"] is not None
        assert archived
        assert all(u["integration"]["type"] == "office365" for u in archived)
        assert any(d["user"] == "" for d in devices)
        assert any(d["user"] != "" for d in devices)
        assert any(u["device_count"] == 2 for u in first["results"])
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
