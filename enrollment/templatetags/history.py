from django import template

from enrollment.history import event_lines

register = template.Library()
register.filter("history_lines", event_lines)
