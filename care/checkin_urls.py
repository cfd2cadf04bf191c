"""Client-facing check-in pages (reached from a link, no password)."""

urlpatterns: list = []
