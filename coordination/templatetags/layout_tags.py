"""The frames of every app's pages: {% card %}, {% table %} and its `col` filter, {% alert %} (lib.layout)."""

from django import template

from tianjin_towns.lib import layout

register = template.Library()
register.tag("card", layout.card)
register.tag("table", layout.table)
register.filter("col", layout.col)
register.tag("alert", layout.alert)
