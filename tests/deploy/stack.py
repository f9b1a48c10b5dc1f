"""The deployed shape on this machine, started from the files in deploy/ as an operator would use them.

Debian's nginx with deploy/nginx/bypuls.conf and a self-signed certificate made
here → two gunicorn app servers, each started with the ExecStart line of
deploy/systemd/bypuls@.service and the settings of deploy/.env.example →
PostgreSQL (a database of its own, `bypuls_deploy`) and Redis (database 5).

The files are used as written; only what must differ on a test machine is
replaced (host name, ports, certificate, folders), and each replacement must
find its text, so a changed file cannot silently escape the test. Used by
tests/deploy/ and by `make bench`.
"""
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "bypuls.conf"
APP_UNIT = DEPLOY / "systemd" / "bypuls@.service"
PURGE_UNIT = DEPLOY / "systemd" / "bypuls-purge-contacts.service"
PURGE_TIMER = DEPLOY / "systemd" / "bypuls-purge-contacts.timer"
ENV_EXAMPLE = DEPLOY / ".env.example"
INSTALLED_AT = "/opt/bypuls"
ENV_FILE_AT = "/etc/bypuls/bypuls.env"
REDIS_URL = "redis://127.0.0.1:6379/5"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class StackError(RuntimeError):
    """The stack could not start; the message carries the logs that say why."""


def client_from(address: str, base_url: str) -> httpx.Client:
    """An HTTP client whose connections come from `address` (any of 127.0.0.0/8), keeping cookies and,
    like a browser under `Referrer-Policy: same-origin`, posting with the page it last loaded as Referer."""
    last_page = {}

    def remember_page(response: httpx.Response) -> None:
        if response.request.method == "GET":
            last_page["url"] = str(response.url)

    def send_referer(request: httpx.Request) -> None:
        if request.method == "POST" and "url" in last_page and "referer" not in request.headers:
            request.headers["Referer"] = last_page["url"]

    return httpx.Client(base_url=base_url, verify=False, timeout=60,
                        transport=httpx.HTTPTransport(local_address=address, verify=False),
                        event_hooks={"request": [send_referer], "response": [remember_page]})


def form_token(client: httpx.Client, url: str) -> str:
    """The CSRF token of the form on `url`, as a browser reads it (following redirects)."""
    page = client.get(url, follow_redirects=True)
    page.raise_for_status()
    return CSRF.search(page.text).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replace_exactly(text: str, old: str, new: str, where: str) -> str:
    """`text` with every `old` replaced; :raise AssertionError: if `old` is not in it."""
    assert old in text, f"{where} no longer contains {old!r}: update tests/deploy/stack.py with it"
    return text.replace(old, new)


def read_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them: comments and blank lines skipped,
    one pair of surrounding quotes removed."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def env_file_from_example(settings: dict[str, str]) -> str:
    """deploy/.env.example with `settings` filled in; :raise AssertionError: for a key it lacks."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for key, value in settings.items():
        pattern = re.compile(rf"^#? ?{key}=.*$", re.MULTILINE)
        assert pattern.search(text), f"deploy/.env.example has no line for {key}"
        text = pattern.sub(f"{key}={value}".replace("\\", "\\\\"), text, count=1)
    return text


def unit_service(unit: Path) -> dict[str, str]:
    """The [Service] section of a systemd unit as a dict (last value wins, as for these keys)."""
    section, values = None, {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def on_this_machine(text: str, env_file: Path) -> str:
    """A deploy file's paths, moved from the production folders to this checkout and the test's env file."""
    text = replace_exactly(text, INSTALLED_AT, str(ROOT), "the file")
    return text.replace(ENV_FILE_AT, str(env_file))


def unit_command(unit: Path, env_file: Path, instance: str = "") -> tuple[list[str], Path]:
    """The unit's ExecStart as argv and its WorkingDirectory, with %i and the folders of this machine."""
    service = unit_service(unit)
    assert service.get("EnvironmentFile") == ENV_FILE_AT, f"{unit.name} must read {ENV_FILE_AT}"
    command = on_this_machine(service["ExecStart"], env_file).replace("%i", instance)
    return shlex.split(command), Path(on_this_machine(service["WorkingDirectory"], env_file))


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def site_for_test(https_port: int, http_port: int, app_ports: list[int], cert: Path, key: Path,
                  logs: Path) -> str:
    """deploy/nginx/bypuls.conf with this machine's ports, certificate and folders."""
    text, where = SITE.read_text(encoding="utf-8"), "deploy/nginx/bypuls.conf"
    for old, new in [
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("server_name bypuls.example.dk;", "server_name 127.0.0.1;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("/etc/letsencrypt/live/bypuls.example.dk/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/bypuls.example.dk/privkey.pem", str(key)),
        ("/var/log/nginx/", f"{logs}/"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{app_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{app_ports[1]} "),
        (INSTALLED_AT, str(ROOT)),
    ]:
        text = replace_exactly(text, old, new, where)
    return text


def nginx_main_conf(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, with every file of nginx's own in `folder`."""
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind}_temp;"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, workers would run as nobody and could not write the temp folders of a pytest tmp dir.
    user = "user root root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
{temp}
    include {site};
}}
"""


def database_urls(server_url: str) -> tuple[str, str]:
    """(the app's URL for `bypuls_deploy`, a psycopg URL of the server's `postgres` database)."""
    base = server_url.rsplit("/", 1)[0]
    return f"{base}/bypuls_deploy", f"{base}/postgres".replace("postgresql+psycopg://", "postgresql://")


def fresh_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bypuls_deploy WITH (FORCE)")
        conn.execute("CREATE DATABASE bypuls_deploy")


@dataclass
class Stack:
    """A running stack: nginx on `https_url` (and `http_url`), app servers on `app_ports`."""
    folder: Path
    env_file: Path
    settings: dict
    database_url: str
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    app_ports: list = field(default_factory=lambda: [free_port(), free_port()])
    processes: dict = field(default_factory=dict)

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "bypuls.access.log"

    def environment(self) -> dict:
        """The process environment of a unit: the env file's settings on a bare PATH, as systemd gives."""
        return {"PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", **self.settings}

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`flask --app app ...` as an operator runs it, with the production settings."""
        result = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", *args], cwd=ROOT,
                                env=self.environment(), capture_output=True, text=True, timeout=180)
        if check and result.returncode != 0:
            raise StackError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start_app(self, index: int) -> None:
        port = self.app_ports[index]
        log = open(self.folder / "logs" / f"app-{port}.log", "ab")
        command, folder = unit_command(APP_UNIT, self.env_file, str(port))
        self.processes[f"app{index}"] = subprocess.Popen(
            command, cwd=folder, env=self.environment(),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_for(f"http://127.0.0.1:{port}/healthz", f"app server on {port}")

    def kill_app(self, index: int) -> None:
        """SIGKILL the app server's whole process group: master and workers die at once, as in a crash."""
        process = self.processes.pop(f"app{index}")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_nginx(self) -> None:
        cert, key = make_certificate(self.folder)
        site = self.folder / "bypuls.conf"
        site.write_text(site_for_test(self.https_port, self.http_port, self.app_ports, cert, key,
                                      self.folder / "logs"))
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_main_conf(self.folder, site))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(self.folder)], capture_output=True,
                               text=True)
        if check.returncode != 0:
            raise StackError(f"nginx -t refused the site:\n{check.stderr}")
        self.processes["nginx"] = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "logs" / "nginx.stderr", "ab"))
        self.wait_for(f"{self.https_url}/healthz", "nginx")

    def wait_for(self, url: str, what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, verify=False, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if any(p.poll() is not None for p in self.processes.values()):
                break
            time.sleep(0.2)
        raise StackError(f"{what} did not answer {url} within {seconds} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted((self.folder / "logs").glob("*")))

    def stop(self) -> None:
        for name, process in list(self.processes.items()):
            if name == "nginx":
                process.terminate()
            else:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def start_stack(folder: Path, server_url: str | None = None, workers: int = 2, settings: dict | None = None) -> Stack:
    """Everything from an empty database to two app servers behind nginx, by the README's steps:
    settings in the env file (`settings` override lines of deploy/.env.example), migrate, demo content,
    start. :raise StackError: with the logs."""
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    database_url, admin_url = database_urls(server_url or os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)
    fresh_database(admin_url)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    stack = Stack(folder=folder, env_file=folder / "bypuls.env", settings={}, database_url=database_url)
    stack.env_file.write_text(env_file_from_example({
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": stack.https_url,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "warning",
        **(settings or {}),
    }))
    stack.settings = read_env_file(stack.env_file.read_text())
    stack.flask("db", "upgrade")
    stack.flask("seed-demo", "--if-empty")
    try:
        for index in range(len(stack.app_ports)):
            stack.start_app(index)
        stack.start_nginx()
    except BaseException:
        stack.stop()
        raise
    return stack


if __name__ == "__main__":  # `python -m tests.deploy.stack`: start it by hand and look around
    import tempfile

    running = start_stack(Path(tempfile.mkdtemp(prefix="bypuls-stack-")))
    print(f"Bypuls at {running.https_url} (self-signed), logs in {running.folder / 'logs'}; Ctrl-C stops it.")
    try:
        signal.pause()
    except KeyboardInterrupt:
        running.stop()
        sys.exit(0)
