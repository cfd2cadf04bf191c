"""What the demo mailbox shows a member of staff: mail to the clients they may read (care.access), and,
for a clinic admin, mail to their clinic's staff. Clients and other clinics see none of it."""

import re

from django.db.models import Q, QuerySet

from care.access import clients_visible_to, load_visible
from care.models import User
from demo.models import DemoMail

PAGE = 100  # the newest messages; a demo mailbox needs no paging
LINK = re.compile(r"https?://[^\s<>\"']+")


def mail_visible_to(user: User) -> QuerySet[DemoMail]:
    if not (user.is_authenticated and user.is_active and user.clinic_id):
        return DemoMail.objects.none()
    mine = Q(client__in=clients_visible_to(user).values("id"))
    if user.role == User.Role.ADMIN:
        mine |= Q(client__isnull=True, clinic_id=user.clinic_id)
    return DemoMail.objects.filter(mine)


def mailbox_read(user: User) -> list[DemoMail]:
    return list(mail_visible_to(user).select_related("client")[:PAGE])


def mail_read(user: User, mail_id: object) -> tuple[DemoMail, list[str]]:
    """One message (404 when missing or not the user's) and the links in it, in order."""
    mail = load_visible(mail_visible_to(user), mail_id)
    return mail, list(dict.fromkeys(LINK.findall(mail.body)))
