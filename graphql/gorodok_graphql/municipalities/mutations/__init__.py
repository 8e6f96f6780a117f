import graphene

from gorodok_graphql.municipalities.mutations.resume_municipality import ResumeMunicipality
from gorodok_graphql.municipalities.mutations.suspend_municipality import SuspendMunicipality


class RegionMunicipalityMutations(graphene.ObjectType):
    suspend_municipality = SuspendMunicipality.Field()
    resume_municipality = ResumeMunicipality.Field()
