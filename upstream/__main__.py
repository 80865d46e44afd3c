"""Serve the upstream stand-in: `python -m upstream --port N` (0 picks a free port).

Prints one line, `upstream: serving on http://127.0.0.1:PORT`, once the socket is bound, so a
parent process can read the address; then serves until SIGINT/SIGTERM.
"""

import argparse
import ipaddress
import socket

import uvicorn

from upstream.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m upstream", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("the stand-in serves loopback only")

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"upstream: serving on http://{shown}:{port}", flush=True)

    config = uvicorn.Config(
        create_app(),
        log_level=args.log_level,
        access_log=False,
        lifespan="off",
        backlog=4096,
        timeout_graceful_shutdown=1,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
