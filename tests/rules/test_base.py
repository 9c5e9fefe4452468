"""The base project of ``conftest.py`` is clean: every test's finding comes from its own planted mistake."""

from tests.rules.conftest import check


def test_base_project_is_clean(project) -> None:
    assert check(project()) == []
