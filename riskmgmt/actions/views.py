from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def action_mine(request):
    return render(request, "actions/action_mine.html", {"actions": []})
