"""Send the file part of a POST without copying it through Python: ``socket.sendfile``.

requests stays the client. Its adapter gets urllib3 connection classes whose ``send()``
knows one extra kind of body chunk, :class:`FileRegion` (a byte range of an open file):
on a plain-TCP socket the kernel moves page-cache pages to the socket (``sendfile(2)``);
on TLS it is read in large blocks into one reused buffer and written with ``sendall``.
Everything urllib3 does around ``send()`` (timeouts, broken-pipe handling, pooling,
proxies) is unchanged, and a connection class that does not know FileRegion still sends
it correctly through its ``read()`` (http.client reads any object that has one).
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
from typing import Any, BinaryIO

from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager

COPY_SIZE = 4 * 1024 * 1024
"""Block for the TLS path (and for ``read()``): large reads keep Python off the hot path."""


MODE = "blocking"


def _timeval(seconds: float) -> bytes:
    whole = int(seconds)
    return struct.pack("@ll", whole, int((seconds - whole) * 1_000_000))


class FileRegion:
    """``count`` bytes of ``file`` from ``offset``; after sending, ``sent`` says how many went.

    ``sent < count`` means the file ended early (it shrank after it was hashed).
    """

    def __init__(self, file: BinaryIO, offset: int, count: int,
                 buffer: bytearray | None = None) -> None:
        self.file = file
        self.offset = offset
        self.count = count
        self.sent = 0
        self.buffer = buffer

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def send_over(self, sock: socket.socket) -> None:
        """All of it through ``sock``: sendfile(2) when the socket is plain TCP."""
        if self.sent >= self.count:
            return
        if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket) \
                or not hasattr(os, "sendfile"):
            self._copy_to(sock)  # TLS (or a wrapped socket): the kernel cannot encrypt
            return
        timeout = sock.gettimeout()
        if timeout == 0:  # a non-blocking socket: copy instead
            self._copy_to(sock)
        elif MODE == "socket":
            self.sent += sock.sendfile(self.file, self.offset + self.sent,
                                       self.count - self.sent)
        else:
            self._sendfile_blocking(sock, timeout)

    def _sendfile_blocking(self, sock: socket.socket, timeout: float | None) -> None:
        """One blocking sendfile(2) for the whole region; the kernel enforces the timeout.

        ``socket.sendfile`` on a socket with a timeout polls before every call and sends
        only what fits in the buffer each time; blocking with ``SO_SNDTIMEO`` lets the
        kernel stream the region in one call and still gives up after ``timeout``.
        """
        fd_out, fd_in = sock.fileno(), self.file.fileno()
        sock.settimeout(None)
        if timeout is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(timeout))
        try:
            while self.sent < self.count:
                try:
                    n = os.sendfile(fd_out, fd_in, self.offset + self.sent,
                                    self.count - self.sent)
                except BlockingIOError:  # SO_SNDTIMEO expired with nothing sent
                    raise TimeoutError("timed out sending the file") from None
                if n == 0:
                    return  # the file ended early
                self.sent += n
        finally:
            if timeout is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(0))
            sock.settimeout(timeout)

    def _copy_to(self, sock: socket.socket) -> None:
        if self.buffer is None:
            self.buffer = bytearray(min(COPY_SIZE, self.count))
        view = memoryview(self.buffer)
        fd = self.file.fileno()
        while self.sent < self.count:
            want = min(len(view), self.count - self.sent)
            n = os.preadv(fd, [view[:want]], self.offset + self.sent)
            if n == 0:
                return
            sock.sendall(view[:n])
            self.sent += n

    def read(self, size: int = -1) -> bytes:
        """The next bytes of the region, for connection classes without :meth:`send_over`."""
        left = self.count - self.sent
        size = left if size is None or size < 0 else min(size, left)
        data = os.pread(self.file.fileno(), size, self.offset + self.sent) if size else b""
        self.sent += len(data)
        return data


class _RegionAware:
    """``send()`` that hands :class:`FileRegion` chunks to the kernel."""

    sock: Any

    def send(self, data: Any) -> None:
        if isinstance(data, FileRegion) and self.sock is not None:
            data.send_over(self.sock)
        else:
            super().send(data)  # type: ignore[misc]


class SendfileHTTPConnection(_RegionAware, connection.HTTPConnection):
    pass


class SendfileHTTPSConnection(_RegionAware, connection.HTTPSConnection):
    pass


class _HTTPPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = SendfileHTTPConnection


class _HTTPSPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = SendfileHTTPSConnection


_DEFAULT_POOLS = {"http": connectionpool.HTTPConnectionPool,
                  "https": connectionpool.HTTPSConnectionPool}
_OUR_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


def _use_our_pools(manager: poolmanager.PoolManager) -> None:
    """Swap in our pools unless the manager has its own (SOCKS proxies do)."""
    if dict(manager.pool_classes_by_scheme) == _DEFAULT_POOLS:
        manager.pool_classes_by_scheme = dict(_OUR_POOLS)


class SendfileAdapter(HTTPAdapter):
    """requests' adapter, with connections that send :class:`FileRegion` chunks natively."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_our_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> poolmanager.PoolManager:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_our_pools(manager)
        return manager
