"""Per-call CPU cost of the async HTTP clients FastAPI could fan out with (aiohttp, httpx).

Starts the upstream stand-in on 127.0.0.1, then for each client makes N GETs of a small page,
one at a time and 50 at a time, through one shared client, and prints the client process's CPU
time per call and its throughput. The server runs in its own process, so its CPU is not counted.

    uv run python -m loadtests.client_cost [--calls 2000]
"""

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable
from collections.abc import Callable

import aiohttp
import httpx

from loadtests.processes import free_port


async def _run(
    call: Callable[[], Awaitable[int]], calls: int, concurrency: int
) -> tuple[float, float]:
    """(CPU ms per call, calls per second) for `calls` calls, `concurrency` at a time."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            status = await call()
            assert status == 200, status

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / calls * 1000, calls / wall


async def measure(url: str, calls: int) -> list[tuple[str, int, float, float]]:
    rows = []
    for concurrency in (1, 50):
        async with aiohttp.ClientSession() as session:

            async def aiohttp_get() -> int:
                async with session.get(url) as response:
                    await response.read()
                    return response.status

            await _run(aiohttp_get, 50, concurrency)  # warm-up: connections, imports
            rows.append(("aiohttp", concurrency, *await _run(aiohttp_get, calls, concurrency)))
        async with httpx.AsyncClient() as client:

            async def httpx_get() -> int:
                response = await client.get(url)
                return response.status_code

            await _run(httpx_get, 50, concurrency)
            rows.append(("httpx", concurrency, *await _run(httpx_get, calls, concurrency)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    arguments = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "upstream", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/page?title=cost"
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(f"client-cost: {arguments.calls} GETs per row against {url}")
        print("| client | concurrency | CPU ms per call | calls/s |")
        print("|---|---|---|---|")
        for client, concurrency, cpu_ms, rate in asyncio.run(measure(url, arguments.calls)):
            print(f"| {client} | {concurrency} | {cpu_ms:.3f} | {rate:.0f} |")
        print("client-cost: done")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
