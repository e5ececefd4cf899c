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
        }
        path = os.path.join(self.dir.name, "coverage.json")
        with open(path, "w") as f:
            json.dump(cov, f)
        out = os.path.join(self.dir.name, "r.html")
        self.assertEqual(vgb_report.main([self.results, "--html", out, "--coverage", path]), 0)
        page = open(out).read()
        self.assertIn("<th>pending</th>", page)
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

    def test_known_results(self):
        path = os.path.join(self.dir.name, "dev-a.json")
        with open(path, "w") as f:
            json.dump({"targets": ["dev-a"], "default": "PASS", "cases": [
                {"match": "dev.coh.*", "verdict": "NOT_SUPPORTED", "reason": "no region"}]}, f)
        rep = known.compare(RESULTS["targets"][0], known.load(path))
        self.assertEqual(rep["matches"], 2)
        self.assertEqual([d["case"] for d in rep["differences"]], ["dev.map.double"])

    def test_known_needs_reason(self):
        path = os.path.join(self.dir.name, "k.json")
        with open(path, "w") as f:
            json.dump({"cases": [{"match": "x", "verdict": "FAIL"}]}, f)
        with self.assertRaises(known.KnownError):
            known.load(path)


if __name__ == "__main__":
    unittest.main()
