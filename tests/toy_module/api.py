import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.core.permissions import module_required, roles_required
from tests.toy_module import services
from tests.toy_module.models import Toy as ToyModel


class Toy(DjangoObjectType):
    class Meta:
        model = ToyModel
        fields = ("id", "name", "polished_at")


class ToyErrorCode(graphene.Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"


ToyError = error_type("ToyError", ToyErrorCode, "A toy could not be made.")


class ToyQuery(graphene.ObjectType):
    toys = graphene.List(graphene.NonNull(Toy), required=True)

    @module_required("toy")
    @roles_required("toy_keeper", "municipal_admin", scopes=("toy:read",))
    def resolve_toys(root, info):
        return ToyModel.objects.order_by("pk")


class MakeToy(BaseMutation):
    toy = graphene.Field(Toy)

    class Arguments:
        name = graphene.String(required=True)

    class Meta:
        error_type = ToyError
        code_enum = ToyErrorCode
        roles = ("toy_keeper", "municipal_admin")
        module = "toy"

    @classmethod
    def perform_mutation(cls, root, info, name):
        return cls(toy=services.toy_make(name=name))


class ToyMutation(graphene.ObjectType):
    make_toy = MakeToy.Field()
