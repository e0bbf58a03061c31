"""Browser tests: Playwright driving Debian's Chromium (`apt-get install chromium`).

Playwright cannot download its own browser here, so it is pointed at /usr/bin/chromium. Without
it these tests FAIL with the command that installs it — never a silent skip. `.ci/run` installs
it first. Screenshots of the key screens go to tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("GIFTCORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}): the browser tests need it — run "
            "`apt-get update && apt-get install -y chromium` (or set GIFTCORD_CHROMIUM)",
            pytrace=False,
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class SandboxProcess:
    url: str
    process: subprocess.Popen[str]
    output: list[str]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    """`python -m bot sandbox` in a subprocess, as a newcomer runs it; stopped with Ctrl-C
    (SIGINT), which must end it cleanly (exit 0)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIFTCORD_")}
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            str(port),
            "--database",
            str(tmp_path / "sandbox.db"),
        ],
        cwd=tmp_path,  # no config.toml here: the defaults, like a fresh clone
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if "press Ctrl-C to stop" in line:
            break
    else:
        process.wait(10)
        pytest.fail("the sandbox did not start:\n" + "".join(output), pytrace=False)
    url = f"http://127.0.0.1:{port}/"
    assert url in output[-1]
    # Keep reading its log, or a full pipe would block the sandbox mid-test.
    drain = threading.Thread(target=lambda: output.extend(process.stdout or ()), daemon=True)
    drain.start()
    try:
        yield SandboxProcess(url, process, output)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("Ctrl-C did not stop the sandbox within 20 s", pytrace=False)
        drain.join(5)
    assert process.returncode == 0, "".join(output)
    assert "Traceback" not in "".join(output), "".join(output)
