"""Defaults the appeals module ships, in one place (data migrations copy them when they seed).

Migration-law questions: 59-FZ art. 8 part 3.1 has an appeal about possible breaches of migration law
forwarded within 5 days of registration (to the regional police and the head of the region). The
bundled classifier subset files these questions under ``MIGRATION_LAW_PREFIX``; each municipality gets
a deadline rule for that prefix, which it may change or delete in the back office like any other rule.
The official code of this topic was not confirmed against the published classifier: check it there
and correct the rule's prefix (and the bundled entry) if it differs.
"""

MIGRATION_LAW_PREFIX = "0001.0001.0004"
MIGRATION_LAW_TITLE = "Миграция, миграционный учёт, пребывание иностранных граждан"
MIGRATION_LAW_FORWARD_DAYS = 5
