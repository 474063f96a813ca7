"""Stub; demo data is being written."""


def seed_reports() -> None:
    pass
