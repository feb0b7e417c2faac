#!/usr/bin/env python3
"""Checks for the notebooks in this folder, run by .ci/notebooks.sh.

Standard library only (plus nbformat for `validate`), so that it runs on Debian's
python3 without pandas or pyarrow.

    check_notebooks.py validate NOTEBOOK...
        Each notebook is valid nbformat v4 JSON.

    check_notebooks.py contract NOTEBOOK --columns TSV [--doc docs/outputs.md]
        Every column the notebook reads (the REQUIRED_COLUMNS, OPTIONAL_TABLES and
        OPTIONAL_COLUMNS literals of its cell tagged "segmint-contract") exists in the
        Parquet files of a real run, listed in TSV as "FILE<TAB>COLUMN" lines (the
        output of notebooks/tools/parquetcols), and, when --doc is given, in the output
        contract document. Prints how many columns were checked.

    check_notebooks.py executed NOTEBOOK [--expect TEXT]
        An executed notebook has no error output, no stderr reporting a panic or a
        failed command, and (with --expect) prints TEXT. GoNB reports a panic or a
        failed shell command as stderr text, not as a cell error, so nbconvert alone
        does not catch them.

Exit status: 0 when every check passes, 1 when one fails, 2 on a usage error.
"""

import argparse
import ast
import fnmatch
import json
import re
import sys
from pathlib import Path

CONTRACT_TAG = "segmint-contract"
CONTRACT_NAMES = ("REQUIRED_COLUMNS", "OPTIONAL_TABLES", "OPTIONAL_COLUMNS")


def cell_source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_contract(notebook_path):
    """Returns (required, optional_tables, optional_columns) from the notebook's contract cell."""
    notebook = json.loads(Path(notebook_path).read_text())
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    tagged = [c for c in cells if CONTRACT_TAG in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise SystemExit(f"{notebook_path}: expected one code cell tagged {CONTRACT_TAG!r}, found {len(tagged)}")
    values = {}
    for node in ast.parse(cell_source(tagged[0])).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in CONTRACT_NAMES:
                values[name] = ast.literal_eval(node.value)
    if "REQUIRED_COLUMNS" not in values:
        raise SystemExit(f"{notebook_path}: the {CONTRACT_TAG!r} cell has no REQUIRED_COLUMNS literal")
    return values["REQUIRED_COLUMNS"], values.get("OPTIONAL_TABLES", []), values.get("OPTIONAL_COLUMNS", {})


def read_parquet_columns(tsv_path):
    """Parses "FILE<TAB>COLUMN" lines into {table: [columns]}."""
    tables = {}
    for line in Path(tsv_path).read_text().splitlines():
        if not line.strip():
            continue
        file, column = line.split("\t")
        tables.setdefault(Path(file).name.removesuffix(".parquet"), []).append(column)
    return tables


def read_contract_doc(doc_path):
    """Parses docs/outputs.md: "## table" headings followed by rows "| `column` | ...".

    A name such as mean_<feature> becomes the pattern mean_*.
    """
    tables, table = {}, None
    for line in Path(doc_path).read_text().splitlines():
        heading = re.match(r"^##\s+`?([A-Za-z_][A-Za-z0-9_]*)`?\s*$", line)
        if heading:
            table = heading.group(1)
            tables.setdefault(table, [])
            continue
        row = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if row and table is not None:
            tables[table].append(re.sub(r"<[^>]*>", "*", row.group(1)))
    return tables


def matches(wanted, columns):
    """Whether the column name or pattern wanted is among columns (names or patterns)."""
    return any(wanted == c or fnmatch.fnmatchcase(c, wanted) or fnmatch.fnmatchcase(wanted, c) for c in columns)


def check_contract(args):
    required, optional_tables, optional_columns = read_contract(args.notebook)
    sources = [("run", read_parquet_columns(args.columns))]
    if args.doc:
        sources.append((str(args.doc), read_contract_doc(args.doc)))
    failures, checked = [], 0
    for source, tables in sources:
        for table, columns in required.items():
            if table not in tables:
                if table in optional_tables:
                    print(f"  {source}: {table}: absent (optional table, not checked)")
                    continue
                failures.append(f"{source}: table {table} is missing")
                continue
            for column in columns:
                checked += 1
                if not matches(column, tables[table]):
                    failures.append(f"{source}: {table}.{column} is missing")
            wanted = optional_columns.get("*", []) + optional_columns.get(table, [])
            absent = [c for c in wanted if not matches(c, tables[table])]
            note = f"; optional columns absent: {', '.join(absent)}" if absent else ""
            print(f"  {source}: {table}: {len(columns)} columns checked{note}")
    for failure in failures:
        print(f"FAIL {args.notebook}: {failure}", file=sys.stderr)
    print(f"{checked} columns checked")
    return 1 if failures else 0


def check_executed(args):
    notebook = json.loads(Path(args.notebook).read_text())
    failures, printed = [], []
    for number, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            if kind == "error":
                failures.append(f"cell {number}: {output.get('ename')}: {output.get('evalue')}")
            elif kind == "stream" and output.get("name") == "stderr" and re.search(r"panic:|exit status \d+|^ERROR", text, re.M):
                failures.append(f"cell {number}: {text.strip()}")
            elif kind == "stream" and output.get("name") == "stdout":
                printed.append(text)
    stdout = "".join(printed)
    if args.verbose:
        for line in stdout.splitlines():
            print(f"  | {line}")
    if args.expect and args.expect not in stdout:
        failures.append(f"the output lacks {args.expect!r}: not every cell ran")
    for failure in failures:
        print(f"FAIL {args.notebook}: {failure}", file=sys.stderr)
    return 1 if failures else 0


def validate(args):
    import nbformat

    for path in args.notebooks:
        nbformat.validate(nbformat.read(path, as_version=4))
        print(f"  {path}: valid nbformat v4")
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("validate")
    p.add_argument("notebooks", nargs="+")
    p.set_defaults(run=validate)
    p = commands.add_parser("contract")
    p.add_argument("notebook")
    p.add_argument("--columns", required=True, help="FILE<TAB>COLUMN lines of a real run's Parquet files")
    p.add_argument("--doc", help="the output contract document (docs/outputs.md)")
    p.set_defaults(run=check_contract)
    p = commands.add_parser("executed")
    p.add_argument("notebook")
    p.add_argument("--expect", help="text the notebook must print")
    p.add_argument("--verbose", action="store_true", help="echo what the notebook printed")
    p.set_defaults(run=check_executed)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
