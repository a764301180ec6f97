"""The ``keras-varlint`` pre-commit hook, run through ``pre-commit try-repo`` on throwaway git repos.

The hook repo is a git copy of this working tree's package and hook manifest, committed or not,
so the tests check them as they are now. Each run builds the hook's virtualenv from PyPI (or
pip's cache), as a user's first run does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import UNTRACKED

REPO = Path(__file__).resolve().parents[2]
FINDING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<code>KVL\d{3}) ", re.M)
NO_NETWORK = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
              "No matching distribution found", "Could not find a version that satisfies")

PLAIN = "def double(x):\n    return 2 * x\n"
PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'  # the CLI's project root, where a cache could go

yaml = pytest.importorskip("yaml", reason="PyYAML (a pre-commit dependency) is not installed")
pre_commit_exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
needs_pre_commit = pytest.mark.skipif(pre_commit_exe is None,
                                      reason="pre-commit is not installed: pip install pre-commit")


def git(cwd: Path, *argv: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *argv], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def new_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if files:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "files")
    return root


HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "keras_varlint/")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What pre-commit installs from this working tree (committed or not), committed to a fresh git repo."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                              *HOOK_REPO_FILES], cwd=REPO, capture_output=True)
    if listing.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout, so there is no hook repo to try")
    listed = listing.stdout.decode().split("\0")
    copy = tmp_path_factory.mktemp("hook-repo")
    git(copy, "init", "-q")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot")
    return copy


def try_repo(hook_repo: Path, cwd: Path, *files: str, hook: str = "keras-varlint") -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo HOOK_REPO keras-varlint`` on ``files`` (default: all) in ``cwd``; skip if offline.

    try-repo builds the hook's environment afresh each time (in a temporary store).
    """
    which = ["--files", *files] if files else ["--all-files"]
    done = subprocess.run([pre_commit_exe, "try-repo", str(hook_repo), hook, *which, "--verbose"],
                          cwd=cwd, env={**os.environ, "PRE_COMMIT_COLOR": "never"},
                          capture_output=True, text=True, timeout=900)
    details = done.stdout + done.stderr
    if "An unexpected error has occurred" in details and any(sign in details for sign in NO_NETWORK):
        pytest.skip("pre-commit could not build the hook's environment: PyPI is unreachable and pip has no cache")
    assert "An unexpected error has occurred" not in details, details
    return done


def findings(output: str) -> set[tuple[str, int, str]]:
    return {(m["path"], int(m["line"]), m["code"]) for m in FINDING.finditer(output)}


@needs_pre_commit
def test_fix_hook_applies_the_safe_fixes(hook_repo: Path, tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"layers.py": UNTRACKED, "util.py": PLAIN, "pyproject.toml": PYPROJECT})
    done = try_repo(hook_repo, repo, hook="keras-varlint-fix")
    assert done.returncode == 1, done.stdout  # files were modified by this hook
    fixed = (repo / "layers.py").read_text()
    assert fixed == UNTRACKED.replace("tf.Variable(1.0)", "keras.Variable(1.0)"), fixed
    assert "Found 1 error (1 fixed, 0 remaining)." in done.stdout
    git(repo, "add", "-A")
    again = try_repo(hook_repo, repo, hook="keras-varlint-fix")
    assert again.returncode == 0 and (repo / "layers.py").read_text() == fixed, again.stdout


@needs_pre_commit
def test_zero_files_skips_the_hook(hook_repo: Path, tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", {"README.txt": "no Python here\n", "setup.cfg": "[metadata]\n"})
    done = try_repo(hook_repo, repo)
    assert done.returncode == 0, done.stdout
    assert "(no files to check)Skipped" in done.stdout


@needs_pre_commit
def test_mixed_layer_and_plain_modules(hook_repo: Path, tmp_path: Path) -> None:
    files = {"layers.py": UNTRACKED, "util.py": PLAIN, "notes.txt": "x\n", "pyproject.toml": PYPROJECT}
    repo = new_repo(tmp_path / "repo", files)
    done = try_repo(hook_repo, repo)
    assert done.returncode == 1, done.stdout
    assert findings(done.stdout) == {("layers.py", 8, "KVL001")}
    assert "keras-varlint" in done.stdout and "Failed" in done.stdout
    assert git(repo, "status", "--porcelain") == "", "the hook must leave the work tree clean"


@needs_pre_commit
def test_exclude_and_per_file_ignores_hold_for_the_files_the_hook_names(hook_repo: Path, tmp_path: Path) -> None:
    """pre-commit names each file: `exclude` still skips it (as ruff's --force-exclude), and
    per-file-ignores match paths relative to the project root."""
    config = PYPROJECT + '\n[tool.keras-varlint]\nexclude = ["legacy/*"]\nper-file-ignores = { "tests/*" = ["KVL001"] }\n'
    files = {"legacy/old.py": UNTRACKED, "tests/test_layers.py": UNTRACKED, "src/layers.py": UNTRACKED,
             "pyproject.toml": config}
    repo = new_repo(tmp_path / "repo", files)
    done = try_repo(hook_repo, repo)
    assert done.returncode == 1, done.stdout
    assert findings(done.stdout) == {("src/layers.py", 8, "KVL001")}


@needs_pre_commit
def test_many_files_split_across_invocations(hook_repo: Path, tmp_path: Path) -> None:
    """More file names than fit one command line (pre-commit caps it at 2**17 bytes) force several runs."""
    deep = "/".join(["a_rather_long_directory_name_to_fill_the_command_line"] * 5)
    files = {f"{deep}/layer_{i:03d}.py": UNTRACKED.replace("Scale", f"Scale{i}") for i in range(0, 600, 2)}
    files |= {f"{deep}/plain_{i:03d}.py": PLAIN for i in range(1, 600, 2)}
    assert sum(len(name) + 1 for name in files) > 2**17
    repo = new_repo(tmp_path / "repo", files)
    done = try_repo(hook_repo, repo)
    assert done.returncode == 1
    assert findings(done.stdout) == {(name, 8, "KVL001") for name in files if "/layer_" in name}


@needs_pre_commit
def test_base_layer_in_a_file_not_passed(hook_repo: Path, tmp_path: Path) -> None:
    """Only the changed subclass module is passed; its base layer is found in the repo all the same."""
    files = {
        "pyproject.toml": PYPROJECT,
        "proj/__init__.py": "",
        "proj/base.py": "import keras\n\n\nclass Base(keras.layers.Layer):\n    pass\n",
        "proj/child.py": "import tensorflow as tf\n\nfrom proj.base import Base\n\n\nclass Child(Base):\n"
                         "    def build(self, input_shape):\n        self.w = tf.Variable(1.0)\n\n"
                         "    def call(self, x):\n        return x * self.w\n",
    }
    repo = new_repo(tmp_path / "repo", files)
    done = try_repo(hook_repo, repo, "proj/child.py")
    assert findings(done.stdout) == {("proj/child.py", 8, "KVL001")}, done.stdout
    assert git(repo, "status", "--porcelain") == "", "the hook must leave the work tree clean"


# -- the README sections ----------------------------------------------------------------------------

DOCS = REPO / "README.md"


def doc_blocks(section: str) -> list[tuple[str, str]]:
    """The ``(language, text)`` of each fenced block under the ``## section`` heading of the docs."""
    text = DOCS.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    parts = text.split("```")
    return [(block.split("\n", 1)[0], block.split("\n", 1)[1]) for block in parts[1::2]]


def pre_commit_run(config: dict, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    (cwd.parent / "config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    done = subprocess.run([pre_commit_exe, "run", "--all-files", "-c", str(cwd.parent / "config.yaml")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if "An unexpected error has occurred" in done.stdout + done.stderr and any(
            sign in done.stdout + done.stderr for sign in NO_NETWORK):
        pytest.skip("pre-commit could not build the hook's environment: PyPI is unreachable and pip has no cache")
    return done


@needs_pre_commit
def test_docs_precommit_snippets_work(hook_repo: Path, tmp_path: Path) -> None:
    """Both snippets, with this tree standing in for the published repo (keras-varlint hook) and
    package (flake8's hook); flake8's hook repo itself is replaced by an equivalent local hook."""
    [(lang1, ours), (lang2, theirs)] = doc_blocks("Use with pre-commit")
    assert lang1 == lang2 == "yaml"
    repo = new_repo(tmp_path / "repo", {"layers.py": UNTRACKED, "util.py": PLAIN})
    home = tmp_path / "home"

    config = yaml.safe_load(ours)
    [entry] = config["repos"]
    assert [hook["id"] for hook in entry["hooks"]] == ["keras-varlint"] and entry["rev"]
    entry.update(repo=str(hook_repo), rev=git(hook_repo, "rev-parse", "HEAD").strip())
    done = pre_commit_run(config, repo, home)
    assert done.returncode == 1 and findings(done.stdout) == {("layers.py", 8, "KVL001")}, done.stdout

    [entry] = yaml.safe_load(theirs)["repos"]
    [hook] = entry["hooks"]
    assert entry["repo"] == "https://github.com/PyCQA/flake8" and hook["id"] == "flake8"
    assert hook["additional_dependencies"] == ["keras-varlint"]
    local = {"id": "flake8", "name": "flake8", "entry": "flake8", "language": "python", "types": ["python"],
             "require_serial": True, "additional_dependencies": [f"flake8=={entry['rev']}", str(hook_repo)]}
    done = pre_commit_run({"repos": [{"repo": "local", "hooks": [local]}]}, repo, home)
    assert done.returncode == 1 and findings(done.stdout) == {("layers.py", 8, "KVL001")}, done.stdout


def test_docs_github_actions_step(tmp_path: Path) -> None:
    [(lang, workflow)] = doc_blocks("Use in GitHub Actions")
    assert lang == "yaml"
    steps = yaml.safe_load(workflow)["jobs"]["keras-varlint"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[0] == "pip install keras-varlint" and runs[-1].startswith("keras-varlint ")
    (tmp_path / "layers.py").write_text(UNTRACKED)
    argv = [sys.executable, "-m", "keras_varlint.interfaces.cli", *runs[-1].split()[1:]]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=layers.py,line=8,col=18,"), done.stdout
