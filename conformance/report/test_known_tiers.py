# SPDX-License-Identifier: MIT
"""The known results against the spec's tiers: every expected FAIL names requirements the spec
defines, and an expected FAIL of a VIRTIO 1.4 (upstream-tier) requirement is declared in the
file's "virtio_1_4_failures" list, so that a known non-conformance to VIRTIO 1.4 is never
recorded as if it were the failure of a proposal."""

import glob
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "spec"))
sys.path.insert(0, HERE)
import reqparse  # noqa: E402
import known_results as known  # noqa: E402
import vgb_report  # noqa: E402

KNOWN_DIR = os.path.join(REPO, "conformance", "known-results")


def spec_tiers():
    spec = reqparse.parse([os.path.join(REPO, "spec", "spec.adoc")])
    return {r.id: r.tier for r in spec.requirements}


class KnownTiersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tiers = spec_tiers()
        cls.files = sorted(glob.glob(os.path.join(KNOWN_DIR, "*.json")))

    def test_files_found(self):
        self.assertTrue(self.files)

    def test_expected_failures_by_tier(self):
        for path in self.files:
            doc = known.load(path)
            with self.subTest(file=os.path.basename(path)):
                upstream = set()
                for e in doc["cases"]:
                    if e["verdict"] != "FAIL" or "ids" not in e:
                        continue
                    for rid in e["ids"]:
                        self.assertIn(rid, self.tiers, "%s: expected FAIL of %s cites %s, which the "
                                      "spec does not define" % (path, e["match"], rid))
                    case = {"verdict": "FAIL", "ids": e["ids"], "detail": ""}
                    if vgb_report.failure_tier(case, self.tiers) == "upstream":
                        upstream.add(e["match"])
                declared = set(doc.get("virtio_1_4_failures", []))
                self.assertEqual(declared, upstream,
                                 "%s: expected FAILs of upstream-tier requirements (VIRTIO 1.4 "
                                 "non-conformance) must be listed in virtio_1_4_failures" % path)


if __name__ == "__main__":
    unittest.main()
