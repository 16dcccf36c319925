"""Problems for the inspections tests, taken through the workflow with the services."""

import datetime

from inspections import services

from .conftest import VISIT_DAY, evidence_photo


def measures_problems(world, visit, make_problem, **overdue):
    """The visit's four problems behind the quarter's measures: one closed on the spot, one the same day, one
    rectified and verified 14 days after the visit, and one still open past its due day (31 days after the
    visit), made with `overdue`'s fields and returned."""
    make_problem(visit, solved_on_site=True, due_on=None)
    make_problem(visit, solved_same_day=True, due_on=None)
    rectified = make_problem(visit, due_on=VISIT_DAY + datetime.timedelta(days=20))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=rectified, note="已整改", on=VISIT_DAY
    )
    services.problem_verify(
        actor=world.users.office_coord, problem=rectified, on=VISIT_DAY + datetime.timedelta(days=14)
    )
    return make_problem(visit, due_on=VISIT_DAY + datetime.timedelta(days=31), **overdue)
