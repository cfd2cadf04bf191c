"""Deployment that holds, with the environment `.env.example` documents:

- `check --deploy` reports nothing;
- scripts/serve.sh collects the static files itself, pages work at once, and hashed files are served with
  a year-long immutable Cache-Control (plain names get a short one);
- deploy/nginx.conf passes `nginx -t`, and in front of one gunicorn worker it keeps idle clients away
  from it: a worker that three idle connections stall when it faces the network directly still answers
  through nginx;
- docker-compose.yml hangs together: every service, file, script and variable it names exists, only nginx
  publishes ports, and web, worker and beat connect as the app role, after `migrate`."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOST = "attune.example.org"


def documented_env(**overrides: str) -> dict[str, str]:
    """The production environment as .env.example writes it, with a real-looking SECRET_KEY."""
    documented = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            documented[name.strip()] = value.strip()
    documented["SECRET_KEY"] = "documented-production-like-key-" + "x7Qp2" * 10
    # The test process's own settings must not leak in; everything else (PATH, HOME…) is inherited.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in documented and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    return {**inherited, **documented, "DJANGO_SETTINGS_MODULE": "config.settings", **overrides}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"exited with {process.returncode}: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered on port {port}")


def _get(
    port: int, path: str, *, tls: bool = False, timeout: float = 10, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    # Straight to gunicorn, say what nginx would: https outside, the site's own host name.
    connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """scripts/serve.sh with the documented environment (one worker), on a free port; yields the port."""
    tmp_path = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = documented_env(
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        REDIS_URL="",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        PYTHON=sys.executable,
    )
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True
    )
    assert migrated.returncode == 0, migrated.stderr
    process = subprocess.Popen(
        ["sh", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(port, process, seconds=120)
        _get(port, "/health/", timeout=120)  # the worker's first request loads the app: not what is timed
        yield port, tmp_path / "static"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_documented_production_environment_passes_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=documented_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr and "ERRORS" not in result.stderr


def test_serve_collects_static_files_itself_and_hashed_ones_are_cached_for_good(served):
    port, static_root = served
    page = _get(port, "/login/")
    assert page.status == 200, page.body  # type: ignore[attr-defined]
    hashed = re.search(rb'href="(/static/css/attune\.[0-9a-f]{12}\.css)"', page.body)  # type: ignore[attr-defined]
    assert hashed, "the sign-in page does not link the hashed stylesheet"
    assert (static_root / "staticfiles.json").exists()
    css = _get(port, hashed.group(1).decode())
    assert css.status == 200
    assert css.getheader("Cache-Control") == "max-age=315360000, public, immutable"
    plain = _get(port, "/static/css/attune.css")
    assert plain.status == 200 and "immutable" not in (plain.getheader("Cache-Control") or "")


def test_the_compose_health_check_passes_against_production_settings_over_plain_http(served):
    port, _static = served
    command = _compose()["services"]["web"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    assert "127.0.0.1:8000/health/" in command[3]
    code = command[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = documented_env()
    checked = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr
    # Without the Host header the site answers to, the same request is refused (400): why it is sent.
    bare = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/health/')",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bare.returncode != 0 and "400" in bare.stderr


def _nginx_conf(tmp_path: Path, *, upstream: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx.conf as compose runs it, moved to local ports, files and a throwaway certificate."""
    certs = tmp_path / "certs"
    certs.mkdir()
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
        capture_output=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for before, after in (
        ("server web:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("/etc/nginx/certs/", f"{certs}/"),
    ):
        assert before in site, before
        site = site.replace(before, after)
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
        f"  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def _nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return nginx


def test_the_nginx_config_passes_nginx_t(tmp_path):
    nginx = _nginx()
    conf = _nginx_conf(tmp_path, upstream=_free_port(), http_port=_free_port(), https_port=_free_port())
    result = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _idle_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that send half a request line and then nothing: a slow phone, or a slowloris."""
    idle = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), 2)
        sock.sendall(b"GET /health/ HTTP/1.1\r\n")
        idle.append(sock)
    return idle


def test_behind_nginx_idle_clients_do_not_stall_the_worker(served, tmp_path):
    nginx = _nginx()
    upstream, _static = served
    http_port, https_port = _free_port(), _free_port()
    conf = _nginx_conf(tmp_path, upstream=upstream, http_port=http_port, https_port=https_port)
    # Facing the network directly, one sync worker is stalled by idle clients (the finding).
    idle = _idle_clients(upstream, 3)
    try:
        with pytest.raises(TimeoutError):
            _get(upstream, "/health/", timeout=2)
    finally:
        for sock in idle:
            sock.close()
    assert _get(upstream, "/health/").status == 200  # free again once they go
    proxy = subprocess.Popen(
        [nginx, "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(https_port, proxy)
        idle = _idle_clients(https_port, 3) + _idle_clients(http_port, 3)
        try:
            started = time.monotonic()
            health = _get(https_port, "/health/", tls=True, timeout=15)
            assert health.status == 200 and time.monotonic() - started < 15  # never, without nginx
            page = _get(
                https_port, "/login/", tls=True, timeout=15, headers={"X-Request-ID": "forged-by-a-client"}
            )
            assert page.status == 200
            # The app believes the proxy's request id (TRUSTED_PROXY_COUNT=1), so nginx must replace a
            # client's with its own: straight to the app the forged one would come back.
            direct = _get(upstream, "/login/", headers={"X-Request-ID": "forged-by-a-client"})
            assert direct.getheader("X-Request-ID") == "forged-by-a-client"
            assert re.fullmatch(r"[0-9a-f]{32}", page.getheader("X-Request-ID") or ""), page.getheader(
                "X-Request-ID"
            )
            assert _get(http_port, "/login/").status == 301  # plain HTTP only redirects to https
        finally:
            for sock in idle:
                sock.close()
    finally:
        proxy.terminate()
        proxy.wait(timeout=20)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_file_names_only_things_that_exist():
    compose = _compose()
    services = compose["services"]
    assert {"migrate", "web", "worker", "beat", "nginx", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists() or source == "./deploy/certs", (name, source)
    # Only nginx faces the network; the app is reached through it.
    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    # Scripts the migrate step runs are in the repository.
    for script in re.findall(r"scripts/[\w.]+", services["migrate"]["command"]):
        assert (ROOT / script).exists(), script
    documented = (ROOT / ".env.example").read_text()
    for variable in set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text())):
        assert re.search(rf"^{variable}=", documented, re.M), f"{variable} is not in .env.example"


def test_docker_compose_accepts_the_file_with_the_documented_environment(tmp_path):
    """`docker compose config` (or docker-compose v1) resolves it: syntax, merges, interpolation."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "config", "--quiet"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose", "config", "--quiet"]
    else:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    env_file = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "ATTUNE_OWNER_DB_PASSWORD", "ATTUNE_APP_DB_PASSWORD"):
        env_file = re.sub(rf"^{name}=$", f"{name}=filled{len(name)}", env_file, flags=re.M)
    (tmp_path / ".env").write_text(env_file)
    # The shell's own variables would win over .env in compose's interpolation: leave the documented out.
    documented = set(re.findall(r"^(\w+)=", env_file, re.M))
    environ = {k: v for k, v in os.environ.items() if k not in documented}
    checked = subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    # Without the database passwords it refuses to start rather than run with empty ones.
    (tmp_path / ".env").write_text(
        re.sub(r"^ATTUNE_APP_DB_PASSWORD=.*$", "ATTUNE_APP_DB_PASSWORD=", env_file, flags=re.M)
    )
    refused = subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "ATTUNE_APP_DB_PASSWORD" in refused.stderr


def test_the_app_connects_as_the_app_role_after_migrations_ran_as_the_owner():
    services = _compose()["services"]
    migrate = services["migrate"]["environment"]
    assert "attune_owner" in migrate["MIGRATE_DATABASE_URL"] and "ADMIN_DATABASE_URL" in migrate
    for name in ("web", "worker", "beat"):
        service = services[name]
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://attune_app:"), name
        # The owner's and the superuser's passwords are blanked even though env_file holds them.
        assert environment["MIGRATE_DATABASE_URL"] == environment["ATTUNE_OWNER_DB_PASSWORD"] == "", name
        assert environment["POSTGRES_PASSWORD"] == environment["ADMIN_DATABASE_URL"] == "", name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert environment["TRUSTED_PROXY_COUNT"] == "1" and environment["BEHIND_PROXY"] == "true", name


def test_every_test_docs_security_names_exists():
    """docs/security.md names the test behind each promise: `dir/file.py::test` or `::test` (same file)."""
    text = (ROOT / "docs" / "security.md").read_text()
    current, named = None, []
    for path, name in re.findall(r"`((?:\w+/)+test_\w+\.py)?(?:::(\w+))?`", text):
        if path:
            current = path
            assert (ROOT / "tests" / path).exists(), path
        if name:
            assert current, name
            named.append((current, name))
    assert len(named) > 40
    for path, name in named:
        source = (ROOT / "tests" / path).read_text()
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name}"


def test_the_documented_environment_can_be_sourced_by_a_shell_as_its_header_says():
    """`set -a; . ./.env; set +a` gives every variable the value compose's env_file gives it."""
    shown = subprocess.run(
        ["sh", "-c", "set -a; . ./.env.example; set +a; env"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    sourced = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    documented = documented_env(SECRET_KEY="")
    for name in re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.M):
        assert sourced.get(name) == documented[name], name
