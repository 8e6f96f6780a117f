"""Creating municipalities: schemas from the release's DDL, the warm pool, bulk import, the demo region."""
