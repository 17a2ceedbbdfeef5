"""Settings for the test suite: the real settings with fast hashing and throwaway keys."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("RENDA_VAR_DIR", tempfile.mkdtemp(prefix="renda-test-"))
os.environ.setdefault("RENDA_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("RENDA_DATA_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
os.environ.setdefault("RENDA_ID_HASH_KEY", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=")

from config.settings import *  # noqa: F403
from config.settings import PASSWORD_HASHERS, STATIC_ROOT

# The cast logs in hundreds of times; argon2 stays installed so its hashes still verify.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
