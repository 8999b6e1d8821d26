"""Live preview: a small local web server that redraws the poster whenever its files change.

In: a layout path, a host and port, an output folder. Out: an HTTP server (standard library only)
serving a page that shows the poster with its preflight findings and switchable overlays, and
that updates itself over server-sent events when the layout, a file it extends or a portrait,
font or logo it uses is saved.

Routes: ``GET /`` the page, ``GET /watch.js`` and ``GET /watch.css`` its assets, ``GET
/preview.png`` the latest good preview (whole page, bleed included; ``?width=`` a smaller copy),
``GET /status.json`` what the page draws over it (positions as fractions of the preview), ``GET
/events`` a ``version`` event after each render, ``POST /render`` the print files exactly as
``plakat render`` writes them (only from the page's own origin). Anything else is 404: no path on
disk is reachable.

One worker thread does every render (pdfium is not thread-safe): it polls the files' sizes and
modification times every 200 ms and redraws after a change, so changes made during a render are
taken together in the next one. The preview is drawn from a preview-only copy of the scene whose
images are reduced to about the preview's resolution once and kept in memory by (file, mtime,
size, pixels), so a text edit redraws in a fraction of a second. Preflight in the preview is the
scene's (what ``plakat check`` finds before a PDF exists); ``POST /render`` runs all of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import ipaddress
import json
import os
import queue
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image

from .assets import ImageInfo
from .cms import ColourManager
from .delivery import SCREEN
from .errors import LayoutInvalid, PlakatError
from .findings import Finding
from .pipeline import Built, build, scene_findings
from .render.pdf import write_pdf
from .render.png import rasterise
from .scene import PlacedImage, Scene
from .spec import LoadedLayout
from .units import EMU_PER_INCH, EMU_PER_MM

PREVIEW_LONG_SIDE = 1600  # pixels: sharp on a laptop screen beside an editor, quick to draw
MIN_WIDTH = 64  # ?width= is clamped to MIN_WIDTH .. the preview's own width
POLL_SECONDS = 0.2
IMAGE_OVERSAMPLING = 1.5  # preview images keep this many source pixels per preview pixel
KEEPALIVE_SECONDS = 15.0
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
PAGE_FILES = {"/": ("index.html", "text/html"), "/watch.js": ("watch.js", "text/javascript"),
              "/watch.css": ("watch.css", "text/css")}  # fmt: skip


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def used_files(loaded: LoadedLayout) -> list[Path]:
    """Every file the layout is made of or names: its extends chain, fonts, portraits, logos and a
    profile given as a file. Files that do not exist yet are included: creating one is a change."""
    spec = loaded.spec
    files = list(loaded.source.paths)
    files += [loaded.resolve(entry.file) for entry in spec.fonts.values()]
    files += [loaded.resolve(person.portrait) for person in spec.people]
    files += [loaded.resolve(element.image) for element in spec.elements if element.image is not None]
    profile = spec.output.pdf.profile if spec.output.pdf else None
    if profile and profile != "FOGRA39":
        files.append(loaded.resolve(profile))
    return list(dict.fromkeys(Path(os.path.abspath(path)) for path in files))


def stamps(paths: list[Path]) -> dict[Path, tuple[int, int] | None]:
    """(mtime in ns, size) of each file; None for one that is missing."""
    found: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        try:
            stat = path.stat()
            found[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            found[path] = None
    return found


class ReducedImages:
    """Images reduced to a preview's resolution, written once into a scratch folder and kept by
    (file, mtime, size, target pixels): a redraw after a text edit decodes no portrait again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[tuple, tuple[ImageInfo, float]] = {}

    def reduced(self, item: PlacedImage, colours: ColourManager, pixels_per_emu: float, profile_key=()) -> PlacedImage:
        left, top, right, bottom = item.crop
        wanted_w = item.rect.w * pixels_per_emu * IMAGE_OVERSAMPLING
        factor = (right - left) / max(wanted_w, 1.0)
        if factor < 2:
            return item
        info = item.image
        stat = info.path.stat()
        target = (max(1, round(info.width / factor)), max(1, round(info.height / factor)))
        key = (info.path, stat.st_mtime_ns, stat.st_size, *target, profile_key)
        if key not in self._made:
            power = 1
            while power * 2 <= min(factor, 8):
                power *= 2
            picture = colours.screen_image(info.path, power)
            picture = picture.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
            opaque = picture.mode in ("RGB", "L")
            name = f"{len(self._made)}.{'jpg' if opaque else 'png'}"
            if opaque:
                picture.save(self.folder / name, "JPEG", quality=88)
            else:
                picture.save(self.folder / name, "PNG", compress_level=1)
            small = ImageInfo(self.folder / name, *target, "JPEG" if opaque else "PNG", picture.mode)
            self._made[key] = (small, target[0] / info.width)
        small, ratio = self._made[key]
        crop = (left * ratio, top * ratio, right * ratio, bottom * ratio)
        return dataclasses.replace(item, image=small, crop=crop, reduction=1)


@dataclasses.dataclass(frozen=True)
class Preview:
    """One finished render: the picture (whole page, bleed included) and what status.json says."""

    version: int
    ok: bool
    errors: list[str]
    status: dict  # everything but version/ok/errors, from the last good render
    pixels: np.ndarray | None
    png: bytes | None


def _fractions(scene: Scene) -> tuple[Callable[[float], float], Callable[[float], float]]:
    page_w, page_h = scene.width + 2 * scene.bleed, scene.height + 2 * scene.bleed
    return (lambda x: round((x + scene.bleed) / page_w, 6)), (lambda y: round((y + scene.bleed) / page_h, 6))


def status_of(scene: Scene, findings: list[Finding], layout: Path, size: tuple[int, int]) -> dict:
    """status.json's description of a scene: page lines, portrait frames and findings, each
    position a fraction (0..1) of the preview picture, which shows the page with its bleed."""
    fx, fy = _fractions(scene)

    def box(x: float, y: float, w: float, h: float) -> dict:
        return {"x": fx(x), "y": fy(y), "w": round(fx(x + w) - fx(x), 6), "h": round(fy(y + h) - fy(y), 6)}

    columns, rows = scene.seams()
    safe = scene.safe_box
    listed = []
    for number, found in enumerate(findings, 1):
        data = found.to_json()
        data["number"] = number
        if found.position_mm is not None:
            data["at"] = {"x": fx(found.position_mm[0] * EMU_PER_MM), "y": fy(found.position_mm[1] * EMU_PER_MM)}
        listed.append(data)
    frames = []
    for item in scene.of_type(PlacedImage):
        if item.focus is None:
            continue
        frame = {"element": item.element, **box(item.rect.x, item.rect.y, item.rect.w, item.rect.h)}
        frame["focus"] = {"x": fx(item.focus[0]), "y": fy(item.focus[1])}
        frame["ppi"] = round(min(item.ppi), 1)
        frames.append(frame)
    return {
        "layout": str(layout),
        "title": scene.title,
        "preview": {"width": size[0], "height": size[1]},
        "page": {
            "trim_mm": [round(scene.width / EMU_PER_MM, 3), round(scene.height / EMU_PER_MM, 3)],
            "bleed_mm": round(scene.bleed / EMU_PER_MM, 3),
            "trim": box(0, 0, scene.width, scene.height),
            "safe": box(safe.x, safe.y, safe.w, safe.h),
            "splits": {"x": [fx(x) for x in columns], "y": [fy(y) for y in rows]},
            "sheets": list(scene.rules.sheets) if scene.rules.sheets else None,
        },
        "frames": frames,
        "findings": listed,
    }


class PreviewService:
    """The worker thread: polls the layout's files, renders previews and runs ``POST /render``
    jobs, all on the one thread pdfium is used from."""

    def __init__(self, layout: Path, out_dir: Path, long_side: int = PREVIEW_LONG_SIDE):
        self.layout = Path(os.path.abspath(layout))
        self.shown_name = Path(layout)  # as the user named it, for the page and the terminal
        self.out_dir = out_dir
        self.long_side = long_side
        self.changed = threading.Condition()
        self.preview = Preview(0, False, [], {"layout": str(self.shown_name)}, None, None)
        self.seconds: float | None = None  # the last render's time, file read to picture
        self._jobs: queue.Queue[tuple[Callable[[], object], Future]] = queue.Queue()
        self._stop = threading.Event()
        self._watched: list[Path] = [self.layout]
        self._seen: dict[Path, tuple[int, int] | None] = {}
        self._scratch = tempfile.TemporaryDirectory(prefix="plakat-watch-")
        self._images = ReducedImages(Path(self._scratch.name))
        self._colours: ColourManager | None = None
        self._colours_key: tuple[Path, str] | None = None
        self._thread = threading.Thread(target=self._run, name="plakat-watch-render", daemon=True)

    # -- lifecycle

    def start(self) -> PreviewService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self.changed:
            self.changed.notify_all()
        if self._thread.is_alive():
            self._thread.join()
        self._scratch.cleanup()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait_for_version(self, after: int, timeout: float) -> int:
        """Block until a version newer than ``after`` exists (or timeout, or stop); the current one."""
        with self.changed:
            self.changed.wait_for(lambda: self.preview.version > after or self._stop.is_set(), timeout)
            return self.preview.version

    def submit(self, job: Callable[[], object]) -> Future:
        """Run ``job`` on the render thread (between previews); its result through the future."""
        future: Future = Future()
        self._jobs.put((job, future))
        return future

    # -- the worker

    def _run(self) -> None:
        while not self._stop.is_set():
            seen = stamps(self._watched)
            if seen != self._seen:
                self._render()
                # stamps from before the files were read: a save during the render shows as a change
                added = [path for path in self._watched if path not in seen]
                self._seen = {path: seen[path] for path in self._watched if path in seen} | stamps(added)
                continue
            try:
                job, future = self._jobs.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as error:  # handed to the waiting request
                    future.set_exception(error)
        while not self._jobs.empty():  # stopped: nobody will run what is still waiting
            self._jobs.get_nowait()[1].cancel()

    def _render(self) -> None:
        started = time.perf_counter()
        try:
            built, findings = self._build()
            pixels = self._draw(built)
        except LayoutInvalid as error:
            self._publish_failure(error.lines())
            return
        except PlakatError as error:
            self._publish_failure([str(error)])
            return
        except Exception as error:  # a bug in plakat: the preview stays up, the message says so
            if os.environ.get("PLAKAT_DEBUG"):
                traceback.print_exc()
            self._publish_failure([f"internal error (a bug in plakat): {type(error).__name__}: {error}"])
            return
        encoded = io.BytesIO()
        Image.fromarray(pixels).save(encoded, "PNG", compress_level=1)
        size = (pixels.shape[1], pixels.shape[0])
        status = status_of(built.scene, findings, self.shown_name, size)
        self.seconds = time.perf_counter() - started
        status["seconds"] = round(self.seconds, 3)
        with self.changed:
            version = self.preview.version + 1
            self.preview = Preview(version, True, [], status, pixels, encoded.getvalue())
            self.changed.notify_all()

    def _build(self) -> tuple[Built, list[Finding]]:
        try:
            built = build(self.layout)
        except LayoutInvalid as error:
            # the layout's own file always; the rest of what it was made of until it loads again
            self._watched = list(dict.fromkeys([self.layout, *self._watched]))
            raise error from None
        self._watched = used_files(built.layout)
        return built, scene_findings(built)

    def _draw(self, built: Built) -> np.ndarray:
        scene = built.scene
        page_w, page_h = scene.width + 2 * scene.bleed, scene.height + 2 * scene.bleed
        dpi = self.long_side * EMU_PER_INCH / max(page_w, page_h)
        profile = built.assets.profile
        assert profile is not None  # probe_assets always loads one
        # a CMYK portrait looks different under another output profile: the profile is part of the key
        profile_key = (profile.path, hashlib.sha256(profile.data).hexdigest())
        if self._colours is None or self._colours_key != profile_key:
            self._colours, self._colours_key = built.colours(SCREEN), profile_key
        items = tuple(
            self._images.reduced(item, self._colours, dpi / EMU_PER_INCH, profile_key)
            if isinstance(item, PlacedImage)
            else item
            for item in scene.items
        )
        shown = dataclasses.replace(scene, items=items)
        pdf = Path(self._scratch.name) / "preview.pdf"
        write_pdf(shown, pdf, self._colours, SCREEN, preview=True)
        return np.concatenate(list(rasterise(pdf, shown, dpi, include_bleed=True)))

    def _publish_failure(self, errors: list[str]) -> None:
        with self.changed:
            last = self.preview
            self.preview = Preview(last.version + 1, False, errors, last.status, last.pixels, last.png)
            self.changed.notify_all()

    # -- what the server hands out

    def status(self) -> dict:
        preview = self.preview
        return {"version": preview.version, "ok": preview.ok, "errors": preview.errors, **preview.status}

    def write_files(self) -> dict:
        """The print files, as ``plakat render`` writes them, on the render thread; as JSON."""
        from .batch import render_one

        try:
            summary = self.submit(lambda: render_one(self.layout, self.out_dir)).result()
        except CancelledError:
            stopping = ["plakat watch is stopping: nothing was written"]
            return {"ok": False, "failure": "error", "errors": stopping, "findings": [], "files": []}
        return {
            "ok": summary.failure is None,
            "failure": summary.failure,
            "errors": list(summary.errors),
            "findings": [finding.to_json() for finding in summary.findings],
            "files": [{"path": str(file.path), "kind": file.kind, "bytes": file.bytes} for file in summary.files],
            "seconds": round(summary.seconds, 3),
        }


def _page_file(name: str) -> bytes:
    return resources.files("plakat").joinpath("watchpage", name).read_bytes()


class WatchServer(ThreadingHTTPServer):
    daemon_threads = True
    service: PreviewService
    bound_host: str

    def allowed_host(self, host_header: str | None) -> bool:
        """A request's Host names this server: the bound address or, on loopback, a loopback name
        (a DNS name pointing elsewhere at 127.0.0.1 would be a rebinding attack)."""
        if not host_header:
            return False
        host, _, port = host_header.rpartition(":")
        host = host.strip("[]")
        if port != str(self.server_address[1]):
            return False
        return is_loopback(host) if is_loopback(self.bound_host) else True


class WatchHandler(BaseHTTPRequestHandler):
    server: WatchServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass  # the terminal shows renders, not requests

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: dict, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _not_found(self) -> None:
        self._send(404, b"not found\n", "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        service = self.server.service
        if url.path in PAGE_FILES:
            name, kind = PAGE_FILES[url.path]
            self._send(200, _page_file(name), f"{kind}; charset=utf-8")
        elif url.path == "/status.json":
            self._json(service.status())
        elif url.path == "/preview.png":
            self._preview(parse_qs(url.query).get("width", [None])[0])
        elif url.path == "/events":
            self._events()
        else:
            self._not_found()

    do_HEAD = do_GET

    def _preview(self, width: str | None) -> None:
        preview = self.server.service.preview
        if preview.png is None or preview.pixels is None:
            self._send(503, b"no preview yet: see /status.json\n", "text/plain; charset=utf-8", {"Retry-After": "1"})
            return
        body = preview.png
        if width is not None:
            if not width.isdigit():
                self._send(400, b"width: a whole number of pixels\n", "text/plain; charset=utf-8")
                return
            full_w, full_h = preview.pixels.shape[1], preview.pixels.shape[0]
            wanted = min(max(int(width), MIN_WIDTH), full_w)
            if wanted != full_w:
                smaller = Image.fromarray(preview.pixels).resize(
                    (wanted, max(1, round(full_h * wanted / full_w))), Image.Resampling.LANCZOS
                )
                encoded = io.BytesIO()
                smaller.save(encoded, "PNG", compress_level=1)
                body = encoded.getvalue()
        self._send(200, body, "image/png", {"X-Plakat-Version": str(preview.version)})

    def _events(self) -> None:
        service = self.server.service
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        shown = -1
        try:
            while not service.stopping:
                version = service.wait_for_version(shown, KEEPALIVE_SECONDS if shown >= 0 else 0)
                if service.stopping:
                    break
                if version != shown:
                    shown = version
                    self.wfile.write(f"event: version\ndata: {version}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 16))
        if url.path != "/render":
            self._not_found()
            return
        host = self.headers.get("Host")
        origin = self.headers.get("Origin")
        if not self.server.allowed_host(host) or origin != f"http://{host}":
            self._json({"ok": False, "errors": ["only the preview page itself may ask for files"]}, 403)
            return
        self._json(self.server.service.write_files())

    def do_PUT(self) -> None:
        self._send(405, b"method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD, POST"})

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not self.server.allowed_host(self.headers.get("Host")):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"unknown host\n", "text/plain; charset=utf-8")
            return False
        return True


def make_server(service: PreviewService, host: str = "127.0.0.1", port: int = 8765) -> WatchServer:
    """A server for ``service`` bound to host:port (0: any free port); call serve_forever()."""
    server = WatchServer((host, port), WatchHandler)
    server.service = service
    server.bound_host = host
    return server


class Watch:
    """The preview service and its server together, started and stopped as one."""

    def __init__(self, layout: Path, out_dir: Path, host: str = "127.0.0.1", port: int = 8765):
        self.service = PreviewService(layout, out_dir)
        self.server = make_server(self.service, host, port)
        self._serving = threading.Thread(target=self.server.serve_forever, name="plakat-watch-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = str(self.server.server_address[0]), self.server.server_address[1]
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host  # the wildcard: this machine answers too
        return f"http://{shown}:{port}/"

    def start(self) -> Watch:
        self.service.start()
        self._serving.start()
        return self

    def stop(self) -> None:
        self.service.stop()  # ends the event streams too
        self.server.shutdown()
        self.server.server_close()
        self._serving.join()

    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def report_renders(service: PreviewService, print_line: Callable[[str], None]) -> None:
    """Print one line per render until the service stops (runs on the caller's thread)."""
    shown = 0
    while not service.stopping:
        version = service.wait_for_version(shown, 0.5)
        if version == shown or service.stopping:
            continue
        shown = version
        status = service.status()
        if status["ok"]:
            count = len(status.get("findings", []))
            print_line(f"version {version}: drawn in {status.get('seconds', 0):.2f} s, {count} findings")
        else:
            print_line(f"version {version}: the layout has errors (the last good preview stays up)")
            for line in status["errors"]:
                print_line(f"  {line}")
