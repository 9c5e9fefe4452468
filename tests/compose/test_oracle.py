"""Differential tests: every config set in cases.py, every override list, against hydra-core."""

from __future__ import annotations

import pytest

from tests.compose.cases import CASES
from tests.compose.harness import agree, write

PARAMS = [pytest.param(files, name, ovs, id=f"{cid}[{' '.join(ovs)}]")
          for cid, files, name, lists in CASES for ovs in lists]


@pytest.mark.parametrize(("files", "name", "overrides"), PARAMS)
def test_agrees_with_hydra(tmp_path, files, name, overrides):
    conf = write(tmp_path, files)
    agree(conf, name, overrides)


def test_enough_config_sets():
    assert len(CASES) >= 60
