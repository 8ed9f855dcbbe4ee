"""The child of ``serve --delivery-process`` (started by ``delivery_process.DeliveryProcess``).

Reads frames of requests from stdin, posts each with ``webhook_client.WebhookClient`` (the keep-alive
httptools client the in-process path uses; aiohttp for https and URLs with credentials), and writes the
outcomes to stdout, every outcome of one event-loop turn in one frame. It decides nothing: no retry, no
order, no signing; the bytes and headers it posts are exactly those it was given. It exits once the
parent closes its stdin and every post in flight has been answered.

Its own module, not a part of ``delivery_process.py``: ``webhook_client`` imports that one (``post_once``).
"""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp

from sandbox.core.delivery_process import FrameBuffer, frame
from sandbox.core.webhook_client import WebhookClient


async def main(concurrency: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    out: list[tuple[int, int | None, str, str | None]] = []
    in_flight: set[asyncio.Task[None]] = set()
    limit = asyncio.Semaphore(concurrency) if concurrency > 0 else None
    write_transport, _ = await loop.connect_write_pipe(asyncio.Protocol, sys.stdout.buffer)

    def flush() -> None:
        data = frame(out)
        out.clear()
        write_transport.write(data)

    async def post(seq: int, url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
        try:
            if limit is None:
                status, excerpt, error = await client.post(url, body, headers, timeout)
            else:
                async with limit:
                    status, excerpt, error = await client.post(url, body, headers, timeout)
        except Exception as exc:  # noqa: BLE001 - an odd URL must not kill the child and every post in flight
            status, excerpt, error = None, "", f"{type(exc).__name__}: {exc}"
        if not out:
            loop.call_soon(flush)
        out.append((seq, status, excerpt, error))

    class Requests(asyncio.Protocol):
        def __init__(self) -> None:
            self.frames = FrameBuffer()

        def data_received(self, data: bytes) -> None:
            for batch in self.frames.feed(data):
                for request in batch:
                    task = loop.create_task(post(*request))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)

        def eof_received(self) -> None:
            if not done.done():
                done.set_result(None)

        def connection_lost(self, exc: Exception | None) -> None:
            if not done.done():
                done.set_result(None)

    # aiohttp: https and URLs with credentials (webhook_client.py); its timeout bounds those attempts
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        client = WebhookClient(session)
        await loop.connect_read_pipe(Requests, sys.stdin.buffer)
        await done  # the parent closed our stdin: finish what is in flight, answer, exit
        while in_flight:
            await asyncio.gather(*list(in_flight), return_exceptions=True)
        await asyncio.sleep(0)  # the last flush
        client.close()
    write_transport.close()


if __name__ == "__main__":  # pragma: no cover - run by DeliveryProcess (delivery_process.py)
    # Ctrl-C reaches the whole process group: the parent decides when the child ends (it closes our stdin
    # once its dispatchers stopped), so what is in flight is still answered during a shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
