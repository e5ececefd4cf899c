#!/usr/bin/python3
"""Print the modules a guest must insmod, in load order, for the named modules.

Reads MODDIR/modules.dep (made by depmod) and resolves the dependency closure;
names missing from modules.dep are reported as built in (or absent) on stderr.
Usage: resolve-modules.py MODDIR NAME...
"""
import os
import sys


def module_name(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    return base.replace("-", "_")


def load_deps(moddir):
    deps, paths = {}, {}
    with open(os.path.join(moddir, "modules.dep"), encoding="utf-8") as f:
        for line in f:
            if ":" not in line:
                continue
            mod, rest = line.split(":", 1)
            name = module_name(mod)
            paths[name] = mod
            deps[name] = [module_name(d) for d in rest.split()]
    return deps, paths


def load_order(wanted, deps):
    order, seen = [], set()

    def visit(name, chain):
        if name in seen:
            return
        if name in chain:
            raise SystemExit(f"resolve-modules: dependency cycle at {name}")
        for dep in deps.get(name, []):
            visit(dep, chain | {name})
        seen.add(name)
        order.append(name)

    for name in wanted:
        visit(name, frozenset())
    return order


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    moddir, wanted = sys.argv[1], [module_name(n) for n in sys.argv[2:]]
    deps, paths = load_deps(moddir)
    present = [n for n in wanted if n in paths]
    for n in wanted:
        if n not in paths:
            print(f"resolve-modules: {n} not a module here (built in or absent)", file=sys.stderr)
    for name in load_order(present, deps):
        print(paths[name])


if __name__ == "__main__":
    main()
