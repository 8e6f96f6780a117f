"""Enums of the ICT fleet and of maintenance in the tenant API."""

import graphene

from gorodok_services.assets.fleet.models import IctCategory
from gorodok_services.assets.maintenance.models import WorkType

IctCategoryEnum = graphene.Enum.from_enum(IctCategory, name="IctCategory",
                                          description="The category of an object of the ICT fleet.")
MaintenanceWorkTypeEnum = graphene.Enum.from_enum(WorkType, name="MaintenanceWorkType",
                                                  description="The type of maintenance work.")
