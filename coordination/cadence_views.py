"""The cadence page (R-2.4): for a year, each rule's required meetings and activities against those held,
per org unit and period, over the municipality and the districts the user sees."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tianjin_towns.lib import dates

from . import selectors
from .forms import CadenceYearForm


@login_required
def cadence(request):
    this_year = dates.today().year
    years = list(range(this_year, this_year - 5, -1))
    form = CadenceYearForm(request.GET or {"year": this_year}, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else this_year
    cells = selectors.cadence_matrix_for_user(request.user, year)
    return render(
        request,
        "coordination/cadence.html",
        {
            "form": form,
            "year": year,
            "tables": selectors.cadence_tables(cells),
            "states": Counter(c.state for c in cells),
        },
    )
