"""A municipality's life after creation: status, details and hosts, export, archive and restore."""
