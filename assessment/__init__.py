"""Assessment: participants, instruments, append-only records and ESCO competence profiles.

Public API (keyword-only, usable from a notebook):

* :mod:`assessment.participants` — ``create_participant``, ``create_participants``,
  ``get_participant``, ``list_participants``, ``update_participant``, ``set_consent``,
  ``get_contact``, ``get_protected_attributes``;
* :mod:`assessment.instrument` — ``load_instruments``, ``get_instrument``, ``instrument_json_schema``;
* :mod:`assessment.records` — ``record_assessment``, ``list_records``, ``get_record``;
* :mod:`assessment.batch_template` — ``write_template`` (Dutch or English); :mod:`assessment.batch` — ``import_batch``;
* :mod:`assessment.scoring` — pure scoring functions (formulas in their docstrings);
* :mod:`assessment.profiles` — ``build_profile``, ``build_profiles``, ``consenting_profiles``,
  ``export_participant``;
* :mod:`assessment.trajectories` — ``record_agreed_targets``, ``add_trajectory_step``,
  ``update_trajectory_step``, ``get_trajectory``.

The profile format is documented in ``docs/profile-format.md``.
"""
