"""Stub; risk demo data is being written."""


def seed_risks() -> None:
    pass
