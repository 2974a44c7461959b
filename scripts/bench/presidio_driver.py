"""Microsoft Presidio on the pii benchmark's samples (scripts/bench/pii-presidio.sh).

Presidio's analyzer with the recognizers that apply to Japanese data: its e-mail recognizer and
its phone recognizer (Google's libphonenumber, ported) for the JP region. It has no Japanese
name, address, date, postal-code or passport recognizer. The NLP engine is a blank English
spaCy pipeline (tokenizer only): the trained models are downloaded at first use, which this
machine cannot do, and no model would help with Japanese text anyway. Text goes to the
analyzer ten lines at a time: its context enhancer searches the token list once per match, so
whole files are quadratic, and ten lines ran fastest of 1, 10 and 50.

For each kind of file of the corpus: Presidio on the first SAMPLE_MB megabytes (whole lines),
kizuki on the same sample for the counts and on the whole file for the speed (its run on a
sample of a few MB is too short to time), one worker. Prints a Markdown table: MB per CPU
second (loading excluded on both sides: kizuki's start on an empty file is subtracted), and
the e-mails and phones each found in the sample.

    presidio_driver.py KIZUKI CORPUS_DIR SAMPLE_MB CACHE_DIR
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

LINES = 10
FILES = [
    "persons-1-utf8.csv",
    "persons-3-cp932.csv",
    "notes-5-utf8.txt",
    "notes-6-cp932.txt",
    "app-7.log",
]


def engine(cache: Path) -> AnalyzerEngine:
    model = cache / "spacy-blank-en"
    if not model.exists():
        spacy.blank("en").to_disk(model)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(model)}],
        }
    )
    registry = RecognizerRegistry()
    registry.add_recognizer(EmailRecognizer())
    registry.add_recognizer(PhoneRecognizer(supported_regions=("JP",)))
    return AnalyzerEngine(
        nlp_engine=provider.create_engine(), registry=registry, supported_languages=["en"]
    )


def presidio(an: AnalyzerEngine, data: bytes, enc: str) -> tuple[float, dict[str, int]]:
    lines = data.decode(enc, errors="replace").split("\n")
    counts: dict[str, int] = {}
    t0 = time.process_time()
    for i in range(0, len(lines), LINES):
        text = "\n".join(lines[i : i + LINES])
        for r in an.analyze(text, language="en", entities=["EMAIL_ADDRESS", "PHONE_NUMBER"]):
            counts[r.entity_type] = counts.get(r.entity_type, 0) + 1
    return time.process_time() - t0, counts


def kizuki(binary: str, path: Path) -> tuple[float, dict[str, int]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [binary, "--format", "json", "pii", "scan", str(path)],
        env={"RAYON_NUM_THREADS": "1"},
        capture_output=True,
        check=False,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cats = {}
    for line in out.splitlines():
        if line.strip():
            cats = json.loads(line).get("categories", {})
    return cpu, cats


def main() -> None:
    binary, corpus, sample_mb, cache = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), Path(sys.argv[4])
    an = engine(cache)
    samples = cache / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    empty = samples / "empty.txt"
    empty.write_bytes(b"")
    start = min(kizuki(binary, empty)[0] for _ in range(3))
    print("| file | sample | kizuki MB/cpu-s | Presidio MB/cpu-s | ratio | e-mails kizuki / Presidio | phones kizuki / Presidio |")
    print("|---|---|---|---|---|---|---|")
    for name in FILES:
        whole = corpus / name
        data = whole.read_bytes()[: int(sample_mb * 1e6)]
        data = data[: data.rfind(b"\n") + 1]
        sample = samples / name
        sample.write_bytes(data)
        enc = "cp932" if "cp932" in name else "utf-8"
        p_cpu, p = presidio(an, data, enc)
        _, k = kizuki(binary, sample)
        k_cpu = min(kizuki(binary, whole)[0] for _ in range(2)) - start
        k_rate = whole.stat().st_size / 1e6 / k_cpu
        p_rate = len(data) / 1e6 / p_cpu
        print(
            f"| {name} | {len(data) / 1e6:.1f} MB | {k_rate:.0f} | {p_rate:.2f} | {k_rate / p_rate:.0f}x "
            f"| {k.get('email', 0)} / {p.get('EMAIL_ADDRESS', 0)} "
            f"| {k.get('phone', 0)} / {p.get('PHONE_NUMBER', 0)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
