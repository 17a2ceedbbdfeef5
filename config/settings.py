"""The one settings file. Everything configurable comes from the environment, read here once.

Variables (all optional in embedded mode; production must set the ones marked *):

    RENDA_DEBUG                 "1"/"0" (default "0")
    RENDA_SECRET_KEY *          Django secret key; embedded mode keeps one in var/keys/
    RENDA_DATA_KEY *            base64 of 32 bytes: AES-GCM key for private files and ID numbers
    RENDA_ID_HASH_KEY *         base64 of 32 bytes: HMAC key for ID-number lookup hashes
    RENDA_ALLOWED_HOSTS         comma-separated (default "127.0.0.1,localhost")
    RENDA_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://renda.example.gov.cn
    RENDA_VAR_DIR               where the SQLite file, uploads and keys live (default ./var)
    RENDA_IDLE_TIMEOUT_MINUTES  session idle timeout (default 30)
    RENDA_LOCKOUT_FAILURES      failed logins before lockout (default 5)
    RENDA_LOCKOUT_MINUTES       how long a lockout lasts (default 30)
    RENDA_SECURE_COOKIES        "1" to send cookies over HTTPS only (default: on unless DEBUG)
    RENDA_PRIVATE_FILE_DAYS     days to keep generated private files (default 7)
    RENDA_SEAT_DEVIATION_PERCENT  warn when a district's population per seat is further than
                                this from its area's mean (选举法 Art 25; default 20)
    DATABASE_URL                e.g. postgres://renda@127.0.0.1:5432/renda (default: SQLite)

A bad value stops the process with a message naming the variable.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    # Blank counts as unset, as in env_bool/env_int: CI runs the SQLite pass with DATABASE_URL=.
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("RENDA_VAR_DIR", str(BASE_DIR / "var"))).resolve()
DEBUG = env_bool("RENDA_DEBUG", False)


def _embedded_secret(name: str, nbytes: int) -> str:
    """Production passes keys in the environment; embedded mode keeps them in var/keys/."""
    if name in os.environ:
        return os.environ[name].strip()
    key_dir = VAR_DIR / "keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / name.lower()
    if not path.exists():
        path.write_text(base64.b64encode(secrets.token_bytes(nbytes)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _key_bytes(name: str) -> bytes:
    raw = _embedded_secret(name, 32)
    try:
        key = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 random bytes") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(key)}")
    return key


SECRET_KEY = _embedded_secret("RENDA_SECRET_KEY", 48)
RENDA_DATA_KEY = _key_bytes("RENDA_DATA_KEY")
RENDA_ID_HASH_KEY = _key_bytes("RENDA_ID_HASH_KEY")
ALLOWED_HOSTS = env_list("RENDA_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("RENDA_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "renda.core",
    "renda.regions",
    "renda.accounts",
    "renda.imports",
    "renda.api",
    "renda.voters",
    "renda.roster",
    "renda.stats",
    "renda.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "renda.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "renda.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "renda.core.middleware.RequestContextMiddleware",
    "renda.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renda.accounts.context_processors.shell",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'renda.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif _db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL or SQLite")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "renda.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "renda.accounts.passwords.CharacterClassValidator", "OPTIONS": {"classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("RENDA_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("RENDA_LOCKOUT_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

RENDA_IDLE_TIMEOUT_MINUTES = env_int("RENDA_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = RENDA_IDLE_TIMEOUT_MINUTES * 60
# The cookie age is an idle timeout: renda.accounts.middleware.IdleTimeoutMiddleware pushes
# a session's expiry forward at most every RENDA_SESSION_TOUCH_SECONDS (not a write per page).
RENDA_SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure = env_bool("RENDA_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_SECURE = _secure
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "private"  # never served directly: downloads go through views
RENDA_PRIVATE_FILE_DAYS = env_int("RENDA_PRIVATE_FILE_DAYS", 7, minimum=1)
RENDA_SEAT_DEVIATION_PERCENT = env_int("RENDA_SEAT_DEVIATION_PERCENT", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "renda.core.views.csrf_failure"
# Lockout counts failures per account name, not per address: a county office reaches the
# intranet through one NAT address, and locking it would lock out everyone in it.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Shared by every web worker and process (rate limits must count across workers); the table is
# created by `renda createcachetable`, which `make run` and the production steps run.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "renda_cache",
    }
}
