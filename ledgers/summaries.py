"""The accepted figures of each report in one row (issue 8, SPEC §8): a summary the leaders' dashboards
read instead of one ReportValue row per indicator, so a city-wide year is a few thousand rows rather
than half a million.

The row of a report exists exactly while the report is accepted and holds its values in cents (exact
integers, fixed width, so `figures[indicator_id]` in SQL is a direct lookup), positioned by indicator id. The services keep it so in the same transaction as the
change of status (monthly_report_accept, monthly_report_reopen_approve), so a dashboard shows an
accepted report on the next request; `accepted_figures_rebuild()` recomputes every row (after a bulk
load such as seed_demo's or the benchmark's, and in the migration that created the table).
The model, AcceptedFigures, lives with the reports' (ledgers/models/reports.py); this module only
imports the models, never the other way round.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from .models import AcceptedFigures, Indicator, MonthlyReport, ReportStatus, ReportValue


def _insert_sql(condition: str) -> str:
    return f"""
        INSERT INTO {AcceptedFigures._meta.db_table} (report_id, town_id, period, figures)
        SELECT r.id, r.town_id, r.period,
               ARRAY(
                   SELECT ROUND(v.value * 100)::bigint
                   FROM generate_series(1, (SELECT COALESCE(MAX(id), 1) FROM {Indicator._meta.db_table})) AS g(i)
                   LEFT JOIN {ReportValue._meta.db_table} v ON v.report_id = r.id AND v.indicator_id = g.i
                   ORDER BY g.i
               )
        FROM {MonthlyReport._meta.db_table} r
        WHERE r.status = %s AND {condition}
    """


def accepted_figures_refresh(report_ids: Iterable[int]) -> None:
    """Make the rows of these reports match their status and values now (called inside the services'
    transactions; safe to call twice)."""
    ids = list(report_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AcceptedFigures._meta.db_table} WHERE report_id = ANY(%s)", [ids])
        cursor.execute(_insert_sql("r.id = ANY(%s)"), [ReportStatus.ACCEPTED, ids])
    # The data-sharing feed's clock (issue 18): these reports' accepted figures changed now.
    MonthlyReport.objects.filter(pk__in=ids).update(figures_changed_at=timezone.now())


def accepted_figures_rebuild() -> int:
    """Recompute every row from the reports (after a bulk load); returns the number of accepted reports."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AcceptedFigures._meta.db_table}")
        cursor.execute(_insert_sql("TRUE"), [ReportStatus.ACCEPTED])
        accepted = cursor.rowcount
    # Reports loaded in bulk as accepted join the feed as of their acceptance.
    MonthlyReport.objects.filter(status=ReportStatus.ACCEPTED, figures_changed_at__isnull=True).update(
        figures_changed_at=Coalesce("accepted_at", Now())
    )
    return accepted
