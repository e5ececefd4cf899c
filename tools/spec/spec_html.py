#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Finishes the rendered spec: each requirement ID links to itself, and its provenance reads
as a line of its own under the statement.

Usage: spec_html.py IN.html OUT.html

Asciidoctor renders a requirement bullet as
    <p><a id="REQ-X"></a><strong>REQ-X</strong>: statement <span class="prov ...">tier</span> source</p>
which becomes
    <p><a id="REQ-X"></a><a class="req-id" href="#REQ-X"><strong>REQ-X</strong></a>: statement
    <span class="provenance"><span class="prov ...">tier</span> source</span></p>
so that a reader can copy the link of any requirement from the requirement itself.
"""

import os
import re
import sys

LABEL_RE = re.compile(r'<a id="(REQ-(?:DEV|DRV)-[A-Z]+-[0-9]{4})"></a><strong>\1</strong>')
# A requirement's paragraph, and the provenance at its end.
REQ_PARA_RE = re.compile(r'<p><a id="REQ-[^"]+"></a>.*?</p>', re.S)
PROVENANCE_RE = re.compile(r'(<span class="prov prov-[a-z]+">.*)</p>$', re.S)


def finish(html):
    html, n = LABEL_RE.subn(r'<a id="\1"></a><a class="req-id" href="#\1" title="Link to \1">'
                            r'<strong>\1</strong></a>', html)
    html = REQ_PARA_RE.sub(
        lambda m: PROVENANCE_RE.sub(r'<span class="provenance">\1</span></p>', m.group(0)), html)
    return html, n


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        html, n = finish(f.read())
    if n == 0:
        print("spec_html: no requirement labels found in %s" % argv[1], file=sys.stderr)
        return 1
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(html)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
