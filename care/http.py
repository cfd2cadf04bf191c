"""Request types for views: what a view may assume about `request.user` once sign-in is required."""

from django.http import HttpRequest
from rest_framework.request import Request

from care.models import User


class StaffRequest(HttpRequest):
    """A request from a signed-in member of staff: what a `login_required` view receives."""

    user: User


class StaffApiRequest(Request):
    """An API request that passed authentication (IsAuthenticated is the API's default permission)."""

    user: User
