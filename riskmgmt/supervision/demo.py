"""Stub; demo data is being written."""


def seed_supervision() -> None:
    pass
