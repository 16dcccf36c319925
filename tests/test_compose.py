"""docker-compose.yml cannot run here (no Docker), so this reads it: every command, module, file and
variable it names must exist in the project, and the production shape must hold (one beat, Redis
without eviction, a health check on each long-running service)."""

import ast
import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict = COMPOSE["services"]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
ONE_SHOT = {"migrate"}
OUR_IMAGE = "tianjin-towns-app:latest"


def _env_example() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


ENV_EXAMPLE = _env_example()
ENV_READERS = {("os", "getenv"), ("environ", "get"), (None, "env_bool"), (None, "env_list"), (None, "getenv")}


def _variables_read(path: Path) -> set[str]:
    """Names read from the environment: os.environ.get("X"), os.environ["X"], os.getenv, env_bool, env_list."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            key = (
                (
                    func.value.attr if isinstance(func.value, ast.Attribute) else getattr(func.value, "id", None),
                    func.attr,
                )
                if isinstance(func, ast.Attribute)
                else (None, getattr(func, "id", None))
            )
            if key in ENV_READERS and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            value = node.value
            if isinstance(value, ast.Attribute) and value.attr == "environ" and isinstance(node.slice.value, str):
                names.add(node.slice.value)
    return names


def _compose_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    return set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))


def _command(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _app_services() -> dict:
    return {name: s for name, s in SERVICES.items() if s.get("image") == OUR_IMAGE}


# Inside `sh -c`, only `&&` may join commands: the container then fails as soon as one step fails.
SHELL_OPERATORS = re.compile(r"[;|`<>]|\$\(|(?<!&)&(?!&)")


def _command_lines(argv: list[str]) -> list[list[str]]:
    """`sh -c "a && b"` → [a, b], each split like a command list; any other command → [argv]."""
    if argv[:2] == ["sh", "-c"] and len(argv) == 3:
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


def _check_command(argv: list[str]) -> list[str]:
    """What in one command line does not exist in the project."""
    problems = []
    if argv[:2] == ["sh", "-c"]:
        if len(argv) != 3 or SHELL_OPERATORS.search(argv[2]):
            return [f"a shell line that does not stop at the first failure or that this test cannot read: {argv}"]
        for line in _command_lines(argv):
            problems += _check_command(line)
    elif argv[:2] == ["python", "manage.py"]:
        if argv[2] not in get_commands():
            problems.append(f"manage.py has no command {argv[2]!r}")
    elif argv[:1] == ["python"] and argv[1].endswith(".py"):
        script = ROOT / argv[1]
        if not script.exists():
            problems.append(f"no file {argv[1]}")
        else:
            # deploy/healthcheck.py web → a check_web function
            functions = {n.name for n in ast.walk(ast.parse(script.read_text())) if isinstance(n, ast.FunctionDef)}
            for arg in argv[2:]:
                if f"check_{arg}" not in functions:
                    problems.append(f"{argv[1]} has no check {arg!r}")
    elif argv[:1] == ["gunicorn"]:
        config = argv[argv.index("-c") + 1]
        if not (ROOT / config).exists():
            problems.append(f"no gunicorn config {config}")
        module, attribute = argv[-1].split(":")
        if not hasattr(importlib.import_module(module), attribute):
            problems.append(f"{module} has no {attribute}")
    elif argv[:1] == ["celery"]:
        package = argv[argv.index("-A") + 1]
        if not hasattr(importlib.import_module(f"{package}.celery"), "app"):
            problems.append(f"{package}.celery has no Celery app")
        if argv[3] not in {"worker", "beat", "inspect"}:
            problems.append(f"unexpected celery command {argv[3]}")
        if "--scheduler" in argv:
            module, attribute = argv[argv.index("--scheduler") + 1].split(":")
            if not hasattr(importlib.import_module(module), attribute):
                problems.append(f"no scheduler {module}:{attribute}")
    else:
        problems.append(f"a command this test does not know how to check: {argv}")
    return problems


# --- The shape of production ---------------------------------------------------------------------


def test_every_part_of_production_is_there():
    assert set(SERVICES) >= {"db", "redis", "migrate", "web", "worker", "beat", "nginx", "backup"}


def test_every_long_running_service_has_a_health_check_and_restarts():
    for name, service in SERVICES.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert service.get("healthcheck", {}).get("test"), f"service {name} has no health check"
        assert service.get("restart") == "unless-stopped", f"service {name} is not restarted"


def test_exactly_one_beat():
    beats = [
        name
        for name, service in _app_services().items()
        if any("beat" in line for line in _command_lines(_command(service)))
    ]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_each_deploy_migrates_then_copies_the_beat_schedule_loads_the_reference_data_and_regrants():
    # Beat reads django-celery-beat's tables; without sync_schedules a new reminder would never run.
    # A new installation gets the notice's districts, groups and member units; an upgrade that gives a
    # role a new permission reaches the users who already hold the role.
    assert _command_lines(_command(SERVICES["migrate"])) == [
        ["python", "manage.py", "migrate", "--noinput"],
        ["python", "manage.py", "sync_schedules"],
        ["python", "manage.py", "load_reference"],
        ["python", "manage.py", "sync_grants"],
    ]
    assert SERVICES["beat"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ("python manage.py migrate --noinput && python manage.py no_such_command", "no command 'no_such_command'"),
        ("python manage.py migrate --noinput; python manage.py sync_schedules", "does not stop at the first failure"),
        ("python manage.py migrate --noinput || true", "does not stop at the first failure"),
    ],
)
def test_each_command_of_a_shell_line_is_checked(script, problem):
    assert any(problem in text for text in _check_command(["sh", "-c", script]))
    assert _check_command(["sh", "-c", "python manage.py migrate --noinput && python manage.py sync_schedules"]) == []


def test_redis_never_evicts_queued_tasks():
    argv = _command(SERVICES["redis"])
    assert argv[argv.index("--maxmemory-policy") + 1] == "noeviction"
    assert "--maxmemory" in argv and "--appendonly" in argv


def test_app_containers_wait_for_migrations_and_healthy_servers():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
    for name, service in SERVICES.items():
        for target in service.get("depends_on", {}):
            assert target in SERVICES, f"{name} depends on unknown service {target}"


def test_app_services_run_production_settings_against_the_compose_servers():
    for name, service in _app_services().items():
        env = service["environment"]
        assert env["DJANGO_DEBUG"] == "0", name
        assert "@db:5432/" in env["DATABASE_URL"] and "db" in SERVICES
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:") and "redis" in SERVICES
        assert service["env_file"] == ".env"


# --- Everything named exists ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(_app_services()))
def test_app_service_commands_exist_in_the_project(name):
    service = SERVICES[name]
    problems = _check_command(_command(service))
    test = service.get("healthcheck", {}).get("test", [])
    if test and test[0] == "CMD":
        problems += _check_command(test[1:])
    elif test and test[0] == "CMD-SHELL":
        problems += _check_command(shlex.split(test[1].replace("$$", "$")))
    assert not problems, f"service {name}: " + "; ".join(problems)


def test_the_dockerfile_builds_what_compose_asks_for():
    stages = set(re.findall(r"^FROM \S+ AS (\w+)$", DOCKERFILE, re.M))
    for name, service in SERVICES.items():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).exists(), name
            assert build["target"] in stages, f"{name}: no stage {build['target']} in deploy/Dockerfile"
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"deploy/Dockerfile copies {path}, which does not exist"
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1)
    assert not _check_command(ast.literal_eval(cmd))
    assert "collectstatic" in get_commands()


def test_files_mounted_from_the_project_exist():
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"service {name} mounts {source}, which does not exist"
            else:
                assert source in COMPOSE["volumes"], f"service {name} uses undeclared volume {source}"
    for script in ("backup.sh", "restore_drill.sh"):
        assert (ROOT / "deploy" / script).read_text().startswith("#!/bin/sh")


def test_nginx_serves_what_the_image_and_django_put_where_it_looks():
    from tianjin_towns.lib import downloads

    assert "server web:8000;" in NGINX and "web" in SERVICES
    assert "alias /srv/static/;" in NGINX and "COPY --from=app /app/staticfiles /srv/static" in DOCKERFILE
    assert f"location {downloads.ACCEL_PREFIX} {{" in NGINX and "alias /srv/media/;" in NGINX
    assert "media:/srv/media:ro" in SERVICES["nginx"]["volumes"]
    assert "media:/app/media" in SERVICES["web"]["volumes"]
    assert "internal;" in NGINX.split(f"location {downloads.ACCEL_PREFIX}")[1].split("}")[0]
    for header in ("X-Real-IP", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header}" in NGINX


# --- Every variable is documented ----------------------------------------------------------------


def test_env_example_lists_every_variable_the_application_reads():
    read = _variables_read(ROOT / "tianjin_towns" / "settings.py")
    for script in (ROOT / "deploy").glob("*.py"):
        read |= _variables_read(script)
    assert "DATABASE_URL" in read and "DJANGO_SECRET_KEY" in read  # the scan itself works
    missing = sorted(read - ENV_EXAMPLE)
    assert not missing, f"add to .env.example (with a comment saying what it is): {', '.join(missing)}"


def test_env_example_lists_every_variable_compose_uses():
    missing = sorted(_compose_variables() - ENV_EXAMPLE)
    assert not missing, f"add to .env.example: {', '.join(missing)}"


def test_env_example_lists_nothing_that_nobody_reads():
    read = _variables_read(ROOT / "tianjin_towns" / "settings.py") | _compose_variables()
    for script in (ROOT / "deploy").glob("*.py"):
        read |= _variables_read(script)
    for script in (ROOT / "deploy").glob("*.sh"):
        read |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", script.read_text()))
    stale = sorted(ENV_EXAMPLE - read - {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"})
    assert not stale, f"in .env.example but read nowhere: {', '.join(stale)}"


def test_secrets_stay_out_of_the_image_and_the_repository():
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    gitignore = (ROOT / ".gitignore").read_text().split()
    assert {".env", "deploy/tls", ".venv", "node_modules"} <= set(dockerignore)
    assert {".env", "deploy/tls/*.pem"} <= set(gitignore)
