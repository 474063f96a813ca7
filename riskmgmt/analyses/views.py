from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from .selectors import analysis_get_for_user


@login_required
def analysis_detail(request, pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    return HttpResponse(analysis.reference)
