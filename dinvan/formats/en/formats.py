# The English interface keeps the office's formats: the records are Vietnamese
# documents, and a date must read the same whichever language the user picked.
from dinvan.formats.vi.formats import *  # noqa: F403
