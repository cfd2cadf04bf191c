"""The demo mailbox pages. config/urls.py wires them only in demo mode; each view checks again, so a
copy of the URLconf in production settings still answers 404."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from care.http import StaffRequest
from demo.mailbox import mail_read, mailbox_read


def _demo_only() -> None:
    if not settings.DEMO:
        raise Http404("Not found")


@login_required
def mailbox(request: StaffRequest) -> HttpResponse:
    _demo_only()
    return render(request, "demo/mailbox.html", {"messages_kept": mailbox_read(request.user)})


@login_required
def mail(request: StaffRequest, mail_id: int) -> HttpResponse:
    _demo_only()
    message, links = mail_read(request.user, mail_id)
    return render(request, "demo/mail.html", {"mail": message, "links": links})
