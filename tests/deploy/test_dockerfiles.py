"""The images' Dockerfiles have the shape the cluster relies on (they cannot be built here: no
container engine). Locked dependencies are installed before the code is copied, the code
after; the image that runs holds no uv and no sources and runs as the numeric user the pods
expect; nothing secret is baked in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMAGES = {
    "client": ROOT / "services" / "client" / "Dockerfile",
    "referral": ROOT / "services" / "referral" / "Dockerfile",
    "training": ROOT / "services" / "training" / "Dockerfile",
    "notify": ROOT / "services" / "notify" / "Dockerfile",
    "indicators": ROOT / "services" / "indicators" / "Dockerfile",
    "portal": ROOT / "web" / "Dockerfile",
}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL", re.I)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def index(self, keyword: str, pattern: str) -> int:
        for i, (kw, args) in enumerate(self.instructions):
            if kw == keyword and re.search(pattern, args):
                return i
        raise AssertionError(f"no {keyword} matching {pattern!r} in stage {self.name}")


def stages(dockerfile: Path) -> list[Stage]:
    """The Dockerfile's stages and their instructions, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    result: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), " ".join(args.split())
        if keyword == "FROM":
            base, _, name = args.partition(" AS ")
            result.append(Stage(base=base, name=name or None))
        else:
            assert result, f"{dockerfile}: {keyword} before the first FROM"
            result[-1].instructions.append((keyword, args))
    return result


def build_stage(all_stages: list[Stage]) -> Stage:
    (build,) = [s for s in all_stages if any("uv sync" in r for r in s.all("RUN"))]
    return build


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_is_built_in_a_uv_stage_and_runs_from_a_second_one(image: str) -> None:
    all_stages = stages(IMAGES[image])
    build, runtime = build_stage(all_stages), all_stages[-1]
    assert build is not runtime
    assert build.base == runtime.base, "the virtual environment links to the build's Python"
    assert runtime.all("COPY") == [f"--from={build.name} /app/venv /app/venv"]
    assert not any("uv" in r for r in runtime.all("RUN")), "no uv in the running image"
    # The portal adds a stage for its front-end assets (npm); the services need none.
    assert len(all_stages) == (3 if image == "portal" else 2)


@pytest.mark.parametrize("image", IMAGES)
def test_locked_dependencies_are_installed_before_the_code_is_copied(image: str) -> None:
    build = build_stage(stages(IMAGES[image]))
    package = f"jembatan-{image}"
    dependencies = build.index("RUN", rf"uv sync .*--no-install-workspace .*--package {package}")
    code = build.index("RUN", rf"uv sync .*--no-editable .*--package {package}")
    assert dependencies < code
    for run in (build.instructions[dependencies][1], build.instructions[code][1]):
        assert re.search(r"--frozen|--locked", run), run
        assert "--no-dev" in run
    # Before the dependencies: only the lock and the workspace's pyproject files.
    for keyword, args in build.instructions[:dependencies]:
        if keyword == "COPY" and not args.startswith("--from="):
            assert all(
                src in ("uv.lock", "pyproject.toml") or src.endswith("/pyproject.toml")
                for src in args.split()[:-1]
            ), args
    # The sources arrive between the two.
    copied_code = [
        i
        for i, (kw, args) in enumerate(build.instructions)
        if kw == "COPY" and re.search(r"\bsrc\b", args)
    ]
    assert copied_code and all(dependencies < i < code for i in copied_code)


@pytest.mark.parametrize("image", IMAGES)
def test_the_running_image_has_a_numeric_non_root_user(image: str, production) -> None:
    runtime = stages(IMAGES[image])[-1]
    (user,) = runtime.all("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and (not gid or gid.isdigit()), user
    # The pods run as the same user (base/common/hardening.yaml).
    api = production.named("Deployment", f"{image}-api")
    assert api["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)


@pytest.mark.parametrize("image", IMAGES)
def test_no_secret_is_baked_into_an_image(image: str) -> None:
    for stage in stages(IMAGES[image]):
        for keyword in ("ENV", "ARG", "LABEL"):
            for args in stage.all(keyword):
                for name in re.findall(r"([A-Za-z_][A-Za-z0-9_.-]*)=", args) or [args.split()[0]]:
                    assert not SECRET_NAME.search(name), f"{image}: {keyword} {args}"
        for args in stage.all("COPY") + stage.all("ADD"):
            assert not re.search(r"\.env\b|secret|\.pem|\.key\b", args, re.I), args


@pytest.mark.parametrize("image", IMAGES)
def test_the_running_image_writes_nothing_to_its_root_filesystem(image: str) -> None:
    build, runtime = build_stage(stages(IMAGES[image])), stages(IMAGES[image])[-1]
    assert "UV_COMPILE_BYTECODE=1" in " ".join(build.all("ENV")), "bytecode compiled at build"
    env = " ".join(runtime.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env, "anything written under ~ lands in the /tmp emptyDir"


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") + 1 :], "everything ignored, then what the images copy"
    kept = {line[1:] for line in ignored if line.startswith("!")}
    assert not any(k.startswith((".venv", ".cache", ".git", "infra", "deploy")) for k in kept)
    for image in IMAGES.values():
        for stage in stages(image):
            for args in stage.all("COPY"):
                if not args.startswith("--from="):
                    for src in args.split()[:-1]:
                        assert any(
                            src == k.rstrip("/") or src.startswith(k) or Path(src).match(k)
                            for k in kept
                        ), f"{image}: COPY {src} is not in the build context"
