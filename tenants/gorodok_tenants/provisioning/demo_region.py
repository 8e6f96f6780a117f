"""The 13 top-level municipalities of the Republic of Khakassia: the region ``make run`` starts with."""

from __future__ import annotations

from gorodok_tenants.models import MunicipalityKind
from gorodok_tenants.provisioning.municipalities import MunicipalitySpec

OKRUG = MunicipalityKind.URBAN_OKRUG
DISTRICT = MunicipalityKind.MUNICIPAL_DISTRICT

KHAKASSIA: tuple[MunicipalitySpec, ...] = (
    MunicipalitySpec("Абакан", "Abakan", "abakan", "95701000", OKRUG),
    MunicipalitySpec("Абаза", "Abaza", "abaza", "95702000", OKRUG),
    MunicipalitySpec("Саяногорск", "Sayanogorsk", "sayanogorsk", "95708000", OKRUG),
    MunicipalitySpec("Сорск", "Sorsk", "sorsk", "95709000", OKRUG),
    MunicipalitySpec("Черногорск", "Chernogorsk", "chernogorsk", "95715000", OKRUG),
    MunicipalitySpec("Алтайский район", "Altaysky District", "altaysky", "95605000", DISTRICT),
    MunicipalitySpec("Аскизский район", "Askizsky District", "askizsky", "95608000", DISTRICT),
    MunicipalitySpec("Бейский район", "Beysky District", "beysky", "95612000", DISTRICT),
    MunicipalitySpec("Боградский район", "Bogradsky District", "bogradsky", "95615000", DISTRICT),
    MunicipalitySpec("Орджоникидзевский район", "Ordzhonikidzevsky District", "ordzhonikidzevsky", "95620000",
                     DISTRICT),
    MunicipalitySpec("Таштыпский район", "Tashtypsky District", "tashtypsky", "95625000", DISTRICT),
    MunicipalitySpec("Усть-Абаканский район", "Ust-Abakansky District", "ust-abakansky", "95630000",
                     DISTRICT),
    MunicipalitySpec("Ширинский район", "Shirinsky District", "shirinsky", "95635000", DISTRICT),
)
