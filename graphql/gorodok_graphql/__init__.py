"""The GraphQL API: the tenant API on municipality hosts and the regional API on the region host."""
