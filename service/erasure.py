"""Erasure in the running server: erase, then rewrite the database file so the bytes are gone too.

The rewrite swaps the process-wide connection (``app.state.db``) for one on the new file.
Writes wait for the swap (the process's write lock); a read running at that moment on the old
connection fails and can be repeated. Erasures are rare admin actions.
"""

from __future__ import annotations

from fastapi import Request

from foundation.actor import User
from foundation.compact import database_file, rewrite
from foundation.db import write_lock
from matching.erasure import Erasure, erase_participant


def erase_and_rewrite(request: Request, cursor, *, actor: User, participant_id: str, reason: str) -> Erasure:
    """:func:`matching.erasure.erase_participant`, then the file rewritten without the freed blocks."""
    done = erase_participant(cursor, actor=actor, participant_id=participant_id, reason=reason)
    with write_lock():  # no write goes to the old file while it is swapped
        path = database_file(request.app.state.db)
        if path is not None:
            request.app.state.db = rewrite(request.app.state.db, path)
    return done
