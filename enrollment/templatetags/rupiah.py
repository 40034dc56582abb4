"""{% load rupiah %}: the Rupiah filter of portal's numbers library, for the templates that
load it under this name."""

from django import template

from portal.templatetags.numbers import rupiah

register = template.Library()
register.filter("rupiah", rupiah)
