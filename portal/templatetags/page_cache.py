"""{% cached_part "content" %}...{% endcached_part %}: a part of the layout that
portal.page_cache keeps. On a hit it is the cached text; on a miss of a cached view it is
rendered and handed to the cache; otherwise it is rendered as usual. The CSRF token inside is
kept out of the cache: every response gets its own."""

from django import template
from django.utils.safestring import mark_safe

from portal.page_cache import CSRF_PLACEHOLDER

register = template.Library()


class CachedPartNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        cached = context.get("cached_parts")
        if cached is not None:
            text = cached[self.name]
        else:
            parts = getattr(context.get("request"), "page_parts", None)
            if parts is None:
                return self.nodelist.render(context)
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                text = parts[self.name] = self.nodelist.render(context)
        if CSRF_PLACEHOLDER in text:
            text = text.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token", "")))
        return mark_safe(text)  # rendered by the template engine, escaped there


@register.tag
def cached_part(parser, token):
    try:
        _tag, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("cached_part takes one name") from None
    nodelist = parser.parse(("endcached_part",))
    parser.delete_first_token()
    return CachedPartNode(name.strip("\"'"), nodelist)
