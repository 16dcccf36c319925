"""Form fields every app's forms share."""

from django import forms


def text_area(label, *, max_length: int, rows: int, placeholder=None, **options) -> forms.CharField:
    """A free-text field written in a text area of `rows` lines (with a `placeholder` when given), never without
    a length limit; `options` are the CharField's own (required, help_text, error_messages…)."""
    attrs = {"rows": rows} if placeholder is None else {"rows": rows, "placeholder": placeholder}
    return forms.CharField(label=label, max_length=max_length, widget=forms.Textarea(attrs=attrs), **options)


def figure_field(label) -> forms.CharField:
    """An indicator's figure as typed (thousands separators allowed; lib.numbers.parse_decimal reads it), with
    the decimal keypad on a phone and the number aligned right."""
    attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "form-control text-end"}
    return forms.CharField(label=label, required=False, max_length=32, widget=forms.TextInput(attrs=attrs))


def written_text(label, missing, *, max_length: int = 2000, rows: int = 4, placeholder=None) -> forms.CharField:
    """A text the user must write (a reason, what was done) in a text area; `missing` is what the form says when it
    is left empty."""
    error_messages = {"required": missing}
    return text_area(label, max_length=max_length, rows=rows, placeholder=placeholder, error_messages=error_messages)
