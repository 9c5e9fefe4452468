"""Suite-wide: the command line's between-runs cache lives in a temporary folder, not in ``~/.cache``."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    previous = os.environ.get("TRAINPATH_CACHE_DIR")
    os.environ["TRAINPATH_CACHE_DIR"] = str(tmp_path_factory.mktemp("trainpath-cache"))
    yield
    if previous is None:
        os.environ.pop("TRAINPATH_CACHE_DIR", None)
    else:
        os.environ["TRAINPATH_CACHE_DIR"] = previous
