"""One app per user and data directory: a second launch hands over to the first and exits.

The first instance listens on a local socket; a second one connects, sends its arguments and
quits, and the first brings its window forward. The socket name carries the user id and the data
directory, so two users (or a test's own data directory) never meet. On Linux the socket is a
file in /tmp that survives a crash: the first instance removes a stale one before listening.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_CONNECT_MS = 500


def server_name(data_dir: Path) -> str:
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    place = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    return f"desktop-tracker-{user}-{place}"


def hand_over(name: str, arguments: Sequence[str]) -> bool:
    """If an instance already listens on `name`, give it our arguments; True when one did."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_CONNECT_MS):
        return False
    socket.write(json.dumps(list(arguments)).encode() + b"\n")
    socket.flush()
    socket.waitForBytesWritten(_CONNECT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; `activated(arguments)` fires for each."""

    activated = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        QLocalServer.removeServer(name)  # a socket file left by a crash
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(name):
            raise OSError(f"cannot listen for other launches: {self._server.errorString()}")
        self._server.newConnection.connect(self._accept)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        try:
            arguments = json.loads(bytes(socket.readLine().data()).decode())
        except ValueError:
            arguments = []
        self.activated.emit(arguments if isinstance(arguments, list) else [])
