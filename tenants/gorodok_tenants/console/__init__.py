"""The two back offices: the regional console on the region host and each municipality's back office."""
