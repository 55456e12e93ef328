"""Desktop notifications over D-Bus (org.freedesktop.Notifications): how a Linux desktop shows them.

Qt cannot send these itself: QtDBus cannot marshal `Notify`'s unsigned `replaces_id` (stack
notes), so this speaks D-Bus through jeepney's asyncio router, inside the qasync loop.

What it promises the app:
- nothing here ever raises into the app: no session bus, no notification daemon, a daemon that
  stops answering, a timeout (2 s at most, for the whole start and for each notification) — each
  is logged once, as a warning, and the notifier is `available` no more (it does not reconnect;
  the in-app inbox still has every notification);
- a click on a notification (its "default" action) calls `on_activated` with the id the app gave
  to `notify`, never the daemon's id;
- the body is escaped (`<`, `>`, `&`) when the daemon says it reads markup, because page text
  must never turn into markup or links; the summary is plain text by the specification;
- a notification with `sound` asks for the sound theme's "new message" sound (the `sound-name`
  hint); one without asks the daemon to play none (`suppress-sound`), so that "sound off" holds
  on desktops that would otherwise play their own. Daemons that play no sounds ignore both.

Linux (and other freedesktop systems with jeepney installed) only; elsewhere `available` is False.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import sys
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from desktop_tracker.core.durations import duration_in_words
from desktop_tracker.core.words import error_in_words

try:
    from jeepney import DBusAddress, HeaderFields, new_method_call
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.asyncio import DBusRouter, Proxy, open_dbus_router
    from jeepney.wrappers import unwrap_msg

    HAVE_JEEPNEY = True
except ImportError:  # jeepney is a Linux-only dependency
    HAVE_JEEPNEY = False

log = logging.getLogger(__name__)

APP_NAME = "desktop_tracker"
DESKTOP_ENTRY = "desktop-tracker"  # the .desktop file's name: daemons group and theme by it
CALL_TIMEOUT = 2.0  # seconds; a daemon slower than this is treated as absent

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
DEFAULT_ACTION = "default"  # the action a click on the notification's body invokes
# From the freedesktop sound naming specification: "a new instant message was received". Sound
# themes have it (freedesktop, GNOME, KDE's Oxygen and Ocean), and it is quieter than an alarm.
SOUND_NAME = "message-new-instant"

# A big diff makes a long body; a notification is a glance, the inbox and history have the rest.
BODY_MAX_LINES = 6
BODY_MAX_CHARS = 500
# Ids of shown notifications are kept until the daemon says they closed; this bounds the map for
# daemons that never say so.
REMEMBERED = 200


def dbus_text(text: str) -> str:
    """Text D-Bus accepts: a NUL or an unencodable surrogate makes the whole message invalid, and
    the bus daemon then drops the connection."""
    text = text.replace("\0", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def shorten_body(text: str) -> str:
    lines = text.strip().splitlines()
    short = "\n".join(lines[:BODY_MAX_LINES])
    if len(short) > BODY_MAX_CHARS:
        short = short[: BODY_MAX_CHARS - 1].rstrip() + "…"
    elif len(lines) > BODY_MAX_LINES:
        short += "\n…"
    return short


def markup_escape(text: str) -> str:
    """Escape what the notification markup (a small XML subset) would read as markup."""
    return html.escape(text, quote=False)


class DesktopNotifier:
    """Sends notifications to the session's notification daemon and reports clicks on them.

    ::

        notifier = DesktopNotifier(on_activated=lambda app_id: ..., icon=str(icon_path))
        await notifier.start()          # False (and logged) when there is no daemon
        await notifier.notify(42, "Change detected: Shop", "1 added\\n…")
        await notifier.close()
    """

    def __init__(
        self,
        on_activated: Callable[[int], None] | None = None,
        *,
        icon: str = "",
        bus: str = "SESSION",
        timeout: float = CALL_TIMEOUT,
    ) -> None:
        """`icon`: an absolute file path or a themed icon name; `bus`: "SESSION" or a D-Bus
        address (tests use a private bus); `timeout`: for the start and for each call, at most
        2 s."""
        self.on_activated = on_activated
        self._icon = icon
        self._bus = bus
        self._timeout = min(timeout, CALL_TIMEOUT)
        self._router: DBusRouter | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._listener: asyncio.Task[None] | None = None
        self._shown: OrderedDict[int, int] = OrderedDict()  # daemon's id → app's id
        self._available = False
        self._failed = False  # a failure was logged: the notifier stays off, and quiet
        self._markup = True  # until the daemon's capabilities say otherwise
        self.capabilities: list[str] = []
        self.server: tuple[str, ...] = ()  # name, vendor, version, spec version

    @property
    def available(self) -> bool:
        """Connected to a daemon that answered, and nothing has failed since."""
        return self._available

    async def start(self) -> bool:
        """Connect and ask the daemon what it can do; True when notifications can be sent."""
        if self._available or self._failed:
            return self._available
        if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            self._fail("desktop notifications over D-Bus exist on Linux and BSD only")
            return False
        if not HAVE_JEEPNEY:
            self._fail("jeepney is not installed")
            return False
        stack = contextlib.AsyncExitStack()
        try:
            # One deadline for the whole start: the app waits for it before it shows anything.
            async with asyncio.timeout(self._timeout):
                router = await stack.enter_async_context(open_dbus_router(self._bus))
                self._router = router
                rule = MatchRule(type="signal", interface=INTERFACE, path=OBJECT_PATH)
                # Subscribe before anything is shown, so no click can come before we listen.
                queue = stack.enter_context(router.filter(rule, queue=asyncio.Queue(256)))
                await Proxy(message_bus, router).AddMatch(rule)
                self.capabilities = list((await self._method("GetCapabilities"))[0])
                self.server = tuple(await self._method("GetServerInformation"))
        except Exception as error:  # whatever the bus does, the app goes on
            await _close_quietly(stack)
            self._router = None
            self._fail(_describe(error, "connecting to the notification service", self._timeout))
            return False
        self._stack = stack
        # A daemon without "body-markup" shows the body as it is: escaping would show "&lt;".
        self._markup = "body-markup" in self.capabilities
        self._listener = asyncio.ensure_future(self._listen(queue))
        self._available = True
        log.info("desktop notifications through %s", " ".join(self.server[:3]) or "a daemon")
        return True

    async def notify(self, app_id: int, title: str, body: str, *, sound: bool = False) -> bool:
        """Show a notification, with a sound if `sound`; True when the daemon took it. `app_id`
        is what a click reports."""
        if not self._available:
            return False
        text = shorten_body(body)
        if self._markup:
            text = markup_escape(text)
        hints: dict[str, tuple[str, object]] = {
            "desktop-entry": ("s", DESKTOP_ENTRY),
            "urgency": ("y", 1),  # normal: a change is news, not an emergency
        }
        if sound:
            hints["sound-name"] = ("s", SOUND_NAME)
        else:
            hints["suppress-sound"] = ("b", True)
        try:
            reply = await self._method(
                "Notify",
                "susssasa{sv}i",
                (
                    APP_NAME,
                    0,  # replaces_id: each change is its own notification
                    self._icon,
                    dbus_text(title),
                    dbus_text(text),
                    [DEFAULT_ACTION, "Open"],
                    hints,
                    -1,  # the daemon's usual display time
                ),
            )
        except Exception as error:  # see the module's promise
            self._fail(_describe(error, "showing a notification", self._timeout))
            await self._shut()
            return False
        self._shown[int(reply[0])] = app_id
        while len(self._shown) > REMEMBERED:
            self._shown.popitem(last=False)
        return True

    async def close(self) -> None:
        """Stop listening and disconnect (at quit). Notifications on screen stay there."""
        self._available = False
        await self._shut()

    # -- plumbing ----------------------------------------------------------------------------

    async def _method(
        self, name: str, signature: str | None = None, body: tuple[Any, ...] = ()
    ) -> tuple[Any, ...]:
        """Call a method of the daemon; raises DBusErrorResponse, TimeoutError, RouterClosed."""
        if self._router is None:
            raise ConnectionError("not connected")
        address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        async with asyncio.timeout(self._timeout):
            reply = await self._router.send_and_get_reply(
                new_method_call(address, name, signature, body)
            )
        result: tuple[Any, ...] = unwrap_msg(reply)
        return result

    async def _listen(self, queue: asyncio.Queue[Any]) -> None:
        while True:
            message = await queue.get()
            member = message.header.fields.get(HeaderFields.member)
            try:
                if member == "ActionInvoked":
                    daemon_id, action = message.body
                    app_id = self._shown.get(int(daemon_id))
                    if app_id is not None and action in (DEFAULT_ACTION, "Open"):
                        self._report(app_id)
                elif member == "NotificationClosed":
                    self._shown.pop(int(message.body[0]), None)
            except (TypeError, ValueError):
                log.debug("ignoring a malformed %s signal", member)

    def _report(self, app_id: int) -> None:
        if self.on_activated is None:
            return
        try:
            self.on_activated(app_id)
        except Exception:
            log.exception("handling a click on notification %s failed", app_id)

    def _fail(self, reason: str) -> None:
        self._available = False
        if not self._failed:
            self._failed = True
            log.warning("desktop notifications are off: %s", reason)

    async def _shut(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await _close_quietly(stack)
        self._router = None


async def _close_quietly(stack: contextlib.AsyncExitStack) -> None:
    # Closing re-raises what ended the router's receiver (EOFError when the bus went away).
    try:
        async with asyncio.timeout(CALL_TIMEOUT):
            await stack.aclose()
    except Exception as error:  # closing is best effort
        log.debug("closing the D-Bus connection: %s", error)


def _describe(error: BaseException, doing: str, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {duration_in_words(timeout)} while {doing}"
    if isinstance(error, KeyError) and "DBUS_SESSION_BUS_ADDRESS" in str(error):
        return "there is no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    name = getattr(error, "name", None)  # jeepney's DBusErrorResponse
    if name == "org.freedesktop.DBus.Error.ServiceUnknown":
        return "no notification daemon is running"
    return f"{error_in_words(error)} ({doing})"
