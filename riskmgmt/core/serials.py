"""Gap-free serial numbers per key, safe under concurrent filing."""

from django.db import IntegrityError, transaction

from .models import SerialCounter


def serial_next(key: str) -> int:
    """The next serial for `key`. Must run inside the caller's transaction: a rollback
    returns the number, so there are never gaps."""
    assert transaction.get_connection().in_atomic_block, "serial_next needs a transaction"
    try:
        with transaction.atomic():
            SerialCounter.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # someone else created the row first; lock it below
    # The row lock serialises concurrent filers on PostgreSQL; SQLite serialises all writes.
    counter = SerialCounter.objects.select_for_update().get(key=key)
    SerialCounter.objects.filter(pk=counter.pk).update(value=counter.value + 1)
    return counter.value + 1
