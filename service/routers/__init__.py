"""One thin router per domain; the app includes them in this order."""

from service.routers import assessments, auth, matching, participants, taxonomy, vacancies

ROUTERS = [
    auth.router,
    taxonomy.router,
    participants.router,
    assessments.router,
    matching.router,
    vacancies.router,
]
