"""Real editor clients: python-lsp-server over stdio, and VS Code's flake8 invocation."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

BASE = """\
import torch
import lightning as L


class Base(L.LightningModule):
    automatic_optimization = False

    def configure_optimizers(self):
        self.optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        return self.optimizer
"""
CLEAN = """\
from pkg.base import Base


class Child(Base):
    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
        self.optimizers().step()
"""
BUGGY = CLEAN.replace("self.optimizers().step()", "self.optimizer.step()")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "base.py").write_text(BASE)
    (tmp_path / "pkg" / "child.py").write_text(CLEAN)  # the saved file is clean
    return tmp_path


# -- VS Code ---------------------------------------------------------------------------

#: What the VS Code flake8 extension (microsoft/vscode-flake8) runs and parses.
VSCODE_FORMAT = "%(row)d,%(col)d,%(code).1s,%(code)s:%(text)s"
VSCODE_PATTERN = re.compile(r"(?P<line>\d+),(?P<column>-?\d+),(?P<type>\w+),(?P<code>\w+\d+):(?P<message>[^\r\n]*)")


def test_vscode_extension_invocation(project):
    child = project / "pkg" / "child.py"
    result = subprocess.run(
        [sys.executable, "-m", "flake8", f"--format={VSCODE_FORMAT}", "--stdin-display-name", str(child), "-"],
        cwd=project, input=BUGGY, capture_output=True, text=True, timeout=120,
    )
    found = [m.groupdict() for m in map(VSCODE_PATTERN.match, result.stdout.splitlines()) if m]
    assert [(d["line"], d["column"], d["type"], d["code"]) for d in found] == [("7", "9", "L", "LTN001")]
    assert found[0]["message"].startswith("raw optimizer 'self.optimizer' is stepped")


# -- python-lsp-server -----------------------------------------------------------------


class LspClient:
    """A minimal LSP client over stdio: JSON-RPC with Content-Length framing."""

    def __init__(self, cwd: Path) -> None:
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pylsp"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(stream.read(length)))

    def send(self, method: str, params: dict, request: bool = False) -> int | None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return message.get("id")

    def wait(self, predicate, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(message):
                return message
        raise AssertionError("no matching message from pylsp")

    def close(self) -> None:
        try:
            request = self.send("shutdown", {}, request=True)
            self.wait(lambda m: m.get("id") == request, timeout=10)
            self.send("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def _ltn(diagnostics_message: dict) -> list[tuple[str, int, int]]:
    return [
        (d.get("code"), d["range"]["start"]["line"], d["range"]["start"]["character"])
        for d in diagnostics_message["params"]["diagnostics"]
        if str(d.get("code", "")).startswith("LTN")
    ]


def test_pylsp_publishes_ltn_diagnostics_for_the_unsaved_buffer(project):
    pytest.importorskip("pylsp")
    child_uri = (project / "pkg" / "child.py").as_uri()
    client = LspClient(project)
    try:
        init = client.send("initialize", {"processId": os.getpid(), "rootUri": project.as_uri(), "capabilities": {}}, request=True)
        client.wait(lambda m: m.get("id") == init)
        client.send("initialized", {})
        client.send("workspace/didChangeConfiguration", {"settings": {"pylsp": {"plugins": {
            "flake8": {"enabled": True},
            "pycodestyle": {"enabled": False}, "pyflakes": {"enabled": False}, "mccabe": {"enabled": False},
        }}}})

        def diagnostics(m: dict) -> bool:
            return m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == child_uri

        client.send("textDocument/didOpen", {"textDocument": {"uri": child_uri, "languageId": "python", "version": 1, "text": CLEAN}})
        assert _ltn(client.wait(diagnostics)) == []

        start = time.monotonic()
        client.send("textDocument/didChange", {"textDocument": {"uri": child_uri, "version": 2}, "contentChanges": [{"text": BUGGY}]})
        found = client.wait(lambda m: diagnostics(m) and _ltn(m))
        latency = time.monotonic() - start
        # flake8 line 7, column 9 -> LSP line 6, character 8 (both 0-based)
        assert _ltn(found) == [("LTN001", 6, 8)]
        assert (project / "pkg" / "child.py").read_text() == CLEAN  # never saved

        client.send("textDocument/didChange", {"textDocument": {"uri": child_uri, "version": 3}, "contentChanges": [{"text": CLEAN}]})
        assert _ltn(client.wait(lambda m: diagnostics(m) and not _ltn(m))) == []
        sys.stderr.write(f"pylsp round trip with LTN001: {latency:.2f}s\n")
    finally:
        client.close()
