#!/usr/bin/env python3
"""Deliberate breakages of minewall, one per important behaviour, and the tests that must go red.

Reads scripts/mutations.txt, copies the working tree to build/mutation/src (the tree you run it
in is never edited), builds it with ASan+UBSan, checks that the chosen tests pass unmutated,
then for each mutation: applies it (its text must occur exactly once), rebuilds, runs its tests
and reports RED (caught) or SURVIVED. Exits 1 when a mutation survived or no longer applies.
Run on demand (not in CI): scripts/mutation-check.sh [--only ID[,ID...]] [--list]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "mutation")
SRC = os.path.join(WORK, "src")
# The build folder sits inside the copy at the same place as the main tree's ASan build
# (build/test), so with CCACHE_BASEDIR every unchanged file is a ccache hit.
BUILD = os.path.join(SRC, "build", "test")
# Test binary per suite name used in mutations.txt.
SUITES = {
    "integration": "tests/integration/integration_proxy",
    **{f"unit/{m}": f"tests/unit/{m}/unit_{m}"
       for m in ("certs", "config", "identity", "policy", "proxy", "weblog")},
}


class Mutation:
    def __init__(self, ident):
        self.ident = ident
        self.file = None
        self.why = ""
        self.tests = []  # (suite, doctest -tc pattern)
        self.old = []
        self.new = []


def parse(path):
    """Blocks of '## key: value' lines, then <<<< old ==== new >>>>."""
    mutations, current, mode = [], None, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.rstrip("\n")
            if mode in ("old", "new"):
                if text == "====" and mode == "old":
                    mode = "new"
                elif text == ">>>>" and mode == "new":
                    mode = None
                else:
                    (current.old if mode == "old" else current.new).append(text)
                continue
            if text.startswith("## id:"):
                current = Mutation(text.split(":", 1)[1].strip())
                mutations.append(current)
            elif text.startswith("## file:"):
                current.file = text.split(":", 1)[1].strip()
            elif text.startswith("## why:"):
                current.why = text.split(":", 1)[1].strip()
            elif text.startswith("## test:"):
                suite, pattern = text.split(":", 2)[1:]
                if suite.strip() not in SUITES:
                    sys.exit(f"{path}:{number}: unknown suite '{suite.strip()}'")
                current.tests.append((suite.strip(), pattern.strip()))
            elif text == "<<<<":
                mode = "old"
            elif text.strip() and not text.startswith("#"):
                sys.exit(f"{path}:{number}: cannot read '{text}'")
    for m in mutations:
        if not (m.file and m.tests and m.old):
            sys.exit(f"{path}: mutation '{m.ident}' needs a file, a test and old text")
    return mutations


def copy_tree():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\n")
    for rel in filter(None, files):
        if rel.startswith("build/"):
            continue
        source, target = os.path.join(ROOT, rel), os.path.join(SRC, rel)
        if not os.path.isfile(source):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        # Only copy what changed: unchanged files keep their timestamps (fast rebuilds), and a
        # changed one gets a new one (not the source's, which may be older than its object).
        if not os.path.exists(target) or open(source, "rb").read() != open(target, "rb").read():
            shutil.copyfile(source, target)


def build(targets):
    env = dict(os.environ, CCACHE_BASEDIR=SRC, CCACHE_NOHASHDIR="1")
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        subprocess.run(["cmake", "-S", SRC, "-B", BUILD, "-G", "Ninja", "-DMINEWALL_SANITIZE=ON",
                        "-DCMAKE_BUILD_TYPE=Debug"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    r = subprocess.run(["cmake", "--build", BUILD, "--target", *targets, "-j",
                        str(os.cpu_count() or 2)], env=env, capture_output=True, text=True)
    return r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def run_tests(tests):
    """True when every test passed; the output of the first failure otherwise."""
    env = dict(os.environ,
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    for suite, pattern in tests:
        binary = os.path.join(BUILD, SUITES[suite])
        try:
            # doctest splits filters at commas: a comma in a test name is escaped.
            r = subprocess.run([binary, "-tc=" + pattern.replace(",", "\\,"), "--no-colors"],
                               env=env,
                               capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return False, f"{suite} '{pattern}': timed out"
        ran = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed", r.stdout)
        if ran and int(ran.group(1)) == 0:
            return None, f"{suite} '{pattern}': no test matches"
        if r.returncode != 0:
            return False, r.stdout[-1500:]
    return True, ""


def targets_for(tests):
    names = {os.path.basename(SUITES[s]) for s, _ in tests}
    if "integration_proxy" in names:
        names.add("minewall")
    return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated mutation ids")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    mutations = parse(os.path.join(ROOT, "scripts", "mutations.txt"))
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.ident for m in mutations}
        if unknown:
            sys.exit(f"unknown mutation(s): {', '.join(sorted(unknown))}")
        mutations = [m for m in mutations if m.ident in wanted]
    if args.list:
        for m in mutations:
            print(f"{m.ident:28} {m.file:34} {m.why}")
        return 0

    os.makedirs(SRC, exist_ok=True)
    copy_tree()
    all_tests = [t for m in mutations for t in m.tests]
    print(f"baseline: building and running {len(all_tests)} test selection(s) unmutated",
          flush=True)
    ok, log = build(targets_for(all_tests))
    if not ok:
        print(log)
        sys.exit("baseline build failed")
    for m in mutations:
        passed, log = run_tests(m.tests)
        if not passed:
            print(log)
            sys.exit(f"baseline: the tests of '{m.ident}' fail without the mutation")

    results = []
    for m in mutations:
        path = os.path.join(SRC, m.file)
        original = open(path, encoding="utf-8").read()
        old, new = "\n".join(m.old), "\n".join(m.new)
        count = original.count(old)
        if count != 1:
            results.append((m, "NOT APPLIED", f"its text occurs {count} times in {m.file}"))
            print(f"{m.ident}: NOT APPLIED ({count} matches)", flush=True)
            continue
        started = time.time()
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(old, new))
            ok, log = build(targets_for(m.tests))
            if not ok:
                outcome, detail = "NOT APPLIED", "does not compile: " + log[-600:]
            else:
                passed, detail = run_tests(m.tests)
                outcome = "RED" if passed is False else "SURVIVED"
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        results.append((m, outcome, detail))
        print(f"{m.ident}: {outcome} ({time.time() - started:.0f}s)", flush=True)

    print("\nmutation                      outcome      tests")
    for m, outcome, _ in results:
        print(f"{m.ident:29} {outcome:12} {'; '.join(f'{s}: {p}' for s, p in m.tests)}")
    bad = [r for r in results if r[1] != "RED"]
    for m, outcome, detail in bad:
        print(f"\n{m.ident} {outcome}: {detail}")
    print(f"\n{len(results) - len(bad)} of {len(results)} mutations caught")
    # Leave the copy as it was: the next run rebuilds only what changed.
    build(targets_for(all_tests))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
