"""The nginx configuration that serves an exported copy, with the app as fallback.

One template for the README and the benchmark, so they cannot drift (a test
checks the README). Print the README's version with
``python -m statuspage.export.nginx``.
"""

from __future__ import annotations

import re
from pathlib import Path

README_ROOT = "/srv/statuspage/site"
README_UPSTREAM = "127.0.0.1:8000"
README_LISTEN = "80"
README_SERVER_NAME = "status.example.com"

# Paths the export never answers: the console, the write APIs, subscriptions, probes.
APP_ONLY_PATHS = (
    "admin",
    "support",
    "hooks",
    "api/v1",
    "api/openapi.json",
    "subscribe",
    "subscriptions",
    "unsubscribe",
    "healthz",
    "metrics",
    "static",
)

_TEMPLATE = """\
# Requests the exported copy cannot answer go to the app: anything but GET/HEAD,
# and any query string other than ?v= (asset versions) or ?lang= (language).
map "$request_method:$args" $statuspage_dynamic {
    default 1;
    "~^(GET|HEAD):$" 0;
    "~^(GET|HEAD):v=[^&]*$" 0;
    "~^(GET|HEAD):lang=[A-Za-z_-]*$" 0;
}

# ?lang=xx serves the copy under /xx/; a language without a copy falls back to the root.
map $arg_lang $statuspage_lang {
    default "";
    "~^(?<code>[a-z]{2,3}(_[A-Za-z]{2,4})?)$" /$code;
}

server {
    listen {listen};
    server_name {server_name};
    root {root};

    charset utf-8;
    charset_types text/css application/javascript application/json
                  application/atom+xml application/rss+xml text/calendar image/svg+xml;
    types {
        text/html html;
        text/css css;
        application/javascript js;
        application/json json;
        application/atom+xml atom;
        application/rss+xml rss;
        text/calendar ics;
        image/svg+xml svg;
        image/png png;
        image/x-icon ico;
        font/woff2 woff2;
    }
    default_type application/octet-stream;

    # The console, the write APIs, subscriptions and probes always reach the app.
    location ~ ^/({app_only})(/|$) {
        proxy_pass http://{upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    location /api/v2/ {
        add_header Access-Control-Allow-Origin "*" always;
        error_page 418 = @app;
        if ($statuspage_dynamic) {
            return 418;
        }
        try_files $uri @app;
    }

    location / {
        error_page 418 = @app;
        if ($statuspage_dynamic) {
            return 418;
        }
        try_files $statuspage_lang$uri $statuspage_lang$uri/index.html $uri $uri/index.html @app;
    }

    location @app {
        proxy_pass http://{upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
"""


def server_config(
    *,
    root: str = README_ROOT,
    upstream: str = README_UPSTREAM,
    listen: str = README_LISTEN,
    server_name: str = README_SERVER_NAME,
) -> str:
    """Return the maps and server block that serve the export at root, proxying the rest."""
    values = {
        "root": root,
        "upstream": upstream,
        "listen": listen,
        "server_name": server_name,
        "app_only": "|".join(re.escape(path) for path in APP_ONLY_PATHS),
    }
    text = _TEMPLATE
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def standalone_config(
    work: Path, *, root: str, upstream: str, listen: str, workers: int = 1, user: str | None = None
) -> str:
    """Return a whole nginx.conf that runs without root: pid, logs and temp files in work.

    user sets the workers' user when nginx is started as root (nginx's default,
    nobody, may not reach a private directory).
    """
    server = server_config(root=root, upstream=upstream, listen=listen, server_name="localhost")
    temp = work / "nginx-temp"
    temp.mkdir(parents=True, exist_ok=True)
    paths = "\n".join(
        f"    {kind}_temp_path {temp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    indented = "\n".join(f"    {line}" if line else "" for line in server.splitlines())
    user_line = f"user {user};\n" if user else ""
    return f"""\
{user_line}worker_processes {workers};
pid {work / "nginx.pid"};
error_log {work / "nginx-error.log"} warn;
daemon off;

events {{
    worker_connections 4096;
}}

http {{
    access_log {work / "nginx-access.log"};
{paths}

{indented}
}}
"""


if __name__ == "__main__":
    print(server_config(), end="")
