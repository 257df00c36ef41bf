#!/usr/bin/env python3
"""Writes sup_assiette_listes.csv: the TYPEASS and MODEGEOASS value lists of every SUP category,
as IGN's validator configures them for the CNIG SUP standards 2013 and 2016.

Run from a checkout of github.com/IGNF/validator (commit 6f803083c4c7 for the committed file):
    python3 extract_sup_lists.py > sup_assiette_listes.csv
It reads validator-plugin-cnig/src/test/resources/config/cnig_SUP_<CAT>_<2013|2016>/types/
<CAT>_ASSIETTE_SUP_<S|L|P>.json, column constraint `enum` (a column with no `enum` has no list:
no row is written for it).
"""
import csv
import json
import re
import subprocess
import sys

C = "validator-plugin-cnig/src/test/resources/config"
names = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD", C],
                       capture_output=True, text=True, check=True).stdout.split()
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["standard", "categorie", "geometrie", "champ", "valeur"])
for p in sorted(names):
    m = re.match(C + r"/cnig_SUP_([A-Za-z0-9]+)_(2013|2016)/types/[A-Za-z0-9]+_ASSIETTE_SUP_([SLP])\.json$", p)
    if not m:
        continue
    cat, std, geom = m.group(1), m.group(2), m.group(3)
    d = json.loads(subprocess.run(["git", "show", "HEAD:" + p], capture_output=True, text=True, check=True).stdout)
    for col in d["columns"]:
        if col["name"] in ("TYPEASS", "MODEGEOASS"):
            for v in col.get("constraints", {}).get("enum") or []:
                out.writerow([std, cat, geom, col["name"], v])
