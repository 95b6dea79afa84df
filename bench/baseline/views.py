"""A plain table of 100 settlement cases, and the bytes of a stored PDF, read the simplest
way: what a page of the app is measured against."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

# The app's own tables, read without its models (this project installs none of its apps).
CASES = (
    "SELECT case_key, category, nationality, family_size, permit_date, settled_date "
    "FROM settlement_settlementcase ORDER BY id LIMIT 100"
)
PDF = "SELECT pdf FROM imdi_reporting_frozenreport WHERE id = %s"


@login_required
def table(request):
    with connection.cursor() as cursor:
        cursor.execute(CASES)
        rows = cursor.fetchall()
    return render(request, "table.html", {"rows": rows})


@login_required
def pdf(request, frozen_id: int):
    with connection.cursor() as cursor:
        cursor.execute(PDF, [frozen_id])
        (data,) = cursor.fetchone()
    return HttpResponse(bytes(data), content_type="application/pdf")
