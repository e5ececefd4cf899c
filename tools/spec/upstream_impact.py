# SPDX-License-Identifier: MIT
"""The compatibility impact of a series, from conformance results, for its cover letter.

Results come in the two forms the conformance suite writes:
  * results.json of vgb-conform / run_all.py:
      {"suite_version", "targets": [{"name", "implementation",
                                     "cases": [{"name", "verdict", "ids", "failed_id"}]}]}
  * a known-results file in per-case form (the VM configurations):
      {"implementation", "cases": {"case": {"verdict", "ids"}}}
    whose PASS entries name no ids: the case catalogues (--cases, the JSON of
    `vgb-conform --list --json` and of agent_cases.py) give the ids each case checks.

For every requirement of the series, an implementation is *non-conforming* when a case that
checks the requirement failed naming it, *conforming* when such a case passed, and *not
measured* otherwise.  Requirements nothing measured are listed with what their provenance says.
"""

import json
import os


class ImpactError(Exception):
    pass


class Source:
    def __init__(self, name, implementation, cases):
        self.name = name
        self.implementation = implementation
        self.cases = cases      # [(case, verdict, ids, failed_id)]


def _catalogue(paths):
    ids = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        for c in doc.get("cases", doc) if isinstance(doc, dict) else doc:
            ids[c["name"]] = list(c.get("ids", []))
    return ids


def load(results_paths, catalogue_paths):
    """[Source] of every results file."""
    catalogue = _catalogue(catalogue_paths)
    sources = []
    for p in results_paths:
        try:
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise ImpactError("%s: %s" % (p, e))
        if isinstance(doc.get("targets"), list):
            for t in doc["targets"]:
                cases = [(c["name"], c["verdict"], list(c.get("ids", [])), c.get("failed_id"))
                         for c in t.get("cases", [])]
                sources.append(Source(t.get("name", "?"), t.get("implementation") or t.get("name"),
                                      cases))
        elif isinstance(doc.get("cases"), dict):
            cases = []
            for name, c in doc["cases"].items():
                ids = list(c.get("ids") or catalogue.get(name, []))
                failed = (c.get("ids") or [None])[0] if c["verdict"] in ("FAIL", "WARNING") else None
                cases.append((name, c["verdict"], ids, failed))
            sources.append(Source(os.path.splitext(os.path.basename(p))[0],
                                  doc.get("implementation", p), cases))
        else:
            raise ImpactError("%s: neither conformance results nor known results" % p)
    return sources


def measure(sources, req_ids, reference=None):
    """{req: {"fails": [(config, case)], "passes": [config]}} over every source; a device
    requirement does not count on a source whose description names the reference device."""
    out = {r: {"fails": [], "passes": []} for r in req_ids}
    for s in sources:
        ours = bool(reference) and reference in s.implementation
        for name, verdict, ids, failed in s.cases:
            for r in ids:
                if r not in out or (ours and r.startswith("REQ-DEV-")):
                    continue
                if verdict in ("FAIL", "WARNING") and failed == r:
                    out[r]["fails"].append((s.name, name))
                elif verdict == "PASS" and s.name not in out[r]["passes"]:
                    out[r]["passes"].append(s.name)
    return out


def short(impl, width=60):
    impl = " ".join(impl.split())
    return impl if len(impl) <= width else impl[:width - 3].rstrip(" ,;(") + "..."
