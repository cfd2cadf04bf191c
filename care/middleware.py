from django.http import HttpRequest, HttpResponse


class NoStoreForHealthDataMiddleware:
    """Pages and API answers about people must never sit in a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response
