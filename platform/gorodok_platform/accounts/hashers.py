from django.contrib.auth.hashers import Argon2PasswordHasher


class FastTestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost, for the test suite (settings select it under GORODOK_ENV=test) and the
    made-up secrets of demo data outside production (``seed_demo``)."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
