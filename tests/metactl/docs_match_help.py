#!/usr/bin/env python3
"""Issue 13, point 7: the docs match the binaries.

Reads, at run time (no flag list is written here, so flags added later are checked as they come):
  - `metactl --help`, the --help of every metactl subcommand (and of their subcommands, e.g.
    `members add`), and `metasrv --help`: the flags each command has;
  - the command lines in docs/*.md: fenced code blocks and inline code spans that start with
    `metactl ` or `metasrv ` (the synopsis headings of docs/backup.md are such spans).
Checks:
  1. every flag in a documented command line exists in that command's --help (`--s3-*` stands
     for any flag with that prefix); a documented metactl subcommand that does not exist is
     reported too when the line clearly is a command (it has flags);
  2. every flag in the --help of every command (metactl's subcommands and metasrv) appears in
     docs/*.md (as `--flag`), except --help itself.
Prints each problem with the doc file and line; exit 1 when there is any.
"""
import os
import re
import subprocess
import sys

METACTL = os.environ["METACTL"]
METASRV = os.environ["METASRV"]
DOCS_DIR = os.environ["DOCS_DIR"]

OPTION_LINE = re.compile(r"^ {2,4}(?:-\w,)?(--[A-Za-z0-9][\w-]*)")
FLAG = re.compile(r"--[a-z0-9][a-z0-9-]*\*?")


def help_text(argv):
    p = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(argv)} --help exited {p.returncode}: {p.stderr}")
    return p.stdout


def parse_help(text):
    """(flags, subcommands) of one --help page."""
    flags, subs, section = set(), [], ""
    for line in text.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            section = line.strip()
            continue
        if section == "Subcommands:":
            m = re.match(r"^ {2}([a-z][\w-]*)(\s|$)", line)
            if m:
                subs.append(m.group(1))
            continue
        m = OPTION_LINE.match(line)
        if m:
            flags.add(m.group(1))
    return flags, subs


def collect_metactl():
    """{(sub, ...): flags} for every metactl (sub)command, and the main app's flags."""
    main_flags, subs = parse_help(help_text([METACTL]))
    commands = {}
    todo = [(s,) for s in subs]
    while todo:
        path = todo.pop()
        flags, nested = parse_help(help_text([METACTL, *path]))
        commands[path] = flags
        todo += [path + (n,) for n in nested]
    return main_flags, commands


def doc_command_lines():
    """(file, line number, text, lines it spans - 1) of every documented command line."""
    out = []
    for name in sorted(os.listdir(DOCS_DIR)):
        if not name.endswith(".md"):
            continue
        path = os.path.join(DOCS_DIR, name)
        in_block, pending, start = False, "", 0
        for no, line in enumerate(open(path, encoding="utf-8"), 1):
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            if in_block:
                # An indented line of options continues the command line above it (synopses).
                if not pending and out and out[-1][0] == name and out[-1][1] + out[-1][3] == no - 1 and \
                        line[:1].isspace() and line.lstrip()[:1] in "[(-" and line.strip():
                    f, n, text, extra = out[-1]
                    out[-1] = (f, n, text + " " + line.strip(), extra + 1)
                    continue
                if not pending:
                    start = no
                if line.rstrip().endswith("\\"):
                    pending += line.rstrip()[:-1] + " "
                    continue
                out.append((name, start, pending + line.rstrip(), no - start))
                pending = ""
            else:
                for span in re.findall(r"`([^`]+)`", line):
                    if re.match(r"(metactl|metasrv)\s", span):
                        out.append((name, no, span, 0))
    return out


def is_binary(token, name):
    return token == name or token.endswith("/" + name)


SEPARATORS = {"&&", "||", ";", ">", "2>", "<", ">>"}


def check_line(text, main_flags, metactl, metasrv_flags, problems, where):
    tokens = text.replace("(", " ").replace(")", " ").replace("[", " ").replace("]", " ").split()
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if is_binary(t, "metactl"):
            i += 1
            # Options of metactl itself, then the subcommand path.
            while i < len(tokens) and tokens[i].startswith("-"):
                if tokens[i].split("=")[0] not in main_flags:
                    problems.append(f"{where}: metactl has no option {tokens[i]}")
                i += 2 if "=" not in tokens[i] else 1
            path = ()
            while i < len(tokens) and path + (tokens[i],) in metactl:
                path += (tokens[i],)
                i += 1
            args_start = i
            i = scan_args(tokens, i)
            flags = [f for tok in tokens[args_start:i] for f in FLAG.findall(tok) if tok.startswith(f[:2])]
            if not path:
                if flags and i > args_start and re.fullmatch(r"[a-z][a-z-]*", tokens[args_start]):
                    problems.append(f"{where}: metactl has no command '{tokens[args_start]}'")
                continue
            check_flags(flags, metactl[path], "metactl " + " ".join(path), problems, where)
        elif is_binary(t, "metasrv"):
            args_start = i + 1
            i = scan_args(tokens, args_start)
            flags = [f for tok in tokens[args_start:i] for f in FLAG.findall(tok) if tok.startswith(f[:2])]
            check_flags(flags, metasrv_flags, "metasrv", problems, where)
        else:
            i += 1


def scan_args(tokens, i):
    """Index after the arguments of the command starting at i: up to a shell separator, a pipe
    into another program, or the next metactl/metasrv."""
    while i < len(tokens):
        t = tokens[i]
        if t in SEPARATORS or is_binary(t, "metactl") or is_binary(t, "metasrv"):
            break
        if t == "|" and i + 1 < len(tokens) and re.match(r"[a-z./$]", tokens[i + 1]) and \
                not tokens[i + 1].startswith("-"):
            break
        i += 1
    return i


def check_flags(flags, known, command, problems, where):
    for f in flags:
        if f.endswith("*"):
            if not any(k.startswith(f[:-1]) for k in known):
                problems.append(f"{where}: `{command}` has no flag matching {f}")
        elif f not in known:
            problems.append(f"{where}: `{command}` has no flag {f} (its --help does not list it)")


def main():
    main_flags, metactl = collect_metactl()
    metasrv_flags, _ = parse_help(help_text([METASRV]))
    if len(metactl) < 10 or len(metasrv_flags) < 5:
        sys.exit(f"FAIL: read only {len(metactl)} metactl commands and {len(metasrv_flags)} metasrv flags from --help")
    problems = []
    lines = doc_command_lines()
    for name, no, text, _ in lines:
        check_line(text, main_flags, metactl, metasrv_flags, problems, f"docs/{name}:{no}")
    print(f"checked {len(lines)} documented command lines against the --help of "
          f"{len(metactl)} metactl commands and metasrv")

    docs = "".join(open(os.path.join(DOCS_DIR, n), encoding="utf-8").read()
                   for n in sorted(os.listdir(DOCS_DIR)) if n.endswith(".md"))
    documented = set(re.findall(r"--[a-z0-9][a-z0-9-]*(?![a-z0-9-])", docs))
    every = [("metasrv", f) for f in sorted(metasrv_flags)]
    every += [("metactl", f) for f in sorted(main_flags)]
    every += [("metactl " + " ".join(p), f) for p in sorted(metactl) for f in sorted(metactl[p])]
    for command, f in every:
        if f != "--help" and f not in documented:
            problems.append(f"`{command} --help` lists {f}, which no docs/*.md mentions")
    print(f"checked {len(every)} flags of --help against docs/*.md")

    for p in problems:
        print("FAIL:", p)
    if problems:
        sys.exit(1)
    print("ok: every documented flag exists, every flag is documented")


main()
