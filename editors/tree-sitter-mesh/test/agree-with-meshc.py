#!/usr/bin/env python3
"""Checks that the tree-sitter grammar accepts exactly what meshc accepts.

Every test of test/corpus/*.txt and every .mesh file of examples/, tests/ui/
(with tests/ui/pass/), tests/syntax/ok/ and tests/syntax/err/ is given to
both parsers:

- meshc rejects a source when `meshc check` reports a syntax code (M101 to
  M106; M107, a repeated clause, is checked after parsing and is not part of
  the grammar);
- tree-sitter rejects it when its parse holds an ERROR or MISSING node.

The two verdicts must be the same, and a corpus test must be marked `:error`
exactly when meshc rejects it.

    agree-with-meshc.py --meshc target/debug/meshc --tree-sitter PATH
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
GRAMMAR = HERE.parent
ROOT = GRAMMAR.parent.parent
SOURCE_DIRS = ["examples", "tests/ui", "tests/ui/pass", "tests/syntax/ok", "tests/syntax/err"]
SYNTAX_CODE = re.compile(r"^\s*(M10[1-6])\b", re.MULTILINE)
HEADER = re.compile(r"^={3,}\n(?P<name>.*?)\n(?P<attributes>(?::[^\n]*\n)*)={3,}\n", re.MULTILINE)
DIVIDER = re.compile(r"^-{3,}\n", re.MULTILINE)


def corpus_tests():
    """(name, source, marked_error) for every test of test/corpus/*.txt."""
    for corpus in sorted((GRAMMAR / "test" / "corpus").glob("*.txt")):
        text = corpus.read_text()
        headers = list(HEADER.finditer(text))
        for index, header in enumerate(headers):
            end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
            body = text[header.end():end]
            source = DIVIDER.split(body, maxsplit=1)[0].strip("\n") + "\n"
            marked = ":error" in header.group("attributes").split()
            yield f"{corpus.name}: {header.group('name')}", source, marked


def meshc_rejects(meshc, path):
    result = subprocess.run([meshc, "check", str(path)], capture_output=True, text=True, check=False)
    return sorted(set(SYNTAX_CODE.findall(result.stdout + result.stderr)))


def tree_sitter_rejects(tree_sitter, paths):
    """Whether each file's parse has an ERROR or MISSING node."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(str(path) for path in paths) + "\n")
    result = subprocess.run(
        [tree_sitter, "parse", "--quiet", "--json-summary", "--paths", listing.name],
        cwd=GRAMMAR, capture_output=True, text=True, check=False,
    )
    start = result.stdout.find("{")
    if start < 0:
        sys.exit(f"tree-sitter parse printed no summary:\n{result.stdout}{result.stderr}")
    summary = json.loads(result.stdout[start:])
    verdicts = {entry["file"]: not entry["successful"] for entry in summary["parse_summaries"]}
    return [verdicts[str(path)] for path in paths]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meshc", required=True)
    parser.add_argument("--tree-sitter", required=True)
    args = parser.parse_args()

    cases = []  # (name, path, marked_error or None)
    with tempfile.TemporaryDirectory() as scratch:
        for number, (name, source, marked) in enumerate(corpus_tests()):
            path = pathlib.Path(scratch) / f"corpus-{number:03}.mesh"
            path.write_text(source)
            cases.append((name, path, marked))
        for directory in SOURCE_DIRS:
            for path in sorted((ROOT / directory).glob("*.mesh")):
                cases.append((str(path.relative_to(ROOT)), path, None))

        rejected_by_tree_sitter = tree_sitter_rejects(args.tree_sitter, [path for _, path, _ in cases])
        passed = failed = 0
        for (name, path, marked), ts_rejects in zip(cases, rejected_by_tree_sitter):
            codes = meshc_rejects(args.meshc, path)
            problems = []
            if bool(codes) != ts_rejects:
                problems.append(
                    f"meshc {'rejects it (' + ', '.join(codes) + ')' if codes else 'accepts it'}, "
                    f"tree-sitter {'rejects' if ts_rejects else 'accepts'} it"
                )
            if marked is not None and marked != bool(codes):
                problems.append(f"the corpus marks it {':error' if marked else 'valid'}, meshc says otherwise")
            if problems:
                failed += 1
                print(f"FAIL {name}: {'; '.join(problems)}")
            else:
                passed += 1
    print(f"agree-with-meshc: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
