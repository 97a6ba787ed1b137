"""One thin router per domain; the app includes them in this order."""

from service.routers import (
    admin,
    assessments,
    auth,
    employers,
    matching,
    participants,
    taxonomy,
    ui_assessor,
    ui_coach,
    ui_common,
    ui_liaison,
    ui_programme,
    vacancies,
)

ROUTERS = [
    auth.router,
    taxonomy.router,
    participants.router,
    assessments.router,
    matching.router,
    vacancies.router,
    employers.router,
    admin.api,
    ui_common.router,
    admin.pages,
    ui_assessor.router,
    ui_coach.router,
    ui_liaison.router,
    ui_programme.router,
]
