"""Fixtures of the criteria tests."""

import pytest

from tests.criteria.group_editing import group_draft_create


@pytest.fixture
def group_draft(db, criteria_admin):
    """Draft v2 of NCT09990001 (an all-of and an any-of criterion), copied from v1."""
    return group_draft_create(criteria_admin)
