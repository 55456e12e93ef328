"""Build the desktop app: `python packaging/build.py` (from anywhere; Python 3.11+).

1. A clean virtual environment in build/packaging/venv; the project copied to build/packaging/src
   (tracked and untracked files alike, without caches or old build output) and installed from
   there with a normal `pip install` with the `packaging` extra, so what gets bundled is exactly
   what the wheel declares (an editable install or the checkout would be frozen wrongly).
2. PyInstaller with packaging/desktop-tracker.spec, run outside the checkout: the one-folder app
   in build/packaging/dist/desktop-tracker (on macOS also desktop_tracker.app).
3. The platform's packages in dist/: on Linux a tar.gz (the folder, the desktop entry, the icons
   and install.sh) and a .deb (dpkg-deb); on macOS a dmg (hdiutil); on Windows the Inno Setup
   installer if `iscc` is on PATH. The AppImage is made by packaging/linux/build_appimage.sh.

Options: --skip-venv reuses the venv of an earlier run (the project is still reinstalled from a
fresh copy, so only its dependencies are kept); --no-packages stops after the folder; --json
prints what was built with sizes and times, for tests/bench/bench_frozen.py and the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build" / "packaging"
DIST = ROOT / "dist"
APP = "desktop-tracker"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PACKAGE_ICONS = ROOT / "desktop_tracker" / "resources" / "icons"
DESKTOP_ENTRY = ROOT / "desktop_tracker" / "resources" / f"{APP}.desktop"
SVG = ROOT / "resources" / "icons" / f"{APP}.svg"
# Left out of the copy the wheel is built from: never part of the project, and stale build
# output (setuptools' build/lib) would otherwise slip into the wheel.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".import_linter_cache",
)  # fmt: skip


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def run(command: list[str], **kwargs: object) -> None:
    """Run a step; its output and ours go to stderr, so that stdout is only the summary."""
    print("+", " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    sys.stdout.flush()
    subprocess.run(command, check=True, stdout=sys.stderr, **kwargs)  # type: ignore[call-overload]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def make_venv(reuse: bool) -> Path:
    venv = BUILD / "venv"
    if not (reuse and venv_python(venv).exists()):
        if venv.exists():
            shutil.rmtree(venv)
        run([sys.executable, "-m", "venv", str(venv)])
    source = BUILD / "src"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    python = venv_python(venv)
    # A normal install (not -e) of a fresh copy, with PyInstaller beside it; pip always
    # rebuilds and reinstalls a project given as a folder.
    run([str(python), "-m", "pip", "install", "-q", f"{source}[packaging]"])
    return python


def freeze(python: Path) -> Path:
    work, dist = BUILD / "work", BUILD / "dist"
    for folder in (work, dist):
        if folder.exists():
            shutil.rmtree(folder)
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    # cwd outside the checkout: `python -m` puts the working directory first on sys.path, and the
    # checkout's desktop_tracker/ must not shadow the installed one (the spec checks this too).
    BUILD.mkdir(parents=True, exist_ok=True)
    run(
        [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(PACKAGING / f"{APP}.spec")],
        cwd=BUILD, env=env,
    )  # fmt: skip
    return dist / APP


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# -- Linux ---------------------------------------------------------------------------------------


def add_desktop_files(share: Path) -> None:
    """share/applications/desktop-tracker.desktop and share/icons/hicolor/SIZE/apps/*.png."""
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy2(DESKTOP_ENTRY, share / "applications" / DESKTOP_ENTRY.name)
    for size in ICON_SIZES:
        apps = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        apps.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACKAGE_ICONS / f"{APP}-{size}.png", apps / f"{APP}.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SVG, scalable / f"{APP}.svg")


def machine() -> str:
    return os.uname().machine


def make_tarball(folder: Path, ver: str) -> Path:
    """desktop-tracker-VER-linux-ARCH.tar.gz: desktop-tracker/{app/, share/, install.sh}."""
    stage = BUILD / "tarball" / APP
    if stage.parent.exists():
        shutil.rmtree(stage.parent)
    shutil.copytree(folder, stage / "app", symlinks=True)
    add_desktop_files(stage / "share")
    shutil.copy2(PACKAGING / "linux" / "install.sh", stage / "install.sh")
    (stage / "install.sh").chmod(0o755)
    shutil.copy2(PACKAGING / "linux" / "README-linux.txt", stage / "README.txt")
    DIST.mkdir(exist_ok=True)
    target = DIST / f"{APP}-{ver}-linux-{machine()}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=9) as tar:
        tar.add(stage, arcname=APP)
    return target


def system_dependencies(folder: Path) -> list[str]:
    """Debian packages of the system libraries the bundle links to (libc6, libxcb…, fontconfig):
    every DT_NEEDED that is not in the folder, found with ldd and mapped with dpkg -S."""
    bundled = {p.name for p in folder.rglob("*.so*")}
    libraries: set[str] = set()
    for path in folder.rglob("*"):
        if not path.is_file() or not (".so" in path.name or path.name == APP):
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            parts = line.split()
            if (
                len(parts) >= 3
                and parts[1] == "=>"
                and parts[2].startswith("/")
                and parts[0] not in bundled
                and not parts[2].startswith(str(folder))
            ):
                libraries.add(os.path.realpath(parts[2]))
    packages: set[str] = set()
    for library in sorted(libraries):
        result = subprocess.run(["dpkg", "-S", library], capture_output=True, text=True)
        if result.returncode != 0:  # /lib vs /usr/lib on merged-/usr systems
            alt = library.replace("/usr/lib/", "/lib/", 1)
            result = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
        if result.returncode == 0:
            packages.add(result.stdout.split(":")[0].strip())
    glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]  # type: ignore[union-attr]
    packages.discard("libc6")
    return [f"libc6 (>= {glibc})", *sorted(packages)]


def make_deb(folder: Path, ver: str) -> Path:
    """desktop-tracker_VER_ARCH.deb: /opt/desktop-tracker, /usr/bin/desktop-tracker,
    /usr/share/applications and /usr/share/icons/hicolor."""
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = BUILD / "deb" / "root"
    if root.parent.exists():
        shutil.rmtree(root.parent)
    shutil.copytree(folder, root / "opt" / APP, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / APP).symlink_to(f"/opt/{APP}/{APP}")
    add_desktop_files(root / "usr" / "share")
    doc = root / "usr" / "share" / "doc" / APP
    doc.mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / "copyright", doc / "copyright")
    control = root / "DEBIAN"
    control.mkdir()
    installed_kb = (folder_size(root) + 1023) // 1024
    depends = ", ".join(system_dependencies(folder))
    (control / "control").write_text(
        f"Package: {APP}\n"
        f"Version: {ver}\n"
        f"Architecture: {arch}\n"
        "Maintainer: desktop_tracker developers <desktop-tracker@users.noreply.github.com>\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {depends}\n"
        # Loaded by Qt's Wayland plugin when there (the X11 one needs nothing more).
        "Recommends: libwayland-egl1\n"
        "Section: web\n"
        "Priority: optional\n"
        "Homepage: https://github.com/desktop-tracker/desktop_tracker\n"
        "Description: watches web pages and tells you when they change\n"
        " A desktop app that checks web pages on cron schedules and tells you, through\n"
        " the tray and desktop notifications, when their scripts, stylesheets, content\n"
        " or security headers change.\n",
        encoding="utf-8",
    )
    for script in ("postinst", "postrm"):
        shutil.copy2(PACKAGING / "linux" / f"deb-{script}", control / script)
        (control / script).chmod(0o755)
    for path in root.rglob("*"):  # dpkg-deb wants sane modes; umask may be odd
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    DIST.mkdir(exist_ok=True)
    target = DIST / f"{APP}_{ver}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)])
    return target


# -- macOS and Windows ----------------------------------------------------------------------------


def make_dmg(ver: str) -> Path:
    target = DIST / f"{APP}-{ver}-macos-{machine()}.dmg"
    DIST.mkdir(exist_ok=True)
    run(["bash", str(PACKAGING / "macos" / "make_dmg.sh"),
         str(BUILD / "dist" / "desktop_tracker.app"), str(target)])  # fmt: skip
    return target


def make_windows_installer(ver: str) -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC.exe")
    default = Path(r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe")
    if iscc is None and default.exists():
        iscc = str(default)
    if iscc is None:
        print("Inno Setup (iscc) not found: no installer made", file=sys.stderr)
        return None
    DIST.mkdir(exist_ok=True)
    run([iscc, f"/DAppVersion={ver}", f"/DSourceDir={BUILD / 'dist' / APP}",
         f"/DRepoRoot={ROOT}", f"/O{DIST}", str(PACKAGING / "windows" / f"{APP}.iss")])  # fmt: skip
    return DIST / f"{APP}-{ver}-windows-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-venv", action="store_true", help="reuse build/packaging/venv")
    parser.add_argument("--no-packages", action="store_true", help="only the one-folder app")
    parser.add_argument("--json", action="store_true", help="print a summary as JSON")
    args = parser.parse_args(argv)
    ver = version()
    times: dict[str, float] = {}
    start = time.perf_counter()
    python = make_venv(args.skip_venv)
    times["venv_s"] = time.perf_counter() - start
    start = time.perf_counter()
    folder = freeze(python)
    times["pyinstaller_s"] = time.perf_counter() - start
    executable = folder / (f"{APP}-cli.exe" if sys.platform == "win32" else APP)
    summary: dict[str, object] = {
        "version": ver, "folder": str(folder), "executable": str(executable),
        "folder_bytes": folder_size(folder), "artefacts": {},
    }  # fmt: skip
    artefacts: dict[str, str] = {}
    if not args.no_packages:
        start = time.perf_counter()
        if sys.platform.startswith("linux"):
            artefacts["tar.gz"] = str(make_tarball(folder, ver))
            if shutil.which("dpkg-deb"):
                artefacts["deb"] = str(make_deb(folder, ver))
        elif sys.platform == "darwin":
            summary["app"] = str(BUILD / "dist" / "desktop_tracker.app")
            artefacts["dmg"] = str(make_dmg(ver))
        elif sys.platform == "win32":
            installer = make_windows_installer(ver)
            if installer is not None:
                artefacts["installer"] = str(installer)
        times["packages_s"] = time.perf_counter() - start
    summary["artefacts"] = {
        kind: {"path": path, "bytes": Path(path).stat().st_size} for kind, path in artefacts.items()
    }
    summary["times"] = {k: round(v, 1) for k, v in times.items()}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"app: {folder} ({summary['folder_bytes'] / 1e6:.0f} MB)")
        for kind, path in artefacts.items():
            print(f"{kind}: {path} ({Path(path).stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
