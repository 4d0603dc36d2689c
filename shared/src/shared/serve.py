"""Run an API factory under uvicorn with Jembatan's logging: `python -m shared.serve MOD:FN PORT`.

uvicorn's own logging config is left out so its lines go through our JSON, redacting handler,
and its access log (which prints query strings) is off: `shared.http` logs requests itself.
"""

from __future__ import annotations

import sys

import uvicorn


def main() -> None:
    factory, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(
        factory,
        factory=True,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
