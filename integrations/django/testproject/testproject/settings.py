"""Settings of the test/demo project, driven by environment variables so the Python tests,
the JS cross-language tests and `pnpm start:django` share one project:

KS_DB_ENGINE=sqlite|postgres (KS_DB_NAME, KS_DB_HOST, KS_DB_PORT, KS_DB_USER),
KS_REDIS_URL (else the in-memory channel layer), KS_RELAY_SECRET, KS_RELAY_CREDENTIAL_SECRET,
KS_RELAY_URL,
KS_TEST_CONTROL=1 (the /test-control/ endpoints the JS tests drive).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ.get

SECRET_KEY = env("KS_DJANGO_SECRET_KEY", "kitchen-sync-test-project-not-secret")
DEBUG = env("KS_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"] + [
    h for h in env("KS_ALLOWED_HOSTS", "").split(",") if h
]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "testproject.urls"
ASGI_APPLICATION = "testproject.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "corsheaders",
    "channels",
    "kitchen_sync",
    "menu",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kitchen_sync.middleware.IdempotencyKeyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if env("KS_DB_ENGINE", "sqlite") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("KS_DB_NAME", "kitchen_sync"),
            "HOST": env("KS_DB_HOST", "127.0.0.1"),
            "PORT": env("KS_DB_PORT", "5432"),
            "USER": env("KS_DB_USER", "postgres"),
            "PASSWORD": env("KS_DB_PASSWORD", ""),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("KS_DB_NAME", str(BASE_DIR / "db.sqlite3")),
        }
    }

if env("KS_REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env("KS_REDIS_URL")]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# A PWA on its own origin calls this API: the client sends Idempotency-Key on order POSTs,
# which is not among django-cors-headers' default allowed headers.
from corsheaders.defaults import default_headers  # noqa: E402

CORS_ALLOWED_ORIGINS = ["http://kiosk.localhost:5173"]
CORS_ALLOW_HEADERS = [*default_headers, "idempotency-key"]
CORS_EXPOSE_HEADERS = ["idempotent-replayed"]
# The demo's pages are on other ports of whatever host the tablet used.
CORS_ALLOW_ALL_ORIGINS = env("KS_CORS_ALLOW_ALL", "0") == "1"

KITCHEN_SYNC = {
    "RELAY_SECRET": env("KS_RELAY_SECRET", "test-relay-secret-at-least-32-bytes-long"),
    # Relay credentials signed with a secret no outlet relay holds (check kitchen_sync.W002).
    "RELAY_CREDENTIAL_SECRET": env(
        "KS_RELAY_CREDENTIAL_SECRET", "test-central-only-credential-secret-32b"
    ),
    # Central's own socket tokens too, so one outlet's relay cannot open another's socket (W003).
    "SOCKET_TOKEN_SECRET": env("KS_SOCKET_TOKEN_SECRET", "test-central-only-socket-secret-32-bytes"),
    "SETTINGS_REQUIRE_AUTH": False,
    "IDEMPOTENT_PATHS": ["/api/public/order-groups/"],
}
if CORS_ALLOW_ALL_ORIGINS:
    KITCHEN_SYNC["ALLOWED_ORIGINS"] = ["*"]

KS_TEST_CONTROL = env("KS_TEST_CONTROL", "0") == "1"
# Empty: the relay is on the request's host at KS_RELAY_PORT (the demo, reached over the LAN).
KS_RELAY_URL = env("KS_RELAY_URL", "http://127.0.0.1:3001")
KS_RELAY_PORT = int(env("KS_RELAY_PORT", "3001"))
STATIC_URL = "/static/"
