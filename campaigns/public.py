"""The public leaderboard of a public campaign: progress and ranking, no personal data."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def leaderboard(request, slug):
    return HttpResponse("")
