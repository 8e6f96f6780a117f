"""A toy shared module: the proof that a module is one folder plus one line in the settings. It uses
every part of the module contract and nothing in gorodok_platform or gorodok_tenants names it."""

from django.apps import AppConfig

from gorodok_platform.modules import (
    Counter,
    GraphQLRoots,
    ModuleEvent,
    ModuleInfo,
    ModuleRole,
    ModuleScope,
    PeriodicTask,
    ReportSource,
)


def _count_toys() -> int:
    from tests.toy_module.models import Toy

    return Toy.objects.count()


def _toys_made(date_from, date_to) -> int:
    from tests.toy_module.models import Toy

    return Toy.objects.filter(created_at__date__gte=date_from, created_at__date__lte=date_to).count()


class ToyConfig(AppConfig):
    name = "tests.toy_module"
    label = "toy"
    default_auto_field = "django.db.models.AutoField"
    gorodok_module = ModuleInfo(
        code="toy",
        name="Toys",
        roles=(ModuleRole("toy_keeper", "Toy keeper"),),
        scopes=(ModuleScope("toy:read", "read toys"), ModuleScope("toy:write", "make toys")),
        events=(ModuleEvent("toy.made", "A toy was made.", "toy:read"),),
        counters=(Counter("toys", "toys", _count_toys),),
        report_sources=(ReportSource("made", "toys made in the period", _toys_made),),
        periodic=(PeriodicTask("polish", "tests.toy_module.services.toys_polish", seconds=600),),
        graphql=GraphQLRoots(tenant_query="tests.toy_module.api.ToyQuery",
                             tenant_mutation="tests.toy_module.api.ToyMutation"),
        demo="tests.toy_module.services.toys_demo",
    )
