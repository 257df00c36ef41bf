#!/usr/bin/env python3
"""BAN CSV (`;`) → addok ndjson: one street document with its house numbers, the shape the
BAN feeds addok with. Usage: ban_to_addok.py adresses.csv > docs.ndjson"""
import csv
import json
import sys
from collections import OrderedDict

streets = OrderedDict()
with open(sys.argv[1], encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter=";"):
        key = (r["code_insee"], r["nom_voie"])
        sid = "_".join(r["id"].split("_")[:2])
        city = r["nom_commune"]
        if city.startswith("Paris ") and "rrondissement" in city:
            city = "Paris"
        s = streets.setdefault(key, {
            "id": sid, "type": "street", "name": r["nom_voie"], "postcode": r["code_postal"],
            "citycode": r["code_insee"], "city": city, "context": "75, Paris, Île-de-France",
            "importance": 0.5, "housenumbers": {}, "_pts": [],
        })
        hn = r["numero"] + r["rep"]
        s["housenumbers"][hn] = {"id": r["id"], "lon": float(r["lon"]), "lat": float(r["lat"]),
                                 "x": float(r["x"]), "y": float(r["y"])}
        s["_pts"].append((float(r["lon"]), float(r["lat"])))
for s in streets.values():
    pts = s.pop("_pts")
    s["lon"] = sum(p[0] for p in pts) / len(pts)
    s["lat"] = sum(p[1] for p in pts) / len(pts)
    print(json.dumps(s, ensure_ascii=False))
