"""The JSON API (DRF). One view per operation."""

urlpatterns: list = []
