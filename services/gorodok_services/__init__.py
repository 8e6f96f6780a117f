"""The shared municipal modules (appeals, assets, reporting) and their common domain helpers."""
