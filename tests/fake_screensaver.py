"""A stand-in for the desktop's ``org.freedesktop.ScreenSaver``, run in a process of its own on a test's bus.

``python fake_screensaver.py ADDRESS`` registers the service on the bus at ADDRESS, prints "ready", then one
line per call: ``Inhibit APP REASON -> COOKIE`` and ``UnInhibit COOKIE``. The cookie is the uint32 a real
desktop hands out (the first is 42).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

INTERFACE = ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})  # type: ignore[call-arg]  # the stub


@INTERFACE
class ScreenSaver(QObject):  # type: ignore[operator]  # the stub: ClassInfo objects are not callable (they are)
    def __init__(self) -> None:
        super().__init__()
        self.last = 41

    @Slot(str, str, result="uint")
    def Inhibit(self, application: str, reason: str) -> int:
        self.last += 1
        print(f"Inhibit {application} {reason} -> {self.last}", flush=True)
        return self.last

    @Slot("uint")
    def UnInhibit(self, cookie: int) -> None:
        print(f"UnInhibit {cookie}", flush=True)


def main(address: str) -> int:
    app = QCoreApplication([])
    bus = QDBusConnection.connectToBus(address, "fake-screensaver")
    saver = ScreenSaver()
    exported = bus.registerObject(
        "/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots
    )
    if not (exported and bus.registerService("org.freedesktop.ScreenSaver")):
        print(f"cannot register: {bus.lastError().message()}", flush=True)
        return 1
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
