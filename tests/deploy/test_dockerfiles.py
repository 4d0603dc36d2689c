"""The one Dockerfile (deploy/Dockerfile) has the shape the cluster relies on for every image it
builds, and each image's build arguments (deploy/images.txt) name the same API, port and package
as the local stack (infra/services.txt) and the Deployments. Nothing is built here (no container
engine): the file is read as BuildKit would resolve it for each image's arguments.

Locked dependencies are installed before the code is copied, the code after; the image that
runs holds no uv and no sources and runs as the numeric user the pods expect; nothing secret is
baked in."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
IMAGES_TXT = ROOT / "deploy" / "images.txt"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL", re.I)
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def images() -> dict[str, dict[str, str]]:
    """deploy/images.txt: image (its SERVICE) -> the build arguments given."""
    found: dict[str, dict[str, str]] = {}
    for line in IMAGES_TXT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            args = dict(word.split("=", 1) for word in line.split())
            found[args["SERVICE"]] = args
    return found


IMAGES = images()


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)
    arguments: dict[str, str] = field(default_factory=dict)  # the build arguments it sees

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def index(self, keyword: str, pattern: str) -> int:
        for i, (kw, args) in enumerate(self.instructions):
            if kw == keyword and re.search(pattern, args):
                return i
        raise AssertionError(f"no {keyword} matching {pattern!r} in stage {self.name}")


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            found.append((keyword.upper(), " ".join(args.split())))
    return found


def _substitute(text: str, scope: dict[str, str]) -> str:
    """Build arguments in scope replaced, as BuildKit does; anything else (ENV, the shell's)
    left alone."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return scope[name] if name in scope else match.group(0)

    return VARIABLE.sub(value, text)


def _declare(
    args: str, given: dict[str, str], scope: dict[str, str], outer: dict[str, str]
) -> None:
    """`ARG name[=default]`: the value given to the build, else the default, else the one
    declared before the first FROM (`outer`), else empty."""
    name, has_default, default = args.partition("=")
    if name in given:
        scope[name] = given[name]
    elif has_default:
        scope[name] = _substitute(default, scope)
    else:
        scope[name] = outer.get(name, "")


def stages(given: dict[str, str]) -> list[Stage]:
    """Every stage of the Dockerfile resolved with the build arguments `given`."""
    result: list[Stage] = []
    outer: dict[str, str] = {}
    for keyword, args in instructions():
        if keyword == "FROM":
            base, _, name = _substitute(args, outer).partition(" AS ")
            result.append(Stage(base=base, name=name or None))
        elif keyword == "ARG" and not result:
            _declare(args, given, outer, {})
        else:
            assert result, f"{keyword} before the first FROM"
            stage = result[-1]
            if keyword == "ARG":  # a stage sees only the arguments it declares again
                _declare(args, given, stage.arguments, outer)
            stage.instructions.append((keyword, _substitute(args, stage.arguments)))
    return result


def built(image: str) -> list[Stage]:
    """The stages BuildKit builds for `image`: the last one and those it takes from."""
    all_stages = stages(IMAGES[image])
    by_name = {s.name: s for s in all_stages if s.name}
    needed: list[Stage] = []

    def need(stage: Stage) -> None:
        if stage in needed:
            return
        if stage.base in by_name:
            need(by_name[stage.base])
        for args in stage.all("COPY"):
            source = re.match(r"--from=(\S+)", args)
            if source and source.group(1) in by_name:
                need(by_name[source.group(1)])
        needed.append(stage)

    need(all_stages[-1])
    return needed


def build_stage(all_stages: list[Stage]) -> Stage:
    (build,) = [s for s in all_stages if any("uv sync" in r for r in s.all("RUN"))]
    return build


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_is_built_in_a_uv_stage_and_runs_from_a_second_one(image: str) -> None:
    all_stages = built(image)
    build, runtime = build_stage(all_stages), all_stages[-1]
    assert build is not runtime
    assert build.base == runtime.base, "the virtual environment links to the build's Python"
    assert runtime.all("COPY") == [f"--from={build.name} /app/venv /app/venv"]
    assert not any("uv" in r for r in runtime.all("RUN")), "no uv in the running image"
    # The portal adds its front-end assets from npm; the services add none and run no npm.
    npm = [r for s in all_stages for r in s.all("RUN") if "npm" in r]
    assert bool(npm) == (image == "portal"), npm


@pytest.mark.parametrize("image", IMAGES)
def test_locked_dependencies_are_installed_before_the_code_is_copied(image: str) -> None:
    build = build_stage(built(image))
    package = f"jembatan-{image}"
    dependencies = build.index("RUN", rf"uv sync .*--no-install-workspace .*--package {package}$")
    code = build.index("RUN", rf"uv sync .*--no-editable .*--package {package}$")
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
    # The sources (and the assets) arrive between the two.
    copied_code = [
        i
        for i, (kw, args) in enumerate(build.instructions)
        if kw == "COPY" and re.search(r"\bsrc\b|--from=assets\b", args)
    ]
    assert copied_code and all(dependencies < i < code for i in copied_code)
    package_dir = arguments(image)["PACKAGE_DIR"]
    assert f"{package_dir}/src {package_dir}/src" in build.all("COPY")


@pytest.mark.parametrize("image", IMAGES)
def test_the_running_image_has_a_numeric_non_root_user(image: str, production) -> None:
    runtime = built(image)[-1]
    (user,) = runtime.all("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and (not gid or gid.isdigit()), user
    # The pods run as the same user (base/common/hardening.yaml).
    api = production.named("Deployment", f"{image}-api")
    assert api["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)


def test_no_secret_is_baked_into_an_image() -> None:
    for stage in stages({}):
        for keyword in ("ENV", "ARG", "LABEL"):
            for args in stage.all(keyword):
                for name in re.findall(r"([A-Za-z_][A-Za-z0-9_.-]*)=", args) or [args.split()[0]]:
                    assert not SECRET_NAME.search(name), f"{keyword} {args}"
        for args in stage.all("COPY") + stage.all("ADD"):
            assert not re.search(r"\.env\b|secret|\.pem|\.key\b", args, re.I), args
    for image, given in IMAGES.items():
        for name in given:
            assert not SECRET_NAME.search(name), f"{image}: build argument {name}"


@pytest.mark.parametrize("image", IMAGES)
def test_the_running_image_writes_nothing_to_its_root_filesystem(image: str) -> None:
    build, runtime = build_stage(built(image)), built(image)[-1]
    assert "UV_COMPILE_BYTECODE=1" in " ".join(build.all("ENV")), "bytecode compiled at build"
    env = " ".join(runtime.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env, "anything written under ~ lands in the /tmp emptyDir"


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") + 1 :], "everything ignored, then what the images copy"
    kept = {line[1:] for line in ignored if line.startswith("!")}
    assert not any(k.startswith((".venv", ".cache", ".git", "infra", "deploy")) for k in kept)
    for image in IMAGES:
        for stage in built(image):
            for args in stage.all("COPY"):
                if not args.startswith("--from="):
                    for src in args.split()[:-1]:
                        assert any(
                            src == k.rstrip("/") or src.startswith(k) or Path(src).match(k)
                            for k in kept
                        ), f"{image}: COPY {src} is not in the build context"


# Each image's arguments against the processes it runs.


def arguments(image: str) -> dict[str, str]:
    """The image's build arguments with the Dockerfile's defaults filled in."""
    found: dict[str, str] = {}
    for stage in built(image):
        found |= stage.arguments
    return found


def local_stack_processes() -> dict[str, list[str]]:
    """infra/services.txt: process name -> its command's words after the venv's python."""
    return {
        name: words
        for line in (ROOT / "infra" / "services.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
        for name, *words in [line.split()]
    }


def module_file(package_dir: str, module: str) -> Path:
    path = ROOT / package_dir / "src" / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_every_image_the_cluster_runs_is_built_and_no_other(local) -> None:
    used = {
        c["image"]
        for w in local.workloads()
        for c in local.containers(w)
        if c["image"].startswith("jembatan/")
    }
    assert used == {f"jembatan/{image}:dev" for image in IMAGES}
    apis = {name.removesuffix("-api") for name in local_stack_processes() if name.endswith("-api")}
    assert apis == set(IMAGES)


@pytest.mark.parametrize("image", IMAGES)
def test_the_images_api_is_the_local_stacks_and_the_deployments(image: str, local) -> None:
    given = arguments(image)
    assert local_stack_processes()[f"{image}-api"] == [
        "-m",
        "shared.serve",
        given["APP"],
        given["PORT"],
    ]
    api = local.named("Deployment", f"{image}-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"jembatan/{image}:dev"
    assert container["args"] == [given["APP"], f"--port={given['PORT']}"]
    assert [p["containerPort"] for p in container["ports"]] == [int(given["PORT"])]


@pytest.mark.parametrize("image", IMAGES)
def test_the_package_dir_holds_the_package_and_every_module_its_processes_run(
    image: str, local
) -> None:
    package_dir = arguments(image)["PACKAGE_DIR"]
    project = tomllib.loads((ROOT / package_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == f"jembatan-{image}"
    modules = {arguments(image)["APP"].split(":")[0]}
    for name, words in local_stack_processes().items():
        if name.startswith(f"{image}-") and words[1] != "shared.serve":
            modules.add(words[1])
    for workload in local.workloads():
        for container in local.containers(workload):
            command = container.get("command", [])
            ours = container["image"] == f"jembatan/{image}:dev"
            if ours and command[1:2] == ["-m"] and command[2] != "uvicorn":
                modules.add(command[2])
    assert len(modules) >= 2, modules  # the API and the migration at least
    for module in modules:
        assert module_file(package_dir, module).is_file(), f"{image}: {module} not in {package_dir}"
