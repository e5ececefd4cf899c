# SPDX-License-Identifier: MIT
"""Checks of the report generator on a fixed results file."""

import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import known_results as known  # noqa: E402
import vgb_report  # noqa: E402

RESULTS = {
    "suite_version": "1.0.0",
    "targets": [
        {"name": "dev-a", "implementation": "A", "info": {}, "features": {"RESOURCE_BLOB": True},
         "cases": [
             {"name": "dev.map.basic", "verdict": "PASS", "ids": ["REQ-DEV-MAP-0011"], "time_s": 0.1,
              "detail": ""},
             {"name": "dev.map.double", "verdict": "FAIL", "ids": ["REQ-DEV-MAP-0005", "REQ-DEV-MAP-0006"],
              "time_s": 0.2, "detail": "REQ-DEV-MAP-0005: answered OK", "failed_id": "REQ-DEV-MAP-0005"},
             {"name": "dev.coh.loop", "verdict": "NOT_SUPPORTED", "ids": ["REQ-DEV-COH-0070"],
              "time_s": 0, "detail": "no region", "seed": 7},
         ]},
        {"name": "dev-b", "implementation": "B", "info": {"probe_error": "gone"}, "features": {},
         "cases": [
             {"name": "dev.map.basic", "verdict": "ERROR", "ids": ["REQ-DEV-MAP-0011"], "time_s": 0,
              "detail": "probe failed <&>"},
         ]},
    ],
}


# Tiers of the requirements RESULTS cites: MAP-0005 is a proposal, FEAT-0001 upstream.
REQUIREMENTS = [
    {"id": "REQ-DEV-MAP-0011", "tier": "clarification", "text": "maps"},
    {"id": "REQ-DEV-MAP-0005", "tier": "proposal", "text": "refuses a second map"},
    {"id": "REQ-DEV-MAP-0006", "tier": "clarification", "text": "keeps the first map"},
    {"id": "REQ-DEV-FEAT-0001", "tier": "upstream", "text": "no CONTEXT_INIT without VIRGL"},
    {"id": "REQ-DEV-FEAT-0003", "tier": "proposal", "text": "no region without blobs"},
]

TIERED = {
    "suite_version": "1.0.0",
    "targets": [
        {"name": "follows-upstream", "implementation": "A", "cases": [
            {"name": "dev.map.double", "verdict": "FAIL", "ids": ["REQ-DEV-MAP-0005", "REQ-DEV-MAP-0006"],
             "detail": "REQ-DEV-MAP-0005: answered OK", "failed_id": "REQ-DEV-MAP-0005"},
            # An agent case: no failed_id, the detail names the requirement.
            {"name": "pair.params.features", "verdict": "FAIL",
             "ids": ["REQ-DEV-FEAT-0001", "REQ-DEV-FEAT-0003"],
             "detail": "region without RESOURCE_BLOB (REQ-DEV-FEAT-0003)"},
            {"name": "dev.map.basic", "verdict": "PASS", "ids": ["REQ-DEV-MAP-0011"]},
        ]},
        {"name": "breaks-upstream", "implementation": "B", "cases": [
            {"name": "pair.params.features", "verdict": "FAIL",
             "ids": ["REQ-DEV-FEAT-0001", "REQ-DEV-FEAT-0003"],
             "detail": "CONTEXT_INIT without VIRGL (REQ-DEV-FEAT-0001)"},
        ]},
    ],
}


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.results = os.path.join(self.dir.name, "results.json")
        with open(self.results, "w") as f:
            json.dump(RESULTS, f)

    def tearDown(self):
        self.dir.cleanup()

    def test_junit_counts(self):
        out = os.path.join(self.dir.name, "junit.xml")
        self.assertEqual(vgb_report.main([self.results, "--junit", out]), 0)
        root = ET.parse(out).getroot()
        a, b = root.findall("testsuite")
        self.assertEqual((a.get("tests"), a.get("failures"), a.get("skipped")), ("3", "1", "1"))
        self.assertEqual(b.get("errors"), "1")
        fail = a.find("testcase[@name='dev.map.double']/failure")
        self.assertEqual(fail.get("type"), "REQ-DEV-MAP-0005")

    def test_html_matrix_links(self):
        out = os.path.join(self.dir.name, "r.html")
        self.assertEqual(vgb_report.main([self.results, "--html", out, "--spec-url", "s.html"]), 0)
        page = open(out).read()
        self.assertIn("href='s.html#REQ-DEV-MAP-0005'", page)
        self.assertIn("href='#case-dev-a-dev.map.double'", page)
        self.assertIn("id='case-dev-a-dev.map.double'", page)
        self.assertIn("probe failed &lt;&amp;&gt;", page)
        # The requirement the failing case did not reach is BLOCKED, not FAIL.
        m = vgb_report.matrix(RESULTS["targets"], [])
        self.assertEqual(m["REQ-DEV-MAP-0005"]["dev-a"][0], "FAIL")
        self.assertEqual(m["REQ-DEV-MAP-0006"]["dev-a"][0], "BLOCKED")
        self.assertEqual(m["REQ-DEV-MAP-0011"]["dev-b"][0], "ERROR")

    def test_html_coverage(self):
        cov = {
            "summary": {"all": {"requirements": 4, "covered": 2, "untestable": 1, "pending": 1,
                                "uncovered": 0, "percent_of_testable": 66.7}},
            "requirements": [
                {"id": "REQ-DEV-MAP-0011", "status": "covered", "cases": ["dev.map.basic"]},
                {"id": "REQ-DRV-CACHE-0001", "status": "covered", "cases": ["pair.blob.cache_type"]},
                {"id": "REQ-DEV-XFER-0007", "status": "untestable", "cases": [], "reason": "a MAY"},
                {"id": "REQ-DRV-ENTRY-0005", "status": "pending", "cases": [],
                 "reason": "not checked yet"},
            ],
            "uncovered": [], "pending": ["REQ-DRV-ENTRY-0005"], "dangling": [],
            "by_tier": {"upstream": {"requirements": 1, "covered": 1, "untestable": 0, "pending": 0,
                                     "uncovered": 0, "percent_of_testable": 100.0}},
        }
        path = os.path.join(self.dir.name, "coverage.json")
        with open(path, "w") as f:
            json.dump(cov, f)
        out = os.path.join(self.dir.name, "r.html")
        self.assertEqual(vgb_report.main([self.results, "--html", out, "--coverage", path]), 0)
        page = open(out).read()
        self.assertIn("<th>pending</th>", page)
        self.assertIn('<td><span class="tier tier-upstream"', page)
        self.assertIn("1 requirement(s) whose check is pending", page)
        self.assertIn("not checked yet", page)
        self.assertIn("1 untestable requirement(s), with the reason", page)
        self.assertIn("Covered only by the in-guest agent", page)
        self.assertNotIn("uncovered requirement(s)", page)
        # No uncovered and no dangling, but a pending check: not called complete.
        self.assertNotIn(">complete<", page)
        cov["pending"] = []
        cov["requirements"][3]["status"] = "untestable"
        with open(path, "w") as f:
            json.dump(cov, f)
        self.assertEqual(vgb_report.main([self.results, "--html", out, "--coverage", path]), 0)
        self.assertIn(">complete<", open(out).read())

    def test_bad_input_rejected(self):
        bad = os.path.join(self.dir.name, "bad.json")
        with open(bad, "w") as f:
            json.dump({"targets": [{"name": "x", "cases": [{"name": "c", "verdict": "SKIP"}]}]}, f)
        self.assertEqual(vgb_report.main([bad, "--junit", os.path.join(self.dir.name, "j")]), 2)

    def write(self, name, doc):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_failure_tier(self):
        tiers = vgb_report.requirement_tiers(REQUIREMENTS)
        a, b = TIERED["targets"]
        self.assertEqual(vgb_report.failure_tier(a["cases"][0], tiers), "proposal")
        self.assertEqual(vgb_report.failed_ids(a["cases"][1]), ["REQ-DEV-FEAT-0003"])
        self.assertEqual(vgb_report.failure_tier(a["cases"][1], tiers), "proposal")
        self.assertIsNone(vgb_report.failure_tier(a["cases"][2], tiers))
        self.assertEqual(vgb_report.failure_tier(b["cases"][0], tiers), "upstream")
        # Not knowing which of the cited requirements failed counts as the most authoritative.
        unnamed = dict(b["cases"][0], detail="something failed")
        self.assertEqual(vgb_report.failure_tier(unnamed, tiers), "upstream")
        # A requirement the spec gives no tier.
        self.assertEqual(vgb_report.failure_tier(
            {"verdict": "FAIL", "ids": ["REQ-DEV-COH-0001"], "failed_id": "REQ-DEV-COH-0001"},
            tiers), "unrecorded")

    def test_annotate(self):
        targets = json.loads(json.dumps(TIERED["targets"]))
        vgb_report.annotate(targets, REQUIREMENTS)
        a, b = targets
        self.assertEqual([c.get("tier") for c in a["cases"]], ["proposal", "proposal", None])
        self.assertEqual(a["tiers"]["upstream"], {"BLOCKED": 1})
        self.assertEqual(a["tiers"]["proposal"], {"FAIL": 2})
        self.assertEqual(a["tiers"]["clarification"], {"BLOCKED": 1, "PASS": 1})
        self.assertEqual(b["tiers"]["upstream"], {"FAIL": 1})
        self.assertEqual(b["tiers"]["proposal"], {"BLOCKED": 1})

    def test_html_tiers(self):
        results = self.write("tiered.json", TIERED)
        reqs = self.write("requirements.json", REQUIREMENTS)
        out = os.path.join(self.dir.name, "r.html")
        self.assertEqual(vgb_report.main([results, "--html", out, "--requirements", reqs]), 0)
        page = open(out).read()
        tiers = page[page.index("id=tiers"):page.index("id=matrix")]
        # The implementation that follows upstream has no FAIL in the VIRTIO 1.4 section; its
        # proposal FAILs read as what they are.
        row = tiers[tiers.index("<b>follows-upstream</b>"):tiers.index("<b>breaks-upstream</b>")]
        self.assertIn(">no FAIL<", row.split("</td>")[1])
        self.assertIn(">2 would fail<", row)
        row = tiers[tiers.index("<b>breaks-upstream</b>"):]
        self.assertIn(">1 FAIL<", row.split("</td>")[1])
        v14 = tiers[tiers.index("id='tier-upstream'"):tiers.index("id='tier-clarification'")]
        self.assertNotIn("follows-upstream", v14)
        self.assertIn("breaks-upstream", v14)
        prop = tiers[tiers.index("id='tier-proposal'"):]
        self.assertIn("Would become non-conforming under the proposal", prop)
        self.assertIn("REQ-DEV-MAP-0005", prop)
        # The targets table counts a proposal's FAILs apart.
        targets = page[page.index("id=targets"):page.index("id=tiers")]
        self.assertIn(">+2 would fail<", targets)
        # Matrix cell and case detail of a proposal FAIL: not shown as FAIL.
        self.assertIn("<a class='WOULD' href='#case-follows-upstream-dev.map.double'", page)
        detail = page[page.index("id='case-follows-upstream-dev.map.double'"):]
        detail = detail[:detail.index("</tr>")]
        self.assertIn("would fail", detail)
        self.assertNotIn('class="v FAIL"', detail)
        self.assertIn("tier-proposal", detail)
        detail = page[page.index("id='case-breaks-upstream-pair.params.features'"):]
        self.assertIn('<span class="v FAIL">FAIL</span>', detail[:detail.index("</tr>")])

    def test_junit_tiers(self):
        results = self.write("tiered.json", TIERED)
        reqs = self.write("requirements.json", REQUIREMENTS)
        out = os.path.join(self.dir.name, "junit.xml")
        self.assertEqual(vgb_report.main([results, "--junit", out, "--requirements", reqs]), 0)
        root = ET.parse(out).getroot()
        a, b = root.findall("testsuite")
        fail = a.find("testcase[@name='dev.map.double']/failure")
        self.assertEqual(fail.get("type"), "proposal REQ-DEV-MAP-0005")
        self.assertTrue(fail.get("message").startswith(vgb_report.WOULD_FAIL))
        props = {p.get("name"): p.get("value") for p in a.find("properties")}
        self.assertEqual(props["tier.upstream.failed"], "0")
        self.assertEqual(props["tier.proposal.failed"], "2")
        props = {p.get("name"): p.get("value") for p in b.find("properties")}
        self.assertEqual(props["tier.upstream.failed"], "1")

    def test_known_results(self):
        path = os.path.join(self.dir.name, "dev-a.json")
        with open(path, "w") as f:
            json.dump({"targets": ["dev-a"], "default": "PASS", "cases": [
                {"match": "dev.coh.*", "verdict": "NOT_SUPPORTED", "reason": "no region"}]}, f)
        rep = known.compare(RESULTS["targets"][0], known.load(path))
        self.assertEqual(rep["matches"], 2)
        self.assertEqual([d["case"] for d in rep["differences"]], ["dev.map.double"])

    def test_known_virtio_1_4_failures(self):
        doc = {"cases": {"a": {"verdict": "FAIL", "ids": ["REQ-DEV-FEAT-0001"], "why": "w",
                               "upstream": "u"},
                         "b": {"verdict": "PASS"}},
               "virtio_1_4_failures": ["a"]}
        known.load(self.write("k1.json", doc))
        doc["virtio_1_4_failures"] = ["b"]
        with self.assertRaises(known.KnownError):
            known.load(self.write("k2.json", doc))

    def test_known_needs_reason(self):
        path = os.path.join(self.dir.name, "k.json")
        with open(path, "w") as f:
            json.dump({"cases": [{"match": "x", "verdict": "FAIL"}]}, f)
        with self.assertRaises(known.KnownError):
            known.load(path)


if __name__ == "__main__":
    unittest.main()
