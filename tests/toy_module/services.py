from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gorodok_platform.integrations.outbox import outbox_emit
from tests.toy_module.models import Toy


@transaction.atomic
def toy_make(*, name: str) -> Toy:
    if not name.strip():
        raise ValidationError({"name": ValidationError("A toy needs a name.", code="required")})
    toy = Toy.objects.create(name=name.strip())
    outbox_emit("toy.made", {"id": toy.pk, "name": toy.name})
    return toy


def toys_polish() -> int:
    """The periodic task: polish every toy not polished yet (idempotent)."""
    return Toy.objects.filter(polished_at__isnull=True).update(polished_at=timezone.now())


def toys_demo() -> int:
    """Demo data: three toys, once."""
    made = 0
    for name in ("юла", "мяч", "кубик"):
        if not Toy.objects.filter(name=f"демо: {name}").exists():
            toy_make(name=f"демо: {name}")
            made += 1
    return made
