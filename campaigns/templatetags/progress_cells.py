"""The progress bar, the table's progress cell and the rank change, built in Python: the village
table, the leaderboard and the dashboard repeat them on every row, where including a template
per row cost more than the rest of the page."""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.translation import gettext

from portal.formatting import number
from portal.progress_math import rounded_percent, share_percent

register = template.Library()


@register.simple_tag
def progress_bar(counted: int, target: int, percent: int | None = None, label: str = ""):
    """A progress bar with "counted / target · percent": `percent` when given (e.g.
    Totals.percent, rounded down), else progress_math.rounded_percent(); `label` says what is
    counted, for screen readers. Over the target the bar stays full."""
    shown = rounded_percent(counted, target) if percent is None else percent
    return format_html(
        '<div class="progress-bar"><progress value="{}" max="{}" aria-label="{}">{} %</progress>'
        ' <small class="progress-text"><strong>{}</strong> / {} · {}&nbsp;%</small></div>',
        counted,
        target or 1,
        label or gettext("Progress toward the target"),
        shown,
        number(counted),
        number(target),
        shown,
    )


@register.simple_tag
def progress_cell(row):
    """A village row's bar and share of its target (progress_math.share_percent), for tables."""
    return format_html(
        '<div class="progress-cell"><progress value="{}" max="{}" aria-label="{}"></progress>'
        "<span>{}%</span></div>",
        row.counted,
        row.target or 1,
        gettext("Progress"),
        share_percent(row.counted, row.target),
    )


@register.simple_tag
def rank_change(change: int, campaign):
    """▲3 or ▼2: places gained or lost since the campaign's last ranking snapshot."""
    return format_html(
        '<small class="{}" title="{}">{}{}</small>',
        "rank-up" if change > 0 else "rank-down",
        gettext("Change since %(date)s") % {"date": date(campaign.ranked_on, "j F Y")},
        "▲" if change > 0 else "▼",
        abs(change),
    )
