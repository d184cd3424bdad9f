"""A real JupyterHub on localhost for the hub tests and the hub benchmark: accounts, exchange, course.

A helper module, not a test module. :func:`start_cohort` follows the instructor's road in the
guide on this machine, as root: ``deploy/jupyterhub/add-accounts.sh`` makes one Unix account per
person (homes under a throw-away folder), ``setup-exchange.sh`` lays out the exchange, the
instructor builds the course with ``clientcraft nbgrader-course`` and imports the roster with
``nbgrader db student import`` (as their own account), and JupyterHub starts from the shipped
``deploy/jupyterhub/jupyterhub_config.py`` with configurable-http-proxy from
``deploy/jupyterhub/node_modules``. Only ports, the hub's state folder and a test service that
hands out per-user API tokens (what a browser session would hold) are added for the test.

Every account it makes is named ``cchub-*``; accounts of an earlier run that died are removed
first, and :meth:`Cohort.close` stops the hub and removes the accounts and the folder.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.support.paths import REPO

DEPLOY = REPO / "deploy" / "jupyterhub"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent  # the hub's own environment (it runs as root)
# The servers' environment: a venv of Debian's Python with clientcraft installed (not linked to
# this checkout, which other accounts may not be able to read), which every account may run;
# tests/run.sh builds it. The test venv's interpreter may sit in root's home.
USER_ENV = Path(os.environ.get("CLIENTCRAFT_HUB_TEST_ENV", "/opt/clientcraft-hub-test-env"))
USER_BIN = USER_ENV / "bin"
PREFIX = "cchub-"
COURSE_ID = "clientcraft-pilot"
SERVICE = "clientcraft-test"


class HubUnavailable(Exception):
    """The hub cannot run here (no root, no proxy, the code unreadable by other accounts...)."""


def hub_unavailable(reason: str) -> None:
    """Skip with ``reason`` on a developer's machine; fail when ``CI`` is set, so the hub tests
    can never pass in CI by not running."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"hub tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; raise with its output when it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def user_env(name: str, home: Path) -> dict[str, str]:
    """The environment of a command an account runs itself (a login shell would give the same)."""
    env = {
        "HOME": str(home),
        "USER": name,
        "LOGNAME": name,
        "PATH": f"{USER_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    return env


def home_of(name: str) -> Path:
    import pwd

    return Path(pwd.getpwnam(name).pw_dir)


def as_user(name: str, *cmd: str, cwd: Path | None = None, check: bool = True, **env: str):
    """Run ``cmd`` as the account ``name`` (``runuser``), in its home unless ``cwd`` is given."""
    home = home_of(name)
    full_env = {**user_env(name, home), **env}
    argv = ["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in full_env.items())]
    proc = subprocess.run(
        [*argv, *cmd], cwd=cwd or home, capture_output=True, text=True, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"as {name}: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def remove_accounts(names: Iterable[str]) -> None:
    for name in names:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def stale_accounts() -> list[str]:
    import pwd

    return [entry.pw_name for entry in pwd.getpwall() if entry.pw_name.startswith(PREFIX)]


def preflight() -> None:
    """Raise :class:`HubUnavailable` saying what is missing for a hub on this machine."""
    if sys.platform != "linux" or os.geteuid() != 0:
        raise HubUnavailable("the hub tests make Unix accounts: run them as root on Linux")
    for tool in ("useradd", "userdel", "runuser", "pkill"):
        if shutil.which(tool) is None:
            raise HubUnavailable(f"{tool} is not installed")
    if not PROXY.exists():
        raise HubUnavailable(
            f"{PROXY} is missing: run `npm ci --prefix deploy/jupyterhub` (tests/run.sh does)"
        )
    if shutil.which("jupyterhub", path=str(BIN)) is None:
        raise HubUnavailable("JupyterHub is not installed: pip install -e '.[hub]'")
    if shutil.which("node") is None:
        raise HubUnavailable("node is not installed (configurable-http-proxy needs it)")
    if not (USER_BIN / "jupyterhub-singleuser").exists():
        raise HubUnavailable(
            f"{USER_ENV} is missing: tests/run.sh builds it (a venv of /usr/bin/python3 with "
            "pip install '.[hub]'; set CLIENTCRAFT_HUB_TEST_ENV to use another)"
        )
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", str(USER_BIN / "python"), "-c", "import clientcraft"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        raise HubUnavailable(
            f"another account cannot run {USER_BIN / 'python'} with clientcraft ({probe.stderr}"
            f"{probe.stdout}); it must be in folders every account may enter (o+rx)"
        )


@dataclass
class Cohort:
    """A running hub over a prepared :class:`Course`; API helpers with hub tokens."""

    setup: Course
    url: str
    hub_api: str
    service_token: str
    process: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def instructor(self) -> str:
        return self.setup.instructor

    @property
    def learners(self) -> list[str]:
        return self.setup.learners

    @property
    def course(self) -> Path:
        return self.setup.course

    @property
    def exchange(self) -> Path:
        return self.setup.exchange

    # -- the hub's REST API (what JupyterHub's own pages call) ------------------------------
    def hub(self, method: str, path: str, token: str | None = None, **kwargs: Any):
        headers = {"Authorization": f"token {token or self.service_token}"}
        return requests.request(
            method, f"{self.hub_api}{path}", headers=headers, timeout=60, **kwargs
        )

    def token(self, name: str) -> str:
        """An API token of the account ``name``, as the hub gives a logged-in browser."""
        if name not in self.tokens:
            reply = self.hub("POST", f"/users/{name}/tokens", json={"note": "hub test"})
            assert reply.status_code == 201, reply.text
            self.tokens[name] = reply.json()["token"]
        return self.tokens[name]

    def start_server(self, name: str, timeout: float = 120) -> None:
        """Start ``name``'s single-user server through the hub and wait until it answers."""
        reply = self.hub("POST", f"/users/{name}/server", token=self.token(name))
        assert reply.status_code in (201, 202, 400), reply.text  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub("GET", f"/users/{name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{name}'s server did not start:\n{self.log_tail()}")

    # -- a single-user server's API (what JupyterLab's panels call) -------------------------
    def server(self, name: str, method: str, path: str, as_user: str | None = None, **kwargs: Any):
        """A request to ``name``'s server, with the token of ``as_user`` (default: ``name``)."""
        headers = {"Authorization": f"token {self.token(as_user or name)}"}
        return requests.request(
            method,
            f"{self.url}/user/{name}/{path.lstrip('/')}",
            headers=headers,
            timeout=300,
            allow_redirects=False,
            **kwargs,
        )

    def ok(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON reply of a request that must succeed (HTTP 2xx)."""
        reply = self.server(name, method, path, **kwargs)
        assert reply.ok, f"{method} {path} as {name}: {reply.status_code} {reply.text[:2000]}"
        return reply.json()

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.setup.close()


TEST_CONFIG = """\
# The shipped hub configuration, plus what only the test needs: its own ports and state folder,
# and a service whose token may hand out per-user tokens (a browser session's equivalent).
c = get_config()  # noqa: F821
load_subconfig({shipped!r})  # noqa: F821
c.JupyterHub.bind_url = {url!r}
c.JupyterHub.hub_bind_url = {hub_url!r}
c.ConfigurableHTTPProxy.api_url = {proxy_api!r}
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.JupyterHub.services = [{{"name": {service!r}, "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "hub-test", "services": [{service!r}],
     "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}
]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
"""


@dataclass
class Course:
    """Accounts, exchange and course made as the guide says; :meth:`close` removes them all."""

    base: Path
    instructor: str
    learners: list[str]
    roster: Path
    course: Path
    exchange: Path

    @property
    def role_config(self) -> Path:
        """The copy of deploy/jupyterhub/{learner,instructor} the servers read."""
        return self.base / "jupyter-config"

    def role_env(self, role: str) -> dict[str, str]:
        """What the hub gives a server of ``role`` (``learner`` or ``instructor``), for commands
        run in a terminal: see deploy/jupyterhub/jupyterhub_config.py."""
        return {
            "JUPYTER_CONFIG_PATH": str(self.role_config / role),
            "CLIENTCRAFT_COURSE_ID": COURSE_ID,
            "CLIENTCRAFT_EXCHANGE": str(self.exchange),
            "CLIENTCRAFT_COURSE_DIR": "course",
        }

    def close(self) -> None:
        remove_accounts([self.instructor, *self.learners])
        shutil.rmtree(self.base, ignore_errors=True)


def prepare_course(learners: int, name: str, prefix: str = "l") -> Course:
    """One account per person (``add-accounts.sh``), the exchange (``setup-exchange.sh``), and the
    instructor's course with the roster imported, as the guide's steps 2 to 4 do."""
    preflight()
    remove_accounts(stale_accounts())
    base = Path(tempfile.mkdtemp(prefix=f"clientcraft-{name}-"))
    base.chmod(0o755)  # the homes inside must be reachable by their owners
    instructor = f"{PREFIX}teach"
    names = [f"{PREFIX}{prefix}{i:03d}" for i in range(1, learners + 1)]
    setup = Course(base, instructor, names, base / "students.csv", Path(), base / "exchange")
    try:
        with setup.roster.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first_name", "last_name", "email"])
            writer.writerows([n, "Learner", n, f"{n}@example.org"] for n in names)
        setup.roster.chmod(0o644)
        (base / "home").mkdir(mode=0o755)
        run(
            ["bash", str(DEPLOY / "add-accounts.sh"), str(setup.roster), instructor],
            env={**os.environ, "HOME_BASE": str(base / "home")},
        )
        run(["bash", str(DEPLOY / "setup-exchange.sh"), str(setup.exchange), COURSE_ID, instructor])
        # What the accounts read is copied out of the checkout, which they may not be able to
        # enter: the role configs (readable by all) and the bank (the instructor's alone).
        for role in ("learner", "instructor"):
            shutil.copytree(DEPLOY / role, setup.role_config / role)
        setup.role_config.chmod(0o755)
        bank = home_of(instructor) / "bank"
        shutil.copytree(REPO / "exercises", bank)
        run(["chown", "-R", f"{instructor}:", str(bank)])
        setup.course = home_of(instructor) / "course"
        as_user(
            instructor,
            "clientcraft",
            "nbgrader-course",
            str(setup.course),
            "--bank",
            str(bank),
            "--course-id",
            COURSE_ID,
        )
        as_user(
            instructor, "nbgrader", "db", "student", "import", str(setup.roster), cwd=setup.course
        )
    except BaseException:
        setup.close()
        raise
    return setup


def start_cohort(learners: int = 3, name: str = "hub") -> Cohort:
    """Accounts, exchange, course and a running hub, all as the guide sets them up."""
    setup = prepare_course(learners, name)
    base = setup.base
    try:
        state = base / "state"
        state.mkdir(mode=0o700)
        url = f"http://127.0.0.1:{free_port()}"
        token = secrets.token_hex(32)
        config = state / "jupyterhub_config.py"
        config.write_text(
            TEST_CONFIG.format(
                shipped=str(DEPLOY / "jupyterhub_config.py"),
                url=url,
                hub_url=f"http://127.0.0.1:{free_port()}",
                proxy_api=f"http://127.0.0.1:{free_port()}",
                state=state,
                service=SERVICE,
                token=token,
            ),
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "CLIENTCRAFT_HUB_INSTRUCTOR": setup.instructor,
            "CLIENTCRAFT_HUB_COURSE_ID": COURSE_ID,
            "CLIENTCRAFT_HUB_EXCHANGE": str(setup.exchange),
            "CLIENTCRAFT_HUB_ROSTER": str(setup.roster),
            "CLIENTCRAFT_HUB_ENV": str(USER_ENV),
            "CLIENTCRAFT_HUB_ROLE_CONFIG": str(setup.role_config),
            "CLIENTCRAFT_HUB_PRACTICE_BANK": str(base / "practice-bank" / "exercises"),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        log = base / "jupyterhub.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", str(config)],
                cwd=state,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        cohort = Cohort(setup, url, f"{url}/hub/api", token, process, log)
    except BaseException:
        setup.close()
        raise
    try:
        wait_for_hub(cohort)
    except BaseException:
        cohort.close()
        raise
    return cohort


def wait_for_hub(cohort: Cohort, timeout: float = 90) -> None:
    """Wait until the hub answers through the proxy; raise :class:`HubUnavailable` with its log
    if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cohort.process.poll() is not None:
            raise HubUnavailable(
                f"JupyterHub exited ({cohort.process.returncode}):\n{cohort.log_tail()}"
            )
        try:
            if requests.get(f"{cohort.hub_api}/", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise HubUnavailable(f"JupyterHub did not answer within {timeout:.0f} s:\n{cohort.log_tail()}")
