"""Django admin for the agreements app, in Vietnamese, for the office's administrators.

Admins keep the catalogues here (areas, agencies and their lineage, indicators,
users) and can correct any record. The domain's rules hold here as in the staff
workspace:

- Agreements are archived ("Lưu trữ") and restored ("Khôi phục"), never deleted.
- Agreements, plans and reviews carry a `version`. The change form carries the
  version it was opened at and saves through the service layer, so an admin's save
  neither silently overwrites a staff member's newer edit nor is overwritten by it.
- An approved review is read-only, with its papers, assessments and figures.
- Search ignores Vietnamese diacritics: it also matches the folded `search_key`
  (see `agreements.text.fold`), so "ban dan van" finds "Ban Dân vận".
- History ("Lịch sử", django-simple-history) is for reading. Reverting to an old
  version would bypass the services and leave related rows as they are now, so
  corrections are made by editing.

Database constraints whose default message is English ("Constraint … is
violated") are checked again in the admin forms as field errors in Vietnamese;
a field with an error is left out of the model's constraint check, so the user
sees one message, in Vietnamese, instead of a 500 or an English one.
"""

from . import catalogue, documents, organisations, work  # noqa: F401  (registers)
