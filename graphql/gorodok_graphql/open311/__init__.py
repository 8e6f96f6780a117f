"""Open311 GeoReport v2 on a municipality's host: the classifier's citizen-facing categories as
services, appeals as service requests (registration number = ``service_request_id``)."""
