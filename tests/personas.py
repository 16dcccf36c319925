"""The personas of the shared world (conftest.py's `world.users`) by name, for the tests run once per persona."""

# Every persona of the world, in the order conftest.py builds them.
EVERY_PERSONA = (
    "officer",
    "reviewer",
    "outsider",
    "outsider_reviewer",
    "office_policy",
    "office_assess",
    "office_planning",
    "office_coord",
    "leader",
    "liaison",
    "admin",
    "sysadmin",
    "security",
    "auditor",
)
