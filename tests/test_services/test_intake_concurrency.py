"""Two identical submissions at the same moment still give one appeal."""

from __future__ import annotations

import threading
import uuid

from django.db import connection
from django_tenants.utils import schema_context

from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal
from tests.support.appeals import dated_intake as intake


def _race(schema_name: str, make_call, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            with schema_context(schema_name):
                barrier.wait(timeout=10)
                results[index] = make_call()
        except Exception as error:  # the assertion below shows it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _cleanup(schema_name: str, **lookup) -> None:
    with schema_context(schema_name):
        for appeal in Appeal.objects.filter(**lookup):
            appeal.delete()


def test_concurrent_duplicates_by_external_number(municipalities, django_db_blocker):
    alpha = municipalities["alpha"]
    number = f"RACE-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        try:
            results = _race(alpha.schema_name, lambda: services.appeal_receive(data=intake(external_number=number)))
            assert all(isinstance(r, tuple) for r in results), results
            ids = {appeal.pk for appeal, _created in results}
            assert len(ids) == 1
            assert sorted(created for _appeal, created in results) == [False, True]
            with schema_context(alpha.schema_name):
                assert Appeal.objects.filter(external_number=number).count() == 1
        finally:
            _cleanup(alpha.schema_name, external_number=number)


def test_concurrent_duplicates_by_idempotency_key(municipalities, django_db_blocker):
    alpha = municipalities["alpha"]
    key = f"key-{uuid.uuid4().hex}"
    with django_db_blocker.unblock():
        try:
            results = _race(alpha.schema_name, lambda: services.appeal_receive(
                data=intake(external_number=None), idempotency_key=key), count=4)
            assert all(isinstance(r, tuple) for r in results), results
            assert len({appeal.pk for appeal, _created in results}) == 1
            assert sum(created for _appeal, created in results) == 1
        finally:
            _cleanup(alpha.schema_name, idempotency_key=key)


def test_registration_numbers_never_collide(municipalities, django_db_blocker):
    alpha = municipalities["alpha"]
    tag = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        try:
            with schema_context(alpha.schema_name):
                appeals = [services.appeal_receive(data=intake(external_number=f"NUM-{tag}-{i}"))[0] for i in range(4)]
            pending = list(appeals)
            results = _race(alpha.schema_name, lambda: services.appeal_register(appeal=pending.pop()), count=4)
            numbers = [r.appeal.registration_number for r in results]
            assert len(set(numbers)) == 4, numbers
        finally:
            _cleanup(alpha.schema_name, external_number__startswith=f"NUM-{tag}")
