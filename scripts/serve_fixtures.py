"""Serve the real captures in ../shared on loopback, at the site's paths, for trying
paperterm without the internet:

    .venv/bin/python scripts/serve_fixtures.py --port 8765 &
    PAPERTERM_BASE_URL=http://127.0.0.1:8765 .venv/bin/paperterm --date 2024-08-01

With --corpus, every corpus day is served through the API as well.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from hfserver import FakeHF  # noqa: E402

SHARED = REPO.parent / "shared"


def load_fixtures(fake: FakeHF, shared: Path, corpus: bool) -> None:
    fixtures = shared / "fixtures" / "hf"
    fake.add_page(date(2024, 8, 1), (fixtures / "papers_date_2024-08-01.html").read_bytes())
    fake.add_page(date(2026, 9, 28), (fixtures / "papers_2026-09-28_rendered.html").read_bytes())
    for path in fixtures.glob("daily_papers_api_20*.json"):
        fake.add_api_file(path)
    if corpus:
        from conftest import load_corpus_file

        target = Path(tempfile.mkdtemp(prefix="paperterm-corpus-"))
        tar_path = next((shared / "corpus").glob("*.tar.xz"))
        with tarfile.open(tar_path) as tar:
            tar.extractall(target, filter="data")
        for path in sorted((target / "Paper_metadata_download").glob("*.json")):
            fake.add_api_day(date.fromisoformat(path.stem), load_corpus_file(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--corpus", action="store_true")
    args = parser.parse_args()
    fake = FakeHF(port=args.port)
    load_fixtures(fake, args.shared, args.corpus)
    fake.start()
    print(f"serving on {fake.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
