#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turns conformance results (results.json from vgb-conform, and the VM runs in the
same shape) into JUnit XML and a self-contained HTML report.

Usage: vgb_report.py [--junit OUT.xml] [--html OUT.html] [--spec-url spec.html]
                     [--requirements requirements.json] [--coverage coverage.json]
                     [--known-results DIR] results.json [results.json ...]

The HTML report holds the verdicts by tier (VIRTIO 1.4 conformance, judged by the
upstream-tier requirements alone, apart from clarifications and proposals), a
matrix of requirements x targets (each cell links to the case that decided it and
the requirement links to its anchor in the rendered spec), the detail of every
case per target, and the requirement coverage.  A FAIL of a proposal is shown as
"would become non-conforming under the proposal", not as a defect.
"""

import argparse
import datetime
import html
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import known_results as known  # noqa: E402

VERDICTS = ["PASS", "FAIL", "NOT_SUPPORTED", "WARNING", "ERROR", "CRASH", "TIMEOUT"]
# Which verdict a matrix cell shows when several cases cite one requirement.
SEVERITY = {"FAIL": 7, "CRASH": 6, "TIMEOUT": 5, "ERROR": 4, "BLOCKED": 3, "WARNING": 2,
            "PASS": 1, "NOT_SUPPORTED": 0}


# Provenance tiers of the spec's requirements (requirements.json "tier"), most authoritative
# first; "unrecorded" for a requirement whose tier the spec does not give (yet).
TIERS = ("upstream", "clarification", "proposal")
UNRECORDED = "unrecorded"
TIER_TITLES = {"upstream": "VIRTIO 1.4 conformance", "clarification": "Clarifications",
               "proposal": "Proposals", UNRECORDED: "Tier not recorded"}
TIER_MEANING = {
    "upstream": "requirements that restate VIRTIO 1.4; a FAIL is a VIRTIO 1.4 non-conformance",
    "clarification": "upstream is silent and every surveyed implementation already behaves so; "
                     "a FAIL departs from what all of them do",
    "proposal": "new behaviour this document proposes; a FAIL means the implementation would "
                "become non-conforming under the proposal, not that it is defective",
    UNRECORDED: "requirements whose chapter does not record a tier yet",
}
WOULD_FAIL = "would become non-conforming under the proposal"


class InputError(Exception):
    pass


def load_results(paths):
    """All targets of all results files, in order; later files replace same-named targets."""
    suite_version = None
    targets = {}
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError("%s: %s" % (p, e))
        if not isinstance(doc, dict) or not isinstance(doc.get("targets"), list):
            raise InputError("%s: expected {\"suite_version\": ..., \"targets\": [...]}" % p)
        suite_version = suite_version or doc.get("suite_version")
        for t in doc["targets"]:
            if not isinstance(t, dict) or "name" not in t or not isinstance(t.get("cases"), list):
                raise InputError("%s: a target lacks name or cases" % p)
            for c in t["cases"]:
                if c.get("verdict") not in VERDICTS or not isinstance(c.get("name"), str):
                    raise InputError("%s: target %s: bad case %r" % (p, t["name"], c))
                c.setdefault("ids", [])
            targets[t["name"]] = t
    return suite_version or "unknown", list(targets.values())


def counts(target):
    out = {v: 0 for v in VERDICTS}
    for c in target["cases"]:
        out[c["verdict"]] += 1
    return out


def failed_ids(case):
    """The requirements a FAIL or WARNING breaks: its failed_id, else the IDs it cites that its
    detail names (the in-guest agent names them there), else all the IDs it cites."""
    if case["verdict"] not in ("FAIL", "WARNING"):
        return []
    if case.get("failed_id"):
        return [case["failed_id"]]
    detail = case.get("detail") or ""
    named = [rid for rid in case["ids"] if rid in detail]
    return named or list(case["ids"])


def tier_of(rid, tiers):
    t = (tiers or {}).get(rid)
    return t if t in TIERS else UNRECORDED


def failure_tier(case, tiers):
    """The tier of what a FAIL or WARNING breaks (the most authoritative one when it is not
    known which of several cited requirements failed); None for other verdicts."""
    ids = failed_ids(case)
    if not ids:
        return None
    found = {tier_of(rid, tiers) for rid in ids}
    for t in TIERS + (UNRECORDED,):
        if t in found:
            return t
    return UNRECORDED


def cell_verdict(case, rid):
    """The verdict a case contributes to requirement rid: a FAIL/WARNING that names
    another requirement means rid was not reached (BLOCKED), not that it failed."""
    v = case["verdict"]
    if v in ("FAIL", "WARNING") and rid not in failed_ids(case):
        return "BLOCKED"
    return v


def matrix(targets, req_ids):
    """{rid: {target: (verdict, case name)}}"""
    m = {rid: {} for rid in req_ids}
    for t in targets:
        for c in t["cases"]:
            for rid in c["ids"]:
                if rid not in m:
                    m[rid] = {}
                v = cell_verdict(c, rid)
                cur = m[rid].get(t["name"])
                if cur is None or SEVERITY[v] > SEVERITY[cur[0]]:
                    m[rid][t["name"]] = (v, c["name"])
    return m


def requirement_tiers(requirements):
    return {r["id"]: r.get("tier") for r in (requirements or []) if "id" in r}


def tier_summary(targets, tiers):
    """{target: {tier: {verdict: number of requirements}}} from the matrix cells: each
    requirement a target's cases cite counts once, with its most severe verdict."""
    m = matrix(targets, [])
    out = {}
    for t in targets:
        per = {tier: {} for tier in TIERS}
        for rid, cells in m.items():
            cell = cells.get(t["name"])
            if cell:
                bucket = per.setdefault(tier_of(rid, tiers), {})
                bucket[cell[0]] = bucket.get(cell[0], 0) + 1
        out[t["name"]] = per
    return out


def annotate(targets, requirements):
    """Adds the tiers to results: each FAIL or WARNING case gets "tier" (of the requirement it
    breaks) and each target "tiers" ({tier: {verdict: requirements}}), whose "upstream" entry is
    the target's VIRTIO 1.4 conformance."""
    tiers = requirement_tiers(requirements)
    summary = tier_summary(targets, tiers)
    for t in targets:
        for c in t["cases"]:
            ft = failure_tier(c, tiers)
            if ft:
                c["tier"] = ft
            else:
                c.pop("tier", None)
        t["tiers"] = summary[t["name"]]
    return targets


# --- JUnit ---

def junit(suite_version, targets, requirements=None):
    root = ET.Element("testsuites", name="vgb-conform " + suite_version)
    tiers = requirement_tiers(requirements)
    summary = tier_summary(targets, tiers) if requirements else {}
    for t in targets:
        n = counts(t)
        ts = ET.SubElement(root, "testsuite", name=t["name"], tests=str(len(t["cases"])),
                           failures=str(n["FAIL"]),
                           errors=str(n["ERROR"] + n["CRASH"] + n["TIMEOUT"]),
                           skipped=str(n["NOT_SUPPORTED"]),
                           time="%.3f" % sum(c.get("time_s", 0) for c in t["cases"]))
        props = ET.SubElement(ts, "properties")
        ET.SubElement(props, "property", name="implementation", value=str(t.get("implementation", "")))
        for k, v in sorted((t.get("features") or {}).items()):
            ET.SubElement(props, "property", name="feature." + k, value=json.dumps(v))
        for tier, verdicts in sorted(summary.get(t["name"], {}).items()):
            ET.SubElement(props, "property", name="tier.%s.failed" % tier,
                          value=str(verdicts.get("FAIL", 0)))
        for c in t["cases"]:
            tc = ET.SubElement(ts, "testcase", classname=t["name"], name=c["name"],
                               time="%.3f" % c.get("time_s", 0))
            detail = c.get("detail", "")
            v = c["verdict"]
            if v == "FAIL":
                ftype = c.get("failed_id", "FAIL")
                if requirements and failure_tier(c, tiers) == "proposal":
                    detail = "%s: %s" % (WOULD_FAIL, detail)
                    ftype = "proposal " + ftype
                ET.SubElement(tc, "failure", message=detail, type=ftype).text = detail
            elif v in ("ERROR", "CRASH", "TIMEOUT"):
                ET.SubElement(tc, "error", message=detail, type=v).text = detail
            elif v == "NOT_SUPPORTED":
                ET.SubElement(tc, "skipped", message=detail)
            out = ["ids: " + " ".join(c["ids"])]
            if v == "WARNING":
                out.append("WARNING: " + detail)
            if c.get("seed") is not None:
                out.append("seed: %s" % c["seed"])
            if c.get("note"):
                out.append(c["note"])
            ET.SubElement(tc, "system-out").text = "\n".join(out)
    return ET.ElementTree(root)


# --- HTML ---

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c8cdd8}
main{padding:18px 28px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid #d9dde5;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 8px}
table{border-collapse:collapse;background:#fff;margin-bottom:12px}
th,td{border:1px solid #d9dde5;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12.5px}
a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}
.v{display:inline-block;min-width:96px;text-align:center;border-radius:3px;padding:1px 6px;font-size:12px;font-weight:600}
.PASS{background:#d5f1dc;color:#145a26}.FAIL{background:#f8d0d0;color:#8a1111}
.NOT_SUPPORTED{background:#e6e8ed;color:#4a5263}.WARNING{background:#fdebc3;color:#7a5200}
.ERROR,.CRASH,.TIMEOUT{background:#e6d3f5;color:#5b1d86}.BLOCKED{background:#fbe2cf;color:#7a3b07}
.none{background:#fff;color:#aab0bd}
.WOULD{background:#e3e9f8;color:#23407a;border:1px dashed #6a84c4}
.tier{display:inline-block;font-size:11px;font-weight:600;border-radius:3px;padding:0 5px;white-space:nowrap}
.tier-upstream{background:#dbeafe;color:#1e3a8a}.tier-clarification{background:#dcfce7;color:#14532d}
.tier-proposal{background:#fef3c7;color:#78350f}.tier-unrecorded{background:#eef0f4;color:#4a5263}
td.cell{text-align:center;padding:2px 4px}td.cell a{display:block;padding:2px 0;border-radius:2px;font-size:11.5px;font-weight:600}
td.cell a:hover{outline:2px solid #1f5fbf;text-decoration:none}
.matrix td.req{white-space:nowrap}.matrix td.text{max-width:520px;font-size:12.5px;color:#3b4252}
.matrix tr.untestable td,.matrix tr.nocase td{color:#8a90a0}
.matrix th.t{width:92px;font-size:11.5px}
.matrix td.cell{width:92px}
td.name{white-space:nowrap}
.tag{font-size:11px;border:1px solid #c9ced8;border-radius:3px;padding:0 4px;margin-left:4px;color:#6b7385}
.sticky th{position:sticky;top:0;z-index:1}
.legend span{margin-right:8px}
.summary td.n{text-align:right;font-variant-numeric:tabular-nums}
.summary th .v{min-width:0;padding:1px 4px}
.detail td{font-size:12.5px}.detail td.d{min-width:380px;max-width:640px;word-break:break-word}
.detail td.ids{max-width:300px;font-size:11.5px;line-height:1.35}.detail td.ids a{white-space:nowrap}
.detail tr:target{outline:3px solid #1f5fbf}
.muted{color:#6b7385}.small{font-size:12px}
details{margin:6px 0 12px}summary{cursor:pointer;font-weight:600}
"""


def esc(s):
    return html.escape(str(s), quote=True)


def negotiated(target):
    """Feature names a target negotiated: {"NAME": true} or the VM runs' ["+name", "-name"]."""
    feats = target.get("features")
    if isinstance(feats, dict) and feats:
        return [k for k, v in sorted(feats.items()) if v is True]
    listed = (target.get("info") or {}).get("negotiated_features")
    if isinstance(listed, list):
        return [str(x).lstrip("+").upper() for x in listed if not str(x).startswith("-")]
    return []


def anchor(target, case):
    return "case-%s-%s" % (target, case)


def badge(v, text=None):
    return '<span class="v %s">%s</span>' % (esc(v), esc(text or v))


def tier_badge(tier):
    return '<span class="tier tier-%s" title="%s">%s</span>' % (
        esc(tier), esc(TIER_MEANING.get(tier, "")), esc(tier))


def verdict_badge(case, tiers):
    """A case's verdict; a FAIL of a proposal reads as what it is."""
    v = case["verdict"]
    if v == "FAIL" and tiers and failure_tier(case, tiers) == "proposal":
        return '<span class="v WOULD" title="%s">would fail</span>' % esc(WOULD_FAIL)
    return badge(v)


def render_tiers(w, targets, tiers, spec_url):
    """The verdicts by tier: VIRTIO 1.4 conformance first, then clarifications and proposals."""
    summary = tier_summary(targets, tiers)
    m = matrix(targets, [])
    present = [t for t in TIERS if any(summary[n].get(t) for n in summary)]
    if any(summary[n].get(UNRECORDED) for n in summary):
        present.append(UNRECORDED)
    w("<h2 id=tiers>Verdicts by tier</h2>")
    w("<p class=small>VIRTIO 1.4 conformance is judged by the <b>upstream</b> requirements alone. "
      "Clarifications make explicit what every surveyed implementation already does; proposals "
      "are new, and a FAIL of a proposal means that the implementation <b>%s</b>, not that it is "
      "defective. Counts are requirements, each with the most severe verdict of the cases that "
      "check it.</p>" % esc(WOULD_FAIL))
    w("<table class=summary><tr><th>target</th>")
    for tier in present:
        w("<th>%s %s</th>" % (esc(TIER_TITLES[tier]), tier_badge(tier)))
    w("</tr>")
    for t in targets:
        w("<tr><td class=name><b>%s</b></td>" % esc(t["name"]))
        for tier in present:
            n = summary[t["name"]].get(tier, {})
            fails = n.get("FAIL", 0)
            if tier == "proposal":
                head = ('<span class="v WOULD" title="%s">%d would fail</span>' % (esc(WOULD_FAIL), fails)
                        if fails else badge("PASS", "none would fail"))
            else:
                head = badge("FAIL", "%d FAIL" % fails) if fails else badge("PASS", "no FAIL")
            rest = ", ".join("%d %s" % (n[v], v.lower().replace("_", " ")) for v in
                             ("PASS", "WARNING", "NOT_SUPPORTED", "BLOCKED", "ERROR", "CRASH", "TIMEOUT")
                             if n.get(v))
            w("<td>%s <span class='small muted'>%s</span></td>" % (head, esc(rest)))
        w("</tr>")
    w("</table>")
    for tier in present:
        w("<h3 id='tier-%s'>%s %s</h3>" % (esc(tier), esc(TIER_TITLES[tier]), tier_badge(tier)))
        rows = []
        for rid in sorted(m):
            if tier_of(rid, tiers) != tier:
                continue
            failing = [(n, case) for n, (v, case) in sorted(m[rid].items()) if v == "FAIL"]
            if failing:
                rows.append((rid, failing))
        if not rows:
            w("<p class=small>%s No target fails a requirement of this tier.</p>" % esc(
                TIER_MEANING[tier][0].upper() + TIER_MEANING[tier][1:] + "."))
            continue
        label = ("Would become non-conforming under the proposal" if tier == "proposal"
                 else "Fails")
        w("<p class=small>%s.</p><table><tr><th>requirement</th><th>%s</th></tr>" % (
            esc(TIER_MEANING[tier][0].upper() + TIER_MEANING[tier][1:]), esc(label)))
        for rid, failing in rows:
            w("<tr><td class=mono><a href='%s#%s'>%s</a></td><td>%s</td></tr>" % (
                esc(spec_url), esc(rid), esc(rid), " ".join(
                    "<a href='#%s' title='%s'>%s</a>" % (esc(anchor(n, case)), esc(case), esc(n))
                    for n, case in failing)))
        w("</table>")


def render_html(suite_version, targets, spec_url, requirements, coverage, known_report):
    reqs = {r["id"]: r for r in (requirements or [])}
    tiers = requirement_tiers(requirements)
    cov_rows = {r["id"]: r for r in ((coverage or {}).get("requirements") or [])}
    cited = sorted({rid for t in targets for c in t["cases"] for rid in c["ids"]})
    req_ids = sorted(set(reqs) | set(cited))
    m = matrix(targets, req_ids)
    names = [t["name"] for t in targets]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    o = []
    w = o.append
    w("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>")
    w("<title>virtio-gpu-blob conformance report</title><style>%s</style></head><body>" % CSS)
    w("<header><h1>virtio-gpu-blob conformance report</h1><p>suite %s &middot; %d target(s) &middot; "
      "generated %s</p></header><main>" % (esc(suite_version), len(targets), esc(now)))

    # Targets summary
    w("<h2 id=targets>Targets</h2><table class=summary><tr><th>target</th><th>implementation</th>"
      "<th>negotiated features</th>")
    for v in VERDICTS:
        w("<th>%s</th>" % badge(v))
    w("</tr>")
    for t in targets:
        n = counts(t)
        info = t.get("info") or {}
        on = negotiated(t)
        extra = ""
        if info.get("probe_error"):
            extra = '<br><span class="small FAIL">%s</span>' % esc(info["probe_error"])
        w("<tr><td class=name><a href='#detail-%s'><b>%s</b></a></td><td>%s%s</td><td class=small>%s</td>"
          % (esc(t["name"]), esc(t["name"]), esc(t.get("implementation", "")), extra,
             esc(", ".join(on) or "none")))
        would = sum(1 for c in t["cases"] if c["verdict"] == "FAIL" and tiers
                    and failure_tier(c, tiers) == "proposal")
        for v in VERDICTS:
            k = n[v] - (would if v == "FAIL" else 0)
            cell = str(k) if k else '<span class=muted>0</span>'
            if v == "FAIL" and would:
                cell += ' <span class="v WOULD" title="%s">+%d would fail</span>' % (esc(WOULD_FAIL), would)
            w("<td class=n>%s</td>" % cell)
        w("</tr>")
    w("</table>")

    if requirements:
        render_tiers(w, targets, tiers, spec_url)

    if known_report:
        w("<h2 id=known>Known results</h2>")
        w("<p class=small>Each target's verdicts against its known-results file; a difference "
          "is a regression or an improvement to record.</p><table><tr><th>target</th><th>file</th>"
          "<th>matches</th><th>differences</th></tr>")
        for name, kr in known_report.items():
            diffs = "".join("<div><a href='#%s'>%s</a>: expected %s, got %s</div>" % (
                esc(anchor(name, d["case"])), esc(d["case"]), badge(d["expected"]), badge(d["got"]))
                for d in kr["differences"]) or '<span class="v PASS">none</span>'
            w("<tr><td>%s</td><td class=mono>%s</td><td>%d</td><td>%s</td></tr>" % (
                esc(name), esc(kr["file"]), kr["matches"], diffs))
        w("</table>")

    # Coverage
    if coverage:
        s = coverage.get("summary", {})
        w("<h2 id=coverage>Coverage</h2><table class=summary><tr><th></th><th>requirements</th>"
          "<th>covered</th><th>untestable</th><th>pending</th><th>uncovered</th>"
          "<th>% of testable</th></tr>")
        for key in ("device", "driver", "all"):
            v = s.get(key)
            if v:
                w("<tr><td>%s</td><td class=n>%d</td><td class=n>%d</td><td class=n>%d</td>"
                  "<td class=n>%d</td><td class=n>%d</td><td class=n>%.1f</td></tr>" % (
                      key, v["requirements"], v["covered"], v["untestable"], v.get("pending", 0),
                      v["uncovered"], v["percent_of_testable"]))
        for tier, v in (coverage.get("by_tier") or {}).items():
            w("<tr><td>%s</td><td class=n>%d</td><td class=n>%d</td><td class=n>%d</td>"
              "<td class=n>%d</td><td class=n>%d</td><td class=n>%.1f</td></tr>" % (
                  tier_badge(tier), v["requirements"], v["covered"], v["untestable"],
                  v.get("pending", 0), v["uncovered"], v["percent_of_testable"]))
        w("</table>")
        unc = coverage.get("uncovered") or []
        pend = coverage.get("pending") or []
        dang = coverage.get("dangling") or []
        if not unc and not pend and not dang:
            w("<p><span class='v PASS'>complete</span> every requirement is checked by a case or "
              "listed as untestable with a reason.</p>")
        elif not unc and not dang:
            w("<p><span class='v WARNING'>pending</span> every requirement is checked, listed as "
              "untestable, or has a check listed as pending below.</p>")

        def ids_with_reasons(ids):
            return "".join("<li><a class=mono href='%s#%s'>%s</a> %s</li>" % (
                esc(spec_url), esc(x), esc(x), esc(cov_rows.get(x, {}).get("reason") or ""))
                for x in ids)
        if unc:
            w("<details open><summary class=FAIL>%d uncovered requirement(s)</summary><ul>%s</ul>"
              "</details>" % (len(unc), ids_with_reasons(unc)))
        if pend:
            w("<details open><summary>%d requirement(s) whose check is pending</summary><ul>%s</ul>"
              "</details>" % (len(pend), ids_with_reasons(pend)))
        unt = [r["id"] for r in coverage.get("requirements") or [] if r.get("status") == "untestable"]
        if unt:
            w("<details><summary>%d untestable requirement(s), with the reason</summary><ul>%s</ul>"
              "</details>" % (len(unt), ids_with_reasons(unt)))
        agent_only = [r["id"] for r in coverage.get("requirements") or []
                      if r.get("cases") and all(c.startswith("pair.") for c in r["cases"])]
        if agent_only:
            w("<p class=small>Covered only by the in-guest agent's pair.* cases (VM runs): %s</p>" % (
                " ".join("<a class=mono href='%s#%s'>%s</a>" % (esc(spec_url), esc(x), esc(x))
                         for x in agent_only)))
        if dang:
            w("<p class=FAIL>Dangling citations: %s</p>" % esc(
                ", ".join("%s cites %s" % (d["case"], d["id"]) for d in dang)))

    # Matrix
    w("<h2 id=matrix>Requirements &times; targets</h2>")
    w("<p class='legend small'>%s &mdash; a cell shows the most severe verdict of the cases citing "
      "the requirement on that target and links to that case; BLOCKED: the case failed on another "
      "requirement first; %s: the FAIL of a proposal (%s). The ID links to the requirement in "
      "the spec.</p>" % (" ".join(
          badge(v) for v in ["PASS", "FAIL", "WARNING", "NOT_SUPPORTED", "ERROR", "BLOCKED"]),
          '<span class="v WOULD">would fail</span>', esc(WOULD_FAIL)))
    w("<table class='matrix sticky'><tr><th>requirement</th>%s<th>text</th>" % (
        "<th>tier</th>" if requirements else ""))
    for n_ in names:
        w("<th class=t>%s</th>" % esc(n_).replace("-", "-<wbr>"))
    w("</tr>")
    for rid in req_ids:
        r = reqs.get(rid, {})
        status = cov_rows.get(rid, {}).get("status")
        cases_citing = any(rid in c["ids"] for t in targets for c in t["cases"])
        cls = " class=untestable" if status == "untestable" else ("" if cases_citing else " class=nocase")
        text = esc(r.get("text") or ("(not in the spec)" if reqs else ""))
        if status == "untestable":
            text += "<span class=tag>untestable: %s</span>" % esc(cov_rows[rid].get("reason", ""))
        elif status == "pending":
            text += "<span class=tag>check pending: %s</span>" % esc(cov_rows[rid].get("reason", ""))
        elif not cases_citing and cov_rows.get(rid, {}).get("cases"):
            text += "<span class=tag>checked by %s</span>" % esc(", ".join(cov_rows[rid]["cases"]))
        elif not cases_citing:
            text += "<span class=tag>no case yet</span>"
        w("<tr%s><td class='req mono'><a href='%s#%s' title='%s'>%s</a></td>%s<td class=text>%s</td>" % (
            cls, esc(spec_url), esc(rid), esc(r.get("section", "")), esc(rid),
            "<td>%s</td>" % tier_badge(tier_of(rid, tiers)) if requirements else "", text))
        proposal = tier_of(rid, tiers) == "proposal"
        for n_ in names:
            cell = m.get(rid, {}).get(n_)
            if not cell:
                w("<td class='cell none'>&ndash;</td>")
                continue
            v, case = cell
            short = {"NOT_SUPPORTED": "N/S"}.get(v, v)
            cls_, title = v, case
            if v == "FAIL" and proposal:
                cls_, short, title = "WOULD", "would fail", "%s: %s" % (case, WOULD_FAIL)
            w("<td class=cell><a class='%s' href='#%s' title='%s'>%s</a></td>" % (
                esc(cls_), esc(anchor(n_, case)), esc(title), esc(short)))
        w("</tr>")
    w("</table>")

    # Details
    w("<h2 id=details>Case details</h2>")
    for t in targets:
        info = t.get("info") or {}
        w("<h3 id='detail-%s'>%s <span class='muted small'>%s</span></h3>" % (
            esc(t["name"]), esc(t["name"]), esc(t.get("implementation", ""))))
        w("<details><summary>target information</summary><pre class=mono>%s</pre></details>" %
          esc(json.dumps({"info": info, "features": t.get("features")}, indent=1)))
        w("<table class=detail><tr><th>case</th><th>verdict</th><th>requirements</th><th>time</th>"
          "<th>detail</th></tr>")
        for c in t["cases"]:
            ids = " ".join("<a class=mono href='%s#%s'>%s</a>" % (esc(spec_url), esc(x), esc(x))
                           for x in c["ids"])
            d = esc(c.get("detail", ""))
            ft = failure_tier(c, tiers) if tiers else None
            if ft:
                d = "%s %s" % (tier_badge(ft), d)
            if c["verdict"] == "FAIL" and ft == "proposal":
                d += "<div class='small'>%s.</div>" % esc(WOULD_FAIL[0].upper() + WOULD_FAIL[1:])
            if c.get("note"):
                d += "<div class='muted small'>%s</div>" % esc(c["note"])
            if c.get("seed") is not None:
                d += "<div class='muted small'>seed %s (rerun with --seed)</div>" % esc(c["seed"])
            w("<tr id='%s'><td class=mono>%s</td><td>%s</td><td class=ids>%s</td>"
              "<td class=n>%.2fs</td><td class=d>%s</td></tr>" % (
                  esc(anchor(t["name"], c["name"])), esc(c["name"]), verdict_badge(c, tiers), ids,
                  c.get("time_s", 0.0), d))
        w("</table>")
    w("</main></body></html>")
    return "\n".join(o)


def load_optional(path, what):
    if not path:
        return None
    if not os.path.exists(path):
        print("vgb_report: %s %s not found; section left out" % (what, path), file=sys.stderr)
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Conformance results to JUnit XML and HTML.")
    ap.add_argument("results", nargs="+")
    ap.add_argument("--junit")
    ap.add_argument("--html")
    ap.add_argument("--spec-url", default="spec.html",
                    help="rendered spec the requirement links point to (default spec.html)")
    ap.add_argument("--requirements", help="requirements.json of the spec")
    ap.add_argument("--coverage", help="coverage JSON (tools/spec/coverage.py --json)")
    ap.add_argument("--known-results", help="directory of known-results files")
    ap.add_argument("--targets-file", help="targets.json naming each target's known-results file")
    args = ap.parse_args(argv)
    try:
        suite_version, targets = load_results(args.results)
    except InputError as e:
        print("vgb_report: %s" % e, file=sys.stderr)
        return 2
    known_report = None
    if args.known_results:
        known_report = known.compare_all(targets, args.known_results, args.targets_file)
    requirements = load_optional(args.requirements, "requirements")
    if args.junit:
        junit(suite_version, targets, requirements).write(args.junit, encoding="utf-8",
                                                          xml_declaration=True)
        print("junit: %s" % args.junit)
    if args.html:
        page = render_html(suite_version, targets, args.spec_url, requirements,
                           load_optional(args.coverage, "coverage"), known_report)
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(page)
        print("html: %s" % os.path.abspath(args.html))
    return 0


if __name__ == "__main__":
    sys.exit(main())
