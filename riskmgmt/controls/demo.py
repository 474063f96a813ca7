"""Stub; demo data is being written."""


def seed_controls() -> None:
    pass
