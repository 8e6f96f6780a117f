import graphene

from gorodok_graphql.municipalities.mutations.create_municipality import CreateMunicipality
from gorodok_graphql.municipalities.mutations.resume_municipality import ResumeMunicipality
from gorodok_graphql.municipalities.mutations.set_municipality_module import SetMunicipalityModule
from gorodok_graphql.municipalities.mutations.suspend_municipality import SuspendMunicipality


class RegionMunicipalityMutations(graphene.ObjectType):
    create_municipality = CreateMunicipality.Field()
    suspend_municipality = SuspendMunicipality.Field()
    resume_municipality = ResumeMunicipality.Field()
    set_municipality_module = SetMunicipalityModule.Field()
