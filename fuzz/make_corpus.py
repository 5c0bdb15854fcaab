#!/usr/bin/env python3
"""Seeds fuzz/corpus/ from the project's test configs (run from fuzz/; the result is checked in).

config: each fixture set packed as one input (`%%% configs/NAME` / `%%% seeds/NAME` lines, see
src/lib.rs), and each config alone with the seed file it names; expr and rule: every
`expression:` and `rule:` value of the configs; csv: small files of the shapes verify reads.
"""
import hashlib
import os
import re

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
SETS = [os.path.join(REPO, "perfgen-fixtures/configs", d) for d in sorted(os.listdir(os.path.join(REPO, "perfgen-fixtures/configs")))]
SETS += [os.path.join(REPO, "eval/performance"), os.path.join(REPO, "examples/library"), os.path.join(REPO, "examples/tpch")]


def put(target, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files_of(folder):
    out = []
    for sub in ("configs", "seeds"):
        p = os.path.join(folder, sub)
        if os.path.isdir(p):
            for n in sorted(os.listdir(p)):
                if n.endswith(".yaml") and os.path.isfile(os.path.join(p, n)):
                    out.append((f"{sub}/{n}", open(os.path.join(p, n), encoding="utf-8").read()))
    return out


def pack(files):
    return "".join(f"%%% {name}\n{text}" + ("" if text.endswith("\n") else "\n") for name, text in files).encode()


exprs, rules = set(), set()
for folder in SETS:
    files = files_of(folder)
    if not files:
        continue
    whole = pack(files)
    if len(whole) < 64 * 1024:
        put("config", whole)
    seeds = dict(files)
    for name, text in files:
        if not name.startswith("configs/"):
            continue
        m = re.search(r"^seed_file:\s*\.\./seeds/(\S+)", text, re.M)
        one = [(name, text)]
        if m and f"seeds/{m.group(1)}" in seeds:
            one.append((f"seeds/{m.group(1)}", seeds[f"seeds/{m.group(1)}"]))
        put("config", pack(one))
        for m in re.finditer(r"^\s+expression:\s*(.+)$", text, re.M):
            exprs.add(m.group(1).strip().strip('"'))
        for m in re.finditer(r"^\s+rule:\s*(.+)$", text, re.M):
            rules.add(m.group(1).strip().strip('"'))
for e in sorted(exprs):
    put("expr", e.encode())
for r in sorted(rules):
    put("rule", r.encode())
for r in ["unique", "> 0", ">= created_at AND <= created_at + 30d", "!= other", "< user_id.user.signup_at - 1h", "= 'x'"]:
    put("rule", r.encode())
for c in [
    b"id,name,amount\n1,alice,1.50\n2,\"bob, jr\",-3\n",
    b"id,note\r\n1,\"a \"\"quoted\"\" word\"\r\n2,\r\n3,\"\"\n",
    b"a,b\n\"multi\nline\",x\n",
    b"h\nab\"c\n\"ok\"x\n\"open\nnever closed",
    b"id,t\n\xef\xbb\xbf1,caf\xc3\xa9\n2,\xff\n",
]:
    put("csv", c)
