"""The benchmark's own logic that a wrong change would silently falsify."""

import importlib.util
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from agreements.text import fold

_spec = importlib.util.spec_from_file_location(
    "bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_varied_searches_never_repeat_and_search_the_terms_in_turn():
    # A repeated URL would be answered from the cache of the list's results and
    # flatter the "new term each time" rows.
    urls = bench.searches(300)
    assert len(set(urls)) == 300
    texts = [parse_qs(urlsplit(url).query)["q"][0] for url in urls]
    terms = len(bench.SEARCH_TERMS)
    assert texts[:terms] == bench.SEARCH_TERMS
    for n, text in enumerate(texts):
        assert fold(text) == fold(bench.SEARCH_TERMS[n % terms])
