"""Real-VM pairs: each configuration's pair cases must get exactly the verdicts
of its known-results file (conformance/known-results/<config>.json).

Runs the configurations named in VGB_VM_CONFIGS (comma separated names or
groups: default, all, arm64; default: the runner's default set). Each configuration is booted once; its results
go to VGB_VM_RESULTS (default build/vm-results.json when build/ exists) in
the suite's results shape, for the report.

  /usr/bin/python3 -m pytest conformance/pytest/test_vm.py -v
"""

import dataclasses
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "conformance", "vm"))

import configs  # noqa: E402
import known  # noqa: E402
import run  # noqa: E402
import stack  # noqa: E402


def selected_configs():
    env = os.environ.get("VGB_VM_CONFIGS", "").strip() or "default"
    names = []
    for n in (n.strip() for n in env.split(",")):
        for name in configs.GROUPS.get(n, [n] if n else []):
            if name not in names:
                names.append(name)
    return names


def results_path():
    if os.environ.get("VGB_VM_RESULTS"):
        return os.environ["VGB_VM_RESULTS"]
    build = os.path.join(REPO, "build")
    return os.path.join(build if os.path.isdir(build) else "/tmp", "vm-results.json")


def expected_cases(name):
    """(config, case) pairs from the known results; a configuration without a
    file still gets one test that says so."""
    try:
        k = known.load(name)
    except ValueError:
        return [(name, "<known-results file>")]
    if k is None:
        return [(name, "<known-results file>")]
    return [(name, c) for c in k["cases"]] + [(name, "<no unexpected cases>")]


PARAMS = [p for n in selected_configs() for p in expected_cases(n)]


class _Runs:
    """Boots each configuration at most once per pytest session."""

    def __init__(self):
        self.targets, self.skips = {}, {}

    def get(self, name):
        if name in self.skips:
            pytest.skip(self.skips[name])
        if name not in self.targets:
            cfg = configs.BY_NAME.get(name)
            if cfg is None:
                pytest.fail(f"unknown VM configuration {name!r} (see conformance/vm/run.py --list)")
            try:
                self.targets[name] = run.run_config(cfg, timeout_s=170, keep=False)
            except stack.Skip as e:
                self.skips[name] = f"{name} cannot run here: {e}"
                pytest.skip(self.skips[name])
            except (RuntimeError, OSError) as e:
                self.targets[name] = {"name": name, "implementation": cfg.summary,
                                      "info": {"error": str(e)}, "cases": []}
            self.write()
        return self.targets[name]

    def write(self):
        doc = {"suite_version": run.SUITE_VERSION, "targets": list(self.targets.values())}
        if self.skips:
            doc["skipped"] = self.skips
        with open(results_path(), "w") as f:
            json.dump(doc, f, indent=1)


@pytest.fixture(scope="session")
def vm_runs():
    return _Runs()


@pytest.mark.parametrize("config,case", PARAMS, ids=[f"{c}::{k}" for c, k in PARAMS])
def test_vm_case(vm_runs, config, case):
    if case == "<known-results file>":
        try:
            known.load(config)
        except ValueError as e:
            pytest.fail(str(e))
        cfg = configs.BY_NAME.get(config)
        if cfg is not None and cfg.backend == "vgb-host" and not stack.vgb_host_binary():
            pytest.skip(f"{config}: our device build/ref/host/vgb-host is not built yet, and its "
                        f"known results come with it")
        pytest.fail(f"{config} has no {known.path_for(config)}; run conformance/vm/run.py {config} "
                    f"and record its verdicts with reasons")
    target = vm_runs.get(config)
    if target["info"].get("error"):
        pytest.fail(f"{config} did not run: {target['info']['error']}")
    k = known.load(config)
    got = {c["name"]: c for c in target["cases"]}
    if case == "<no unexpected cases>":
        extra = [n for n in got if n not in k["cases"]]
        assert not extra, f"cases missing from {known.path_for(config)}: {extra}"
        return
    exp = k["cases"][case]
    c = got.get(case)
    assert c is not None, f"{case} was not reported (notes: {target['info'].get('notes')})"
    assert known.matches(exp, c), (
        f"{config} {case}: expected {exp['verdict']}"
        + (f" ({exp['why']})" if exp.get("why") else "")
        + f", got {c['verdict']}: {c['detail']}")


@pytest.mark.parametrize("config,brk,case,req", configs.VM_BREAKS,
                         ids=[f"{c}::{b}::{k}" for c, b, k, _ in configs.VM_BREAKS])
def test_vm_break_is_caught(config, brk, case, req):
    """Our device broken on purpose in one way makes the agent case that
    checks it FAIL in the real guest, naming the requirement it breaks."""
    if config not in selected_configs():
        pytest.skip(f"{config} is not among the selected configurations")
    cfg = configs.with_break(configs.BY_NAME[config], brk)
    try:
        target = run.run_config(cfg, timeout_s=170, keep=False, only=case)
    except stack.Skip as e:
        pytest.skip(f"{config} cannot run here: {e}")
    got = {c["name"]: c for c in target["cases"]}
    assert case in got, f"{case} was not reported (notes: {target['info'].get('notes')})"
    c = got[case]
    assert c["verdict"] == "FAIL", f"{case} with --break={brk}: expected FAIL, got {c['verdict']}: {c['detail']}"
    assert c.get("failed_id") == req, f"{case} with --break={brk} failed naming {c.get('failed_id')}, " \
                                      f"expected {req}: {c['detail']}"
    assert req in c["ids"], f"{case} does not cite {req}"


def test_vm_cited_ids_exist():
    """Every requirement ID the agent, the runner and the VM known results
    cite is defined by the spec (an anchor [[REQ-...]] in spec/)."""
    import glob
    import re
    anchor = re.compile(r"\[\[(REQ-(?:DEV|DRV)-[A-Z]+-[0-9]{4})(?:,[^\]]*)?\]\]")
    defined = set()
    for p in glob.glob(os.path.join(REPO, "spec", "**", "*.adoc"), recursive=True):
        with open(p, encoding="utf-8") as f:
            defined.update(anchor.findall(f.read()))
    if not defined:
        pytest.skip("spec/ defines no requirement IDs yet")
    sources = [os.path.join(REPO, "conformance", "agent", "requirements.h"),
               os.path.join(REPO, "conformance", "vkagent", "requirements_vk.h")]
    sources += glob.glob(os.path.join(REPO, "conformance", "vm", "*.py"))
    sources += [known.path_for(c.name) for c in configs.CONFIGS if os.path.exists(known.path_for(c.name))]
    unknown = {}
    for p in sources:
        with open(p, encoding="utf-8") as f:
            for rid in re.findall(r"REQ-[A-Z]+-[A-Z]+-[0-9]{4}", f.read()):
                if rid not in defined:
                    unknown.setdefault(rid, os.path.relpath(p, REPO))
    assert not unknown, f"IDs the spec does not define: {unknown}"


def test_agent_runner_names_the_last_step():
    """A case process that dies, exits without a result or hangs gets a
    verdict naming the last step it logged (the agents' shared runner, built
    like the DRM agent with agent/selftest's cases and run on this host): the
    known results accept a stack's failure only at the step where it was seen."""
    exe = stack.run_script("build-agent.sh", "amd64", "selftest")
    check = os.path.join(REPO, "conformance", "agent", "selftest", "check_runner.py")
    proc = subprocess.run([sys.executable, check, exe], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


STALE_FRONT = "qemu11-vgb-host-novirgl-linux7.2"


@pytest.mark.skipif(STALE_FRONT not in selected_configs(), reason=f"{STALE_FRONT} not selected")
def test_vm_front_buffer_catches_a_stale_device():
    """The front-buffer pixel check can fail: our device with
    --break=guest-blob-stale shows a copy of the guest blob taken at
    SET_SCANOUT_BLOB, so the blob the agent draws after scanning it out never
    appears, and pair.scanout.blob_pixels must FAIL naming REQ-DEV-SCANOUT-0090."""
    base = configs.BY_NAME[STALE_FRONT]
    cfg = dataclasses.replace(base, name=base.name + "-stale-scanout",
                              backend_args=[*base.backend_args, "--break=guest-blob-stale"])
    try:
        target = run.run_config(cfg, timeout_s=170, keep=False, only="pair.scanout.*")
    except stack.Skip as e:
        pytest.skip(f"{cfg.name} cannot run here: {e}")
    got = {c["name"]: c for c in target["cases"]}
    agent = got.get("pair.scanout.blob_front_buffer", {})
    assert agent.get("verdict") == "PASS", f"the agent's side must still pass: {agent}"
    c = got.get("pair.scanout.blob_pixels")
    assert c is not None, f"no host-observed front-buffer check (cases: {sorted(got)}, notes: {target['info'].get('notes')})"
    assert c["verdict"] == "FAIL" and "REQ-DEV-SCANOUT-0090" in c["ids"], c
