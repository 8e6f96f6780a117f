"""Regional support sessions in a municipality's back office."""
