from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from . import services
from .selectors import deviation_get_for_user


@login_required
def deviation_detail(request, pk: int) -> HttpResponse:
    deviation = deviation_get_for_user(request.user, pk)
    services.deviation_record_access(deviation=deviation, user=request.user)
    return HttpResponse(deviation.reference)
