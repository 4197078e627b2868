#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check a tool's --json output against its text output.

    json-compare.py KIND TEXT-FILE JSON-FILE

KIND is lsmod, modinfo, field-alias (modinfo -F alias), steps (modprobe -D), names (modprobe -R), config (modprobe -c)
or check (modprobe/insmod --check). The JSON file is parsed with Python's json module
(any syntax error fails); every field of the text must be in the JSON, with the same
values in the same order. Prints "N ITEMS compared" and exits 0, or says the first
difference and exits 1. Non-UTF-8 text bytes are decoded as the writer replaces them.
"""
import json
import sys


class Mismatch(Exception):
    pass


def same(what, text, js):
    if text != js:
        raise Mismatch(f"{what}: text {text!r}, json {js!r}")


def lsmod(text, doc):
    lines = text.splitlines()
    same("header", lines[:1], ["Module                  Size  Used by"])
    rows = lines[1:]
    same("module count", len(rows), len(doc))
    for line, m in zip(rows, doc):
        f = line.split()
        same("name", f[0], m["name"])
        same(f"{f[0]} size", int(f[1]), m["size"])
        same(f"{f[0]} size is a number", type(m["size"]), int)
        same(f"{f[0]} use count", None if f[2] == "-" else int(f[2]), m["use_count"])
        same(f"{f[0]} used by", f[3].split(",") if len(f) > 3 else [], m["used_by"])
    return len(rows), "modules"


def render_param(p):
    if p["description"] is None:
        return f"{p['name']}:{p['type']}"
    if p["type"] is not None:
        return f"{p['name']}:{p['description']} ({p['type']})"
    return f"{p['name']}:{p['description']}"


def modinfo(text, doc):
    # A module starts at its filename line, or at "name:" before "filename: (builtin)".
    lines = text.split("\n")[:-1]
    starts = []
    for i, ln in enumerate(lines):
        if ln == "filename:       (builtin)" and i and lines[i - 1].startswith("name:"):
            starts.append(i - 1)
        elif ln.startswith("filename:       "):
            starts.append(i)
    same("module count", len(starts), len(doc))
    fields = 0
    for n, m in enumerate(doc):
        block = lines[starts[n]:starts[n + 1] if n + 1 < len(starts) else len(lines)]
        # The text cannot tell a value's own newline from the next field (kmod issue
        # 434): a line is a field when it starts with a key this module has.
        known = set(m) | {"parm", "name", "filename"}
        fields_text = []
        for line in block:
            key = line.split(":", 1)[0]
            pad = max(15 - len(key), 0)
            if key in known and line[len(key) + 1:len(key) + 1 + pad] == " " * pad:
                fields_text.append((key, line[len(key) + 1 + pad:]))
            else:
                k, v = fields_text[-1]
                fields_text[-1] = (k, v + "\n" + line)
        label = m["name"]
        filename = m["filename"] if m["filename"] is not None else "(builtin)"
        same(f"{label} builtin", m["builtin"], m["filename"] is None)
        keys_text, values_text = [], {}
        for k, v in fields_text:
            if k == "filename":
                same(f"{label} filename", v, filename)
                continue
            if k == "name":
                same(f"{label} name", v, m["name"])
                continue
            if k in ("sig_key", "signature"):
                v = v.replace("\n\t\t", "")  # the text's line breaks in the hex
            if k not in values_text:
                keys_text.append(k)
                values_text[k] = []
            values_text[k].append(v)
            fields += 1
        keys_json, values_json = [], {}
        for k, v in m.items():
            if k in ("name", "filename", "builtin", "parmtype"):
                continue
            if k == "parameters":
                k, v = "parm", [render_param(p) for p in v]
                if not v:
                    continue
            elif k == "parm":
                continue
            elif k == "depends":
                same(f"{label} depends is an array", type(v), list)
                v = [",".join(v)]
            elif not isinstance(v, list):
                v = [v]
            elif not v:
                continue
            keys_json.append(k)
            values_json[k] = v
        # parm comes last in the text, after every other field.
        if "parm" in keys_json:
            keys_json.remove("parm")
            keys_json.append("parm")
        same(f"{label} keys", keys_text, keys_json)
        for k in keys_text:
            same(f"{label} {k}", values_text[k], values_json[k])
    same("fields found", fields > 0 or not doc, True)
    return fields, "fields"


def field(key):
    """modinfo -F KEY: the text is the values, one a line; the JSON has only that key."""
    def compare(text, doc):
        values = []
        for m in doc:
            same(f"{m['name']} keys", [k for k in m if k not in ("name", "filename", "builtin")],
                 [key] if key in m else [])
            v = m.get(key, [])
            values += v if isinstance(v, list) else [v]
        same(f"-F {key} values", text.split("\n")[:-1] if text else [], values)
        return len(values), "values"
    return compare


def render_step(s):
    a = s["action"]
    if a == "insmod":
        return f"insmod {s['path']} {s['options']}"
    if a == "install":
        return f"install {s['command']} {s['options']}"
    if a == "remove":
        return f"remove {s['command']}"
    return f"{a} {s['name']}"


def steps(text, doc):
    same("steps", text.split("\n")[:-1] if text else [], [render_step(s) for s in doc])
    return len(doc), "steps"


def names(text, doc):
    same("names", text.split("\n")[:-1] if text else [], doc)
    return len(doc), "names"


def config(text, doc):
    out = [f"blacklist {b['module']}" for b in doc["blacklists"]]
    out += [f"install {e['module']} {e['command']}" for e in doc["installs"]]
    out += [f"remove {e['module']} {e['command']}" for e in doc["removes"]]
    out += [f"alias {a['pattern']} {a['module']}" for a in doc["aliases"]]
    out += [f"options {e['module']} {e['options']}" for e in doc["options"]]
    for d in doc["softdeps"]:
        groups = ([("pre: " + " ".join(d["pre"]))] if d["pre"] else []) + \
                 ([("post: " + " ".join(d["post"]))] if d["post"] else [])
        out.append(f"softdep {d['module']} " + " ".join(groups))
    out += [f"weakdep {d['module']} " + " ".join(d["deps"]) for d in doc["weakdeps"]]
    out += ["", "# End of configuration files. Dumping indexes now:", ""]
    out += [f"alias {a['alias']} {a['module']}" for a in doc["index_aliases"]]
    out += [f"alias {a['alias']} {a['module']}" for a in doc["index_symbols"]]
    want = text.split("\n")[:-1]
    for i, (t, j) in enumerate(zip(want, out)):
        same(f"line {i + 1}", t, j)
    same("line count", len(want), len(out))
    return len(out), "lines"


def one_check(c):
    lines = [c["summary"]]
    for ln in c["lines"]:
        level = ln["level"]
        if level not in ("ok", "note", "problem", "info"):
            raise Mismatch(f"level {level!r}")
        body = ln["text"]
        if level != "info":
            head = body.split(": ", 1)
            if not (body.startswith(level + ": ") or
                    len(head) == 2 and head[1].startswith(level + ": ")):
                raise Mismatch(f"level {level} of {body!r}")
        lines.append("  " * ln["depth"] + body)
    if " would not load: " in c["summary"]:
        same("problems", int(c["summary"].split(": ")[1].split()[0]), c["problems"])
    else:
        same("problems", 0, c["problems"])
    return lines


def check(text, doc):
    checks = doc if isinstance(doc, list) else [doc]
    out = []
    for c in checks:
        out += one_check(c)
    same("check lines", text.split("\n")[:-1] if text else [], out)
    return len(out), "lines"


KINDS = {"lsmod": lsmod, "modinfo": modinfo, "field-alias": field("alias"), "steps": steps, "names": names,
         "config": config, "check": check}


def main():
    kind, text_file, json_file = sys.argv[1:4]
    with open(text_file, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    with open(json_file, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"{json_file}: not JSON: {e}")
        return 1
    try:
        n, what = KINDS[kind](text, doc)
    except (Mismatch, KeyError, TypeError, ValueError, IndexError) as e:
        print(f"{kind}: {type(e).__name__}: {e}")
        return 1
    print(f"{n} {what} compared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
