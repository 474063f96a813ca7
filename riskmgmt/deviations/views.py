from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from . import services
from .selectors import deviation_get_for_user


@login_required
def deviation_detail(request, pk: int) -> HttpResponse:
    deviation = deviation_get_for_user(request.user, pk)
    services.deviation_record_access(deviation=deviation, user=request.user)
    return HttpResponse(deviation.reference)


def _todo(request, *args, **kwargs):
    raise Http404


deviation_inbox = _todo
deviation_transition = _todo
deviation_save_investigation = _todo
ivo_notification_create = _todo
ivo_transition = _todo
ivo_basis = _todo
ivo_basis_pdf = _todo
deviation_access_log = _todo
attachment_upload = _todo
attachment_download = _todo
